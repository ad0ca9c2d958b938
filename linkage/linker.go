package linkage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Options are what a Linker needs besides the table and settings.
type Options struct {
	// Folds are the name-folding functions that "name" levels and fold()
	// blocking terms refer to by name (e.g. "korean": a script-independent
	// key of a Korean name). "lower" (case and space folding) is built in.
	Folds map[string]func(string) string
	// Workers compare pairs in parallel (default GOMAXPROCS).
	Workers int
	// Logger receives progress at debug level and warnings (default: none).
	// Nothing logged contains field values.
	Logger *slog.Logger
}

// Decision is a reviewer's verdict on a pair.
type Decision int8

const (
	Unsure    Decision = iota // no decision: the model decides
	Same                      // the same person
	Different                 // different persons
)

// Ref names a record by source and id.
type Ref struct{ Source, ID string }

// Label is a clerical decision on a pair of records. Same and Different fix
// the pair's match probability to 1 or 0 in training and scoring; a Same pair
// is always linked, and the records of a Different pair are never put in one
// cluster, even through others. Unsure labels are kept but change nothing.
type Label struct {
	A, B     Ref
	Decision Decision
	Note     string
}

// Model is a trained Fellegi–Sunter model.
type Model struct {
	// Lambda is the prior probability that two records, drawn at random
	// from all pairs the link type allows, are a match.
	Lambda      float64           `json:"lambda"`
	Comparisons []ComparisonModel `json:"comparisons"`
	Sessions    []Session         `json:"sessions,omitempty"`
	// USample is the number of random pairs u was estimated from (0: u as given).
	USample int `json:"u_sample,omitempty"`
}

// ComparisonModel holds one comparison's levels with their m and u.
type ComparisonModel struct {
	Column string       `json:"column"`
	Levels []LevelModel `json:"levels"`
}

// LevelModel is one level's parameters.
type LevelModel struct {
	Label    string  `json:"label"`
	M        float64 `json:"m"`
	U        float64 `json:"u"`
	TFWeight float64 `json:"tf_weight,omitempty"`
}

// Session records one EM training run on one blocking rule's pairs.
type Session struct {
	Rule       []string `json:"rule"`
	Pairs      int64    `json:"pairs"`
	Patterns   int      `json:"patterns"`
	LeftOut    []string `json:"left_out"`
	Iterations int      `json:"iterations"`
	Converged  bool     `json:"converged"`
	// History holds the parameters at the start and after each iteration;
	// Lambda there is the proportion of matches among the session's pairs.
	History []Params `json:"-"`
}

// Linker links the records of one table under one set of settings. The
// candidate pairs are compared once, on first use, and kept for later Train,
// Score calls (about 12 bytes a pair). A Linker is not safe for concurrent
// use; it uses Options.Workers goroutines inside each call.
type Linker struct {
	t        *Table
	s        *Settings
	opt      Options
	log      *slog.Logger
	prep     map[string]*prepared
	comps    []*compiled
	tfc      []int
	blocking []*rule
	training []*rule
	labels   map[uint64]Decision
	cand     *candidates // the union of the blocking rules, compared once
}

func nopLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// NewLinker checks the settings against the table and prepares columns,
// comparisons and blocking rules. Errors name the column or rule at fault.
func NewLinker(t *Table, s *Settings, opt Options) (*Linker, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	folds := map[string]func(string) string{"lower": foldLower}
	for k, f := range opt.Folds {
		folds[k] = f
	}
	opt.Folds = folds
	l := &Linker{t: t, s: s, opt: opt, log: opt.Logger, prep: map[string]*prepared{}}
	if l.log == nil {
		l.log = nopLogger()
	}
	if s.LinkType == LinkOnly && len(t.sources) < 2 {
		return nil, fmt.Errorf("link_only needs at least two sources, have %d", len(t.sources))
	}
	get := func(name string) (*prepared, error) {
		if p, ok := l.prep[name]; ok {
			return p, nil
		}
		ci, ok := t.index[name]
		if !ok {
			return nil, fmt.Errorf("no column %q in the records", name)
		}
		p := &prepared{col: encode(t.vals[ci])}
		l.prep[name] = p
		return p, nil
	}
	for ci, c := range s.Comparisons {
		p, err := get(c.Column)
		if err != nil {
			return nil, fmt.Errorf("comparison %d: %w", ci+1, err)
		}
		cc, err := compile(c, p, folds)
		if err != nil {
			return nil, err
		}
		if cc.tf >= 0 {
			l.tfc = append(l.tfc, ci)
		}
		l.comps = append(l.comps, cc)
	}
	build := func(kind string, specs [][]string) ([]*rule, error) {
		var rs []*rule
		for ri, spec := range specs {
			r := &rule{columns: map[string]bool{}}
			var key []int32
			nkeys := 0
			for _, ts := range spec {
				term, err := ParseTerm(ts)
				if err != nil {
					return nil, fmt.Errorf("%s rule %d: %w", kind, ri+1, err)
				}
				p, err := get(term.Column)
				if err != nil {
					return nil, fmt.Errorf("%s rule %d: %w", kind, ri+1, err)
				}
				f, err := termKey(term, folds)
				if err != nil {
					return nil, fmt.Errorf("%s rule %d: %w", kind, ri+1, err)
				}
				codeOf, n := p.col.recode(f)
				r.terms = append(r.terms, term)
				r.columns[term.Column] = true
				if key == nil {
					key = make([]int32, t.Len())
					for i, c := range p.col.codes {
						key[i] = codeOf[c]
					}
					nkeys = n
					continue
				}
				// Combine with the key so far into dense codes of the pair.
				combined := make(map[[2]int32]int32)
				for i, c := range p.col.codes {
					k2 := codeOf[c]
					if key[i] == 0 || k2 == 0 {
						key[i] = 0
						continue
					}
					pk := [2]int32{key[i], k2}
					v, ok := combined[pk]
					if !ok {
						v = int32(len(combined) + 1)
						combined[pk] = v
					}
					key[i] = v
				}
				nkeys = len(combined)
			}
			r.key = key
			r.build(nkeys)
			l.log.Debug("blocking", "kind", kind, "rule", ri+1, "keys", nkeys, "blocks", len(r.starts)-1, "pairs", r.pairs)
			if r.pairs > 200_000_000 {
				// A rule on a common value (a frequent surname alone) makes
				// blocks whose pairs grow with the square of their size.
				l.log.Warn("blocking rule yields very many pairs; consider adding a term", "kind", kind, "rule", ri+1, "pairs", r.pairs)
			}
			rs = append(rs, r)
		}
		return rs, nil
	}
	var err error
	if l.blocking, err = build("blocking", s.Blocking); err != nil {
		return nil, err
	}
	if len(s.Training) == 0 {
		l.training = l.blocking
	} else if l.training, err = build("training", s.Training); err != nil {
		return nil, err
	}
	return l, nil
}

// foldLower folds case and separators (space, hyphen, dot, comma) so that
// "Kim Yong-Hui" and "kim yong hui" agree.
func foldLower(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '-' || r == '.' || r == ',' })
	return strings.ToLower(strings.Join(f, " "))
}

// Start returns the model given by the settings alone: the starting λ and
// the levels' m and u, before any training.
func (l *Linker) Start() *Model {
	m := &Model{Lambda: l.s.Lambda}
	for _, c := range l.s.Comparisons {
		cm := ComparisonModel{Column: c.Column}
		for _, lv := range c.Levels {
			cm.Levels = append(cm.Levels, LevelModel{Label: lv.Label(), M: lv.M, U: lv.U, TFWeight: lv.TFWeight})
		}
		m.Comparisons = append(m.Comparisons, cm)
	}
	return m
}

func (m *Model) params() Params {
	p := Params{Lambda: m.Lambda}
	for _, c := range m.Comparisons {
		var ms, us []float64
		for _, lv := range c.Levels {
			ms = append(ms, lv.M)
			us = append(us, lv.U)
		}
		p.M = append(p.M, ms)
		p.U = append(p.U, us)
	}
	return p
}

func (m *Model) setParams(p Params) {
	for c := range m.Comparisons {
		for g := range m.Comparisons[c].Levels {
			m.Comparisons[c].Levels[g].M = p.M[c][g]
			m.Comparisons[c].Levels[g].U = p.U[c][g]
		}
	}
}

func (l *Linker) setLabels(labels []Label) error {
	l.labels = nil
	if len(labels) == 0 {
		return nil
	}
	idx := make(map[Ref]int32, l.t.Len())
	for i := 0; i < l.t.Len(); i++ {
		r := Ref{l.t.Source(i), l.t.ID(i)}
		if _, dup := idx[r]; dup {
			return fmt.Errorf("labels: record %q of %q appears twice in the records", r.ID, r.Source)
		}
		idx[r] = int32(i)
	}
	l.labels = make(map[uint64]Decision, len(labels))
	for n, lb := range labels {
		a, okA := idx[lb.A]
		b, okB := idx[lb.B]
		if !okA || !okB {
			return fmt.Errorf("label %d: record %q of %q or %q of %q not among the records", n+1, lb.A.ID, lb.A.Source, lb.B.ID, lb.B.Source)
		}
		if a == b {
			return fmt.Errorf("label %d: a record paired with itself", n+1)
		}
		if lb.Decision == Unsure {
			continue
		}
		l.labels[pairKey(a, b)] = lb.Decision
	}
	return nil
}

func pairKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(uint32(b))
}

func (l *Linker) fixOf(i, j int32) int8 {
	if l.labels == nil {
		return -1
	}
	switch l.labels[pairKey(i, j)] {
	case Same:
		return 1
	case Different:
		return 0
	}
	return -1
}

// vector fills the comparison vector of records i and j and the TF keys.
func (l *Linker) vector(i, j int32, g *[maxComparisons]uint8, tf *[maxTF]int32) {
	for c, cc := range l.comps {
		g[c] = cc.gamma(i, j)
	}
	for k, c := range l.tfc {
		cc := l.comps[c]
		tf[k] = 0
		if int(g[c]) == cc.tf {
			if cc.tfPair != nil {
				tf[k] = cc.tfPair(cc.codes[i], cc.codes[j])
			} else {
				tf[k] = cc.tfKey[cc.codes[i]]
			}
		}
	}
}

// estimateU estimates u from random pairs: the share of each level among the
// non-null comparisons of pairs drawn uniformly (almost all non-matches).
// The draw is split into fixed chunks with their own seeds, so the result
// does not depend on the number of workers.
func (l *Linker) estimateU(ctx context.Context, n int) ([][]float64, error) {
	const chunks = 16
	nc := len(l.comps)
	counts := make([][][]float64, chunks)
	if l.t.Len() < 2 {
		return nil, errors.New("estimate u: fewer than two records")
	}
	ps := newPairSampler(l.t, l.s.LinkType == LinkOnly)
	var wg sync.WaitGroup
	sem := make(chan struct{}, l.opt.Workers)
	for ch := 0; ch < chunks; ch++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(ch int) {
			defer wg.Done()
			defer func() { <-sem }()
			cnt := make([][]float64, nc)
			for c, cc := range l.comps {
				cnt[c] = make([]float64, cc.nLevels())
			}
			counts[ch] = cnt
			rng := rand.New(rand.NewPCG(l.s.Seed, uint64(ch)))
			want := n / chunks
			if ch < n%chunks {
				want++
			}
			for k := 0; k < want; k++ {
				if k%4096 == 0 && ctx.Err() != nil {
					return
				}
				i, j := ps.draw(rng)
				for c, cc := range l.comps {
					if g := cc.gamma(i, j); g != nullLevel {
						cnt[c][g]++
					}
				}
			}
		}(ch)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u := make([][]float64, nc)
	for c, cc := range l.comps {
		u[c] = make([]float64, cc.nLevels())
		var tot float64
		for ch := range counts {
			for g, v := range counts[ch][c] {
				u[c][g] += v
				tot += v
			}
		}
		if tot == 0 {
			u[c] = nil // all null: keep the given u
			l.log.Warn("estimate u: comparison always null in the sample", "column", cc.column)
			continue
		}
		for g := range u[c] {
			if u[c][g] == 0 {
				// Not seen among the sampled pairs: count it as half a pair
				// rather than 0, which would make the level decide alone.
				u[c][g] = 0.5
				l.log.Debug("estimate u: level not seen in sample", "column", cc.column, "level", g)
			}
			u[c][g] /= tot
		}
	}
	return u, nil
}

// countPatterns compares the pairs of rule k (all of them; with dedupe, only
// those no earlier rule yields) and counts distinct comparison vectors.
func (l *Linker) countPatterns(ctx context.Context, rules []*rule, k int, dedupe bool) ([]pattern, int64, error) {
	nc := len(l.comps)
	maps := make([]map[patKey]float64, l.opt.Workers)
	for w := range maps {
		maps[w] = make(map[patKey]float64)
	}
	err := forEachPair(ctx, rules, k, dedupe, l.t.source, l.s.LinkType == LinkOnly, l.opt.Workers, func(w int, i, j int32) {
		var g [maxComparisons]uint8
		var key patKey
		l.vector(i, j, &g, &key.tf)
		key.g = packGamma(&g, nc)
		key.fix = l.fixOf(i, j)
		maps[w][key]++
	})
	if err != nil {
		return nil, 0, err
	}
	all := maps[0]
	for _, m := range maps[1:] {
		for k, v := range m {
			all[k] += v
		}
	}
	pats := make([]pattern, 0, len(all))
	var pairs int64
	for k, v := range all {
		pats = append(pats, pattern{g: unpackGamma(k.g, nc), tf: k.tf, n: v, fix: k.fix})
		pairs += int64(v)
	}
	// Map order is random: sort so that sums, and so results, are reproducible.
	slices.SortFunc(pats, func(a, b pattern) int {
		if c := cmp.Compare(packGamma(&a.g, nc), packGamma(&b.g, nc)); c != 0 {
			return c
		}
		for t := range a.tf {
			if c := cmp.Compare(a.tf[t], b.tf[t]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.fix, b.fix)
	})
	return pats, pairs, nil
}

// Train estimates the model: u from random pairs (unless USamplePairs < 0),
// then m by EM on each training rule's pairs, leaving out the comparisons on
// the rule's columns (a block fixes them, so they carry no information
// there). A comparison's m is the mean over the sessions that estimated it;
// one never estimated keeps its starting m (and a warning is logged). The
// prior λ over all pairs is then estimated on the candidate pairs (see
// estimateLambda). Labels fix pairs' match probabilities in EM.
//
// With no explicit training rules, the sessions train on the blocking
// rules' pairs as already compared for scoring, so each candidate pair is
// compared once in all.
func (l *Linker) Train(ctx context.Context, labels []Label) (*Model, error) {
	if err := l.setLabels(labels); err != nil {
		return nil, err
	}
	model := l.Start()
	p := model.params()
	if l.s.USamplePairs > 0 {
		u, err := l.estimateU(ctx, l.s.USamplePairs)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		for c := range u {
			if u[c] != nil {
				p.U[c] = u[c]
			}
		}
		model.USample = l.s.USamplePairs
		l.log.Debug("estimated u", "pairs", l.s.USamplePairs)
	}
	nc := len(l.comps)
	mSum := make([][]float64, nc)
	nEst := make([]int, nc)
	for c := range mSum {
		mSum[c] = make([]float64, len(p.M[c]))
	}
	type sess struct {
		lambda float64
		leave  []bool
	}
	var done []sess
	fromCand := len(l.s.Training) == 0
	var sessionPats [][]pattern
	if fromCand {
		var err error
		if sessionPats, err = l.sessionPatterns(ctx); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	for k, r := range l.training {
		var pats []pattern
		var pairs int64
		if fromCand {
			pats = sessionPats[k]
			for _, pt := range pats {
				pairs += int64(pt.n)
			}
		} else {
			var err error
			if pats, pairs, err = l.countPatterns(ctx, l.training, k, false); err != nil {
				return nil, fmt.Errorf("train on rule %d: %w", k+1, err)
			}
		}
		st := &emState{comps: l.comps, tfc: l.tfc, leave: make([]bool, nc), fixU: *l.s.FixU}
		var left []string
		for c, cc := range l.comps {
			if r.columns[cc.column] {
				st.leave[c] = true
				left = append(left, cc.column)
			}
		}
		start := p.clone()
		start.Lambda = l.s.Lambda
		hist, conv := st.em(pats, start, l.s.MaxIterations, l.s.Tolerance)
		final := hist[len(hist)-1]
		s := Session{Pairs: pairs, Patterns: len(pats), LeftOut: left, Iterations: len(hist) - 1, Converged: conv, History: hist}
		for _, t := range r.terms {
			s.Rule = append(s.Rule, t.String())
		}
		model.Sessions = append(model.Sessions, s)
		l.log.Debug("EM session", "rule", k+1, "pairs", pairs, "patterns", len(pats), "iterations", s.Iterations, "lambda", final.Lambda)
		if pairs == 0 {
			continue
		}
		for c := range l.comps {
			if st.leave[c] {
				continue
			}
			for g := range mSum[c] {
				mSum[c][g] += final.M[c][g]
			}
			nEst[c]++
		}
		if !*l.s.FixU {
			p.U = final.U
		}
		done = append(done, sess{final.Lambda, st.leave})
	}
	for c := range l.comps {
		if nEst[c] == 0 {
			l.log.Warn("train: m never estimated (every training rule blocks on it); keeping the starting m", "column", l.comps[c].column)
			continue
		}
		for g := range mSum[c] {
			p.M[c][g] = mSum[c][g] / float64(nEst[c])
		}
	}
	// A first guess of λ, from which estimateLambda starts: each session's
	// λ with the Bayes factors of the blocked comparisons' strongest levels
	// taken out (Splink's correction), the median over sessions.
	if len(done) > 0 {
		var lams []float64
		for _, d := range done {
			odds := d.lambda / (1 - d.lambda)
			for c, left := range d.leave {
				if left {
					odds /= max(p.M[c][0], probFloor) / max(p.U[c][0], probFloor)
				}
			}
			lams = append(lams, odds/(1+odds))
		}
		slices.Sort(lams)
		p.Lambda = lams[len(lams)/2]
	}
	lam, err := l.estimateLambda(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	p.Lambda = lam
	model.Lambda = p.Lambda
	model.setParams(p)
	return model, nil
}

// Pair is a scored candidate pair (A < B, record indexes into the table).
type Pair struct {
	A, B   int32
	Weight float64 // log2 of the posterior odds
	Prob   float64
	Label  Decision
}

// Result is the outcome of scoring and clustering.
type Result struct {
	Model *Model
	// Cluster per record (table order): clusters are numbered from 0 in the
	// order of their first record.
	Cluster []int32
	// Best is each record's highest match probability over its candidate
	// pairs (0 when it has none).
	Best []float64
	// Pairs at or above the review threshold, ordered by A then B.
	Pairs []Pair
	Stats Stats
}

// Stats counts the work done.
type Stats struct {
	Records        int   `json:"records"`
	CandidatePairs int64 `json:"candidate_pairs"`
	Links          int   `json:"links"`
	Review         int   `json:"review"`
	Clusters       int   `json:"clusters"`
}

// scorer holds a model as lookup tables of log2 Bayes factors.
type scorer struct {
	prior float64
	lbf   [][]float64 // [comparison][level]; null → 0
	tfAdj [][]float64 // [tf comparison][key]: log2 of the TF factor
}

func (l *Linker) newScorer(m *Model) (*scorer, error) {
	if len(m.Comparisons) != len(l.comps) {
		return nil, fmt.Errorf("model has %d comparisons, settings %d", len(m.Comparisons), len(l.comps))
	}
	s := &scorer{prior: math.Log2(m.Lambda / (1 - m.Lambda))}
	for c, cm := range m.Comparisons {
		if len(cm.Levels) != l.comps[c].nLevels() {
			return nil, fmt.Errorf("model comparison %q has %d levels, settings %d", cm.Column, len(cm.Levels), l.comps[c].nLevels())
		}
		row := make([]float64, len(cm.Levels))
		for g, lv := range cm.Levels {
			row[g] = math.Log2(max(lv.M, probFloor) / max(lv.U, probFloor))
		}
		s.lbf = append(s.lbf, row)
	}
	for _, c := range l.tfc {
		cc := l.comps[c]
		u := m.Comparisons[c].Levels[cc.tf].U
		adj := make([]float64, len(cc.tfFreq))
		for k := 1; k < len(adj); k++ {
			adj[k] = cc.tfWeight * math.Log2(u/cc.tfFreq[k])
		}
		s.tfAdj = append(s.tfAdj, adj)
	}
	return s, nil
}

func (s *scorer) weight(g *[maxComparisons]uint8, tf *[maxTF]int32, nc int) float64 {
	w := s.prior
	for c := 0; c < nc; c++ {
		if g[c] != nullLevel {
			w += s.lbf[c][g[c]]
		}
	}
	for k := range s.tfAdj {
		w += s.tfAdj[k][tf[k]]
	}
	return w
}

func probOf(w float64) float64 {
	return 1 / (1 + math.Exp2(-w))
}

// cluster returns connected components of the pairs at or above threshold,
// numbered in order of their first record, except that two records in a
// cannot-link pair (a reviewer's Different) never end up in one cluster:
// edges are added strongest first, and an edge that would join the two
// sides of a cannot-link pair is skipped.
func cluster(n int, pairs []Pair, threshold float64, cannot [][2]int32) ([]int32, int) {
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	// avoid[root] lists records that must stay out of root's component.
	avoid := map[int32][]int32{}
	for _, c := range cannot {
		avoid[c[0]] = append(avoid[c[0]], c[1])
		avoid[c[1]] = append(avoid[c[1]], c[0])
	}
	edges := make([]Pair, 0, len(pairs))
	for _, p := range pairs {
		if p.Prob >= threshold {
			edges = append(edges, p)
		}
	}
	if len(avoid) > 0 {
		slices.SortStableFunc(edges, func(a, b Pair) int { return cmp.Compare(b.Prob, a.Prob) })
	}
	conflict := func(ra, rb int32) bool {
		for _, x := range avoid[ra] {
			if find(x) == rb {
				return true
			}
		}
		return false
	}
	for _, p := range edges {
		a, b := find(p.A), find(p.B)
		if a == b {
			continue
		}
		if len(avoid) > 0 && (conflict(a, b) || conflict(b, a)) {
			continue
		}
		// The smaller index becomes the root, so roots are first records.
		if a > b {
			a, b = b, a
		}
		parent[b] = a
		if lst := avoid[b]; lst != nil {
			avoid[a] = append(avoid[a], lst...)
			delete(avoid, b)
		}
	}
	id := make([]int32, n)
	next := int32(0)
	for i := range id {
		r := find(int32(i))
		if r == int32(i) {
			id[i] = next
			next++
		} else {
			id[i] = id[r]
		}
	}
	return id, int(next)
}

// Link trains a model and scores and clusters the records with it.
func Link(ctx context.Context, t *Table, s *Settings, opt Options, labels []Label) (*Result, error) {
	l, err := NewLinker(t, s, opt)
	if err != nil {
		return nil, err
	}
	m, err := l.Train(ctx, labels)
	if err != nil {
		return nil, err
	}
	return l.Score(ctx, m, labels)
}

// Contribution is one comparison's part in a pair's match weight.
type Contribution struct {
	Column string  `json:"column"`
	Level  int     `json:"level"` // index into the levels; −1 for null
	Label  string  `json:"label"`
	BF     float64 `json:"bayes_factor"`    // m/u of the level (1 for null)
	TFBF   float64 `json:"tf_bayes_factor"` // term-frequency factor (1 when none)
	Log2   float64 `json:"log2"`            // log2(BF·TFBF)
}

// Explanation breaks a pair's match weight into the prior and the
// comparisons' contributions: Weight = log2(prior odds) + Σ Log2.
type Explanation struct {
	PriorLog2     float64        `json:"prior_log2"`
	Contributions []Contribution `json:"contributions"`
	Weight        float64        `json:"match_weight"`
	Prob          float64        `json:"match_probability"`
}

// Explain scores records a and b (table indexes) under the model and says
// what each comparison contributed. Labels are not applied.
func (l *Linker) Explain(m *Model, a, b int) (Explanation, error) {
	if a < 0 || b < 0 || a >= l.t.Len() || b >= l.t.Len() {
		return Explanation{}, fmt.Errorf("explain: record index %d or %d out of range", a, b)
	}
	p := m.params()
	if len(p.M) != len(l.comps) {
		return Explanation{}, fmt.Errorf("explain: model has %d comparisons, settings %d", len(p.M), len(l.comps))
	}
	var g [maxComparisons]uint8
	var tf [maxTF]int32
	l.vector(int32(a), int32(b), &g, &tf)
	e := Explanation{PriorLog2: math.Log2(m.Lambda / (1 - m.Lambda))}
	odds := m.Lambda / (1 - m.Lambda)
	for c, cc := range l.comps {
		ct := Contribution{Column: cc.column, Level: int(g[c]), BF: 1, TFBF: 1}
		if g[c] == nullLevel {
			ct.Level, ct.Label = -1, "null"
		} else {
			ct.Label = cc.labels[g[c]]
			ct.BF = max(p.M[c][g[c]], probFloor) / max(p.U[c][g[c]], probFloor)
			if k := slices.Index(l.tfc, c); k >= 0 && tf[k] != 0 {
				ct.TFBF = math.Pow(p.U[c][cc.tf]/cc.tfFreq[tf[k]], cc.tfWeight)
			}
		}
		ct.Log2 = math.Log2(ct.BF * ct.TFBF)
		odds *= ct.BF * ct.TFBF
		e.Contributions = append(e.Contributions, ct)
	}
	e.Weight = math.Log2(odds)
	e.Prob = odds / (1 + odds)
	return e, nil
}

// pairSampler draws pairs of distinct records uniformly from the pairs the
// link type allows. For link_only it picks a source with probability
// proportional to its share of cross-source pairs, a record in it, and a
// record outside it, so that lopsided sources (one record against a
// million) cost no rejected draws.
type pairSampler struct {
	n        uint64
	linkOnly bool
	order    []int32  // record indexes grouped by source
	start    []uint64 // source s is order[start[s]:start[s+1]]
	cum      []uint64 // cumulative cross-source pair weights n_s·(n−n_s)
}

func newPairSampler(t *Table, linkOnly bool) *pairSampler {
	p := &pairSampler{n: uint64(t.Len()), linkOnly: linkOnly}
	if !linkOnly {
		return p
	}
	size := make([]uint64, len(t.sources))
	for _, s := range t.source {
		size[s]++
	}
	p.start = make([]uint64, len(size)+1)
	for s, k := range size {
		p.start[s+1] = p.start[s] + k
	}
	p.order = make([]int32, p.n)
	pos := append([]uint64(nil), p.start[:len(size)]...)
	for i, s := range t.source {
		p.order[pos[s]] = int32(i)
		pos[s]++
	}
	var c uint64
	for _, k := range size {
		c += k * (p.n - k)
		p.cum = append(p.cum, c)
	}
	return p
}

func (p *pairSampler) draw(rng *rand.Rand) (int32, int32) {
	if !p.linkOnly {
		for {
			i, j := rng.Uint64N(p.n), rng.Uint64N(p.n)
			if i != j {
				return int32(i), int32(j)
			}
		}
	}
	w := rng.Uint64N(p.cum[len(p.cum)-1])
	s, _ := slices.BinarySearch(p.cum, w+1)
	size := p.start[s+1] - p.start[s]
	i := p.order[p.start[s]+rng.Uint64N(size)]
	r := rng.Uint64N(p.n - size)
	if r >= p.start[s] {
		r += size
	}
	return i, p.order[r]
}
