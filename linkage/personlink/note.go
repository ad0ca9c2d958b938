package personlink

import (
	"strconv"
	"strings"

	"github.com/sillok/sillok/linkage"
)

// ParseNote reads back what a model link's note says (see Run): the match
// weight, the prior and each comparison's level and contribution in bits.
// Only Column, Label and Log2 of the contributions are filled. ok is false
// for a note in another form, such as a reviewer's own words: the review
// page then shows the note as text.
func ParseNote(note string) (e linkage.Explanation, ok bool) {
	parts := strings.Split(note, "; ")
	head, ok := strings.CutPrefix(parts[0], "match weight ")
	if !ok {
		return e, false
	}
	w, prior, ok := strings.Cut(head, " (prior ")
	if !ok {
		return e, false
	}
	prior, ok = strings.CutSuffix(prior, ")")
	if !ok {
		return e, false
	}
	var err1, err2 error
	e.Weight, err1 = strconv.ParseFloat(w, 64)
	e.PriorLog2, err2 = strconv.ParseFloat(prior, 64)
	if err1 != nil || err2 != nil {
		return linkage.Explanation{}, false
	}
	for _, p := range parts[1:] {
		col, rest, ok := strings.Cut(p, ": ")
		i := strings.LastIndexByte(rest, ' ')
		if !ok || col == "" || i < 0 {
			return linkage.Explanation{}, false
		}
		v, err := strconv.ParseFloat(rest[i+1:], 64)
		if err != nil {
			return linkage.Explanation{}, false
		}
		e.Contributions = append(e.Contributions, linkage.Contribution{Column: col, Label: rest[:i], Level: -2, Log2: v})
	}
	return e, true
}
