package linkage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// candidates are the pairs of the union of the blocking rules, each compared
// once and stored as an index into the distinct comparison vectors
// (12 bytes a pair), so that estimating λ and scoring need no second
// comparison pass.
type candidates struct {
	pairs []candPair
	pats  []pattern // fix is always −1: labels are applied per pair
}

type candPair struct {
	a, b int32
	pat  uint32
}

func (l *Linker) candidates(ctx context.Context) (*candidates, error) {
	if l.cand != nil {
		return l.cand, nil
	}
	nc := len(l.comps)
	W := l.opt.Workers
	type local struct {
		index map[patKey]uint32
		keys  []patKey
		count []float64
		pairs []candPair
	}
	locals := make([]local, W)
	for w := range locals {
		locals[w].index = make(map[patKey]uint32)
	}
	for k := range l.blocking {
		err := forEachPair(ctx, l.blocking, k, true, l.t.source, l.s.LinkType == LinkOnly, W, func(w int, i, j int32) {
			var g [maxComparisons]uint8
			var key patKey
			l.vector(i, j, &g, &key.tf)
			key.g = packGamma(&g, nc)
			key.fix = -1
			lc := &locals[w]
			idx, ok := lc.index[key]
			if !ok {
				idx = uint32(len(lc.keys))
				lc.index[key] = idx
				lc.keys = append(lc.keys, key)
				lc.count = append(lc.count, 0)
			}
			lc.count[idx]++
			lc.pairs = append(lc.pairs, candPair{i, j, idx})
		})
		if err != nil {
			return nil, fmt.Errorf("compare candidate pairs of rule %d: %w", k+1, err)
		}
	}
	// Merge the workers' pattern numbering into one, in a sorted order so
	// that sums are reproducible.
	all := make(map[patKey]float64)
	for _, lc := range locals {
		for x, k := range lc.keys {
			all[k] += lc.count[x]
		}
	}
	keys := make([]patKey, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b patKey) int {
		if c := cmp.Compare(a.g, b.g); c != 0 {
			return c
		}
		for t := range a.tf {
			if c := cmp.Compare(a.tf[t], b.tf[t]); c != 0 {
				return c
			}
		}
		return 0
	})
	global := make(map[patKey]uint32, len(keys))
	c := &candidates{pats: make([]pattern, len(keys))}
	n := 0
	for x, k := range keys {
		global[k] = uint32(x)
		c.pats[x] = pattern{g: unpackGamma(k.g, nc), tf: k.tf, n: all[k], fix: -1}
	}
	for _, lc := range locals {
		n += len(lc.pairs)
	}
	c.pairs = make([]candPair, 0, n)
	for w := range locals {
		lc := &locals[w]
		remap := make([]uint32, len(lc.keys))
		for x, k := range lc.keys {
			remap[x] = global[k]
		}
		for _, p := range lc.pairs {
			p.pat = remap[p.pat]
			c.pairs = append(c.pairs, p)
		}
		*lc = local{}
	}
	l.cand = c
	l.log.Debug("compared candidate pairs", "pairs", len(c.pairs), "patterns", len(c.pats))
	return c, nil
}

// totalPairs is the number of pairs the link type allows.
func (l *Linker) totalPairs() float64 {
	n := float64(l.t.Len())
	total := n * (n - 1) / 2
	if l.s.LinkType == LinkOnly {
		per := make([]float64, len(l.t.sources))
		for _, s := range l.t.source {
			per[s]++
		}
		for _, k := range per {
			total -= k * (k - 1) / 2
		}
	}
	return total
}

// estimateLambda estimates the prior probability that two random records
// match, with m and u fixed: the expected number of matches among the
// candidate pairs (the sum of their match probabilities) over all pairs,
// assuming that the blocking rules together miss almost no match. It
// iterates that fixed point from p.Lambda. Clerical labels are left out here
// (they are few against millions of pairs). (Correcting each EM session's λ
// by the Bayes factors of the blocked columns, as Splink does, breaks down
// when a rule blocks on a transform such as year(dob), which is not a level
// of the comparison.)
func (l *Linker) estimateLambda(ctx context.Context, p Params) (float64, error) {
	c, err := l.candidates(ctx)
	if err != nil {
		return 0, err
	}
	total := l.totalPairs()
	if total == 0 || len(c.pats) == 0 {
		return p.Lambda, nil // no pairs: nothing to estimate from
	}
	st := &emState{comps: l.comps, tfc: l.tfc, leave: make([]bool, len(l.comps))}
	lam := p.Lambda
	if lam <= 0 || lam >= 1 || math.IsNaN(lam) {
		lam = 1e-4
	}
	for it := 0; it < 200; it++ {
		p.Lambda = lam
		var sum float64
		for x := range c.pats {
			sum += c.pats[x].n * st.matchProb(&p, &c.pats[x])
		}
		next := min(max(sum/total, 1e-300), 1-1e-12)
		done := math.Abs(next-lam) <= 1e-9*lam
		lam = next
		if done {
			break
		}
	}
	return lam, nil
}

// Score compares every candidate pair (the union of the blocking rules) under
// the model, keeps the pairs at or above the review threshold and clusters
// records into connected components of the pairs at or above the link
// threshold. Labels override the model: Same pairs link; the records of a
// Different pair are kept in separate clusters.
func (l *Linker) Score(ctx context.Context, m *Model, labels []Label) (*Result, error) {
	if err := l.setLabels(labels); err != nil {
		return nil, err
	}
	sc, err := l.newScorer(m)
	if err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	c, err := l.candidates(ctx)
	if err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	nc := len(l.comps)
	weight := make([]float64, len(c.pats))
	prob := make([]float64, len(c.pats))
	for x := range c.pats {
		weight[x] = sc.weight(&c.pats[x].g, &c.pats[x].tf, nc)
		prob[x] = probOf(weight[x])
	}
	n := l.t.Len()
	review := l.s.Thresholds.Review
	res := &Result{Model: m, Best: make([]float64, n), Stats: Stats{Records: n, CandidatePairs: int64(len(c.pairs))}}
	for _, cp := range c.pairs {
		p, wt, lab := prob[cp.pat], weight[cp.pat], Unsure
		switch l.fixOf(cp.a, cp.b) {
		case 1:
			p, wt, lab = 1, math.Inf(1), Same
		case 0:
			p, wt, lab = 0, math.Inf(-1), Different
		}
		res.Best[cp.a] = max(res.Best[cp.a], p)
		res.Best[cp.b] = max(res.Best[cp.b], p)
		if p >= review || lab == Same {
			res.Pairs = append(res.Pairs, Pair{A: cp.a, B: cp.b, Weight: wt, Prob: p, Label: lab})
		}
	}
	// Labelled Same pairs that no blocking rule yields still link.
	if len(l.labels) > 0 {
		seen := make(map[uint64]bool)
		for _, p := range res.Pairs {
			seen[pairKey(p.A, p.B)] = true
		}
		for k, d := range l.labels {
			if d == Same && !seen[k] {
				a, b := int32(k>>32), int32(uint32(k))
				res.Pairs = append(res.Pairs, Pair{A: a, B: b, Weight: math.Inf(1), Prob: 1, Label: Same})
				res.Best[a], res.Best[b] = 1, 1
			}
		}
	}
	slices.SortFunc(res.Pairs, func(a, b Pair) int {
		if c := cmp.Compare(a.A, b.A); c != 0 {
			return c
		}
		return cmp.Compare(a.B, b.B)
	})
	var cannot [][2]int32
	for k, d := range l.labels {
		if d == Different {
			cannot = append(cannot, [2]int32{int32(k >> 32), int32(uint32(k))})
		}
	}
	// Map order is random; the clusters must not be.
	slices.SortFunc(cannot, func(a, b [2]int32) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	res.Cluster, res.Stats.Clusters = cluster(n, res.Pairs, l.s.Thresholds.Link, cannot)
	for _, p := range res.Pairs {
		if p.Prob >= l.s.Thresholds.Link {
			res.Stats.Links++
		} else {
			res.Stats.Review++
		}
	}
	return res, ctx.Err()
}

// sessionPatterns counts, for each blocking rule, the comparison vectors of
// the pairs that rule yields on its own (the pairs an EM session on the rule
// trains on), from the candidate pairs already compared: a candidate belongs
// to every rule whose key it agrees on, so no pair is compared twice.
// Labelled pairs become patterns of their own, with the label fixed.
func (l *Linker) sessionPatterns(ctx context.Context) ([][]pattern, error) {
	c, err := l.candidates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([][]pattern, len(l.blocking))
	for k, r := range l.blocking {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		count := make([]float64, len(c.pats))
		var labelled []pattern
		for _, cp := range c.pairs {
			if kk := r.key[cp.a]; kk == 0 || kk != r.key[cp.b] {
				continue
			}
			if fix := l.fixOf(cp.a, cp.b); fix >= 0 {
				pt := c.pats[cp.pat]
				pt.n, pt.fix = 1, fix
				labelled = append(labelled, pt)
				continue
			}
			count[cp.pat]++
		}
		for x, n := range count {
			if n > 0 {
				pt := c.pats[x]
				pt.n = n
				out[k] = append(out[k], pt)
			}
		}
		out[k] = append(out[k], labelled...)
	}
	return out, nil
}
