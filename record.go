package sillok

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ID identifies a record for its whole life. It starts with the prefix of
// its kind (per_, evt_, …) so that a bare ID in a log line or a CSV cell says
// what it points to.
type ID string

// Kind is the type of a record.
type Kind string

// The record kinds of the HURIDOCS Events Standard Formats as Sillok uses
// them. Relationships and involvements are records of their own so that they
// carry attributes, dates and sources like anything else.
const (
	KindPerson       Kind = "person"
	KindUnit         Kind = "unit"         // organisation or unit: MSS, a provincial bureau, a camp administration
	KindPosition     Kind = "position"     // a person's position in a unit over a period
	KindLocation     Kind = "location"     // place or facility, in a province/county hierarchy
	KindEvent        Kind = "event"        // something that happened: an arrest, an execution, a detention
	KindAct          Kind = "act"          // one thing done to one victim within an event
	KindInvolvement  Kind = "involvement"  // who carried out, ordered, … an act
	KindSource       Kind = "source"       // testimony, document, media
	KindInformation  Kind = "information"  // which source supports which fact
	KindRelationship Kind = "relationship" // between two persons
	KindTerm         Kind = "term"         // a thesaurus term
	KindLink         Kind = "link"         // a decision that two person records are (not) the same individual
	KindEvidence     Kind = "evidence"     // an original file (or derived copy) in the blob store, as received
	KindShare        Kind = "share"        // a record made visible to a partner organisation or named users
)

var kindPrefix = map[Kind]string{
	KindPerson: "per", KindUnit: "unt", KindPosition: "pos", KindLocation: "loc",
	KindEvent: "evt", KindAct: "act", KindInvolvement: "inv", KindSource: "src",
	KindInformation: "inf", KindRelationship: "rel", KindTerm: "trm", KindLink: "lnk",
	KindEvidence: "evi", KindShare: "shr",
}

// Kinds lists every record kind in a fixed order.
func Kinds() []Kind {
	return []Kind{KindPerson, KindUnit, KindPosition, KindLocation, KindEvent, KindAct,
		KindInvolvement, KindSource, KindInformation, KindRelationship, KindTerm, KindLink, KindEvidence, KindShare}
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindPrefix[k]; return ok }

// Prefix is the ID prefix of records of kind k.
func (k Kind) Prefix() string { return kindPrefix[k] }

// KindOf returns the kind an ID's prefix names, or "" for a malformed ID.
func KindOf(id ID) Kind {
	p, _, ok := strings.Cut(string(id), "_")
	if !ok {
		return ""
	}
	for k, kp := range kindPrefix {
		if kp == p {
			return k
		}
	}
	return ""
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a fresh ID for a record of kind k: 48 bits of the current
// time in milliseconds, then 32 random bits. Time order keeps the inserts
// of a bulk load close together in every index.
func NewID(k Kind) ID {
	var b [10]byte
	ms := uint64(time.Now().UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	rand.Read(b[6:])
	return ID(k.Prefix() + "_" + idEncoding.EncodeToString(b[:]))
}

// IDFromBytes makes an ID of kind k from 10 bytes (used by deterministic
// generators such as the demo data).
func IDFromBytes(k Kind, b [10]byte) ID {
	return ID(k.Prefix() + "_" + idEncoding.EncodeToString(b[:]))
}

// Level is a record's confidentiality level.
type Level string

const (
	LevelPublic       Level = "public"       // may be published
	LevelInternal     Level = "internal"     // the owning organisation and its partners
	LevelConfidential Level = "confidential" // need-to-know; identities protected
	LevelStrict       Level = "strict"       // strictly confidential: named users only
)

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	switch l {
	case LevelPublic, LevelInternal, LevelConfidential, LevelStrict:
		return true
	}
	return false
}

// Actor is who makes a change.
type Actor struct {
	User string // account name
	Org  string // the organisation the user acts for
}

// SystemActor makes the changes Sillok itself makes (shipped thesauri).
var SystemActor = Actor{User: "system", Org: "system"}

// Record is the current state of a record.
type Record struct {
	ID        ID        `json:"id"`
	Kind      Kind      `json:"kind"`
	Org       string    `json:"org"`
	Level     Level     `json:"level"`
	Rev       int       `json:"rev"`
	Deleted   bool      `json:"deleted,omitempty"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	Updated   time.Time `json:"updated"`
	UpdatedBy string    `json:"updated_by"`
	Body      Body      `json:"body"`
}

// Revision is one immutable version of a record. Revisions are never changed
// or removed; an edit appends one, a deletion appends a tombstone.
type Revision struct {
	ID        ID              `json:"id"`
	Kind      Kind            `json:"kind"`
	Org       string          `json:"org"`
	Level     Level           `json:"level"`
	Rev       int             `json:"rev"`
	Time      time.Time       `json:"time"`
	Actor     string          `json:"actor"`
	ActorOrg  string          `json:"actor_org"`
	Tombstone bool            `json:"tombstone,omitempty"`
	Note      string          `json:"note,omitempty"`
	Body      json.RawMessage `json:"body"`
	Hash      string          `json:"hash"`
}

// ComputeHash returns the SHA-256 (hex) of the revision's canonical
// encoding: the JSON of every field but Hash, in declaration order, with the
// body as stored. It is what the custody log commits to.
func (r *Revision) ComputeHash() string {
	c := *r
	c.Hash = ""
	b, err := json.Marshal(&c)
	if err != nil {
		panic(err) // only plain fields: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Timestamp truncates t to the precision every backend keeps (microseconds,
// UTC), so that a time survives a round trip through any store unchanged.
func Timestamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// TimeFormat is the fixed-width text form times are stored and exported in;
// it sorts as text in time order.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Errors returned by stores. Test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict: the record has changed since it was read")
	ErrDeleted  = errors.New("record is deleted")
	ErrInvalid  = errors.New("invalid")
)

// FieldError says which field of which record is wrong. It wraps ErrInvalid.
// Messages name fields, never protected values.
type FieldError struct {
	Record ID     // may be empty for a record being created
	Field  string // JSON path of the field, e.g. "names[1].value"
	Reason string
}

func (e *FieldError) Error() string {
	if e.Record != "" {
		return fmt.Sprintf("record %s: field %s: %s", e.Record, e.Field, e.Reason)
	}
	return fmt.Sprintf("field %s: %s", e.Field, e.Reason)
}

func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
