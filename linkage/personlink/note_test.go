package personlink

import (
	"math"
	"testing"

	"github.com/sillok/sillok/linkage"
)

func TestParseNote(t *testing.T) {
	e := linkage.Explanation{Weight: -1.25, PriorLog2: -9.5, Contributions: []linkage.Contribution{
		{Column: ColSurname, Label: "exact", Log2: 4.1},
		{Column: ColBirth, Label: "date_years max 1", Log2: -2.33},
		{Column: ColSex, Label: "null", Log2: 0},
	}}
	tests := []struct {
		name  string
		note  string
		ok    bool
		parts int
	}{
		{"model note", explainNote(e), true, 3},
		{"no comparisons", "match weight 2.00 (prior -3.00)", true, 0},
		{"reviewer's words", "same person: the sister's testimony says so", false, 0},
		{"empty", "", false, 0},
		{"bad weight", "match weight x (prior 1.00)", false, 0},
		{"bad part", "match weight 1.00 (prior 1.00); surname exact", false, 0},
		{"bad bits", "match weight 1.00 (prior 1.00); surname: exact +x", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseNote(tc.note)
			if ok != tc.ok || len(got.Contributions) != tc.parts {
				t.Fatalf("ParseNote(%q) = %+v, %v; want ok %v with %d parts", tc.note, got, ok, tc.ok, tc.parts)
			}
		})
	}
	got, _ := ParseNote(explainNote(e))
	if math.Abs(got.Weight-e.Weight) > 0.005 || math.Abs(got.PriorLog2-e.PriorLog2) > 0.005 {
		t.Errorf("weights %v, %v; want %v, %v", got.Weight, got.PriorLog2, e.Weight, e.PriorLog2)
	}
	for i, c := range got.Contributions {
		w := e.Contributions[i]
		if c.Column != w.Column || c.Label != w.Label || math.Abs(c.Log2-w.Log2) > 0.005 {
			t.Errorf("contribution %d = %+v, want %+v", i, c, w)
		}
	}
}

// FuzzParseNote: any note parses or is refused without a panic, and what
// parses writes back to a note that parses to the same.
func FuzzParseNote(f *testing.F) {
	f.Add("match weight 1.00 (prior -2.00); surname: exact +3.00")
	f.Add("reviewer note")
	f.Fuzz(func(t *testing.T, note string) {
		e, ok := ParseNote(note)
		if !ok {
			return
		}
		for _, c := range e.Contributions {
			if math.IsNaN(c.Log2) || math.IsInf(c.Log2, 0) {
				return // not written by explainNote
			}
		}
		if math.IsNaN(e.Weight) || math.IsInf(e.Weight, 0) || math.IsNaN(e.PriorLog2) || math.IsInf(e.PriorLog2, 0) {
			return
		}
		again, ok := ParseNote(explainNote(e))
		if !ok || len(again.Contributions) != len(e.Contributions) {
			t.Fatalf("%q: rewritten note does not parse back", note)
		}
	})
}
