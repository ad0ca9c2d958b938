package korean

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The phonetic key.
//
// A key is written in a small alphabet of sound classes, the same whichever
// script or romanization the name came in:
//
//	consonants  k (ㄱ ㄲ ㅋ; g, k, kk, q, c)   t (ㄷ ㄸ ㅌ; d, t, tt)
//	            p (ㅂ ㅃ ㅍ; b, p, pp, f, v)   j (ㅈ ㅉ ㅊ; j, ch, tch, z)
//	            s (ㅅ ㅆ; s, ss, sh)  n  m  h  l (ㄹ; r, l)  ng (final ㅇ)
//	vowels      a (ㅏ)  e (ㅐ ㅔ; ae, e, ai)  o (ㅓ ㅗ ㅜ ㅡ; eo, ŏ, o, u,
//	            ŭ, eu, oo, ou)  i (ㅣ ㅢ; i, ee, ui, ŭi)  ya  ye (ㅒ ㅖ)
//	            yo (ㅕ ㅛ ㅠ; yeo, yŏ, yo, yu, you)  wa  we (ㅙ ㅚ ㅞ; oe,
//	            oi, wae)  wo (ㅝ)  wi (ㅟ)
//
// The classes are as coarse as the spellings force them to be: without
// diacritics McCune–Reischauer writes ㅓ and ㅗ both as o and ㅜ and ㅡ both
// as u, and personal spellings write ㅓ as u (Sung, Jung, Chul) and ㅜ as
// oo, so the four vowels share one class; RR writes ㄱ as g where MR writes
// k, so aspiration and tenseness are not kept.
//
// Syllable boundaries are not recoverable from romanized text without
// hyphens, so the key is a string of classes with these rewrites, applied
// the same way to keys from Hangul and from Latin letters:
//
//   - ng before a vowel becomes nk (항일 and 한길 are both "Hangil");
//   - h after k, t, p, s or j is dropped (DPRK kh, th, ph; 옥희 as
//     "Okhee");
//   - a doubled consonant is written once (kk, ss, 한나 "Hanna");
//   - the initial-sound rule at the start of a given name (l before i or a
//     y-vowel dropped, l before another vowel becomes n, n before i or a
//     y-vowel dropped), and 렬/률 after a vowel or n become 열/율;
//   - a hyphen is written between two vowels that belong to different
//     syllables (주은 "jo-on", against 준 "jon"), the only place where it
//     carries information.
//
// Family names are not keyed by class but looked up in the surname table
// (Surnames), so that Kim, Gim and 김 all give that surname's key.

// unit is one sound class: a consonant or a vowel.
type unit struct {
	s     string
	vowel bool
}

var (
	hangulInitialClass = [lCount]string{"k", "k", "n", "t", "t", "l", "m", "p", "p", "s", "s", "", "j", "j", "j", "k", "t", "p", "h"}
	hangulVowelClass   = [vCount]string{"a", "e", "ya", "ye", "o", "e", "yo", "ye", "o", "wa", "we", "we", "yo", "o", "wo", "we", "wi", "yo", "o", "i", "i"}
	hangulFinalClass   = [tCount]string{"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
)

// hangulUnits appends the sound classes of one Hangul syllable.
func hangulUnits(us []unit, s Syllable) []unit {
	if c := hangulInitialClass[s.Initial]; c != "" {
		us = append(us, unit{s: c})
	}
	us = append(us, unit{s: hangulVowelClass[s.Vowel], vowel: true})
	if c := hangulFinalClass[s.Final]; c != "" {
		us = append(us, unit{s: c})
	}
	return us
}

// latinVowels are the vowel spellings of RR, MR (diacritics removed) and
// common personal spellings, longest first within each leading letter.
var latinVowels = [...]struct{ spell, class string }{
	{"yeo", "yo"}, {"you", "yo"}, {"yoo", "yo"}, {"yae", "ye"}, {"yo", "yo"}, {"yu", "yo"}, {"ya", "ya"}, {"ye", "ye"},
	{"woo", "o"}, {"wae", "we"}, {"weo", "wo"}, {"wo", "wo"}, {"wa", "wa"}, {"we", "we"}, {"wi", "wi"}, {"wu", "o"},
	{"eui", "i"}, {"eo", "o"}, {"eu", "o"}, {"ee", "i"}, {"ei", "e"}, {"e", "e"},
	{"ae", "e"}, {"ai", "e"}, {"ay", "e"}, {"a", "a"},
	{"oe", "we"}, {"oi", "we"}, {"oo", "o"}, {"ou", "o"}, {"o", "o"},
	{"ui", "i"}, {"u", "o"},
	{"ie", "i"}, {"i", "i"},
	{"y", "i"},
}

func isLatinVowel(c byte) bool { return strings.IndexByte("aeiouwy", c) >= 0 }

// vowelAt reports whether a vowel starts at w[i] (a w must be followed by
// a vowel to be one).
func vowelAt(w string, i int) bool {
	if i >= len(w) || !isLatinVowel(w[i]) {
		return false
	}
	return w[i] != 'w' || (i+1 < len(w) && isLatinVowel(w[i+1]) && w[i+1] != 'w')
}

// latinUnits appends the sound classes of one romanized word (lower case,
// diacritics and apostrophes removed, ASCII letters only).
func latinUnits(us []unit, w string) []unit {
	for i := 0; i < len(w); {
		c := w[i]
		if isLatinVowel(c) {
			if !vowelAt(w, i) {
				i++ // a stray w: no sound of its own
				continue
			}
			n := 1 // no spelling matched: skip the letter
			for _, v := range latinVowels {
				if strings.HasPrefix(w[i:], v.spell) {
					us = append(us, unit{s: v.class, vowel: true})
					n = len(v.spell)
					break
				}
			}
			i += n
			continue
		}
		next := byte(0)
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch {
		case c == 'h' && len(us) > 0 && us[len(us)-1].vowel && !vowelAt(w, i+1):
			i++ // Oh, Ahn, Suh: a silent h after a vowel
			continue
		case strings.HasPrefix(w[i:], "tch"):
			us = append(us, unit{s: "j"})
			i += 3
		case c == 'c' && next == 'h':
			us = append(us, unit{s: "j"})
			i += 2
		case c == 's' && next == 'h':
			us = append(us, unit{s: "s"})
			i += 2
		case c == 'r' && next == 'h':
			us = append(us, unit{s: "l"})
			i += 2
		case c == 'n' && next == 'g' && !vowelAt(w, i+2):
			us = append(us, unit{s: "ng"})
			i += 2
		case c == 'x':
			us = append(us, unit{s: "k"}, unit{s: "s"})
			i++
		default:
			if cl := latinConsonantClass(c); cl != "" {
				us = append(us, unit{s: cl})
			}
			i++
		}
	}
	return us
}

func latinConsonantClass(c byte) string {
	switch c {
	case 'g', 'k', 'q', 'c':
		return "k"
	case 'd', 't':
		return "t"
	case 'b', 'p', 'f', 'v':
		return "p"
	case 'j', 'z':
		return "j"
	case 's':
		return "s"
	case 'n':
		return "n"
	case 'm':
		return "m"
	case 'h':
		return "h"
	case 'r', 'l':
		return "l"
	}
	return ""
}

// latinWords lower-cases s, folds compatibility forms (full-width
// letters), removes diacritics (ŏ→o, ŭ→u, é→e) and
// apostrophes (MR aspiration marks, ch'→ch), and splits it into ASCII
// words at everything that is not a letter.
func latinWords(s string) []string {
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			s = norm.NFKD.String(s) // also folds full-width letters (Ｋｉｍ)
			break
		}
	}
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r), isApostrophe(r):
			// dropped without splitting
		default:
			flush()
		}
	}
	flush()
	return words
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', 'ʻ', '`', '´':
		return true
	}
	return false
}

// givenUnits returns the sound classes of a given name in any script.
func givenUnits(given string) []unit {
	var us []unit
	given = Normalize(given)
	// Hangul syllables and Latin words may be mixed; take runs of each.
	var latin strings.Builder
	flushLatin := func() {
		for _, w := range latinWords(latin.String()) {
			us = latinUnits(us, w)
		}
		latin.Reset()
	}
	for _, r := range given {
		if s, ok := Split(r); ok {
			flushLatin()
			us = hangulUnits(us, s)
			continue
		}
		latin.WriteRune(r)
	}
	flushLatin()
	return us
}

// rewrite applies the key rewrites (see the comment at the top of the
// file) to the classes of a given name until none applies, so that a key
// read back gives itself. Real names need one pass; the loop is for
// strings such as "n-ryul" where one rewrite enables another.
func rewrite(us []unit) []unit {
	for range 8 {
		next := rewriteOnce(us)
		if slices.Equal(next, us) {
			break
		}
		us = next
	}
	return us
}

func rewriteOnce(us []unit) []unit {
	out := us[:0:0]
	for i := 0; i < len(us); i++ {
		u := us[i]
		if !u.vowel && len(out) > 0 {
			p := out[len(out)-1]
			if !p.vowel && (p.s == u.s || (u.s == "h" && strings.Contains("k t p s j", p.s))) {
				continue // doubled consonant, or aspiration h
			}
		}
		if u.vowel && len(out) > 0 && out[len(out)-1].s == "ng" {
			out[len(out)-1] = unit{s: "n"}
			out = append(out, unit{s: "k"})
		}
		out = append(out, u)
	}
	// Initial-sound rule at the start of the given name.
	if len(out) >= 2 && !out[0].vowel && out[1].vowel {
		yi := out[1].s == "i" || out[1].s[0] == 'y'
		switch {
		case (out[0].s == "l" || out[0].s == "n") && yi:
			out = out[1:]
		case out[0].s == "l":
			out[0].s = "n"
		}
	}
	// 렬/률 after a vowel or n: l yo l → yo l.
	for i := 1; i+2 < len(out); i++ {
		if out[i].s == "l" && !out[i].vowel && out[i+1].s == "yo" && out[i+2].s == "l" &&
			(out[i-1].vowel || out[i-1].s == "n") {
			out = append(out[:i], out[i+1:]...)
		}
	}
	return out
}

// join writes units as a key, with a hyphen between vowels of different
// syllables.
func join(us []unit) string {
	var b strings.Builder
	for i, u := range us {
		if i > 0 && u.vowel && us[i-1].vowel {
			b.WriteByte('-')
		}
		b.WriteString(u.s)
	}
	return b.String()
}

// GivenKey returns the phonetic key of a given name alone, in any script
// or romanization: 영희, Young-hee, Yŏng-hŭi and Yong Hui all give
// "yonghi"; the initial-sound rule is folded (룡남 and 용남 give
// "yongnam"). It returns "" when the name has no letters.
func GivenKey(given string) string {
	return join(rewrite(givenUnits(given)))
}

// Key folds a full personal name, family name first, in Hangul (North or
// South spelling) or any romanization, into one comparison key: the
// family name's key (SurnameKey), a space, and the given name's key
// (GivenKey). 리영희, 이영희, Ri Yong Hui, Lee Young-hee, Yi Yŏng-hŭi and
// Rhee Yeong-hui all give "i yonghi"; 김정은 and Kim Jong Un give
// "gim jonkon".
//
// Key is for blocking and comparison, not for display, and it is lossy by
// design: names that sound alike merge (영 and 용, 정 and 중, 윤 and 연,
// 한길 and 항일), so equal keys mean "compare these records", not "same
// person". Its limits:
//
//   - it assumes family name first; "Young-hee Lee" gives the key of a
//     family name "Young-hee" (use KeyVariants);
//   - a given name alone ("영희") is read as family name 영 + 희 (use
//     GivenKey);
//   - vowel sequences in romanizations written without hyphens are read
//     greedily ("Boeun" as 뵌, not 보은), as RR itself warns;
//   - a new given name taken in the South is a different name.
//
// Key("") is "", as is the key of a name with no Hangul or Latin letters
// (Hanja alone). Key never panics, and Key(Key(x)) == Key(x): a key reads
// back as a romanized name (both are fuzzed). The key alphabet is a–z,
// one space and hyphens.
func Key(name string) string {
	family, given := SplitName(name)
	fk := SurnameKey(family)
	if fk == "" && given != "" {
		return Key(given) // a first word with no letters ("1.") is not a name
	}
	if gk := GivenKey(given); gk != "" {
		return fk + " " + gk
	}
	return fk
}

// KeyVariants returns Key(name) and, for a name of two or more words, the
// key of the name with its last word moved to the front, which is the
// key of a name written in Western order ("Young-hee Lee", "Yong Hui
// Ri"). Duplicates are removed; the first element is always Key(name).
// Compare records when any of their variants are equal.
func KeyVariants(name string) []string {
	n := Normalize(name)
	keys := []string{Key(n)}
	if i := strings.LastIndexByte(n, ' '); i > 0 && !strings.ContainsAny(n, ",，") {
		if k := Key(n[i+1:] + " " + n[:i]); k != keys[0] {
			keys = append(keys, k)
		}
	}
	return keys
}

// SyllableKeys returns the family name's key followed by the key of each
// syllable of the given name, for blocking and partial matching. The
// syllables are cut from the given name's key (a consonant between two
// vowels starts a syllable, a cluster of two is split), so that they
// agree whichever script the name came in, even where that is not the
// true division (정은 gives "jon", "kon", like "Jongun"). It returns nil
// for a name with no letters.
func SyllableKeys(name string) []string {
	family, given := SplitName(name)
	fk := SurnameKey(family)
	if fk == "" {
		if given != "" {
			return SyllableKeys(given)
		}
		return nil
	}
	return append([]string{fk}, syllables(rewrite(givenUnits(given)))...)
}

// syllables cuts units into syllables: each vowel with the consonants
// before it that are not the previous syllable's final.
func syllables(us []unit) []string {
	var out []string
	start := 0
	for i, u := range us {
		if !u.vowel || i == start {
			continue
		}
		// The previous vowel is at j; the consonants between j and i are
		// split: the last one begins this syllable.
		j := i - 1
		for j >= start && !us[j].vowel {
			j--
		}
		if j < start {
			continue // first vowel of the syllable run
		}
		cut := i
		if i-1 > j {
			cut = i - 1
		}
		out = append(out, join(us[start:cut]))
		start = cut
	}
	if start < len(us) {
		out = append(out, join(us[start:]))
	}
	return out
}

// latinWordsCase is latinWords keeping the letter case.
func latinWordsCase(s string) []string {
	s = norm.NFD.String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) || isApostrophe(r) {
			continue
		}
		b.WriteRune(r)
	}
	return strings.Fields(b.String())
}
