package search

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Fragment is a piece of a snippet; Hit marks text that matched the query.
type Fragment struct {
	Text string `json:"text"`
	Hit  bool   `json:"hit,omitempty"`
}

// span is a byte range of the NFC text.
type span struct{ start, end int }

// Hits returns the byte ranges, in the NFC form of text, of every
// occurrence of every phrase of q that is not negated, in order and merged
// where they overlap. A one-syllable term covers that syllable only.
func hits(q *Query, text string) []span {
	ts := Terms(text)
	var out []span
	var walk func(n node)
	walk = func(n node) {
		switch n := n.(type) {
		case *phrase:
			if n.alias {
				return
			}
			for _, p := range phraseAt(n, ts, 0, -1) {
				last := ts[p+len(n.terms)-1]
				end := last.End
				if n.terms[len(n.terms)-1].prefix {
					_, size := utf8.DecodeRuneInString(last.Text)
					end = last.Start + size
				}
				out = append(out, span{ts[p].Start, end})
			}
		case *and:
			for _, k := range n.pos {
				walk(k)
			}
		case *or:
			for _, k := range n.kids {
				walk(k)
			}
		}
	}
	walk(q.root)
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// Snippet returns a passage of about width characters of text around the
// place with the most hits of q, as fragments with the hits marked. The
// text is NFC-normalised; "…" marks text left out at either end. Without
// hits, it returns the start of the text.
func Snippet(text string, q *Query, width int) []Fragment {
	text = nfc(text)
	if width < 1 {
		width = 1
	}
	hs := hits(q, text)
	// Choose the window start (a hit's start, less some context) that
	// covers the most hits.
	start, best := 0, -1
	anchor := 0
	for i, h := range hs {
		from := back(text, h.start, width/4)
		to := forward(text, from, width)
		n := 0
		for _, h2 := range hs[i:] {
			if h2.end > to {
				break
			}
			n++
		}
		if n > best {
			start, best, anchor = from, n, h.start
		}
	}
	start = snapStart(text, start, anchor)
	end := forward(text, start, width)
	var fs []Fragment
	add := func(s string, hit bool) {
		if s != "" {
			fs = append(fs, Fragment{Text: s, Hit: hit})
		}
	}
	if start > 0 {
		add("…", false)
	}
	at := start
	for _, h := range hs {
		if h.end <= at || h.start >= end {
			continue
		}
		s, e := max(h.start, at), min(h.end, end)
		add(text[at:s], false)
		add(text[s:e], true)
		at = e
	}
	add(text[at:end], false)
	if end < len(text) {
		add("…", false)
	}
	return fs
}

// back returns the offset n characters before i (or 0).
func back(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// forward returns the offset n characters after i (or len(s)).
func forward(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// snapStart moves a window start that falls inside a word to the start of
// the next word if that is near, so that snippets do not begin mid-word.
func snapStart(s string, i, limit int) int {
	if i == 0 {
		return 0
	}
	if r, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsSpace(r) {
		return i
	}
	for j, n := i, 0; j < limit && n < 8; n++ {
		r, size := utf8.DecodeRuneInString(s[j:])
		j += size
		if unicode.IsSpace(r) {
			return j
		}
	}
	return i
}
