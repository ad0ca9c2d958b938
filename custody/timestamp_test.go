package custody_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/custody/custodytest"
)

func TestTimestampWithOpensslTSA(t *testing.T) {
	ctx := context.Background()
	tsa := custodytest.NewOpenSSLTSA(t)
	c := logCheckpoint(t, 5)
	before := time.Now().Add(-time.Minute)
	token, when, err := custody.Timestamp(ctx, tsa, c, tsa.Roots)
	if err != nil {
		t.Fatal(err)
	}
	if when.Before(before) || when.After(time.Now().Add(time.Minute)) {
		t.Errorf("stamped time %v is not now", when)
	}
	if got, err := custody.VerifyTimestamp(token, c, tsa.Roots); err != nil || !got.Equal(when) {
		t.Errorf("VerifyTimestamp = %v, %v", got, err)
	}
	// openssl agrees that the token stamps this checkpoint's digest.
	tok := filepath.Join(tsa.Dir, "token.der")
	os.WriteFile(tok, token, 0o600)
	d := custody.CheckpointDigest(c)
	cmd := exec.Command("openssl", "ts", "-verify", "-token_in", "-in", "token.der", "-digest", hexs(d[:]), "-CAfile", "ca.crt", "-untrusted", "tsa.crt")
	cmd.Dir = tsa.Dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("openssl ts -verify: %v\n%s", err, out)
	}

	// Another checkpoint, another trust root, a changed byte: all fail.
	other := c
	other.Size++
	if _, err := custody.VerifyTimestamp(token, other, tsa.Roots); !errors.Is(err, custody.ErrInvalidTimestamp) {
		t.Errorf("token verified for another checkpoint: %v", err)
	}
	if _, err := custody.VerifyTimestamp(token, c, x509.NewCertPool()); err == nil {
		t.Error("token verified against an empty root pool")
	}
	// Every byte, signed or in the CMS envelope.
	for off := range token {
		mod := append([]byte(nil), token...)
		mod[off] ^= 0x01
		if _, err := custody.VerifyTimestamp(mod, c, tsa.Roots); err == nil {
			t.Errorf("token with byte %d changed verified", off)
		}
	}
}

// logCheckpoint appends n events to a new log and returns its checkpoint.
func logCheckpoint(t *testing.T, n int) custody.Checkpoint {
	t.Helper()
	l, err := custody.Open(context.Background(), custody.NewMemStorage(), custody.Config{Key: custodytest.TestKey(t, "sillok.example/ts")})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range n {
		if _, err := l.Append(context.Background(), custodytest.TestEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := l.Latest()
	return c
}

func hexs(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}

func FuzzVerifyTimestamp(f *testing.F) {
	f.Add([]byte{0x30, 0x03, 0x06, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, token []byte) {
		c := custody.Checkpoint{Origin: "o", Size: 1}
		if _, err := custody.VerifyTimestamp(token, c, nil); err == nil {
			t.Fatalf("random token verified")
		}
	})
}

func TestHTTPTSA(t *testing.T) {
	tsa := custodytest.NewOpenSSLTSA(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "bad content type", http.StatusBadRequest)
			return
		}
		req, _ := io.ReadAll(r.Body)
		resp, err := tsa.Timestamp(r.Context(), req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(resp)
	}))
	c := logCheckpoint(t, 1)
	if _, _, err := custody.Timestamp(context.Background(), custody.HTTPTSA{URL: srv.URL}, c, tsa.Roots); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, _, err := custody.Timestamp(context.Background(), custody.HTTPTSA{URL: srv.URL}, c, tsa.Roots); err == nil {
		t.Error("Timestamp from a closed server succeeded")
	}
}
