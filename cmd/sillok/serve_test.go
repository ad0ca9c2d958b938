package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lines is a concurrency-safe writer the test polls.
type lines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The README's first command: serve --demo starts with demo data, prints
// the first admin's password, and that admin sees the demo's records
// (they belong to the demo's organisations, not to the operator's).
func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a demo repository")
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &lines{}
	done := make(chan int, 1)
	t.Setenv("TMPDIR", t.TempDir())
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--demo-people", "120", "--addr", "127.0.0.1:0"}, strings.NewReader(""), out, io.Discard)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d", code)
		}
	}()
	serving := regexp.MustCompile(`on (http://[0-9.:]+)/`)
	password := regexp.MustCompile(`sign in as "admin" \(organisation ([^)]+)\) with the password ([a-z0-9]+)`)
	var base, org, pw string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		s := out.String()
		if m := serving.FindStringSubmatch(s); m != nil {
			base = m[1]
			if p := password.FindStringSubmatch(s); p != nil {
				org, pw = p[1], p[2]
			}
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, s)
		default:
		}
	}
	if base == "" || pw == "" {
		t.Fatalf("no address or password printed: %s", out.String())
	}
	if !strings.HasPrefix(org, "demo-") {
		t.Errorf("first admin's organisation %q is not a demo organisation", org)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"name": {"admin"}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if strings.HasSuffix(c.Name, "sillok_session") {
			session = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || session == nil {
		t.Fatalf("sign in: %d, cookie %v", res.StatusCode, session)
	}
	req, _ = http.NewRequest("GET", base+"/browse/persons", nil)
	req.AddCookie(session)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if n := len(regexp.MustCompile(`/records/per_[0-9a-z]+`).FindAll(body, -1)); res.StatusCode != 200 || n == 0 {
		t.Errorf("the admin's person list: %d, %d persons", res.StatusCode, n)
	}
}
