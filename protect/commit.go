package protect

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Commitment is a salted commitment to a value, for logs that may be
// published (the custody log): the log carries Sum, the sealed record
// keeps Salt, and only someone holding both the salt and the value can
// show that the log entry is about that value. The salt is 32 random
// bytes, so a reader of the log cannot confirm a guessed name by hashing
// candidates.
type Commitment struct {
	Salt []byte
	Sum  string // hex HMAC-SHA-256 keyed by the salt over the value
}

// Commit returns a commitment to value with a fresh salt.
func Commit(value []byte) Commitment {
	salt := make([]byte, 32)
	rand.Read(salt)
	return Commitment{Salt: salt, Sum: commitSum(salt, value)}
}

func commitSum(salt, value []byte) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte("sillok commitment v1\x00"))
	m.Write(value)
	return hex.EncodeToString(m.Sum(nil))
}

// ErrCommitment means a value does not match a commitment.
var ErrCommitment = errors.New("protect: value does not match the commitment")

// Verify checks value against c in constant time.
func (c Commitment) Verify(value []byte) error {
	if len(c.Salt) < 16 {
		return errors.New("protect: commitment salt too short")
	}
	if !hmac.Equal([]byte(commitSum(c.Salt, value)), []byte(c.Sum)) {
		return ErrCommitment
	}
	return nil
}
