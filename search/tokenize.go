package search

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxTermBytes bounds a term so that it fits any engine's limit on a
// lexeme (PostgreSQL: 2047 bytes) and so that junk such as base64 runs
// does not bloat the index.
const maxTermBytes = 64

// Term is one index term of a text.
type Term struct {
	Text string // the term as stored in the index
	Pos  int    // position, 0-based and dense: every position has one term
	// Start and End are byte offsets into the NFC form of the text of the
	// characters that the term stands for; -1 for alias terms.
	Start, End int
}

// unitKind tells how a run of characters becomes terms.
type unitKind int

const (
	unitWord unitKind = iota // a word (letters or digits): one term
	unitRun                  // Hangul or Han/Kana: one term per character
)

// unit is one word or one run of syllabic characters.
type unit struct {
	kind unitKind
	word string // unitWord: the processed term
	text string // unitRun: the whole text, which chars and terms slice
	offs []int  // unitRun: byte offset of each character; unitWord: [start]
	end  int    // byte offset just past the unit
}

// nchars returns the number of characters of a run.
func (u *unit) nchars() int { return len(u.offs) }

// char returns the i'th character of a run.
func (u *unit) char(i int) string { return u.text[u.offs[i]:u.charEnd(i)] }

// charEnd returns the offset just past the i'th character of a run.
func (u *unit) charEnd(i int) int {
	if i+1 < len(u.offs) {
		return u.offs[i+1]
	}
	return u.end
}

// class is a character's role in tokenization.
type class int

const (
	clsSep class = iota
	clsHangul
	clsHan // Han ideographs and Kana: bigrams like Hangul, but never joined with it
	clsLetter
	clsDigit
)

func classify(r rune) class {
	if r < 0x80 {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			return clsLetter
		case r >= '0' && r <= '9':
			return clsDigit
		}
		return clsSep
	}
	switch {
	case r >= 0xAC00 && r <= 0xD7A3, r >= 0x1100 && r <= 0x11FF, r >= 0x3131 && r <= 0x318E,
		r >= 0xA960 && r <= 0xA97F, r >= 0xD7B0 && r <= 0xD7FF:
		return clsHangul
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
		return clsHan
	case r >= '0' && r <= '9', r >= 0xFF10 && r <= 0xFF19, unicode.IsDigit(r):
		return clsDigit
	case unicode.IsLetter(r):
		return clsLetter
	}
	return clsSep
}

// scan splits NFC text into units. It is the single tokenizer behind the
// index terms, the query terms, Match and Snippet.
func scan(text string, emit func(u unit)) {
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		c := classify(r)
		switch c {
		case clsSep:
			i += size
		case clsHangul, clsHan:
			u := unit{kind: unitRun, text: text}
			for i < len(text) {
				r, size := utf8.DecodeRuneInString(text[i:])
				if classify(r) != c {
					break
				}
				u.offs = append(u.offs, i)
				i += size
			}
			u.end = i
			emit(u)
		case clsDigit:
			start := i
			var b strings.Builder
			for i < len(text) {
				r, size := utf8.DecodeRuneInString(text[i:])
				if classify(r) != clsDigit {
					break
				}
				if r >= 0xFF10 && r <= 0xFF19 {
					r = '0' + r - 0xFF10
				}
				b.WriteRune(r)
				i += size
			}
			emit(unit{kind: unitWord, word: truncate(b.String()), offs: []int{start}, end: i})
		case clsLetter:
			start := i
			for i < len(text) {
				r, size := utf8.DecodeRuneInString(text[i:])
				if classify(r) == clsLetter || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) {
					i += size
					continue
				}
				// An apostrophe between letters stays in the word (don't,
				// O'Brien, witness's) so that the word is one term.
				if r == '\'' || r == '\u2019' {
					r2, _ := utf8.DecodeRuneInString(text[i+size:])
					if classify(r2) == clsLetter {
						i += size
						continue
					}
				}
				break
			}
			if w := foldWord(text[start:i]); w != "" {
				emit(unit{kind: unitWord, word: w, offs: []int{start}, end: i})
			}
		}
	}
}

// foldWord lower-cases a word, maps full-width Latin to ASCII, removes
// diacritics from Latin letters (MR romanization's ŏ and ŭ are often
// dropped), removes a possessive 's and apostrophes, and stems English.
func foldWord(s string) string {
	if w, ok := foldASCII(s); ok {
		return truncate(stem(w))
	}
	var b strings.Builder
	ascii, latin := true, false
	for _, r := range norm.NFD.String(s) {
		if unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) {
			if latin {
				continue // NFD split the diacritic off a Latin letter
			}
		} else {
			latin = unicode.Is(unicode.Latin, r)
		}
		switch {
		case r >= 0xFF21 && r <= 0xFF3A:
			r = 'a' + r - 0xFF21
		case r >= 0xFF41 && r <= 0xFF5A:
			r = 'a' + r - 0xFF41
		case r == '\u2019':
			r = '\''
		}
		r = unicode.ToLower(r)
		if r >= 0x80 {
			ascii = false
		}
		b.WriteRune(r)
	}
	w := strings.TrimSuffix(b.String(), "'s")
	w = strings.ReplaceAll(w, "'", "")
	if !ascii {
		// Not stemmed, but recomposed so that non-Latin letters that
		// carry marks (e.g. Cyrillic й) keep them consistently.
		return truncate(norm.NFC.String(w))
	}
	return truncate(stem(w))
}

// foldASCII lower-cases a word of ASCII letters only (the common case,
// which needs no normalisation); ok is false for any other word.
func foldASCII(s string) (string, bool) {
	lower := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= 'A' && c <= 'Z':
			lower = false
		default:
			return "", false
		}
	}
	if lower {
		return s, true
	}
	return strings.ToLower(s), true
}

func truncate(s string) string {
	if len(s) <= maxTermBytes {
		return s
	}
	i := maxTermBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// Terms returns the index terms of text, in order.
//
// The text is NFC-normalised first; offsets refer to that form. Latin words
// become lower-cased, diacritic-free Porter2 stems; other alphabets (Cyrillic,
// Greek …) lower-cased words; digit runs are kept as they are (full-width
// digits as ASCII). A run of n Hangul syllables becomes n terms, one per
// syllable: the syllable with its successor (overlapping bigrams) and, for
// the last syllable of the run, the syllable alone. So every position's
// term starts with the syllable at that position, a one-syllable word such
// as 김 is a term of its own, and a one-syllable query is a prefix query.
// Han ideographs and Kana are treated the same way, in runs of their own.
func Terms(text string) []Term {
	text = norm.NFC.String(text)
	ts := make([]Term, 0, len(text)/3+1)
	scan(text, func(u unit) {
		ts = appendTerms(ts, u)
	})
	return ts
}

func appendTerms(ts []Term, u unit) []Term {
	if u.kind == unitWord {
		return append(ts, Term{Text: u.word, Pos: len(ts), Start: u.offs[0], End: u.end})
	}
	n := u.nchars()
	for i := 0; i < n; i++ {
		t := Term{Pos: len(ts), Start: u.offs[i], End: u.charEnd(min(i+1, n-1))}
		t.Text = u.text[t.Start:t.End] // a bigram, or the last character alone
		ts = append(ts, t)
	}
	return ts
}

// AliasTerm returns the index term that stands for key, an extra search
// key of a text such as korean.Key of a name (so that Kim, Gim and 김 meet).
// Such a term is never produced by Terms: it starts with the letter k and
// a digit, and Terms splits letters from digits. Keys of up to 31 bytes are
// spelled out in hex (k0…); longer ones are hashed (k1…).
func AliasTerm(key string) string {
	if 2+2*len(key) > maxTermBytes {
		sum := sha256.Sum256([]byte(key))
		return "k1" + hex.EncodeToString(sum[:16])
	}
	return "k0" + hex.EncodeToString([]byte(key))
}

// termsWithAliases returns the terms of text followed by one alias term per
// alias, at the positions after the text's.
func termsWithAliases(text string, aliases []string) []Term {
	ts := Terms(text)
	for _, a := range aliases {
		ts = append(ts, Term{Text: AliasTerm(a), Pos: len(ts), Start: -1, End: -1})
	}
	return ts
}
