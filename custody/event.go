// Package custody is Sillok's chain-of-custody log: an append-only Merkle
// tree (RFC 6962 hashing, as implemented by golang.org/x/mod/sumdb/tlog)
// whose leaves are canonical custody events, with checkpoints signed as
// C2SP tlog-checkpoint notes (golang.org/x/mod/sumdb/note, Ed25519).
//
// Anyone holding the log's public key can check, offline and with only
// those two open-source packages, that an event is in the log (inclusion
// proof) and that a later checkpoint extends an earlier one (consistency
// proof). Nothing depends on a vendor's ledger service.
//
// What is hand-written and why: the event encoding (a fixed struct whose
// JSON keys are in sorted order, accepted only in that exact form, so that
// every event has one byte representation), the checkpoint body (tlog's
// own FormatTree writes the Go checksum database's fixed first line, not an
// origin), the group-commit writer, the two Storage implementations, and
// the RFC 3161 request and token check (encoding/asn1 and crypto/x509; the
// Go timestamp libraries on offer need a newer Go than this module's).
// The hashing, proofs and signatures are x/mod's, so that what Sillok
// writes is checked by reference code, not by Sillok's own.
package custody

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind is what happened to a piece of evidence or a record.
type Kind string

// The kinds of custody event. The set is closed for format version 1:
// an unknown kind makes an event invalid.
const (
	EvidenceReceived Kind = "evidence_received" // an original entered custody
	RecordCreated    Kind = "record_created"    // a record's first revision
	RecordRevised    Kind = "record_revised"    // a later revision
	ProtectedViewed  Kind = "protected_viewed"  // someone saw protected (witness) data
	Exported         Kind = "exported"          // evidence left in a bundle
	Shared           Kind = "shared"            // given to a named partner
	DerivativeMade   Kind = "derivative_made"   // a redacted/transcoded/OCR/thumbnail copy (Operation says which)
)

var kinds = map[Kind]bool{
	EvidenceReceived: true, RecordCreated: true, RecordRevised: true, ProtectedViewed: true,
	Exported: true, Shared: true, DerivativeMade: true,
}

// FormatVersion is the value of the "v" key of every event this package
// writes.
const FormatVersion = 1

// Event is one custody event, the data of one log leaf.
//
// Fields hold identifiers and hashes only, never names or other protected
// identity data: the log and the bundles made from it may be published.
// Where an event concerns protected content, Blob stays empty and
// Commitment holds a salted commitment to it (see Commit).
//
// The JSON keys are declared in sorted order, so encoding/json writes the
// canonical form directly.
type Event struct {
	Actor      string    `json:"actor"`                // staff account that acted or received
	Blob       string    `json:"blob,omitempty"`       // hex SHA-256 of the evidence file or bundle manifest
	Channel    string    `json:"channel,omitempty"`    // how evidence was received ("in person", "courier", "upload")
	Commitment string    `json:"commitment,omitempty"` // hex salted commitment to protected content
	Derived    string    `json:"derived,omitempty"`    // hex SHA-256 of a derived copy
	Kind       Kind      `json:"kind"`                 //
	Operation  string    `json:"operation,omitempty"`  // how a derivative was made ("redact", "ocr", …)
	Purpose    string    `json:"purpose,omitempty"`    // why protected data was viewed, or for whom exported
	Record     string    `json:"record,omitempty"`     // repository record ID
	Revision   string    `json:"revision,omitempty"`   // hex SHA-256 of the record revision
	Source     string    `json:"source,omitempty"`     // repository ID of the source it came from
	Time       time.Time `json:"time"`                 // UTC
	Version    int       `json:"v"`                    // FormatVersion
}

// ErrInvalidEvent is wrapped by every error from Validate, Marshal and
// ParseEvent about an event's content (as opposed to I/O).
var ErrInvalidEvent = errors.New("invalid custody event")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
}

func isHexHash(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Validate checks the fields each kind needs. Messages name fields and
// kinds, never field values other than IDs and hashes.
func (e *Event) Validate() error {
	if e.Version != FormatVersion {
		return invalid("format version %d, want %d", e.Version, FormatVersion)
	}
	if !kinds[e.Kind] {
		return invalid("unknown kind %.40q", e.Kind)
	}
	if e.Actor == "" {
		return invalid("%s: no actor", e.Kind)
	}
	if e.Time.IsZero() {
		return invalid("%s: no time", e.Kind)
	}
	if e.Time.Location() != time.UTC {
		return invalid("%s: time is not UTC", e.Kind)
	}
	for _, f := range []struct{ name, v string }{
		{"blob", e.Blob}, {"commitment", e.Commitment}, {"derived", e.Derived}, {"revision", e.Revision},
	} {
		if f.v != "" && !isHexHash(f.v) {
			return invalid("%s: %s is not 64 lower-case hex digits", e.Kind, f.name)
		}
	}
	if e.Blob != "" && e.Commitment != "" {
		// A bare hash next to the commitment would defeat it.
		return invalid("%s: both blob and commitment set", e.Kind)
	}
	need := func(name, v string) error {
		if v == "" {
			return invalid("%s: no %s", e.Kind, name)
		}
		return nil
	}
	var errs []error
	switch e.Kind {
	case EvidenceReceived:
		if e.Blob == "" && e.Commitment == "" {
			errs = append(errs, invalid("%s: no blob or commitment", e.Kind))
		}
	case RecordCreated, RecordRevised:
		errs = append(errs, need("record", e.Record), need("revision", e.Revision))
	case ProtectedViewed:
		errs = append(errs, need("record", e.Record), need("purpose", e.Purpose))
	case Exported, Shared:
		errs = append(errs, need("purpose", e.Purpose))
	case DerivativeMade:
		if e.Blob == "" && e.Commitment == "" {
			errs = append(errs, invalid("%s: no blob or commitment of the original", e.Kind))
		}
		errs = append(errs, need("derived", e.Derived), need("operation", e.Operation))
	}
	return errors.Join(errs...)
}

// Marshal validates e and returns its canonical encoding: the bytes of the
// log leaf. The time is normalised to UTC first.
func (e Event) Marshal() ([]byte, error) {
	e.Time = e.Time.UTC().Round(0)
	if e.Version == 0 {
		e.Version = FormatVersion
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(e)
}

// ParseEvent decodes a log leaf. It accepts only the canonical encoding
// that Marshal produces (no unknown keys, no extra spaces, keys in order),
// so a leaf cannot be altered in a way that keeps its meaning but changes
// its hash, nor the other way round.
func ParseEvent(data []byte) (Event, error) {
	var e Event
	// Unknown keys, duplicate keys, other spellings and trailing bytes are
	// all caught by the comparison with the canonical encoding below.
	if err := json.Unmarshal(data, &e); err != nil {
		return Event{}, invalid("decode: %v", err)
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	canon, err := json.Marshal(e)
	if err != nil {
		return Event{}, invalid("re-encode: %v", err)
	}
	if !bytes.Equal(canon, data) {
		return Event{}, invalid("not in canonical form")
	}
	return e, nil
}

// Salt is the secret random key of one commitment. It is stored with the
// protected data it commits to (encrypted, under the same access rules),
// never in the log or a public bundle.
type Salt [32]byte

// NewSalt returns a fresh random salt.
func NewSalt() (Salt, error) {
	var s Salt
	if _, err := rand.Read(s[:]); err != nil {
		return s, fmt.Errorf("new commitment salt: %w", err)
	}
	return s, nil
}

// commitDomain separates commitments from any other HMAC use of a salt.
const commitDomain = "sillok custody commitment v1\x00"

// Commit returns the hex commitment HMAC-SHA256(salt, domain ‖ value).
// Without the salt, a published commitment cannot be used to confirm a
// guessed name or a known file: the salt has 256 bits, so there is nothing
// to enumerate. With the salt (disclosed to a court), anyone can check it.
// For a file, value is its lower-case hex SHA-256.
func Commit(salt Salt, value []byte) string {
	m := hmac.New(sha256.New, salt[:])
	m.Write([]byte(commitDomain))
	m.Write(value)
	return hex.EncodeToString(m.Sum(nil))
}

// CheckCommitment reports whether commitment was made from salt and value.
func CheckCommitment(commitment string, salt Salt, value []byte) bool {
	return hmac.Equal([]byte(commitment), []byte(Commit(salt, value)))
}

// Protect draws a salt and commits to value with it. The caller stores the
// salt with the protected data and puts the commitment in the event.
func Protect(value []byte) (commitment string, salt Salt, err error) {
	salt, err = NewSalt()
	if err != nil {
		return "", salt, err
	}
	return Commit(salt, value), salt, nil
}
