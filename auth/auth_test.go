package auth

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fast are argon2id parameters for tests only.
var fast = Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestPasswordHash(t *testing.T) {
	h := HashPassword("correct horse battery", fast)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	if h == HashPassword("correct horse battery", fast) {
		t.Error("hash is not salted")
	}
	tests := []struct {
		pw, hash      string
		p             Argon2Params
		ok, stale     bool
		wantFormatErr bool
	}{
		{pw: "correct horse battery", hash: h, p: fast, ok: true},
		{pw: "correct horse batterY", hash: h, p: fast},
		{pw: "correct horse battery", hash: h, p: Argon2Params{Memory: 128, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, ok: true, stale: true},
		{pw: "x", hash: "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", wantFormatErr: true},
		{pw: "x", hash: "$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", wantFormatErr: true},
		{pw: "x", hash: "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", wantFormatErr: true},
		{pw: "x", hash: "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA", wantFormatErr: true},
		{pw: "x", hash: "", wantFormatErr: true},
	}
	for i, tt := range tests {
		ok, stale, err := CheckPassword(tt.hash, tt.pw, tt.p)
		if tt.wantFormatErr {
			if !errors.Is(err, ErrHashFormat) {
				t.Errorf("%d: err = %v, want ErrHashFormat", i, err)
			}
			continue
		}
		if err != nil || ok != tt.ok || stale != tt.stale {
			t.Errorf("%d: CheckPassword = %v, %v, %v; want %v, %v", i, ok, stale, err, tt.ok, tt.stale)
		}
	}
}

func FuzzParsePHC(f *testing.F) {
	f.Add(HashPassword("password1234", fast))
	f.Add("$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parsePHC(s)
		if err != nil {
			return
		}
		if h.p.Memory > maxMemory || h.p.Time > maxTime || h.p.Threads == 0 || len(h.hash) > maxHashLen {
			t.Fatalf("accepted out-of-bounds parameters %+v", h.p)
		}
	})
}

func TestTOTPRFC6238(t *testing.T) {
	keys := []struct {
		name string
		h    func() hash.Hash
		key  string
	}{
		{"sha1", sha1.New, "12345678901234567890"},
		{"sha256", sha256.New, "12345678901234567890123456789012"},
		{"sha512", sha512.New, "1234567890123456789012345678901234567890123456789012345678901234"},
	}
	// RFC 6238 appendix B.
	vectors := []struct {
		t    int64
		want [3]string
	}{
		{59, [3]string{"94287082", "46119246", "90693936"}},
		{1111111109, [3]string{"07081804", "68084774", "25091201"}},
		{1111111111, [3]string{"14050471", "67062674", "99943326"}},
		{1234567890, [3]string{"89005924", "91819424", "93441116"}},
		{2000000000, [3]string{"69279037", "90698825", "38618901"}},
		{20000000000, [3]string{"65353130", "77737706", "47863826"}},
	}
	for _, v := range vectors {
		for i, k := range keys {
			if got := hotp(k.h, []byte(k.key), uint64(v.t/30), 8); got != v.want[i] {
				t.Errorf("T=%d %s: %s, want %s", v.t, k.name, got, v.want[i])
			}
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := totpEncoding.EncodeToString([]byte("12345678901234567890"))
	now := time.Unix(1111111111, 0)
	code := func(step int64) string { return hotp(sha1.New, []byte("12345678901234567890"), uint64(step), 6) }
	cur := now.Unix() / 30
	tests := []struct {
		name string
		code string
		last int64
		ok   bool
	}{
		{"current", code(cur), 0, true},
		{"previous step", code(cur - 1), 0, true},
		{"next step", code(cur + 1), 0, true},
		{"two steps old", code(cur - 2), 0, false},
		{"replayed", code(cur), cur, false},
		{"wrong", "000000", 0, code(cur) == "000000"},
		{"short", code(cur)[:5], 0, false},
	}
	for _, tt := range tests {
		if _, ok := checkTOTP(secret, tt.code, now, tt.last); ok != tt.ok {
			t.Errorf("%s: ok = %v, want %v", tt.name, ok, tt.ok)
		}
	}
	if _, ok := checkTOTP("not base32!", "123456", now, 0); ok {
		t.Error("malformed secret accepted")
	}
	if u := TOTPURI("Sillok", "doc1", secret); !strings.HasPrefix(u, "otpauth://totp/Sillok:doc1?") || !strings.Contains(u, "secret="+secret) {
		t.Errorf("URI = %s", u)
	}
}

func TestLimiter(t *testing.T) {
	l := &Limiter{Free: 2, Base: time.Second, Max: 8 * time.Second}
	t0 := time.Unix(1000, 0)
	steps := []struct {
		fail bool
		at   time.Duration
		want time.Duration
	}{
		{false, 0, 0},
		{true, 0, 0},           // 1 failure: free
		{true, 0, time.Second}, // 2: wait 1 s
		{false, 500 * time.Millisecond, 500 * time.Millisecond},
		{true, time.Second, 2 * time.Second},      // 3: 2 s
		{true, 3 * time.Second, 4 * time.Second},  // 4: 4 s
		{true, 7 * time.Second, 8 * time.Second},  // 5: 8 s
		{true, 15 * time.Second, 8 * time.Second}, // 6: capped
		{false, 40 * time.Second, 0},
	}
	for i, s := range steps {
		now := t0.Add(s.at)
		if s.fail {
			l.Fail("k", now)
		}
		if got := l.Wait("k", now); got != s.want {
			t.Errorf("step %d: Wait = %v, want %v", i, got, s.want)
		}
	}
	if l.Wait("other", t0) != 0 {
		t.Error("keys are not separate")
	}
	l.Succeed("k")
	if l.Wait("k", t0.Add(15*time.Second)) != 0 {
		t.Error("Succeed did not clear the key")
	}
}

func TestSessionCookie(t *testing.T) {
	w := httptest.NewRecorder()
	SetSessionCookie(w, &Session{Token: "sillok_ses_abc", Expires: time.Now().Add(time.Hour)})
	c := w.Result().Cookies()[0]
	if c.Name != CookieName || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("cookie = %+v", c)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(c)
	if SessionToken(r) != "sillok_ses_abc" {
		t.Error("SessionToken does not read the cookie back")
	}
	if SessionToken(httptest.NewRequest("GET", "/", nil)) != "" {
		t.Error("token from a request without cookie")
	}
	w = httptest.NewRecorder()
	ClearSessionCookie(w)
	if c := w.Result().Cookies()[0]; c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("clearing cookie = %+v", c)
	}
}

// BenchmarkHashPassword measures one login's password check with the
// default parameters.
func BenchmarkHashPassword(b *testing.B) {
	h := HashPassword("correct horse battery", DefaultArgon2())
	for b.Loop() {
		if ok, _, err := CheckPassword(h, "correct horse battery", DefaultArgon2()); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
