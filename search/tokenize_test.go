package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func texts(ts []Term) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Text)
	}
	return strings.Join(s, " ")
}

func TestTerms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"수용소에서", "수용 용소 소에 에서 서"},
		{"평양", "평양 양"},
		{"김 철수", "김 철수 수"},
		{"요덕 정치범수용소에서 3년", "요덕 덕 정치 치범 범수 수용 용소 소에 에서 서 3 년"},
		{"Camp 15 Yodok", "camp 15 yodok"},
		{"The prisoners were executed.", "the prison were execut"},
		{"Kim Yŏng-hŭi", "kim yong hui"},      // MR diacritics dropped
		{"O'Brien's witness's", "obrien wit"}, // possessive and apostrophe
		{"ＣＡＭＰ１５", "camp 15"},                 // full-width
		{"金正日 김정일", "金正 正日 日 김정 정일 일"},        // Han and Hangul in runs of their own
		{"Москва Йошкар", "москва йошкар"},    // Cyrillic: lower-cased, й kept
		{"15호 관리소", "15 호 관리 리소 소"},           // digits split from Hangul
		{"…—!?", ""}, // nothing searchable
		{"\u1111\u1167\u11BC\u110B\u1163\u11BC", "평양 양"}, // conjoining jamo → NFC syllables
	}
	for _, tt := range tests {
		if got := texts(Terms(tt.in)); got != tt.want {
			t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Offsets must cover the characters the term stands for.
func TestTermOffsets(t *testing.T) {
	text := "요덕에서 the Camps"
	ts := Terms(text)
	want := []string{"요덕", "덕에", "에서", "서", "the", "Camps"}
	if len(ts) != len(want) {
		t.Fatalf("got %d terms, want %d", len(ts), len(want))
	}
	for i, tm := range ts {
		if tm.Pos != i {
			t.Errorf("term %d has position %d", i, tm.Pos)
		}
		if got := text[tm.Start:tm.End]; got != want[i] {
			t.Errorf("term %d (%q) covers %q, want %q", i, tm.Text, got, want[i])
		}
	}
}

func TestAliasTerm(t *testing.T) {
	a := AliasTerm("kim")
	if a != "k06b696d" {
		t.Errorf("AliasTerm(kim) = %q", a)
	}
	long := strings.Repeat("x", 40)
	if a1, a2 := AliasTerm(long), AliasTerm(long+"y"); a1 == a2 || len(a1) > maxTermBytes || !strings.HasPrefix(a1, "k1") {
		t.Errorf("long keys give %q and %q", a1, a2)
	}
	// No text produces an alias term.
	if got := texts(Terms(a)); got == a {
		t.Errorf("Terms(%q) gave the alias term itself", a)
	}
}

// FuzzTerms checks the tokenizer's invariants on any input: dense positions,
// offsets inside the NFC text, terms that are valid UTF-8 made of letters
// and digits only (so FTS5's ascii tokenizer keeps each whole), no longer
// than maxTermBytes, and the same terms for the NFC and NFD forms.
func FuzzTerms(f *testing.F) {
	for _, s := range []string{"수용소에서", "Camp 15 Yodok", "O'Brien's", "金正日 김정일", "ＣＡＭＰ１５", "a\u0301b", "'s", "x'", "ㅋㅋㅋ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts := Terms(s)
		n := norm.NFC.String(s)
		for i, tm := range ts {
			if tm.Pos != i {
				t.Fatalf("term %d has position %d", i, tm.Pos)
			}
			if tm.Start < 0 || tm.End > len(n) || tm.Start >= tm.End {
				t.Fatalf("term %d has offsets %d..%d of %d bytes", i, tm.Start, tm.End, len(n))
			}
			if tm.Text == "" || len(tm.Text) > maxTermBytes || !utf8.ValidString(tm.Text) {
				t.Fatalf("term %d is %q", i, tm.Text)
			}
			for _, r := range tm.Text {
				if r < 0x80 && !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
					t.Fatalf("term %q holds ASCII %q", tm.Text, r)
				}
				if r == ' ' || r == '\'' || r == '"' || r == '\\' || r == ':' {
					t.Fatalf("term %q holds %q", tm.Text, r)
				}
			}
		}
		if got, want := texts(Terms(norm.NFD.String(s))), texts(ts); got != want {
			t.Fatalf("NFD form gives %q, NFC form %q", got, want)
		}
	})
}
