package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"time"
)

// TOTP (RFC 6238) written on crypto/hmac: forty lines, where a library
// would bring QR-code and image dependencies the server does not need.
// Parameters are the ones authenticator apps assume: SHA-1, 6 digits,
// 30-second steps.
const (
	totpDigits = 6
	totpStep   = 30
	// totpSkew accepts the previous and next step too: phone clocks drift.
	totpSkew = 1
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh 160-bit secret, base32 as apps expect.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return totpEncoding.EncodeToString(b)
}

// TOTPURI is the otpauth:// URI an authenticator app imports (as text or
// a QR code the client draws).
func TOTPURI(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("digits", "6")
	v.Set("period", "30")
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

// hotp is RFC 4226 with any hash and digit count (RFC 6238 test vectors
// use SHA-256/512 and 8 digits).
func hotp(h func() hash.Hash, key []byte, counter uint64, digits int) string {
	m := hmac.New(h, key)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	m.Write(c[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, code%mod)
}

// checkTOTP returns the step a code matches within the allowed skew, if
// any. Steps at or before last are refused: a code works once.
func checkTOTP(secret, code string, now time.Time, last int64) (step int64, ok bool) {
	key, err := totpEncoding.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil || len(code) != totpDigits {
		return 0, false
	}
	cur := now.Unix() / totpStep
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := cur + d
		if s <= last {
			continue
		}
		want := hotp(sha1.New, key, uint64(s), totpDigits)
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}
