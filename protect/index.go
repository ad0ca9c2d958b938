package protect

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normaliser maps a name to its matching key (for Korean names: Hangul and
// romanizations of the same name to one key). The caller passes it in;
// nil means NFC and lower-case only.
type Normaliser func(string) string

// NormaliseName is what a name goes through before blind indexing: NFC,
// lower-case, inner whitespace collapsed to one space, then norm.
func NormaliseName(name string, norm_ Normaliser) string {
	s := strings.Join(strings.Fields(strings.ToLower(norm.NFC.String(name))), " ")
	if norm_ != nil {
		s = norm_(s)
	}
	return s
}

// Truncation of index terms: 12 bytes (96 bits) make accidental
// collisions negligible at any realistic size; lookups are exact-match
// and confirmed after decryption anyway.
const termBytes = 12

func term(prefix string, key []byte, s string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return prefix + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:termBytes])
}

// Index computes opaque index terms with an organisation's keys. The same
// name gives the same term within one organisation and unrelated terms in
// two organisations: a term says nothing without the organisation secret.
type Index struct {
	names, words []byte
	norm         Normaliser
}

// Index returns k's indexer; norm normalises names (see NormaliseName).
func (k *OrgKey) Index(norm Normaliser) *Index {
	return &Index{names: k.derive("blind index"), words: k.derive("search terms"), norm: norm}
}

// Name returns the blind index term of a name ("n." + keyed hash), or ""
// for a name that normalises to nothing.
func (x *Index) Name(name string) string {
	s := NormaliseName(name, x.norm)
	if s == "" {
		return ""
	}
	return term("n.", x.names, s)
}

// Names returns the sorted, de-duplicated terms of names.
func (x *Index) Names(names ...string) []string {
	var ts []string
	for _, n := range names {
		if t := x.Name(n); t != "" {
			ts = append(ts, t)
		}
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

// Words splits free text into words (NFC, lower-case, runs of letters and
// digits).
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(norm.NFC.String(text)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// Text returns the search terms of free text: one keyed hash ("w.") per
// distinct word, sorted, so neither order nor positions nor counts are
// kept. A query's terms (Text of the query) must all be present; the
// caller then confirms the hit on the decrypted text (Contains), because
// terms match words, not phrases.
func (x *Index) Text(texts ...string) []string {
	var ts []string
	for _, t := range texts {
		for _, w := range Words(t) {
			ts = append(ts, term("w.", x.words, w))
		}
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

// Contains reports whether every word of query occurs in text, in order
// and adjacent: the in-process confirmation of a candidate hit.
func Contains(text, query string) bool {
	tw, qw := Words(text), Words(query)
	if len(qw) == 0 {
		return false
	}
	for i := 0; i+len(qw) <= len(tw); i++ {
		if slices.Equal(tw[i:i+len(qw)], qw) {
			return true
		}
	}
	return false
}
