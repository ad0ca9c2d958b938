package mse

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// Criterion ranks models in a search.
type Criterion int

const (
	AIC Criterion = iota
	BIC
)

// HierarchicalModels enumerates every hierarchical log-linear model over t
// lists that has all main effects and not the t-way interaction: every
// down-closed set of interaction terms. Terms are added in order of size,
// a term only when all its sub-terms one smaller are present, so each
// model is produced once.
func HierarchicalModels(t int) [][][]int {
	var terms []Pattern
	for size := 2; size < t; size++ {
		for p := Pattern(1); p < 1<<uint(t); p++ {
			if p.Size() == size {
				terms = append(terms, p)
			}
		}
	}
	var out [][][]int
	in := make(map[Pattern]bool)
	var rec func(i int)
	rec = func(i int) {
		if i == len(terms) {
			var model [][]int
			for _, p := range terms {
				if in[p] {
					model = append(model, listIndexes(p))
				}
			}
			out = append(out, model)
			return
		}
		rec(i + 1)
		p := terms[i]
		ok := true
		if p.Size() > 2 {
			for m := uint32(p); m != 0; m &= m - 1 {
				sub := p &^ Pattern(m&-m)
				if !in[sub] {
					ok = false
					break
				}
			}
		}
		if ok {
			in[p] = true
			rec(i + 1)
			delete(in, p)
		}
	}
	rec(0)
	return out
}

func listIndexes(p Pattern) []int {
	var idx []int
	for i := 0; i < MaxLists; i++ {
		if p.Has(i) {
			idx = append(idx, i)
		}
	}
	return idx
}

// SearchResult is one fitted model of a search.
type SearchResult struct {
	Model Model
	Fit   LoglinearFit
}

// Search fits every hierarchical model (Mt plus interactions) and returns
// those that converged, best first by the criterion. Models that cannot be
// fitted (rank-deficient, diverging on zero cells) are skipped and counted.
func Search(ctx context.Context, t Table, crit Criterion) (results []SearchResult, skipped int, err error) {
	if len(t.Lists) < 3 {
		return nil, 0, errors.New("model search needs at least 3 lists")
	}
	if len(t.Lists) > 5 {
		// 6 lists already have millions of hierarchical models.
		return nil, 0, fmt.Errorf("model search over all hierarchical models is limited to 5 lists, not %d: give a model", len(t.Lists))
	}
	c, err := tableCells(t)
	if err != nil {
		return nil, 0, err
	}
	for i, inter := range HierarchicalModels(len(t.Lists)) {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		m := Model{Time: true, Interactions: inter}
		f, err := fitCells(c, m, m.Name(t.Lists))
		if err != nil || !f.Converged {
			skipped++
			continue
		}
		results = append(results, SearchResult{m, f})
	}
	score := func(r SearchResult) float64 {
		if crit == BIC {
			return r.Fit.BIC
		}
		return r.Fit.AIC
	}
	sort.SliceStable(results, func(i, j int) bool { return score(results[i]) < score(results[j]) })
	if len(results) == 0 {
		return nil, skipped, errors.New("no hierarchical model could be fitted")
	}
	return results, skipped, nil
}
