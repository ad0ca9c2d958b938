package http_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sillok/sillok/auth"
	"github.com/sillok/sillok/fulltext"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// TestSignIn: with accounts, nothing is served before sign-in; the session
// cookie or an API token identifies the user, who is the actor of changes.
func TestSignIn(t *testing.T) {
	ctx := context.Background()
	ix := fulltext.New([]byte("k"))
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{Hooks: []sqlstore.Hook{ix}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acc, err := auth.Open(ctx, st.DB(), auth.Options{Argon2: auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	if _, err := acc.FirstRunAdmin(ctx, "org-a", "admin", pw); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.AddUser(ctx, auth.NewUser{Org: "org-a", Name: "reader", Role: auth.RoleViewer, Password: pw}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sillokhttp.NewServer(st, sillokhttp.Options{Accounts: acc, Search: ix}))
	defer ts.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, body, cookie string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		if method == "POST" && strings.HasPrefix(path, "/login") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie) // the cookie is Secure: set by hand over plain HTTP
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	if res, _ := do("GET", "/browse/persons", "", ""); res.StatusCode != 303 || res.Header.Get("Location") != "/login?next=%2Fbrowse%2Fpersons" {
		t.Errorf("anonymous page = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := do("GET", "/api/v1/persons", "", ""); res.StatusCode != 401 {
		t.Errorf("anonymous API = %d", res.StatusCode)
	}
	if res, body := do("GET", "/login?lang=ko", "", ""); res.StatusCode != 200 || !strings.Contains(body, "비밀번호") {
		t.Errorf("login page = %d", res.StatusCode)
	}
	form := func(name, pass, next string) string {
		return url.Values{"name": {name}, "password": {pass}, "next": {next}}.Encode()
	}
	res, body := do("POST", "/login", form("admin", "wrong password!", "/"), "")
	if res.StatusCode != 401 || !strings.Contains(body, "Wrong user name, password or code") || strings.Contains(body, "wrong password!") {
		t.Errorf("bad login = %d", res.StatusCode)
	}
	res, _ = do("POST", "/login", form("admin", pw, "//evil.example/"), "", "Origin", "http://evil.example")
	if res.StatusCode != 403 {
		t.Errorf("cross-site login = %d", res.StatusCode)
	}
	res, _ = do("POST", "/login", form("admin", pw, "//evil.example/"), "")
	if res.StatusCode != 303 || res.Header.Get("Location") != "/" {
		t.Fatalf("login = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie string
	for _, c := range res.Cookies() {
		cookie = c.Name + "=" + c.Value
	}
	if res, body := do("GET", "/", "", cookie); res.StatusCode != 200 || !strings.Contains(body, "admin · org-a") {
		t.Errorf("home after login = %d", res.StatusCode)
	}
	res, body = do("POST", "/api/v1/persons", `{"body":{"names":[{"value":"림철"}]}}`, cookie)
	if res.StatusCode != 201 || !strings.Contains(body, `"created_by":"admin"`) || !strings.Contains(body, `"org":"org-a"`) {
		t.Errorf("create as admin = %d %s", res.StatusCode, body)
	}
	// An API token works for scripts.
	tok, _, err := acc.NewAPIToken(ctx, "reader", "script", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := do("GET", "/api/v1/persons", "", "", "Authorization", "Bearer "+tok); res.StatusCode != 200 {
		t.Errorf("API token = %d", res.StatusCode)
	}
	// A viewer is not offered the intake.
	res, _ = do("POST", "/login", form("reader", pw, "/intake"), "")
	var rc string
	for _, c := range res.Cookies() {
		rc = c.Name + "=" + c.Value
	}
	if res, body := do("GET", "/intake", "", rc); res.StatusCode == 200 || strings.Contains(body, `href="/intake"`) {
		t.Errorf("viewer reached the intake: %d", res.StatusCode)
	}
	// Sign out ends the session.
	if res, _ := do("POST", "/logout", "", cookie); res.StatusCode != 303 {
		t.Errorf("logout = %d", res.StatusCode)
	}
	if res, _ := do("GET", "/", "", cookie); res.StatusCode != 303 {
		t.Errorf("after logout = %d", res.StatusCode)
	}
}
