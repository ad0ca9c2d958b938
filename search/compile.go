package search

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// SQLite FTS5 and PostgreSQL are given terms that were made here, so that
// neither engine's tokenizer takes part and the two cannot disagree.
//
// SQLite: the terms are stored space-separated in an FTS5 table with the
// built-in "ascii" tokenizer. It splits only on ASCII characters that are
// not letters or digits and keeps every non-ASCII character in tokens, and
// terms are made of letters and digits only, so each term is one FTS5
// token, unchanged (tested against fts5vocab). The table can be contentless:
// snippets are made from the record's text by Snippet.
//
// PostgreSQL: the terms are given as a tsvector literal with positions,
// cast with ::tsvector, which bypasses the text-search parser (whose
// treatment of Hangul depends on the database's locale) and dictionaries.

// SQLiteSchema returns the DDL of an FTS5 table named table (an identifier
// chosen by the caller, not user input) for FTS5Terms strings. Rows are
// inserted with their record's rowid: INSERT INTO table(rowid, terms).
func SQLiteSchema(table string) string {
	return "CREATE VIRTUAL TABLE " + table + " USING fts5(terms, tokenize='ascii', content='', contentless_delete=1)"
}

// PostgresSchema returns the DDL of a table named table holding a TSVector
// per id, with its GIN index.
func PostgresSchema(table string) []string {
	return []string{
		"CREATE TABLE " + table + " (id bigint PRIMARY KEY, vec tsvector NOT NULL)",
		"CREATE INDEX " + table + "_vec ON " + table + " USING gin (vec)",
	}
}

// FTS5Terms returns the terms of text (and of its aliases, see AliasTerm)
// as the space-separated string that is stored in the FTS5 table.
func FTS5Terms(text string, aliases ...string) string {
	ts := termsWithAliases(text, aliases)
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return b.String()
}

// PostgreSQL's limits on a tsvector's positions: larger positions are
// stored as 16383, and a lexeme keeps at most 255 of them.
const (
	pgMaxPos       = 16383
	pgMaxPositions = 255
)

// TSVector returns the terms of text (and of its aliases) as a tsvector
// literal with 1-based positions, for "$1::tsvector".
//
// exact is false when the text is beyond what a tsvector can hold with
// positions (a term past position 16383, or a term that occurs more than
// 255 times). The lexemes concerned are then given without positions, and
// PostgreSQL never matches a phrase on them: the caller must search such
// records with TSQueryLoose and confirm the hits with Match, e.g.
//
//	WHERE (exact AND vec @@ $1::tsquery) OR (NOT exact AND vec @@ $2::tsquery)
func TSVector(text string, aliases ...string) (vec string, exact bool) {
	ts := termsWithAliases(text, aliases)
	pos := make(map[string][]int)
	var order []string
	for _, t := range ts {
		if _, ok := pos[t.Text]; !ok {
			order = append(order, t.Text)
		}
		pos[t.Text] = append(pos[t.Text], t.Pos+1)
	}
	exact = true
	var b strings.Builder
	for i, term := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('\'')
		b.WriteString(term)
		b.WriteByte('\'')
		ps := pos[term]
		if len(ps) > pgMaxPositions || ps[len(ps)-1] > pgMaxPos {
			exact = false
			continue
		}
		for j, p := range ps {
			if j == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String(), exact
}

// FTS5 returns the query as an FTS5 MATCH expression for a table made by
// SQLiteSchema.
func (q *Query) FTS5() string {
	var b strings.Builder
	var walk func(n node)
	walk = func(n node) {
		switch n := n.(type) {
		case *phrase:
			for i, t := range n.terms {
				if i > 0 {
					b.WriteString(" + ")
				}
				b.WriteString(`"` + t.text + `"`)
				if t.prefix {
					b.WriteByte('*')
				}
			}
		case *and:
			// FTS5's NOT is binary: ((a AND b) NOT c) NOT d.
			for range n.neg {
				b.WriteByte('(')
			}
			b.WriteByte('(')
			for i, k := range n.pos {
				if i > 0 {
					b.WriteString(" AND ")
				}
				b.WriteByte('(')
				walk(k)
				b.WriteByte(')')
			}
			b.WriteByte(')')
			for _, k := range n.neg {
				b.WriteString(" NOT (")
				walk(k)
				b.WriteString("))")
			}
		case *or:
			for i, k := range n.kids {
				if i > 0 {
					b.WriteString(" OR ")
				}
				b.WriteByte('(')
				walk(k)
				b.WriteByte(')')
			}
		}
	}
	walk(q.root)
	return b.String()
}

// TSQuery returns the query as a tsquery literal for "$1::tsquery":
// phrases with <->, one-syllable terms as prefixes ('평':*).
func (q *Query) TSQuery() string {
	return infix{open: "(", close: ")", sep: " <-> ", and: " & ", not: " & !", or: " | ",
		term: func(t qterm) string {
			if t.prefix {
				return "'" + t.text + "':*"
			}
			return "'" + t.text + "'"
		}}.render(q.root)
}

// infix is a query syntax with AND, NOT and OR written between operands
// and every group parenthesised: tsquery, and String's readable form.
type infix struct {
	open, close, sep string // around a phrase, and between its terms
	and, not, or     string
	term             func(qterm) string
}

func (s infix) render(root node) string {
	var b strings.Builder
	var walk func(n node)
	walk = func(n node) {
		switch n := n.(type) {
		case *phrase:
			b.WriteString(s.open)
			for i, t := range n.terms {
				if i > 0 {
					b.WriteString(s.sep)
				}
				b.WriteString(s.term(t))
			}
			b.WriteString(s.close)
		case *and:
			b.WriteByte('(')
			for i, k := range n.pos {
				if i > 0 {
					b.WriteString(s.and)
				}
				walk(k)
			}
			for _, k := range n.neg {
				b.WriteString(s.not)
				walk(k)
			}
			b.WriteByte(')')
		case *or:
			b.WriteByte('(')
			for i, k := range n.kids {
				if i > 0 {
					b.WriteString(s.or)
				}
				walk(k)
			}
			b.WriteByte(')')
		}
	}
	walk(root)
	return b.String()
}

// Match reports whether text (with its aliases) matches q, with the same
// semantics as the FTS5 and tsquery forms of q on the index of text. It
// confirms hits of confidential records after decryption, and it is the
// oracle of the engine tests.
func Match(q *Query, text string, aliases ...string) bool {
	ts := termsWithAliases(text, aliases)
	return eval(q.root, ts)
}

func eval(n node, ts []Term) bool {
	switch n := n.(type) {
	case *phrase:
		return len(phraseAt(n, ts, 0, 1)) > 0
	case *and:
		for _, k := range n.pos {
			if !eval(k, ts) {
				return false
			}
		}
		for _, k := range n.neg {
			if eval(k, ts) {
				return false
			}
		}
		return true
	case *or:
		for _, k := range n.kids {
			if eval(k, ts) {
				return true
			}
		}
	}
	return false
}

// phraseAt returns up to limit (all if limit < 0) positions at or after
// from where phrase ph starts in ts.
func phraseAt(ph *phrase, ts []Term, from, limit int) []int {
	var hits []int
	for p := from; p+len(ph.terms) <= len(ts); p++ {
		ok := true
		for k, t := range ph.terms {
			if !t.matches(ts[p+k].Text) {
				ok = false
				break
			}
		}
		if ok {
			hits = append(hits, p)
			if limit >= 0 && len(hits) >= limit {
				break
			}
		}
	}
	return hits
}

func (t qterm) matches(term string) bool {
	if t.prefix {
		return strings.HasPrefix(term, t.text)
	}
	return term == t.text
}

// Blind index of confidential records.

// blindTermBytes is the length of a blind term's MAC: 80 bits make
// accidental collisions between the terms of a corpus negligible.
const blindTermBytes = 10

var blindEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// blindTerm keys one term. kind separates full terms ('t') from the
// first-syllable terms ('p') that answer one-syllable queries.
func blindTerm(key []byte, kind byte, term string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte{kind, 0})
	m.Write([]byte(term))
	return blindEncoding.EncodeToString(m.Sum(nil)[:blindTermBytes])
}

// BlindTerms returns the blind index terms of text under key: for every
// distinct term, its HMAC-SHA256 truncated to 80 bits (16 base32 letters
// and digits); for every distinct Hangul or Han syllable, a keyed term
// that stands for "a term starting with it". Sorted, without duplicates
// and without positions; store them space-separated (FTS5) or as a
// tsvector literal without positions (BlindTSVector).
func BlindTerms(key []byte, text string, aliases ...string) []string {
	// Distinct terms first, then one HMAC each with a reused state: bulk
	// loads index millions of texts, and most terms repeat.
	plain := make(map[string]bool)
	for _, t := range termsWithAliases(text, aliases) {
		plain["t"+t.Text] = true
		if r, size := utf8.DecodeRuneInString(t.Text); isSyllabic(r) {
			plain["p"+t.Text[:size]] = true
		}
	}
	m := hmac.New(sha256.New, key)
	var sum [sha256.Size]byte
	out := make([]string, 0, len(plain))
	for kt := range plain {
		m.Reset()
		m.Write([]byte{kt[0], 0})
		m.Write([]byte(kt[1:]))
		out = append(out, blindEncoding.EncodeToString(m.Sum(sum[:0])[:blindTermBytes]))
	}
	slices.Sort(out)
	return out
}

func isSyllabic(r rune) bool {
	c := classify(r)
	return c == clsHangul || c == clsHan
}

// BlindTSVector returns blind terms as a tsvector literal.
func BlindTSVector(terms []string) string {
	return "'" + strings.Join(terms, "' '") + "'"
}

// Blind is the form of a query for a blind index: every phrase becomes the
// AND of the blind terms of its terms, and negated operands are left out,
// since term sets cannot decide a phrase. Its hits are a superset of the
// query's: decrypt each hit and confirm it with Match.
type Blind struct {
	root node
}

// Blind returns the blind form of q under key.
func (q *Query) Blind(key []byte) *Blind {
	return &Blind{root: loose(q.root, func(t qterm) qterm {
		kind := byte('t')
		if t.prefix {
			kind = 'p'
		}
		return qterm{text: blindTerm(key, kind, t.text)}
	})}
}

// loose returns the form of a query tree that term sets without positions
// can answer: each phrase becomes the AND of its (mapped) terms, and
// negated operands are left out. Its hits are a superset of the tree's.
func loose(n node, mapTerm func(qterm) qterm) node {
	switch n := n.(type) {
	case *phrase:
		a := &and{}
		seen := make(map[qterm]bool)
		for _, t := range n.terms {
			mt := mapTerm(t)
			if !seen[mt] {
				seen[mt] = true
				a.pos = append(a.pos, &phrase{terms: []qterm{mt}})
			}
		}
		if len(a.pos) == 1 {
			return a.pos[0]
		}
		return a
	case *and:
		a := &and{}
		for _, k := range n.pos {
			a.pos = append(a.pos, loose(k, mapTerm))
		}
		if len(a.pos) == 1 {
			return a.pos[0]
		}
		return a
	case *or:
		o := &or{}
		for _, k := range n.kids {
			o.kids = append(o.kids, loose(k, mapTerm))
		}
		return o
	}
	panic("search: unknown node")
}

// TSQueryLoose returns the query as a tsquery for the records whose
// TSVector was not exact: phrases become the AND of their terms and
// negated operands are left out, so the hits are a superset that the
// caller confirms with Match. (PostgreSQL does not match a phrase on
// lexemes stored without positions.)
func (q *Query) TSQueryLoose() string {
	return (&Query{root: loose(q.root, func(t qterm) qterm { return t })}).TSQuery()
}

// FTS5 returns the blind query as an FTS5 MATCH expression.
func (b *Blind) FTS5() string { return (&Query{root: b.root}).FTS5() }

// TSQuery returns the blind query as a tsquery literal.
func (b *Blind) TSQuery() string { return (&Query{root: b.root}).TSQuery() }

// nfc is a small helper so that callers' texts are compared in one form.
func nfc(s string) string { return norm.NFC.String(s) }
