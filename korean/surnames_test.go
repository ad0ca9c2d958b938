package korean

import (
	"math"
	"slices"
	"testing"
)

// TestSurnameTable checks the table's invariants.
func TestSurnameTable(t *testing.T) {
	ss := Surnames()
	if len(ss) < 100 {
		t.Errorf("table has %d surnames, want at least 100", len(ss))
	}
	total := 0.0
	seen := map[string]bool{}
	for i, s := range ss {
		if seen[s.Hangul] {
			t.Errorf("%s listed twice", s.Hangul)
		}
		seen[s.Hangul] = true
		for _, r := range s.Hangul {
			if !IsSyllable(r) {
				t.Errorf("%q: not Hangul syllables", s.Hangul)
			}
		}
		if FoldWord(s.Hangul) != s.Hangul {
			t.Errorf("%s is not in the South spelling", s.Hangul)
		}
		if s.North != "" && FoldWord(s.North) != s.Hangul {
			t.Errorf("North %s of %s does not fold to it", s.North, s.Hangul)
		}
		if s.RR == "" || s.MR == "" || s.DPRK == "" || s.Popular == "" || s.Share <= 0 {
			t.Errorf("%s: missing field: %+v", s.Hangul, s)
		}
		if k := SurnameKey(s.Hangul); k == "" || SurnameKey(k) != k {
			t.Errorf("%s: key %q does not read back", s.Hangul, k)
		}
		// Every spelling leads to the name or to a more frequent one.
		for _, sp := range s.Spellings() {
			got, ok := LookupSurname(sp)
			if !ok || (got.Hangul != s.Hangul && got.Share < s.Share) {
				t.Errorf("%s: spelling %q looks up %q", s.Hangul, sp, got.Hangul)
			}
		}
		if i > 0 && ss[i-1].Share < s.Share/1.01 && s.Share > 0.3 {
			t.Errorf("%s (%.2f%%) listed after %s (%.2f%%)", s.Hangul, s.Share, ss[i-1].Hangul, ss[i-1].Share)
		}
		total += s.Share
	}
	// The published top ten.
	want := map[string]float64{"김": 21.5, "이": 14.7, "박": 8.4, "최": 4.7, "정": 4.3, "강": 2.4, "조": 2.1, "윤": 2.1, "장": 2.0, "임": 1.7}
	for _, s := range ss {
		if w, ok := want[s.Hangul]; ok && math.Abs(s.Share-w) > 1e-9 {
			t.Errorf("%s share %.2f, census says %.1f", s.Hangul, s.Share, w)
		}
	}
	if total < 90 || total > 100 {
		t.Errorf("shares sum to %.1f%%, want 90–100", total)
	}
	// The caller owns the slice.
	ss[0].Variants[0] = "changed"
	if Surnames()[0].Variants[0] == "changed" {
		t.Error("Surnames shares its Variants with the table")
	}
}

func TestLookupSurname(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Lee", "이"}, {"Rhee", "이"}, {"리", "이"}, {"Pak", "박"}, {"Paik", "백"}, {"Chŏng", "정"},
		{"Ch'oe", "최"}, {"Sunwoo", "선우"}, {"Hwangbo", "황보"}, {"로", "노"},
	}
	for _, tt := range tests {
		got, ok := LookupSurname(tt.in)
		if !ok || got.Hangul != tt.want {
			t.Errorf("LookupSurname(%q) = %q, %v; want %q", tt.in, got.Hangul, ok, tt.want)
		}
	}
	if _, ok := LookupSurname("Smith"); ok {
		t.Error("LookupSurname(Smith) found something")
	}
	s, _ := LookupSurname("이")
	if !slices.Contains(s.Spellings(), "Rhee") || !slices.Contains(s.Spellings(), "Ri") {
		t.Errorf("이 spellings %q lack Rhee or Ri", s.Spellings())
	}
}
