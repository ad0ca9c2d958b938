package korean

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		r                      rune
		initial, vowel, final  rune
		wantInit, wantV, wantF int
	}{
		{'가', 'ㄱ', 'ㅏ', 0, 0, 0, 0},
		{'김', 'ㄱ', 'ㅣ', 'ㅁ', 0, 20, 16},
		{'리', 'ㄹ', 'ㅣ', 0, 5, 20, 0},
		{'희', 'ㅎ', 'ㅢ', 0, 18, 19, 0},
		{'룡', 'ㄹ', 'ㅛ', 'ㅇ', 5, 12, 21},
		{'닭', 'ㄷ', 'ㅏ', 'ㄺ', 3, 0, 9},
		{'힣', 'ㅎ', 'ㅣ', 'ㅎ', 18, 20, 27},
	}
	for _, tt := range tests {
		s, ok := Split(tt.r)
		if !ok {
			t.Fatalf("Split(%q) not ok", tt.r)
		}
		if s.Initial != tt.wantInit || s.Vowel != tt.wantV || s.Final != tt.wantF {
			t.Errorf("Split(%q) = %+v, want %d %d %d", tt.r, s, tt.wantInit, tt.wantV, tt.wantF)
		}
		if i, v, f := s.Jamo(); i != tt.initial || v != tt.vowel || f != tt.final {
			t.Errorf("Split(%q).Jamo() = %q %q %q, want %q %q %q", tt.r, i, v, f, tt.initial, tt.vowel, tt.final)
		}
		if got := s.Rune(); got != tt.r {
			t.Errorf("Split(%q).Rune() = %q", tt.r, got)
		}
	}
	for _, r := range []rune{'a', 'ㄱ', 0xAC00 - 1, 0xD7A4, '金'} {
		if _, ok := Split(r); ok {
			t.Errorf("Split(%q) ok, want not a syllable", r)
		}
	}
	if r := (Syllable{Initial: 19}).Rune(); r != utf8.RuneError {
		t.Errorf("invalid Syllable.Rune() = %q, want RuneError", r)
	}
}

// TestSyllableRoundTrip checks all 11,172 syllables against the formula
// and against NFD/NFC from x/text.
func TestSyllableRoundTrip(t *testing.T) {
	n := 0
	for r := rune(0xAC00); r <= 0xD7A3; r++ {
		s, ok := Split(r)
		if !ok || !s.Valid() || s.Rune() != r {
			t.Fatalf("round trip of %U failed: %+v", r, s)
		}
		d := Decompose(string(r))
		if want := norm.NFD.String(string(r)); d != want {
			t.Fatalf("Decompose(%q) = %q, NFD gives %q", r, d, want)
		}
		if c := Compose(d); c != string(r) {
			t.Fatalf("Compose(Decompose(%q)) = %q", r, c)
		}
		n++
	}
	if n != 11172 {
		t.Fatalf("counted %d syllables, want 11172", n)
	}
}

func TestComposeMixed(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\u1100\u1175\u11B7 Kim", "김 Kim"},
		{"\u1105\u1175", "리"},
		{"가\u11A8", "각"},                 // LV + T, as NFC does
		{"\u1100", "\u1100"},             // lone initial
		{"\u1161\u11A8", "\u1161\u11A8"}, // vowel without initial
		{"ㄱㅣㅁ", "ㄱㅣㅁ"},                   // compatibility jamo are not composed (NFC does not either)
	}
	for _, tt := range tests {
		if got := Compose(tt.in); got != tt.want {
			t.Errorf("Compose(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := norm.NFC.String(tt.in); got != tt.want {
			t.Errorf("test case wrong: NFC(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsHangul(t *testing.T) {
	tests := []struct {
		r    rune
		want bool
	}{
		{'가', true}, {'힣', true}, {'ㄱ', true}, {'ㅣ', true}, {'\u1100', true}, {'\u11FF', true},
		{'\uA960', true}, {'\uD7B0', true},
		{'a', false}, {'金', false}, {'ア', false}, {' ', false}, {'ŏ', false},
	}
	for _, tt := range tests {
		if got := IsHangul(tt.r); got != tt.want {
			t.Errorf("IsHangul(%q) = %v, want %v", tt.r, got, tt.want)
		}
	}
	if !ContainsHangul("Kim 영희") || ContainsHangul("Kim Yŏng-hŭi") {
		t.Error("ContainsHangul wrong")
	}
}

func FuzzDecompose(f *testing.F) {
	for _, s := range []string{"김영희", "Ri Yong Hui", "닭 힣", "가\u11A8", "\u1100\u1161", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := Decompose(s)
		for _, r := range d {
			if IsSyllable(r) {
				t.Fatalf("Decompose(%q) = %q still has a syllable", s, d)
			}
		}
		hasJamo := false
		for _, r := range s {
			if r >= 0x1100 && r <= 0x11FF {
				hasJamo = true
			}
		}
		if !hasJamo && utf8.ValidString(s) {
			if c := Compose(d); c != s {
				t.Fatalf("Compose(Decompose(%q)) = %q", s, c)
			}
		}
		// On syllables, conjoining jamo and ASCII, Compose is NFC.
		onlyHangul := utf8.ValidString(s)
		for _, r := range s {
			if r >= 0x80 && !IsSyllable(r) && !(r >= 0x1100 && r <= 0x11FF) {
				onlyHangul = false
			}
		}
		if onlyHangul {
			if c, want := Compose(s), norm.NFC.String(s); c != want {
				t.Fatalf("Compose(%q) = %q, NFC gives %q", s, c, want)
			}
		}
	})
}
