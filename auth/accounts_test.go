package auth

import (
	"bytes"
	"context"
	"crypto/sha1"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlite"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func openers() map[string]func(*testing.T) *sql.DB {
	return map[string]func(*testing.T) *sql.DB{
		"sqlite": func(t *testing.T) *sql.DB {
			db, err := sqlite.OpenDB(filepath.Join(t.TempDir(), "auth.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		"postgres": func(t *testing.T) *sql.DB {
			db, err := postgres.OpenDB(context.Background(), pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
	}
}

// TestAccounts is the conformance test of the account tables on both
// dialects.
func TestAccounts(t *testing.T) {
	for name, open := range openers() {
		t.Run(name, func(t *testing.T) { testAccounts(t, open(t)) })
	}
}

func testAccounts(t *testing.T, db *sql.DB) {
	ctx := context.Background()
	clk := &clock{time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	var logs bytes.Buffer
	a, err := Open(ctx, db, Options{Now: clk.now, Argon2: fast, SessionTTL: time.Hour,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, db, Options{Argon2: fast}); err != nil {
		t.Fatalf("second Open: %v", err)
	}
	const pw = "very secret passphrase"

	// First run.
	admin, err := a.FirstRunAdmin(ctx, "ngo-a", "root", pw)
	if err != nil {
		t.Fatal(err)
	}
	if admin.Role != RoleAdmin || admin.Org != "ngo-a" {
		t.Fatalf("first admin = %+v", admin)
	}
	if _, err := a.FirstRunAdmin(ctx, "ngo-x", "root2", pw); !errors.Is(err, ErrInitialised) {
		t.Fatalf("second first-run admin: %v", err)
	}

	// Organisations and users.
	if err := a.CreateOrg(ctx, "ngo-b"); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateOrg(ctx, "ngo-b"); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate org: %v", err)
	}
	if err := a.CreateOrg(ctx, "Bad Name"); !errors.Is(err, sillok.ErrInvalid) {
		t.Errorf("bad org name: %v", err)
	}
	for _, reserved := range []string{SystemOrg, "recovery"} {
		if err := a.CreateOrg(ctx, reserved); !errors.Is(err, sillok.ErrInvalid) {
			t.Errorf("reserved org %s: %v", reserved, err)
		}
	}
	addErrs := []struct {
		nu   NewUser
		want error
	}{
		{NewUser{Org: "ngo-a", Name: "doc1", Role: RoleDocumenter, Password: pw}, nil},
		{NewUser{Org: "ngo-b", Name: "ana1", Role: RoleAnalyst, Password: pw}, nil},
		{NewUser{Org: "ngo-a", Name: "doc1", Role: RoleViewer, Password: pw}, ErrExists},
		{NewUser{Org: "ngo-z", Name: "x1", Role: RoleViewer, Password: pw}, ErrNoSuchOrg},
		{NewUser{Org: "ngo-a", Name: "x2", Role: "root", Password: pw}, sillok.ErrInvalid},
		{NewUser{Org: "ngo-a", Name: "X 2", Role: RoleViewer, Password: pw}, sillok.ErrInvalid},
		{NewUser{Org: "ngo-a", Name: "x3", Role: RoleViewer, Password: "short"}, ErrWeakPassword},
	}
	for _, tt := range addErrs {
		_, err := a.AddUser(ctx, tt.nu)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("AddUser(%s in %s): %v, want %v", tt.nu.Name, tt.nu.Org, err, tt.want)
		}
	}
	orgs, _ := a.Orgs(ctx)
	if len(orgs) != 2 || orgs[0].Name != "ngo-a" || orgs[1].Name != "ngo-b" {
		t.Errorf("Orgs = %+v", orgs)
	}
	us, _ := a.Users(ctx, "ngo-a")
	if len(us) != 2 || us[0].Name != "doc1" || us[1].Name != "root" {
		t.Errorf("Users(ngo-a) = %+v", us)
	}
	if all, _ := a.Users(ctx, ""); len(all) != 3 {
		t.Errorf("Users() = %d users", len(all))
	}

	// Login: unknown user and wrong password fail alike, after the same
	// work (one argon2id check each).
	before := a.checks.Load()
	_, errUnknown := a.Login(ctx, Credentials{Name: "nobody", Password: pw, IP: "10.0.0.1"})
	_, errWrong := a.Login(ctx, Credentials{Name: "doc1", Password: pw + "x", IP: "10.0.0.2"})
	if !errors.Is(errUnknown, ErrCredentials) || !errors.Is(errWrong, ErrCredentials) || errUnknown.Error() != errWrong.Error() {
		t.Errorf("unknown user: %v; wrong password: %v; want the same ErrCredentials", errUnknown, errWrong)
	}
	if got := a.checks.Load() - before; got != 2 {
		t.Errorf("password checks for the two failures = %d, want 2 (an unknown user costs a hash too)", got)
	}
	s, err := a.Login(ctx, Credentials{Name: "doc1", Password: pw, IP: "10.0.0.2"})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := a.Session(ctx, s.Token); err != nil || u.Name != "doc1" || u.Role != RoleDocumenter {
		t.Fatalf("Session = %+v, %v", u, err)
	}
	var stored int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_tokens WHERE hash = $1`, s.Token).Scan(&stored)
	if stored != 0 {
		t.Error("the token itself is stored")
	}
	if _, err := a.APIToken(ctx, s.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Error("a session token works as an API token")
	}
	clk.add(time.Hour)
	if _, err := a.Session(ctx, s.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("expired session: %v", err)
	}
	expired := s.Token
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_tokens WHERE hash = $1`, tokenHash(expired)).Scan(&stored)
	if stored != 1 {
		t.Fatal("the session's hash is not stored")
	}
	s, _ = a.Login(ctx, Credentials{Name: "doc1", Password: pw})
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_tokens WHERE hash = $1`, tokenHash(expired)).Scan(&stored)
	if stored != 0 {
		t.Error("expired session not dropped at the next login")
	}
	if err := a.Logout(ctx, s.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Session(ctx, s.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("after logout: %v", err)
	}

	// Rate limiting per user: the sixth failure locks the name (known or
	// not) for a while, even with the right password.
	for _, name := range []string{"ana1", "ghost"} {
		for i := range 6 {
			a.Login(ctx, Credentials{Name: name, Password: "guess" + string(rune('a'+i)), IP: "10.9.9." + string(rune('0'+i))})
		}
		_, err := a.Login(ctx, Credentials{Name: name, Password: pw, IP: "10.9.9.9"})
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
			t.Errorf("%s after 6 failures: %v, want a RateLimitError", name, err)
		}
	}
	clk.add(time.Minute)
	if _, err := a.Login(ctx, Credentials{Name: "ana1", Password: pw, IP: "10.9.9.9"}); err != nil {
		t.Errorf("after the back-off: %v", err)
	}
	// Per IP: 20 failures over many names lock the address.
	for i := range 21 {
		a.Login(ctx, Credentials{Name: "n" + string(rune('a'+i)), Password: "x", IP: "10.6.6.6"})
	}
	if _, err := a.Login(ctx, Credentials{Name: "root", Password: pw, IP: "10.6.6.6"}); !errors.Is(err, ErrRateLimited) {
		t.Errorf("IP after 21 failures: %v", err)
	}

	// API tokens.
	tok, exp, err := a.NewAPIToken(ctx, "ana1", "nightly mse", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(sillok.Timestamp(clk.now()).Add(24 * time.Hour)) {
		t.Errorf("expiry %v", exp)
	}
	if u, err := a.APIToken(ctx, tok); err != nil || u.Name != "ana1" {
		t.Fatalf("APIToken: %v", err)
	}
	if _, err := a.Session(ctx, tok); !errors.Is(err, ErrUnauthenticated) {
		t.Error("an API token works as a session")
	}
	altered := tok[:len(tok)-1] + "A"
	if altered == tok {
		altered = tok[:len(tok)-1] + "B"
	}
	if _, err := a.APIToken(ctx, altered); !errors.Is(err, ErrUnauthenticated) {
		t.Error("altered token accepted")
	}
	if _, _, err := a.NewAPIToken(ctx, "nobody", "x", time.Hour); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("token for unknown user: %v", err)
	}

	// Disabling revokes everything; a disabled user fails like a wrong
	// password.
	if err := a.Disable(ctx, "ana1"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.APIToken(ctx, tok); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("token of disabled user: %v", err)
	}
	if _, err := a.Login(ctx, Credentials{Name: "ana1", Password: pw, IP: "10.1.1.1"}); !errors.Is(err, ErrCredentials) {
		t.Errorf("disabled login: %v", err)
	}
	if err := a.Enable(ctx, "ana1"); err != nil {
		t.Fatal(err)
	}
	if err := a.SetRole(ctx, "ana1", RoleLegal); err != nil {
		t.Fatal(err)
	}
	if u, _ := a.User(ctx, "ana1"); u.Role != RoleLegal || u.Disabled {
		t.Errorf("after SetRole/Enable: %+v", u)
	}
	if err := a.SetRole(ctx, "nobody", RoleLegal); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("SetRole of unknown user: %v", err)
	}

	// Password change ends sessions; stale hash parameters are upgraded at
	// login.
	s, _ = a.Login(ctx, Credentials{Name: "doc1", Password: pw, IP: "10.1.1.2"})
	if err := a.SetPassword(ctx, "doc1", pw+" new"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Session(ctx, s.Token); !errors.Is(err, ErrUnauthenticated) {
		t.Error("session survived a password change")
	}
	stronger := fast
	stronger.Memory = 128
	a2, _ := Open(ctx, db, Options{Now: clk.now, Argon2: stronger})
	if _, err := a2.Login(ctx, Credentials{Name: "doc1", Password: pw + " new"}); err != nil {
		t.Fatal(err)
	}
	var h string
	db.QueryRowContext(ctx, `SELECT password FROM auth_users WHERE name = 'doc1'`).Scan(&h)
	if !strings.Contains(h, "m=128,") {
		t.Errorf("hash not upgraded: %s", h[:30])
	}

	// Second factor.
	secret, uri, err := a.BeginTOTP(ctx, "root", "Sillok")
	if err != nil || !strings.Contains(uri, secret) {
		t.Fatal(err)
	}
	code := func() string {
		k, _ := totpEncoding.DecodeString(secret)
		return hotp(sha1.New, k, uint64(clk.now().Unix()/30), 6)
	}
	if _, err := a.Login(ctx, Credentials{Name: "root", Password: pw, IP: "10.2.2.2"}); err != nil {
		t.Errorf("login before the factor is confirmed: %v", err)
	}
	if err := a.ConfirmTOTP(ctx, "root", "000000"); !errors.Is(err, ErrCredentials) && code() != "000000" {
		t.Errorf("wrong confirmation code: %v", err)
	}
	if err := a.ConfirmTOTP(ctx, "root", code()); err != nil {
		t.Fatal(err)
	}
	clk.add(30 * time.Second)
	if _, err := a.Login(ctx, Credentials{Name: "root", Password: pw, IP: "10.2.2.2"}); !errors.Is(err, ErrSecondFactor) {
		t.Errorf("login without code: %v", err)
	}
	c := code()
	if _, err := a.Login(ctx, Credentials{Name: "root", Password: pw, TOTP: c, IP: "10.2.2.2"}); err != nil {
		t.Errorf("login with code: %v", err)
	}
	if _, err := a.Login(ctx, Credentials{Name: "root", Password: pw, TOTP: c, IP: "10.2.2.2"}); !errors.Is(err, ErrCredentials) {
		t.Errorf("replayed code: %v", err)
	}

	// With every hashing slot taken, a login waits, and gives up with its
	// context.
	for range cap(a.hashing) {
		a.hashing <- struct{}{}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.Login(cctx, Credentials{Name: "doc1", Password: pw, IP: "10.3.3.3"}); !errors.Is(err, context.Canceled) {
		t.Errorf("login with all hashing slots taken: %v", err)
	}
	for range cap(a.hashing) {
		<-a.hashing
	}

	// Logs carry no passwords and no tokens.
	for _, secret := range []string{pw, tok, s.Token, "guessa"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs hold a secret")
		}
	}
	if !strings.Contains(logs.String(), "login failed") {
		t.Error("failed logins are not logged")
	}
}
