package korean

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize is the canonical form in which every other function of the
// package, and the rest of Sillok, stores and compares names: Unicode NFC
// (so 김 typed as jamo and 김 typed as a syllable are the same string),
// leading and trailing white space removed, every run of white space
// (including the ideographic space U+3000 and no-break spaces) replaced by
// one ASCII space, and invisible format characters (zero-width spaces and
// joiners, the byte-order mark, directional marks: category Cf) removed,
// since copy-pasted names carry them and they are never part of a name.
// Invalid UTF-8 bytes become U+FFFD. Case and punctuation are kept:
// Normalize must not lose information that a record shows; Key is the
// lossy form.
func Normalize(s string) string {
	if isNormalized(s) {
		return s // the common case: no allocation
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isNormalized reports whether Normalize(s) == s without building it.
func isNormalized(s string) bool {
	ascii := true
	prevSpace := true // no leading space
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case r < 0x80:
			if r < 0x20 || r == 0x7f {
				if unicode.IsSpace(r) {
					return false
				}
			}
		default:
			ascii = false
			if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
				return false
			}
		}
		prevSpace = false
	}
	if prevSpace && s != "" {
		return false // trailing space
	}
	return ascii || (utf8.ValidString(s) && norm.NFC.IsNormalString(s))
}
