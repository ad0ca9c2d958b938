package korean

import (
	"strings"
	"unicode/utf8"
)

// Unicode layout of precomposed Hangul syllables (The Unicode Standard,
// §3.12): syllable = sBase + (initial*vCount + vowel)*tCount + final.
const (
	sBase  = 0xAC00
	lBase  = 0x1100 // conjoining initial consonants (choseong)
	vBase  = 0x1161 // conjoining vowels (jungseong)
	tBase  = 0x11A7 // conjoining finals (jongseong); tBase itself is "no final"
	lCount = 19
	vCount = 21
	tCount = 28
	nCount = vCount * tCount
	sCount = lCount * nCount
)

// Initial, vowel and final indices of the jamo that have a name in the
// code (the rules of the initial-sound law and of romanization refer to
// them).
const (
	iG, iGG, iN, iD, iDD, iR, iM, iB, iBB, iS, iSS, iNG, iJ, iJJ, iCH, iK, iT, iP, iH = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18

	vA, vAE, vYA, vYAE, vEO, vE, vYEO, vYE, vO, vWA, vWAE, vOE, vYO, vU, vWO, vWE, vWI, vYU, vEU, vUI, vI = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20

	fNone, fG, fGG, fGS, fN, fNJ, fNH, fD, fL, fLG, fLM, fLB, fLS, fLT, fLP, fLH, fM, fB, fBS, fS, fSS, fNG, fJ, fCH, fK, fT, fP, fH = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
)

// Compatibility jamo (the letters people type: U+3131…) for each index.
var (
	initialJamo = [lCount]rune{'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ'}
	vowelJamo   = [vCount]rune{'ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ', 'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅘ', 'ㅙ', 'ㅚ', 'ㅛ', 'ㅜ', 'ㅝ', 'ㅞ', 'ㅟ', 'ㅠ', 'ㅡ', 'ㅢ', 'ㅣ'}
	finalJamo   = [tCount]rune{0, 'ㄱ', 'ㄲ', 'ㄳ', 'ㄴ', 'ㄵ', 'ㄶ', 'ㄷ', 'ㄹ', 'ㄺ', 'ㄻ', 'ㄼ', 'ㄽ', 'ㄾ', 'ㄿ', 'ㅀ', 'ㅁ', 'ㅂ', 'ㅄ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ'}
)

// Syllable is a precomposed Hangul syllable split into the indices of its
// jamo: Initial 0–18 (ㄱ…ㅎ), Vowel 0–20 (ㅏ…ㅣ), Final 0–27 (0 = none,
// 1–27 = ㄱ…ㅎ), in Unicode order.
type Syllable struct {
	Initial, Vowel, Final int
}

// Split returns the jamo indices of a precomposed Hangul syllable
// (U+AC00–U+D7A3); ok is false for any other rune.
func Split(r rune) (s Syllable, ok bool) {
	if r < sBase || r >= sBase+sCount {
		return Syllable{}, false
	}
	i := int(r - sBase)
	return Syllable{Initial: i / nCount, Vowel: i % nCount / tCount, Final: i % tCount}, true
}

// Valid reports whether every index is in range.
func (s Syllable) Valid() bool {
	return s.Initial >= 0 && s.Initial < lCount && s.Vowel >= 0 && s.Vowel < vCount && s.Final >= 0 && s.Final < tCount
}

// Rune composes the syllable; it returns utf8.RuneError if s is not Valid.
func (s Syllable) Rune() rune {
	if !s.Valid() {
		return utf8.RuneError
	}
	return rune(sBase + (s.Initial*vCount+s.Vowel)*tCount + s.Final)
}

// Jamo returns the syllable's letters as compatibility jamo (ㄱ, ㅏ, …);
// final is 0 when the syllable has none. It returns zeros if s is not
// Valid.
func (s Syllable) Jamo() (initial, vowel, final rune) {
	if !s.Valid() {
		return 0, 0, 0
	}
	return initialJamo[s.Initial], vowelJamo[s.Vowel], finalJamo[s.Final]
}

// String returns the composed syllable.
func (s Syllable) String() string { return string(s.Rune()) }

// IsSyllable reports whether r is a precomposed Hangul syllable.
func IsSyllable(r rune) bool { return r >= sBase && r < sBase+sCount }

// IsHangul reports whether r is Hangul: a precomposed syllable, a
// conjoining jamo (U+1100–U+11FF, U+A960–U+A97F, U+D7B0–U+D7FF) or a
// compatibility jamo (U+3131–U+318E). Halfwidth jamo (U+FFA0…) are left
// out because NFC does not fold them and names never use them.
func IsHangul(r rune) bool {
	switch {
	case IsSyllable(r):
		return true
	case r >= 0x1100 && r <= 0x11FF, r >= 0xA960 && r <= 0xA97F, r >= 0xD7B0 && r <= 0xD7FF:
		return true
	case r >= 0x3131 && r <= 0x318E:
		return true
	}
	return false
}

// ContainsHangul reports whether s has at least one Hangul rune.
func ContainsHangul(s string) bool {
	for _, r := range s {
		if IsHangul(r) {
			return true
		}
	}
	return false
}

// Decompose replaces every precomposed Hangul syllable in s with its
// conjoining jamo (two or three runes from U+1100–U+11FF) and leaves all
// other runes alone. For Hangul this is what NFD does; it is written out
// because the romanizer and the phonetic key work on jamo and must not
// decompose anything else (accents in romanized text are handled apart).
func Decompose(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	for _, r := range s {
		syl, ok := Split(r)
		if !ok {
			b.WriteRune(r)
			continue
		}
		b.WriteRune(rune(lBase + syl.Initial))
		b.WriteRune(rune(vBase + syl.Vowel))
		if syl.Final != 0 {
			b.WriteRune(rune(tBase + syl.Final))
		}
	}
	return b.String()
}

// Compose joins every sequence of a conjoining initial, a conjoining vowel
// and optionally a conjoining final (the modern ones that have a
// precomposed form) into a syllable, and a precomposed syllable without a
// final followed by a conjoining final into one syllable; it leaves all
// other runes alone. It is the Hangul part of NFC, so Compose(Decompose(s))
// == s for every s that has no conjoining jamo of its own.
func Compose(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); i++ {
		if syl, ok := Split(rs[i]); ok && syl.Final == 0 && i+1 < len(rs) {
			if t := rs[i+1] - tBase; t > 0 && t < tCount {
				syl.Final = int(t)
				b.WriteRune(syl.Rune())
				i++
				continue
			}
		}
		l := rs[i] - lBase
		if l < 0 || l >= lCount || i+1 >= len(rs) {
			b.WriteRune(rs[i])
			continue
		}
		v := rs[i+1] - vBase
		if v < 0 || v >= vCount {
			b.WriteRune(rs[i])
			continue
		}
		syl := Syllable{Initial: int(l), Vowel: int(v)}
		i++
		if i+1 < len(rs) {
			if t := rs[i+1] - tBase; t > 0 && t < tCount {
				syl.Final = int(t)
				i++
			}
		}
		b.WriteRune(syl.Rune())
	}
	return b.String()
}

// isYVowel reports whether a vowel starts with an [i]/[j] sound: the
// vowels before which the initial-sound rule drops ㄹ and ㄴ (ㅣ ㅑ ㅕ ㅛ
// ㅠ ㅒ ㅖ).
func isYVowel(v int) bool {
	switch v {
	case vI, vYA, vYEO, vYO, vYU, vYAE, vYE:
		return true
	}
	return false
}
