package korean

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  김영희  ", "김영희"},
		{"\u1100\u1175\u11B7\u110B\u1167\u11BC\u1112\u1174", "김영희"}, // jamo → NFC syllables
		{"Lee \t Young-hee\n", "Lee Young-hee"},
		{"김\u3000영희", "김 영희"},                  // ideographic space
		{"Kim\u00A0Yong  Hui", "Kim Yong Hui"}, // no-break space
		{"Yo\u0306ng", "Yŏng"},                 // combining breve composed
		{"김\u200B영희\uFEFF", "김영희"},             // zero-width space, BOM
		{"", ""},
		{" \t ", ""},
		{"김\xff", "김\uFFFD"},
		{"a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Normalize(Normalize(tt.in)); got != tt.want {
			t.Errorf("Normalize not idempotent on %q: %q", tt.in, got)
		}
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct{ in, family, given string }{
		{"김영희", "김", "영희"},
		{"김 영희", "김", "영희"},
		{"남궁민수", "남궁", "민수"},
		{"선우진", "선우", "진"},
		{"선우", "선", "우"},
		{"Kim Yong Hui", "Kim", "Yong Hui"},
		{"Lee Young-hee", "Lee", "Young-hee"},
		{"Lee, Young-hee", "Lee", "Young-hee"},
		{"김", "김", ""},
		{"Kim", "Kim", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		f, g := SplitName(tt.in)
		if f != tt.family || g != tt.given {
			t.Errorf("SplitName(%q) = %q, %q; want %q, %q", tt.in, f, g, tt.family, tt.given)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"  김 \t영희 ", "Lee\u00A0Young-hee", "\u1100\u1175\u11B7", "a\u200Bb", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if isNormalized(s) != (n == s) {
			t.Fatalf("isNormalized(%q) = %v, but Normalize gives %q", s, isNormalized(s), n)
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, n, Normalize(n))
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q has stray spaces", s, n)
		}
		f, g := SplitName(s)
		if strings.Contains(f, " ") && !strings.ContainsAny(n, ",，") {
			t.Fatalf("SplitName(%q) family %q has a space", s, f)
		}
		_ = g
	})
}
