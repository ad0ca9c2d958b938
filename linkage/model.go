package linkage

import (
	"math"
)

// Params are the parameters of a Fellegi–Sunter model at one point of
// training: λ, the proportion of matches among the pairs considered, and per
// comparison and level the probabilities m (among matches) and u (among
// non-matches). Levels are indexed as in Comparison.Levels (0 strongest,
// last else).
type Params struct {
	Lambda float64     `json:"lambda"`
	M      [][]float64 `json:"m"`
	U      [][]float64 `json:"u"`
}

func (p Params) clone() Params {
	q := Params{Lambda: p.Lambda, M: make([][]float64, len(p.M)), U: make([][]float64, len(p.U))}
	for c := range p.M {
		q.M[c] = append([]float64(nil), p.M[c]...)
		q.U[c] = append([]float64(nil), p.U[c]...)
	}
	return q
}

// pattern is one distinct comparison vector with the number of pairs that
// have it. EM runs over patterns, not pairs: millions of pairs collapse into
// a few thousand patterns.
type pattern struct {
	g   [maxComparisons]uint8
	tf  [maxTF]int32 // key of the agreeing value for each TF-adjusted comparison at its TF level, else 0
	n   float64
	fix int8 // clerical label: −1 none, 0 different, 1 same
}

type patKey struct {
	g   uint64
	tf  [maxTF]int32
	fix int8
}

func packGamma(g *[maxComparisons]uint8, n int) uint64 {
	var k uint64
	for c := 0; c < n; c++ {
		k |= uint64(g[c]) << (4 * c)
	}
	return k
}

func unpackGamma(k uint64, n int) (g [maxComparisons]uint8) {
	for c := 0; c < n; c++ {
		g[c] = uint8(k >> (4 * c) & 15)
	}
	return g
}

// probFloor keeps m and u away from 0, where a Bayes factor of 0 or ∞ would
// make one level decide every pair alone.
const probFloor = 1e-12

// emState is what EM needs besides patterns: which comparisons take part,
// and the term-frequency tables.
type emState struct {
	comps []*compiled
	tfc   []int  // compiled index of each TF-adjusted comparison
	leave []bool // per comparison: left out of this session
	fixU  bool
}

// matchProb is the E-step for one pattern.
func (s *emState) matchProb(p *Params, pat *pattern) float64 {
	if pat.fix >= 0 {
		return float64(pat.fix)
	}
	odds := p.Lambda / (1 - p.Lambda)
	for c := range s.comps {
		g := pat.g[c]
		if s.leave[c] || g == nullLevel {
			continue
		}
		odds *= max(p.M[c][g], probFloor) / max(p.U[c][g], probFloor)
	}
	for k, c := range s.tfc {
		if s.leave[c] || pat.tf[k] == 0 {
			continue
		}
		cc := s.comps[c]
		odds *= math.Pow(p.U[c][cc.tf]/cc.tfFreq[pat.tf[k]], cc.tfWeight)
	}
	if math.IsInf(odds, 1) {
		return 1
	}
	return odds / (1 + odds)
}

// em runs expectation–maximisation from start over the patterns and returns
// the parameters after each iteration (history[0] is start). It stops after
// maxIter iterations or when no parameter moved more than tol.
func (s *emState) em(pats []pattern, start Params, maxIter int, tol float64) (history []Params, converged bool) {
	cur := start.clone()
	history = append(history, cur.clone())
	nc := len(s.comps)
	mNum := make([][]float64, nc)
	uNum := make([][]float64, nc)
	for c := range mNum {
		mNum[c] = make([]float64, len(cur.M[c]))
		uNum[c] = make([]float64, len(cur.U[c]))
	}
	for it := 0; it < maxIter; it++ {
		for c := range mNum {
			clear(mNum[c])
			clear(uNum[c])
		}
		var sumP, sumN float64
		for i := range pats {
			pat := &pats[i]
			p := s.matchProb(&cur, pat)
			sumP += pat.n * p
			sumN += pat.n
			for c := 0; c < nc; c++ {
				if g := pat.g[c]; !s.leave[c] && g != nullLevel {
					mNum[c][g] += pat.n * p
					uNum[c][g] += pat.n * (1 - p)
				}
			}
		}
		next := cur.clone()
		if sumN > 0 {
			next.Lambda = sumP / sumN
		}
		for c := 0; c < nc; c++ {
			if s.leave[c] {
				continue
			}
			var tm, tu float64
			for g := range mNum[c] {
				tm += mNum[c][g]
				tu += uNum[c][g]
			}
			for g := range mNum[c] {
				if tm > 0 {
					next.M[c][g] = mNum[c][g] / tm
				}
				if !s.fixU && tu > 0 {
					next.U[c][g] = uNum[c][g] / tu
				}
			}
		}
		delta := math.Abs(next.Lambda - cur.Lambda)
		for c := range next.M {
			for g := range next.M[c] {
				delta = max(delta, math.Abs(next.M[c][g]-cur.M[c][g]), math.Abs(next.U[c][g]-cur.U[c][g]))
			}
		}
		cur = next
		history = append(history, cur.clone())
		if delta < tol {
			return history, true
		}
	}
	return history, false
}
