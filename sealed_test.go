package sillok

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

func TestSealedPersonValidate(t *testing.T) {
	good := func() *Sealed {
		return &Sealed{V: SealedVersion, Keys: []WrappedKey{{Holder: "ngo-a", Wrapped: []byte{1}}}, CT: make([]byte, 40)}
	}
	tests := []struct {
		name  string
		p     Person
		field string // "" means valid
	}{
		{"clear names", Person{Names: []Name{{Value: "x"}}}, ""},
		{"no names, nothing sealed", Person{}, "names"},
		{"sealed, no clear names", Person{Sealed: good(), Pseudonym: "V-0001"}, ""},
		{"bad version", Person{Sealed: func() *Sealed { s := good(); s.V = 2; return s }()}, "sealed.v"},
		{"no keys", Person{Sealed: func() *Sealed { s := good(); s.Keys = nil; return s }()}, "sealed.keys"},
		{"no holder", Person{Sealed: func() *Sealed { s := good(); s.Keys[0].Holder = ""; return s }()}, "sealed.keys[0].holder"},
		{"empty wrap", Person{Sealed: func() *Sealed { s := good(); s.Keys[0].Wrapped = nil; return s }()}, "sealed.keys[0].wrapped"},
		{"short ct", Person{Sealed: func() *Sealed { s := good(); s.CT = s.CT[:39]; return s }()}, "sealed.ct"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want a FieldError on %s", err, tt.field)
			}
		})
	}
}

func TestSealedPersonLabelAttrsJSON(t *testing.T) {
	p := &Person{Pseudonym: "V-0113", Names: []Name{{Value: "clear"}}, Sealed: &Sealed{
		V: 1, Keys: []WrappedKey{{Holder: "o", Recipient: "age1x", Wrapped: []byte("w")}}, CT: make([]byte, 40), Index: []string{"n.abc"}}}
	if got := p.Label(); got != "V-0113" {
		t.Errorf("Label = %q, want the pseudonym when sealed", got)
	}
	as := p.Attrs()
	if !slices.Contains(as, Attr{BlindIndexAttr, "n.abc"}) || !slices.Contains(as, Attr{"pseudonym", "V-0113"}) {
		t.Errorf("Attrs = %v, want the blind index term and the pseudonym", as)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Person
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Sealed == nil || string(back.Sealed.Keys[0].Wrapped) != "w" || back.Sealed.Index[0] != "n.abc" {
		t.Errorf("round trip lost sealed data: %s", b)
	}
	var plain map[string]any
	json.Unmarshal(mustJSON(t, &Person{Names: []Name{{Value: "x"}}}), &plain)
	if _, ok := plain["sealed"]; ok {
		t.Error("an unsealed person must not carry a sealed key in JSON")
	}
	s := &Source{Type: "testimony", Interviewee: "per_x", Sealed: &Sealed{V: 1}}
	if err := s.Validate(); err == nil {
		t.Error("a source with a broken seal must not validate")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
