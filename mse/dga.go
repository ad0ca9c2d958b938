package mse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
)

// DGAOptions configures Bayesian model averaging over decomposable
// graphical models (Madigan & York 1997; HRDAG's dga package).
type DGAOptions struct {
	// Delta is the hyper-Dirichlet prior weight per cell of the full
	// table; zero means 2^-p, dga's suggested default.
	Delta float64
	// NMissing lists the candidate numbers of people on no list; nil means
	// 0..max(1000, 10n).
	NMissing []int
	// LogPrior is the log prior of N = n + n0 (up to a constant); nil
	// means p(N) ∝ 1/N, dga's default.
	LogPrior func(N float64) float64
	// Level of the credible interval; default 0.95.
	Level float64
}

// NegBinomialLogPrior is the negative-binomial prior on N of Madigan &
// York's example: N log b - (N+a) log(1+b) + lgamma(N+a) - lgamma(N+1) - lgamma(a).
func NegBinomialLogPrior(a, b float64) func(N float64) float64 {
	return func(N float64) float64 {
		l1, _ := math.Lgamma(N + a)
		l2, _ := math.Lgamma(N + 1)
		l3, _ := math.Lgamma(a)
		return N*math.Log(b) - (N+a)*math.Log1p(b) + l1 - l2 - l3
	}
}

// Graph is a decomposable graphical model over the lists, given by its
// cliques and (non-empty) separators as bit sets of list indexes.
type Graph struct {
	Cliques    []Pattern
	Separators []Pattern
}

// Name renders the cliques with list names, e.g. "[a,b][c]".
func (g Graph) Name(lists []string) string {
	s := ""
	for _, c := range g.Cliques {
		s += "["
		first := true
		for i := range lists {
			if c.Has(i) {
				if !first {
					s += ","
				}
				s += lists[i]
				first = false
			}
		}
		s += "]"
	}
	return s
}

// DecomposableGraphs enumerates every decomposable (chordal) graph on p
// vertices, in order of their edge sets.
func DecomposableGraphs(p int) []Graph {
	type edge struct{ a, b int }
	var edges []edge
	for a := 0; a < p; a++ {
		for b := a + 1; b < p; b++ {
			edges = append(edges, edge{a, b})
		}
	}
	var out []Graph
	for mask := 0; mask < 1<<uint(len(edges)); mask++ {
		adj := make([]Pattern, p)
		for i, e := range edges {
			if mask&(1<<uint(i)) != 0 {
				adj[e.a] |= 1 << uint(e.b)
				adj[e.b] |= 1 << uint(e.a)
			}
		}
		if g, ok := chordal(adj); ok {
			out = append(out, g)
		}
	}
	return out
}

// chordal runs maximum cardinality search; the graph is chordal when every
// vertex's earlier neighbours form a clique, and then the sets {v} ∪
// earlier(v), reduced to the maximal ones in search order, are cliques with
// the running intersection property.
func chordal(adj []Pattern) (Graph, bool) {
	p := len(adj)
	var visited Pattern
	weight := make([]int, p)
	var sets []Pattern
	for step := 0; step < p; step++ {
		v := -1
		for u := 0; u < p; u++ {
			if !visited.Has(u) && (v < 0 || weight[u] > weight[v]) {
				v = u
			}
		}
		earlier := adj[v] & visited
		for u := 0; u < p; u++ {
			if earlier.Has(u) && (earlier&^(1<<uint(u)))&^adj[u] != 0 {
				return Graph{}, false
			}
		}
		visited |= 1 << uint(v)
		sets = append(sets, earlier|1<<uint(v))
		for u := 0; u < p; u++ {
			if adj[v].Has(u) {
				weight[u]++
			}
		}
	}
	var g Graph
	for i, s := range sets {
		maximal := true
		for j, t := range sets {
			if i != j && s&t == s && (s != t || j < i) {
				maximal = false
				break
			}
		}
		if maximal {
			g.Cliques = append(g.Cliques, s)
		}
	}
	var seen Pattern
	for i, c := range g.Cliques {
		if i > 0 && c&seen != 0 {
			g.Separators = append(g.Separators, c&seen)
		}
		seen |= c
	}
	return g, true
}

// DGAModel is one graph's posterior probability.
type DGAModel struct {
	Graph Graph
	Name  string
	Prob  float64
}

// DGAResult is the model-averaged posterior of N.
type DGAResult struct {
	N      []float64 // candidate population sizes
	Prob   []float64 // their posterior probabilities (summed over graphs)
	Models []DGAModel
	Mean   float64
	Median float64
	Lower  float64 // equal-tailed credible interval on the grid
	Upper  float64
	Level  float64
}

// DGA averages over all decomposable graphical models for 3 to 5 lists
// with a hyper-Dirichlet prior, as dga's bma.cr. Models come sorted by
// posterior probability, highest first.
func DGA(ctx context.Context, t Table, opt DGAOptions) (DGAResult, error) {
	p := len(t.Lists)
	if p < 3 || p > 5 {
		return DGAResult{}, fmt.Errorf("DGA: %d lists; decomposable-graph averaging supports 3 to 5", p)
	}
	if opt.Level == 0 {
		opt.Level = 0.95
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return DGAResult{}, fmt.Errorf("DGA: credible level %v is not in (0, 1)", opt.Level)
	}
	delta := opt.Delta
	if delta == 0 {
		delta = math.Pow(2, -float64(p))
	}
	if !(delta > 0) {
		return DGAResult{}, fmt.Errorf("DGA: delta %v must be positive", delta)
	}
	n := t.Observed()
	if n == 0 {
		return DGAResult{}, errors.New("DGA: empty table")
	}
	grid := opt.NMissing
	if grid == nil {
		top := max(1000, 10*n)
		grid = make([]int, top+1)
		for i := range grid {
			grid[i] = i
		}
	}
	for _, m := range grid {
		if m < 0 {
			return DGAResult{}, fmt.Errorf("DGA: negative number missing %d", m)
		}
	}
	logPrior := opt.LogPrior
	if logPrior == nil {
		logPrior = func(N float64) float64 { return -math.Log(N) }
	}
	full := t.Full()
	// comp[A][g]: log marginal-likelihood terms of the marginal table on
	// list set A with grid[g] people added to its all-zero cell.
	nsub := 1 << uint(p)
	comp := make([][]float64, nsub)
	for a := 1; a < nsub; a++ {
		if err := ctx.Err(); err != nil {
			return DGAResult{}, err
		}
		A := Pattern(a)
		k := A.Size()
		marg := make([]float64, 1<<uint(k))
		for cell, y := range full {
			marg[pext(Pattern(cell), A)] += y
		}
		alpha := delta * math.Pow(2, float64(p-k))
		la, _ := math.Lgamma(alpha)
		rest := 0.0
		for _, d := range marg[1:] {
			l, _ := math.Lgamma(d + alpha)
			rest += l - la
		}
		comp[a] = make([]float64, len(grid))
		for g, m := range grid {
			l, _ := math.Lgamma(marg[0] + float64(m) + alpha)
			comp[a][g] = rest + l - la
		}
	}
	alphaTot := delta * float64(nsub)
	lat, _ := math.Lgamma(alphaTot)
	sumLgY := 0.0
	for _, y := range full[1:] {
		l, _ := math.Lgamma(y + 1)
		sumLgY += l
	}
	common := make([]float64, len(grid)) // multinomial coefficient + prior
	norm := make([]float64, len(grid))   // lgamma(alpha) - lgamma(N + alpha)
	for g, m := range grid {
		N := float64(n + m)
		l1, _ := math.Lgamma(N + 1)
		l2, _ := math.Lgamma(float64(m) + 1)
		common[g] = l1 - sumLgY - l2 + logPrior(N)
		l3, _ := math.Lgamma(N + alphaTot)
		norm[g] = lat - l3
	}
	graphs := DecomposableGraphs(p)
	w := make([][]float64, len(graphs))
	mx := math.Inf(-1)
	for i, gr := range graphs {
		w[i] = make([]float64, len(grid))
		k := float64(len(gr.Cliques) - len(gr.Separators))
		for g := range grid {
			v := common[g] + k*norm[g]
			for _, c := range gr.Cliques {
				v += comp[c][g]
			}
			for _, s := range gr.Separators {
				v -= comp[s][g]
			}
			w[i][g] = v
			mx = math.Max(mx, v)
		}
	}
	res := DGAResult{Level: opt.Level, N: make([]float64, len(grid)), Prob: make([]float64, len(grid))}
	total := 0.0
	for i, gr := range graphs {
		mp := 0.0
		for g := range grid {
			e := math.Exp(w[i][g] - mx)
			res.Prob[g] += e
			mp += e
		}
		res.Models = append(res.Models, DGAModel{Graph: gr, Name: gr.Name(t.Lists), Prob: mp})
		total += mp
	}
	for g, m := range grid {
		res.N[g] = float64(n + m)
		res.Prob[g] /= total
		res.Mean += res.N[g] * res.Prob[g]
	}
	for i := range res.Models {
		res.Models[i].Prob /= total
	}
	sort.SliceStable(res.Models, func(i, j int) bool { return res.Models[i].Prob > res.Models[j].Prob })
	// Quantiles on the grid (sorted by N).
	idx := make([]int, len(grid))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return res.N[idx[i]] < res.N[idx[j]] })
	lo, med, hi := (1-opt.Level)/2, 0.5, 1-(1-opt.Level)/2
	cum := 0.0
	res.Lower, res.Median, res.Upper = math.NaN(), math.NaN(), math.NaN()
	for _, i := range idx {
		cum += res.Prob[i]
		if math.IsNaN(res.Lower) && cum >= lo {
			res.Lower = res.N[i]
		}
		if math.IsNaN(res.Median) && cum >= med {
			res.Median = res.N[i]
		}
		if math.IsNaN(res.Upper) && cum >= hi {
			res.Upper = res.N[i]
		}
	}
	return res, nil
}

// pext gathers the bits of x selected by mask into the low bits.
func pext(x, mask Pattern) int {
	out, j := 0, 0
	for m := uint32(mask); m != 0; m &= m - 1 {
		i := bits.TrailingZeros32(m)
		if x.Has(i) {
			out |= 1 << uint(j)
		}
		j++
	}
	return out
}
