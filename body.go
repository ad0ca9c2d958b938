package sillok

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Body is the kind-specific content of a record.
type Body interface {
	// Kind is the kind of record the body belongs to.
	Kind() Kind
	// Validate checks the body on its own (references and thesaurus codes
	// are checked by the store). It returns a *FieldError.
	Validate() error
	// Refs lists the records the body points to.
	Refs() []Ref
	// Terms lists the thesaurus codes the body uses.
	Terms() []TermRef
	// Label is a short display label built from non-protected fields.
	Label() string
	// Attrs lists the values a store indexes for filtering.
	Attrs() []Attr
}

// Ref is a reference from a record's field to another record.
type Ref struct {
	Field string // JSON path, e.g. "victim"
	To    ID
	Kinds []Kind // kinds the target may have; empty means any
}

// TermRef is a field holding a code of a thesaurus.
type TermRef struct {
	Field     string
	Thesaurus string
	Code      string
}

// Attr is an indexed key/value of a record, used by list filters.
type Attr struct{ Key, Value string }

// NewBody returns an empty body of kind k, for decoding.
func NewBody(k Kind) (Body, error) {
	switch k {
	case KindPerson:
		return new(Person), nil
	case KindUnit:
		return new(Unit), nil
	case KindPosition:
		return new(Position), nil
	case KindLocation:
		return new(Location), nil
	case KindEvent:
		return new(Event), nil
	case KindAct:
		return new(Act), nil
	case KindInvolvement:
		return new(Involvement), nil
	case KindSource:
		return new(Source), nil
	case KindInformation:
		return new(Information), nil
	case KindRelationship:
		return new(Relationship), nil
	case KindTerm:
		return new(Term), nil
	case KindLink:
		return new(Link), nil
	case KindEvidence:
		return new(Evidence), nil
	case KindShare:
		return new(Share), nil
	}
	return nil, fmt.Errorf("unknown record kind %q: %w", k, ErrInvalid)
}

// DecodeBody decodes JSON into the body type of kind k. Unknown fields are
// an error: a field a client thinks it stored must not vanish.
func DecodeBody(k Kind, data []byte) (Body, error) {
	b, err := NewBody(k)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(b); err != nil {
		return nil, fmt.Errorf("decode %s body: %w: %w", k, ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("decode %s body: %w: trailing data", k, ErrInvalid)
	}
	return b, nil
}

// EncodeBody returns the canonical JSON of b, the form stores keep.
func EncodeBody(b Body) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("encode %s body: %w", b.Kind(), err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
