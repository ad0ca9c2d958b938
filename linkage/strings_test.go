package linkage

import (
	"math"
	"testing"
)

func TestJaroWinkler(t *testing.T) {
	for _, tc := range []struct {
		a, b     string
		jaro, jw float64
	}{
		// Winkler (1990) / jellyfish reference values.
		{"MARTHA", "MARHTA", 0.9444444444444445, 0.9611111111111111},
		{"DWAYNE", "DUANE", 0.8222222222222223, 0.84},
		{"DIXON", "DICKSONX", 0.7666666666666666, 0.8133333333333332},
		{"Kim", "Gim", 0.7777777777777778, 0.7777777777777778}, // no common prefix: no boost
		{"abc", "abc", 1, 1},
		{"abc", "xyz", 0, 0},
		{"", "", 0, 0},
		{"a", "", 0, 0},
		// Prefix boost capped at four characters.
		{"abcdefgh", "abcdefgx", 0.9166666666666666, 0.95},
		// Below 0.7 no boost even with a common prefix.
		{"ab", "axyz", 0.5833333333333334, 0.5833333333333334},
		// Runes, not bytes: 리영희 vs 이영희 share two of three syllables.
		{"리영희", "이영희", 0.7777777777777778, 0.7777777777777778},
	} {
		if got := Jaro(tc.a, tc.b); math.Abs(got-tc.jaro) > 1e-12 {
			t.Errorf("Jaro(%q, %q) = %.16g, want %.16g", tc.a, tc.b, got, tc.jaro)
		}
		if got := JaroWinkler(tc.a, tc.b); math.Abs(got-tc.jw) > 1e-12 {
			t.Errorf("JaroWinkler(%q, %q) = %.16g, want %.16g", tc.a, tc.b, got, tc.jw)
		}
	}
}

func TestEditDistances(t *testing.T) {
	for _, tc := range []struct {
		a, b        string
		lev, damlev int
	}{
		{"kitten", "sitting", 3, 3},
		{"", "abc", 3, 3},
		{"abc", "", 3, 3},
		{"abc", "abc", 0, 0},
		{"abcd", "acbd", 2, 1},
		{"ca", "abc", 3, 2}, // unrestricted: an edit between transposed characters
		{"Park", "Pak", 1, 1},
		{"Choi", "Choe", 1, 1},
		{"류정희", "유정희", 1, 1},
	} {
		if got := Levenshtein(tc.a, tc.b); got != tc.lev {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.lev)
		}
		if got := DamerauLevenshtein(tc.a, tc.b); got != tc.damlev {
			t.Errorf("DamerauLevenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.damlev)
		}
	}
	for _, tc := range []struct {
		a, b string
		sim  float64
	}{
		{"stanley street", "stanley st", 1 - 4.0/14},
		{"", "", 1},
		{"ab", "ab", 1},
		{"ab", "", 0},
	} {
		if got := LevenshteinSimilarity(tc.a, tc.b); math.Abs(got-tc.sim) > 1e-12 {
			t.Errorf("LevenshteinSimilarity(%q, %q) = %g, want %g", tc.a, tc.b, got, tc.sim)
		}
	}
}

// FuzzStringMetrics checks the bounded and shortcut forms against the plain
// ones, and the metrics' symmetry and ranges, on arbitrary strings.
func FuzzStringMetrics(f *testing.F) {
	for _, s := range [][2]string{{"kitten", "sitting"}, {"ca", "abc"}, {"리영희", "이영희"}, {"", "x"}, {"MARTHA", "MARHTA"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ra, rb := []rune(a), []rune(b)
		if len(ra) > 40 || len(rb) > 40 {
			return
		}
		lev := Levenshtein(a, b)
		if lev != Levenshtein(b, a) {
			t.Fatalf("Levenshtein not symmetric on %q, %q", a, b)
		}
		for k := 0; k <= 4; k++ {
			got := levenshteinRunes(ra, rb, k)
			if (lev <= k) != (got <= k) || lev <= k && got != lev {
				t.Fatalf("bounded Levenshtein(%q, %q, %d) = %d, full %d", a, b, k, got, lev)
			}
		}
		dl := DamerauLevenshtein(a, b)
		if dl > lev || 2*dl < lev {
			t.Fatalf("Damerau %d outside [Levenshtein/2, Levenshtein] = [%d/2, %d] on %q, %q", dl, lev, lev, a, b)
		}
		if dl != DamerauLevenshtein(b, a) {
			t.Fatalf("Damerau–Levenshtein not symmetric on %q, %q", a, b)
		}
		for k := 0; k <= 3; k++ {
			if damerauWithin(ra, rb, k) != (dl <= k) {
				t.Fatalf("damerauWithin(%q, %q, %d) disagrees with distance %d", a, b, k, dl)
			}
		}
		for _, min := range []float64{0.5, 0.6, 0.85, 0.9, 1} {
			if got, want := levSimAtLeast(ra, rb, min), LevenshteinSimilarity(a, b) >= min; got != want {
				t.Fatalf("levSimAtLeast(%q, %q, %g) = %v, similarity %g", a, b, min, got, LevenshteinSimilarity(a, b))
			}
		}
		jw := JaroWinkler(a, b)
		if jw < 0 || jw > 1+1e-12 || math.IsNaN(jw) {
			t.Fatalf("JaroWinkler(%q, %q) = %g out of [0, 1]", a, b, jw)
		}
		if j := Jaro(a, b); math.Abs(j-Jaro(b, a)) > 1e-12 || jw < j-1e-12 {
			t.Fatalf("Jaro(%q, %q) = %g: asymmetric or above JW %g", a, b, j, jw)
		}
	})
}
