package korean

import (
	"strings"
	"unicode"
)

// compoundSurnames are the two-syllable family names that are common
// enough to matter when a name is written without a space (남궁민수).
// Split only treats them as family names when a given name follows, so
// that 선우 alone stays 선 + 우.
var compoundSurnames = [...]string{"남궁", "황보", "제갈", "사공", "선우", "독고", "서문", "동방", "어금", "망절"}

// isCompoundSurname reports whether s (NFC Hangul, either spelling of
// the initial-sound rule) is a known two-syllable family name.
func isCompoundSurname(s string) bool {
	s = FoldWord(s)
	for _, c := range compoundSurnames {
		if s == c {
			return true
		}
	}
	return false
}

// SplitName splits a personal name written family name first into the
// family name and the given name, after Normalize. The rules, in order:
//
//   - a comma separates them ("Lee, Young-hee", "김, 영희");
//   - a name of several space-separated words: the first word is the family
//     name and the others, joined by one space, the given name (DPRK style
//     "Kim Yong Hui" gives "Kim" and "Yong Hui");
//   - a single word in Hangul: its first syllable, or its first two when
//     they are a known compound family name (남궁, 황보, 제갈, …) and at
//     least one syllable follows;
//   - any other single word is a family name alone.
//
// SplitName cannot recognise Western order ("Young-hee Lee"); see
// KeyVariants.
func SplitName(name string) (family, given string) {
	name = Normalize(name)
	if i := strings.IndexAny(name, ",，"); i >= 0 {
		_, w := firstRune(name[i:])
		return strings.TrimSpace(name[:i]), strings.TrimSpace(name[i+w:])
	}
	if i := strings.IndexByte(name, ' '); i >= 0 {
		return name[:i], name[i+1:]
	}
	rs := []rune(name)
	if len(rs) >= 2 && IsSyllable(rs[0]) && IsSyllable(rs[1]) {
		n := 1
		if len(rs) >= 3 && IsSyllable(rs[2]) && isCompoundSurname(string(rs[:2])) {
			n = 2
		}
		return string(rs[:n]), string(rs[n:])
	}
	return name, ""
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// isLetterish reports whether r belongs in a name token (letters, marks,
// digits); everything else separates or is dropped.
func isLetterish(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}
