package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/sillok/sillok"
)

// Org is an organisation sharing the repository.
type Org struct {
	Name    string
	Created time.Time
}

// User is an account. Every user belongs to one organisation.
type User struct {
	Name     string
	Org      string
	Role     Role
	TOTP     bool // second factor enabled
	Disabled bool
	Created  time.Time
}

// Errors. Login failures of any kind (unknown user, wrong password, wrong
// code, disabled account) are all ErrCredentials, with the same message.
var (
	ErrCredentials  = errors.New("auth: wrong user name, password or code")
	ErrSecondFactor = errors.New("auth: second factor code required")
	ErrExists       = errors.New("auth: already exists")
	ErrNoSuchUser   = errors.New("auth: no such user")
	ErrNoSuchOrg    = errors.New("auth: no such organisation")
	ErrInitialised  = errors.New("auth: the repository already has users")
	ErrWeakPassword = errors.New("auth: password must have at least 12 characters")
	ErrRateLimited  = errors.New("auth: too many failed attempts")
)

// RateLimitError says how long to wait; it wraps ErrRateLimited.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v: retry in %v", ErrRateLimited, e.RetryAfter.Round(time.Second))
}
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// Options configure Accounts. Zero values take the defaults.
type Options struct {
	Now        func() time.Time
	Argon2     Argon2Params  // DefaultArgon2() when zero
	SessionTTL time.Duration // 12 hours
	Logger     *slog.Logger
	// PerUser and PerIP limit login attempts; defaults: 5 free failures
	// then 1 s doubling up to 15 min per user; 20 free, 1 s to 15 min per
	// IP.
	PerUser, PerIP *Limiter
}

// Accounts keeps organisations, users, sessions and API tokens in tables
// auth_* of a SQLite or PostgreSQL database.
type Accounts struct {
	db     *sql.DB
	now    func() time.Time
	argon  Argon2Params
	ttl    time.Duration
	log    *slog.Logger
	user   *Limiter
	ip     *Limiter
	dummy  string       // a hash to check unknown users against (same cost)
	checks atomic.Int64 // password hashes checked (tests: unknown users cost the same)
	// hashing bounds concurrent argon2id checks (each takes Memory KiB):
	// a flood of logins queues instead of exhausting memory.
	hashing chan struct{}
}

const schema = `
CREATE TABLE IF NOT EXISTS auth_orgs (
	name TEXT PRIMARY KEY,
	created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_users (
	name TEXT PRIMARY KEY,
	org TEXT NOT NULL REFERENCES auth_orgs (name),
	role TEXT NOT NULL,
	password TEXT NOT NULL,
	totp_secret TEXT NOT NULL DEFAULT '',
	totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
	totp_last BIGINT NOT NULL DEFAULT 0,
	disabled BOOLEAN NOT NULL DEFAULT FALSE,
	created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_tokens (
	hash TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	user_name TEXT NOT NULL REFERENCES auth_users (name),
	label TEXT NOT NULL,
	created TEXT NOT NULL,
	expires TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_tokens_user ON auth_tokens (user_name);
`

// Open creates the tables if needed and returns the accounts service. It
// does not take ownership of db.
func Open(ctx context.Context, db *sql.DB, opts Options) (*Accounts, error) {
	a := &Accounts{db: db, now: opts.Now, argon: opts.Argon2, ttl: opts.SessionTTL, log: opts.Logger, user: opts.PerUser, ip: opts.PerIP}
	if a.now == nil {
		a.now = time.Now
	}
	if a.argon == (Argon2Params{}) {
		a.argon = DefaultArgon2()
	}
	if a.ttl == 0 {
		a.ttl = 12 * time.Hour
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.user == nil {
		a.user = &Limiter{Free: 5, Base: time.Second, Max: 15 * time.Minute}
	}
	if a.ip == nil {
		a.ip = &Limiter{Free: 20, Base: time.Second, Max: 15 * time.Minute}
	}
	for _, stmt := range strings.Split(schema, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("create account tables: %w", err)
		}
	}
	a.hashing = make(chan struct{}, max(1, runtime.NumCPU()))
	var pw [16]byte
	rand.Read(pw[:])
	a.dummy = HashPassword(hex.EncodeToString(pw[:]), a.argon)
	return a, nil
}

func (a *Accounts) ts() string { return sillok.Timestamp(a.now()).Format(sillok.TimeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(sillok.TimeFormat, s)
	return t
}

// validName: account and organisation names are identifiers, not people's
// names: lower-case ASCII letters, digits, '.', '_', '-'.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// validOrg also keeps out the names Sillok reserves: the system
// organisation owning the thesauri and the recovery key's holder name.
func validOrg(s string) bool { return validName(s) && s != SystemOrg && s != "recovery" }

func checkPasswordPolicy(pw string) error {
	if utf8.RuneCountInString(pw) < 12 {
		return ErrWeakPassword
	}
	return nil
}

// CreateOrg adds an organisation. Errors: ErrExists; a *sillok.FieldError
// for a malformed name.
func (a *Accounts) CreateOrg(ctx context.Context, name string) error {
	if !validOrg(name) {
		return &sillok.FieldError{Field: "org", Reason: "want 1–64 of a-z, 0-9, '.', '_', '-' (and not \"system\" or \"recovery\")"}
	}
	if _, err := a.org(ctx, a.db, name); err == nil {
		return fmt.Errorf("organisation %s: %w", name, ErrExists)
	}
	if _, err := a.db.ExecContext(ctx, `INSERT INTO auth_orgs (name, created) VALUES ($1, $2)`, name, a.ts()); err != nil {
		return fmt.Errorf("create organisation %s: %w", name, err)
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func (a *Accounts) org(ctx context.Context, q querier, name string) (*Org, error) {
	var created string
	err := q.QueryRowContext(ctx, `SELECT created FROM auth_orgs WHERE name = $1`, name).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("organisation %s: %w", name, ErrNoSuchOrg)
	}
	if err != nil {
		return nil, fmt.Errorf("read organisation %s: %w", name, err)
	}
	return &Org{Name: name, Created: parseTS(created)}, nil
}

// Orgs lists the organisations by name.
func (a *Accounts) Orgs(ctx context.Context) ([]Org, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT name, created FROM auth_orgs ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	defer rows.Close()
	var os []Org
	for rows.Next() {
		var o Org
		var c string
		if err := rows.Scan(&o.Name, &c); err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		o.Created = parseTS(c)
		os = append(os, o)
	}
	return os, rows.Err()
}

// NewUser is what AddUser needs.
type NewUser struct {
	Org, Name string
	Role      Role
	Password  string
}

// AddUser creates an account. Errors: ErrNoSuchOrg, ErrExists,
// ErrWeakPassword, a *sillok.FieldError for a bad name or role.
func (a *Accounts) AddUser(ctx context.Context, nu NewUser) (*User, error) {
	return a.addUser(ctx, a.db, nu)
}

func (a *Accounts) addUser(ctx context.Context, q querier, nu NewUser) (*User, error) {
	if !validName(nu.Name) {
		return nil, &sillok.FieldError{Field: "name", Reason: "want 1–64 of a-z, 0-9, '.', '_', '-'"}
	}
	if !nu.Role.Valid() {
		return nil, &sillok.FieldError{Field: "role", Reason: "want admin, documenter, analyst, legal or viewer"}
	}
	if err := checkPasswordPolicy(nu.Password); err != nil {
		return nil, err
	}
	if _, err := a.org(ctx, q, nu.Org); err != nil {
		return nil, err
	}
	if _, err := a.getUser(ctx, q, nu.Name); err == nil {
		return nil, fmt.Errorf("user %s: %w", nu.Name, ErrExists)
	}
	now := a.ts()
	if _, err := q.ExecContext(ctx, `INSERT INTO auth_users (name, org, role, password, created) VALUES ($1, $2, $3, $4, $5)`,
		nu.Name, nu.Org, string(nu.Role), HashPassword(nu.Password, a.argon), now); err != nil {
		return nil, fmt.Errorf("create user %s: %w", nu.Name, err)
	}
	a.log.InfoContext(ctx, "user created", "user", nu.Name, "org", nu.Org, "role", nu.Role)
	return &User{Name: nu.Name, Org: nu.Org, Role: nu.Role, Created: parseTS(now)}, nil
}

// FirstRunAdmin creates org and its first admin, only in a repository
// without users. Errors: ErrInitialised once any user exists; as
// AddUser.
func (a *Accounts) FirstRunAdmin(ctx context.Context, org, name, password string) (*User, error) {
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("first-run admin: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_users`).Scan(&n); err != nil {
		return nil, fmt.Errorf("first-run admin: %w", err)
	}
	if n > 0 {
		return nil, ErrInitialised
	}
	if !validOrg(org) {
		return nil, &sillok.FieldError{Field: "org", Reason: "want 1–64 of a-z, 0-9, '.', '_', '-' (and not \"system\" or \"recovery\")"}
	}
	if _, err := a.org(ctx, tx, org); errors.Is(err, ErrNoSuchOrg) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_orgs (name, created) VALUES ($1, $2)`, org, a.ts()); err != nil {
			return nil, fmt.Errorf("first-run admin: create organisation %s: %w", org, err)
		}
	}
	u, err := a.addUser(ctx, tx, NewUser{Org: org, Name: name, Role: RoleAdmin, Password: password})
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("first-run admin: %w", err)
	}
	return u, nil
}

type userRow struct {
	User
	hash, totpSecret string
	totpLast         int64
}

func (a *Accounts) getUser(ctx context.Context, q querier, name string) (*userRow, error) {
	var r userRow
	var role, created string
	err := q.QueryRowContext(ctx, `SELECT name, org, role, password, totp_secret, totp_enabled, totp_last, disabled, created FROM auth_users WHERE name = $1`, name).
		Scan(&r.Name, &r.Org, &role, &r.hash, &r.totpSecret, &r.TOTP, &r.totpLast, &r.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSuchUser
	}
	if err != nil {
		return nil, fmt.Errorf("read user %s: %w", name, err)
	}
	r.Role, r.Created = Role(role), parseTS(created)
	return &r, nil
}

// User returns an account. Errors: ErrNoSuchUser.
func (a *Accounts) User(ctx context.Context, name string) (*User, error) {
	r, err := a.getUser(ctx, a.db, name)
	if err != nil {
		return nil, err
	}
	return &r.User, nil
}

// Users lists the accounts of org ("" for all) by name.
func (a *Accounts) Users(ctx context.Context, org string) ([]*User, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT name, org, role, totp_enabled, disabled, created FROM auth_users WHERE $1 = '' OR org = $1 ORDER BY name`, org)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var us []*User
	for rows.Next() {
		u := &User{}
		var role, created string
		if err := rows.Scan(&u.Name, &u.Org, &role, &u.TOTP, &u.Disabled, &created); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Role, u.Created = Role(role), parseTS(created)
		us = append(us, u)
	}
	return us, rows.Err()
}

func (a *Accounts) update(ctx context.Context, name, what, q string, args ...any) error {
	res, err := a.db.ExecContext(ctx, q, append([]any{name}, args...)...)
	if err != nil {
		return fmt.Errorf("%s of user %s: %w", what, name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s of user %s: %w", what, name, ErrNoSuchUser)
	}
	return nil
}

// SetPassword replaces a password and ends the user's sessions.
func (a *Accounts) SetPassword(ctx context.Context, name, password string) error {
	if err := checkPasswordPolicy(password); err != nil {
		return err
	}
	if err := a.update(ctx, name, "set password", `UPDATE auth_users SET password = $2 WHERE name = $1`, HashPassword(password, a.argon)); err != nil {
		return err
	}
	return a.revoke(ctx, name, kindSession)
}

// SetRole changes a user's role.
func (a *Accounts) SetRole(ctx context.Context, name string, role Role) error {
	if !role.Valid() {
		return &sillok.FieldError{Field: "role", Reason: "want admin, documenter, analyst, legal or viewer"}
	}
	return a.update(ctx, name, "set role", `UPDATE auth_users SET role = $2 WHERE name = $1`, string(role))
}

// Disable locks an account out and revokes its sessions and tokens;
// Enable lets it in again.
func (a *Accounts) Disable(ctx context.Context, name string) error {
	if err := a.update(ctx, name, "disable", `UPDATE auth_users SET disabled = TRUE WHERE name = $1`); err != nil {
		return err
	}
	if err := a.revoke(ctx, name, kindSession); err != nil {
		return err
	}
	return a.revoke(ctx, name, kindAPI)
}

// Enable re-enables a disabled account.
func (a *Accounts) Enable(ctx context.Context, name string) error {
	return a.update(ctx, name, "enable", `UPDATE auth_users SET disabled = FALSE WHERE name = $1`)
}

// Credentials are what a login presents.
type Credentials struct {
	Name, Password string
	TOTP           string // second-factor code, when enabled
	IP             string // client address, for rate limiting
}

// Session is a signed-in session. Token is shown once; only its SHA-256
// is stored.
type Session struct {
	Token   string
	Expires time.Time
	User    *User
}

// Login checks credentials and opens a session. Errors: ErrCredentials for
// an unknown user, a wrong password or code, or a disabled account — the
// same error after the same work (an unknown user's password is checked
// against a dummy hash); ErrSecondFactor when the password is right and
// the account needs a code; *RateLimitError after repeated failures for
// the user name or the IP.
func (a *Accounts) Login(ctx context.Context, c Credentials) (*Session, error) {
	now := a.now()
	ukey, ikey := "u:"+c.Name, "ip:"+c.IP
	if w := max(a.user.Wait(ukey, now), a.ip.Wait(ikey, now)); w > 0 {
		a.log.WarnContext(ctx, "login rate-limited", "ip", c.IP)
		return nil, &RateLimitError{RetryAfter: w}
	}
	fail := func() (*Session, error) {
		a.user.Fail(ukey, now)
		a.ip.Fail(ikey, now)
		a.log.WarnContext(ctx, "login failed", "ip", c.IP)
		return nil, ErrCredentials
	}
	r, err := a.getUser(ctx, a.db, c.Name)
	if err != nil && !errors.Is(err, ErrNoSuchUser) {
		return nil, fmt.Errorf("login: %w", err)
	}
	hash := a.dummy
	if r != nil {
		hash = r.hash
	}
	select {
	case a.hashing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	a.checks.Add(1)
	ok, stale, herr := CheckPassword(hash, c.Password, a.argon)
	<-a.hashing
	if r == nil || !ok || herr != nil || r.Disabled {
		return fail()
	}
	if r.TOTP {
		if c.TOTP == "" {
			return nil, ErrSecondFactor
		}
		step, ok := checkTOTP(r.totpSecret, c.TOTP, now, r.totpLast)
		if !ok {
			return fail()
		}
		// Store the step with a guard, so one code cannot open two
		// sessions even when two logins race.
		res, err := a.db.ExecContext(ctx, `UPDATE auth_users SET totp_last = $2 WHERE name = $1 AND totp_last < $2`, r.Name, step)
		if err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fail()
		}
	}
	if stale {
		if _, err := a.db.ExecContext(ctx, `UPDATE auth_users SET password = $2 WHERE name = $1`, r.Name, HashPassword(c.Password, a.argon)); err != nil {
			return nil, fmt.Errorf("login: re-hash password: %w", err)
		}
	}
	a.user.Succeed(ukey)
	a.ip.Succeed(ikey)
	tok, exp, err := a.issue(ctx, r.Name, kindSession, "", a.ttl)
	if err != nil {
		return nil, err
	}
	a.log.InfoContext(ctx, "login", "user", r.Name, "ip", c.IP)
	return &Session{Token: tok, Expires: exp, User: &r.User}, nil
}

// Token kinds; the prefix lets secret scanners recognise a leaked token.
const (
	kindSession = "session"
	kindAPI     = "api"
)

func tokenPrefix(kind string) string {
	if kind == kindAPI {
		return "sillok_api_"
	}
	return "sillok_ses_"
}

func tokenHash(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

func (a *Accounts) issue(ctx context.Context, user, kind, label string, ttl time.Duration) (string, time.Time, error) {
	var b [32]byte
	rand.Read(b[:])
	tok := tokenPrefix(kind) + base64.RawURLEncoding.EncodeToString(b[:])
	now := sillok.Timestamp(a.now())
	exp := now.Add(ttl)
	// Expired tokens are useless; drop them here rather than in a
	// background job. The text form of times sorts in time order.
	if _, err := a.db.ExecContext(ctx, `DELETE FROM auth_tokens WHERE expires <= $1`, now.Format(sillok.TimeFormat)); err != nil {
		return "", time.Time{}, fmt.Errorf("drop expired tokens: %w", err)
	}
	if _, err := a.db.ExecContext(ctx, `INSERT INTO auth_tokens (hash, kind, user_name, label, created, expires) VALUES ($1, $2, $3, $4, $5, $6)`,
		tokenHash(tok), kind, user, label, now.Format(sillok.TimeFormat), exp.Format(sillok.TimeFormat)); err != nil {
		return "", time.Time{}, fmt.Errorf("issue %s token for %s: %w", kind, user, err)
	}
	return tok, exp, nil
}

func (a *Accounts) authenticate(ctx context.Context, tok, kind string) (*User, error) {
	if !strings.HasPrefix(tok, tokenPrefix(kind)) {
		return nil, ErrUnauthenticated
	}
	var user, exp string
	err := a.db.QueryRowContext(ctx, `SELECT user_name, expires FROM auth_tokens WHERE hash = $1 AND kind = $2`, tokenHash(tok), kind).Scan(&user, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("check %s token: %w", kind, err)
	}
	if !a.now().Before(parseTS(exp)) {
		return nil, ErrUnauthenticated
	}
	r, err := a.getUser(ctx, a.db, user)
	if err != nil {
		return nil, fmt.Errorf("check %s token: %w", kind, err)
	}
	if r.Disabled {
		return nil, ErrUnauthenticated
	}
	return &r.User, nil
}

// Session returns the user of a session token. Errors: ErrUnauthenticated
// for an unknown, expired or revoked token or a disabled user.
func (a *Accounts) Session(ctx context.Context, token string) (*User, error) {
	return a.authenticate(ctx, token, kindSession)
}

// Logout ends a session.
func (a *Accounts) Logout(ctx context.Context, token string) error {
	if _, err := a.db.ExecContext(ctx, `DELETE FROM auth_tokens WHERE hash = $1 AND kind = $2`, tokenHash(token), kindSession); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// NewAPIToken issues a token for scripts acting as user, valid for ttl.
// The token is returned once; only its hash is stored.
func (a *Accounts) NewAPIToken(ctx context.Context, user, label string, ttl time.Duration) (string, time.Time, error) {
	if ttl <= 0 {
		return "", time.Time{}, errors.New("auth: an API token needs a lifetime")
	}
	if _, err := a.getUser(ctx, a.db, user); err != nil {
		return "", time.Time{}, fmt.Errorf("issue API token for %s: %w", user, err)
	}
	return a.issue(ctx, user, kindAPI, label, ttl)
}

// APIToken returns the user of an API token (errors as Session).
func (a *Accounts) APIToken(ctx context.Context, token string) (*User, error) {
	return a.authenticate(ctx, token, kindAPI)
}

// RevokeAPITokens revokes every API token of user.
func (a *Accounts) RevokeAPITokens(ctx context.Context, user string) error {
	return a.revoke(ctx, user, kindAPI)
}

func (a *Accounts) revoke(ctx context.Context, user, kind string) error {
	if _, err := a.db.ExecContext(ctx, `DELETE FROM auth_tokens WHERE user_name = $1 AND kind = $2`, user, kind); err != nil {
		return fmt.Errorf("revoke %s tokens of %s: %w", kind, user, err)
	}
	return nil
}

// BeginTOTP stores a new, not yet active second-factor secret for user and
// returns it with its otpauth URI. The factor becomes active with
// ConfirmTOTP.
func (a *Accounts) BeginTOTP(ctx context.Context, user, issuer string) (secret, uri string, err error) {
	secret = NewTOTPSecret()
	if err := a.update(ctx, user, "begin second factor", `UPDATE auth_users SET totp_secret = $2, totp_enabled = FALSE, totp_last = 0 WHERE name = $1`, secret); err != nil {
		return "", "", err
	}
	return secret, TOTPURI(issuer, user, secret), nil
}

// ConfirmTOTP activates the pending second factor when code is right.
// Errors: ErrCredentials for a wrong code.
func (a *Accounts) ConfirmTOTP(ctx context.Context, user, code string) error {
	r, err := a.getUser(ctx, a.db, user)
	if err != nil {
		return err
	}
	if r.totpSecret == "" {
		return fmt.Errorf("confirm second factor of %s: none begun", user)
	}
	step, ok := checkTOTP(r.totpSecret, code, a.now(), r.totpLast)
	if !ok {
		return ErrCredentials
	}
	return a.update(ctx, user, "confirm second factor", `UPDATE auth_users SET totp_enabled = TRUE, totp_last = $2 WHERE name = $1`, step)
}
