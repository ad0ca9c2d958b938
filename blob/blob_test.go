package blob

import (
	"strings"
	"testing"
	"time"
)

func TestDerivationValidate(t *testing.T) {
	good := Derivation{Original: Sum([]byte("o")), Derived: Sum([]byte("d")), Operation: "redact",
		Actor: "staff-1", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	tests := []struct {
		name   string
		change func(*Derivation)
		want   string // "" = valid
	}{
		{"valid", func(*Derivation) {}, ""},
		{"no original", func(d *Derivation) { d.Original = Hash{} }, "no original"},
		{"no derived", func(d *Derivation) { d.Derived = Hash{} }, "no derived"},
		{"same", func(d *Derivation) { d.Derived = d.Original }, "equals the original"},
		{"no operation", func(d *Derivation) { d.Operation = "" }, "no operation"},
		{"no actor", func(d *Derivation) { d.Actor = "" }, "no actor"},
		{"no time", func(d *Derivation) { d.Time = time.Time{} }, "no time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good
			tt.change(&d)
			err := d.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzParseHash(f *testing.F) {
	f.Add(Sum(nil).String())
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err == nil && h.String() != s {
			t.Fatalf("ParseHash(%q) accepted, formats as %s", s, h)
		}
	})
}
