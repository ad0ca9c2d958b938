package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Query is a parsed search query. It is immutable once parsed.
//
// Syntax: words and "quoted phrases" are matched as phrases of their terms
// (so 평양 finds 평양에서); juxtaposition or AND means both; OR means either
// (AND binds tighter); NOT x or -x excludes; parentheses group. The
// operator words are recognised in upper case only. There are no fields:
// the store decides which texts are indexed.
type Query struct {
	root node
}

// node is an element of a query's syntax tree: *phrase, *and or *or.
type node interface{ isNode() }

// qterm is one term of a query phrase. A prefix term matches every index
// term that starts with text: it stands for one Hangul or Han syllable.
type qterm struct {
	text   string
	prefix bool
}

// phrase is a word or quoted phrase of the query, as consecutive terms.
type phrase struct {
	raw   string // the word or phrase as typed, NFC (for aliases)
	terms []qterm
	alias bool // a single alias term (from WithAliases): exact, no positions
}

// and holds operands that must all match (pos) and must not match (neg).
// pos is never empty.
type and struct {
	pos, neg []node
}

// or holds operands of which one must match.
type or struct {
	kids []node
}

func (*phrase) isNode() {}
func (*and) isNode()    {}
func (*or) isNode()     {}

// SyntaxError is the error of ParseQuery. It names the place (a column
// counted in characters from 1) and never repeats the query text, which may
// hold a protected name.
type SyntaxError struct {
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("query: column %d: %s", e.Column, e.Msg)
}

// token kinds of the query lexer.
type tokKind int

const (
	tokWord tokKind = iota
	tokQuoted
	tokLParen
	tokRParen
	tokAnd
	tokOr
	tokNot
	tokEOF
)

type token struct {
	kind tokKind
	text string
	col  int // 1-based column in characters
}

func lex(q string) ([]token, error) {
	var toks []token
	col := func(i int) int { return utf8.RuneCountInString(q[:i]) + 1 }
	i := 0
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			toks = append(toks, token{tokLParen, "(", col(i)})
			i++
		case r == ')':
			toks = append(toks, token{tokRParen, ")", col(i)})
			i++
		case r == '"':
			j := strings.IndexByte(q[i+1:], '"')
			if j < 0 {
				return nil, &SyntaxError{col(i), "unterminated quote"}
			}
			toks = append(toks, token{tokQuoted, q[i+1 : i+1+j], col(i)})
			i += j + 2
		case r == '-' && i+1 < len(q) && !isBreak(q[i+1:]):
			toks = append(toks, token{tokNot, "-", col(i)})
			i++
		default:
			j := i
			for j < len(q) && !isBreak(q[j:]) {
				_, s := utf8.DecodeRuneInString(q[j:])
				j += s
			}
			w := q[i:j]
			k := tokWord
			switch w {
			case "AND":
				k = tokAnd
			case "OR":
				k = tokOr
			case "NOT":
				k = tokNot
			}
			toks = append(toks, token{k, w, col(i)})
			i = j
		}
	}
	return append(toks, token{tokEOF, "", col(len(q))}), nil
}

// isBreak reports whether s starts with a character that ends a word.
func isBreak(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r) || r == '(' || r == ')' || r == '"'
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

// ParseQuery parses a query. The error is a *SyntaxError; a query without
// any searchable term, or whose every operand in some AND group is
// negated (which no index can answer), is an error too.
func ParseQuery(q string) (*Query, error) {
	if !utf8.ValidString(q) {
		return nil, &SyntaxError{1, "query is not valid UTF-8"}
	}
	toks, err := lex(norm.NFC.String(q))
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, &SyntaxError{t.col, "unexpected " + describe(t)}
	}
	if n == nil {
		return nil, &SyntaxError{1, "query has no searchable term"}
	}
	return &Query{root: n}, nil
}

func describe(t token) string {
	switch t.kind {
	case tokRParen:
		return "closing parenthesis"
	case tokLParen:
		return "opening parenthesis"
	case tokOr, tokAnd, tokNot:
		return "operator " + t.text
	case tokEOF:
		return "end of query"
	}
	return "word"
}

// parseOr returns nil (and no error) for operands that hold no term, such
// as a lone punctuation mark, so that they are dropped.
func (p *parser) parseOr() (node, error) {
	var kids []node
	for {
		n, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if n != nil {
			kids = append(kids, n)
		}
		if p.peek().kind != tokOr {
			break
		}
		op := p.next()
		if k := p.peek().kind; k == tokEOF || k == tokRParen || k == tokOr {
			return nil, &SyntaxError{op.col, "OR needs an operand on its right"}
		}
		if len(kids) == 0 && n == nil {
			return nil, &SyntaxError{op.col, "OR needs an operand on its left"}
		}
	}
	switch len(kids) {
	case 0:
		return nil, nil
	case 1:
		return kids[0], nil
	}
	return &or{kids: kids}, nil
}

func (p *parser) parseAnd() (node, error) {
	a := &and{}
	start := p.peek()
	if start.kind == tokAnd {
		return nil, &SyntaxError{start.col, "AND needs an operand on its left"}
	}
	any := false
	for {
		t := p.peek()
		switch t.kind {
		case tokEOF, tokRParen, tokOr:
			if !any {
				if t.kind == tokOr {
					return nil, &SyntaxError{t.col, "OR needs an operand on its left"}
				}
				return nil, nil
			}
			if len(a.pos) == 0 && len(a.neg) > 0 {
				return nil, &SyntaxError{start.col, "a group needs a term that is not negated"}
			}
			if len(a.pos) == 0 {
				return nil, nil
			}
			if len(a.pos) == 1 && len(a.neg) == 0 {
				return a.pos[0], nil
			}
			return a, nil
		case tokAnd:
			op := p.next()
			if k := p.peek().kind; k == tokEOF || k == tokRParen || k == tokOr || k == tokAnd {
				return nil, &SyntaxError{op.col, "AND needs an operand on its right"}
			}
			continue
		}
		any = true
		neg, n, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if n == nil {
			continue
		}
		if neg {
			a.neg = append(a.neg, n)
		} else {
			a.pos = append(a.pos, n)
		}
	}
}

// parseUnary returns an operand and whether it is negated (an odd number
// of NOTs).
func (p *parser) parseUnary() (neg bool, n node, err error) {
	for p.peek().kind == tokNot {
		op := p.next()
		if k := p.peek().kind; k == tokEOF || k == tokRParen || k == tokOr || k == tokAnd {
			return false, nil, &SyntaxError{op.col, "NOT needs an operand"}
		}
		neg = !neg
	}
	t := p.next()
	switch t.kind {
	case tokLParen:
		n, err := p.parseOr()
		if err != nil {
			return false, nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return false, nil, &SyntaxError{t.col, "unbalanced parenthesis"}
		}
		return neg, n, nil
	case tokWord, tokQuoted:
		ph := newPhrase(t.text)
		if ph == nil {
			return false, nil, nil
		}
		return neg, ph, nil
	}
	return false, nil, &SyntaxError{t.col, "unexpected " + describe(t)}
}

// newPhrase tokenizes a word or quoted phrase of the query like the text.
// A Hangul or Han run of n > 1 characters gives its n-1 bigrams; one more
// term, a prefix term for the run's last character, is added when another
// unit follows in the phrase, because in the text that character has a
// position of its own before the next unit's. A one-character run gives a
// prefix term. Returns nil if s holds no term.
func newPhrase(s string) *phrase {
	var units []unit
	scan(s, func(u unit) { units = append(units, u) })
	if len(units) == 0 {
		return nil
	}
	ph := &phrase{raw: s}
	for i, u := range units {
		if u.kind == unitWord {
			ph.terms = append(ph.terms, qterm{text: u.word})
			continue
		}
		n := u.nchars()
		for j := 0; j+1 < n; j++ {
			ph.terms = append(ph.terms, qterm{text: u.text[u.offs[j]:u.charEnd(j+1)]})
		}
		if n == 1 || i+1 < len(units) {
			ph.terms = append(ph.terms, qterm{text: u.char(n - 1), prefix: true})
		}
	}
	return ph
}

// WithAliases returns a copy of q in which each word or phrase p also
// matches the alias terms AliasTerm(k) for every k in aliases(p's text):
// the extension point for Korean name keys (korean.Key), so that a query
// for Kim finds texts indexed with the alias key of 김.
func (q *Query) WithAliases(aliases func(word string) []string) *Query {
	var walk func(n node) node
	walk = func(n node) node {
		switch n := n.(type) {
		case *phrase:
			ks := aliases(n.raw)
			if len(ks) == 0 {
				return n
			}
			o := &or{kids: []node{n}}
			for _, k := range ks {
				o.kids = append(o.kids, &phrase{raw: n.raw, terms: []qterm{{text: AliasTerm(k)}}, alias: true})
			}
			return o
		case *and:
			a := &and{}
			for _, k := range n.pos {
				a.pos = append(a.pos, walk(k))
			}
			for _, k := range n.neg {
				a.neg = append(a.neg, walk(k))
			}
			return a
		case *or:
			o := &or{}
			for _, k := range n.kids {
				o.kids = append(o.kids, walk(k))
			}
			return o
		}
		panic("search: unknown node")
	}
	return &Query{root: walk(q.root)}
}

// String returns the query in a canonical form, showing its index terms:
// phrases in brackets, prefix terms with a trailing *.
func (q *Query) String() string {
	return infix{open: "[", close: "]", sep: " ", and: " AND ", not: " NOT ", or: " OR ",
		term: func(t qterm) string {
			if t.prefix {
				return t.text + "*"
			}
			return t.text
		}}.render(q.root)
}
