package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id parameters of new password hashes.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	KeyLen  uint32 // bytes of hash
	SaltLen uint32 // bytes of salt
}

// DefaultArgon2 returns the parameters of new hashes: OWASP's
// recommended minimum for argon2id (19 MiB, 2 passes, 1 lane), with a
// 32-byte hash and a 16-byte salt. RFC 9106's 64 MiB × 3 passes costs
// over a second per login on the two-core machines Sillok runs on (and
// 64 MiB per concurrent login), which invites denial of service; 19 MiB
// still makes each guess against a stolen table cost real memory. Hashes
// carry their parameters (PHC format), so raising them later re-hashes
// each password at its owner's next login.
func DefaultArgon2() Argon2Params {
	return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}
}

var b64 = base64.RawStdEncoding

// HashPassword returns the PHC string
// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash> (base64
// without padding).
func HashPassword(password string, p Argon2Params) string {
	salt := make([]byte, p.SaltLen)
	rand.Read(salt)
	h := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(h))
}

// ErrHashFormat means a stored hash is not an argon2id PHC string this
// package can check.
var ErrHashFormat = errors.New("auth: malformed password hash")

type phc struct {
	p          Argon2Params
	salt, hash []byte
}

// Limits on parsed parameters, so a tampered table cannot make a login
// allocate gigabytes or spin for minutes.
const (
	maxMemory  = 4 << 20 // KiB: 4 GiB
	maxTime    = 100
	maxHashLen = 1024
)

func parsePHC(s string) (phc, error) {
	var r phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return r, ErrHashFormat
	}
	var m, t, p uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return r, ErrHashFormat
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			p = n
		default:
			return r, ErrHashFormat
		}
	}
	if p < 1 || p > 255 || t < 1 || t > maxTime || m < 8*p || m > maxMemory {
		return r, ErrHashFormat
	}
	salt, err1 := b64.DecodeString(parts[4])
	hash, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(hash) < 16 || len(hash) > maxHashLen || len(salt) > maxHashLen {
		return r, ErrHashFormat
	}
	r.p = Argon2Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p), KeyLen: uint32(len(hash)), SaltLen: uint32(len(salt))}
	r.salt, r.hash = salt, hash
	return r, nil
}

// CheckPassword reports whether password matches the PHC hash, comparing
// in constant time; stale reports that the hash uses parameters other than
// p (re-hash it). A malformed hash is ErrHashFormat.
func CheckPassword(hash, password string, p Argon2Params) (ok, stale bool, err error) {
	h, err := parsePHC(hash)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), h.salt, h.p.Time, h.p.Memory, h.p.Threads, h.p.KeyLen)
	ok = subtle.ConstantTimeCompare(got, h.hash) == 1
	return ok, h.p != p, nil
}
