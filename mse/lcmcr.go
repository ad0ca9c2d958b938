package mse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"
)

// LCMCROptions configures the latent-class sampler. Zero values take the
// defaults noted, which follow the LCMCR package and HRDAG practice.
type LCMCROptions struct {
	K       int // latent classes (truncation of the stick-breaking prior); default 10
	Burnin  int // iterations discarded; default 10000
	Samples int // draws kept; default 1000
	Thin    int // iterations per kept draw; default 100, as the LCMCR manual
	// AlphaShape and AlphaRate give the Gamma prior on the Dirichlet
	// process concentration; default 0.25 and 0.25.
	AlphaShape, AlphaRate float64
	// Level of the credible interval; default 0.95.
	Level float64
}

func (o *LCMCROptions) defaults() {
	if o.K == 0 {
		o.K = 10
	}
	if o.Burnin == 0 {
		o.Burnin = 10000
	}
	if o.Samples == 0 {
		o.Samples = 1000
	}
	if o.Thin == 0 {
		o.Thin = 100
	}
	if o.AlphaShape == 0 {
		o.AlphaShape = 0.25
	}
	if o.AlphaRate == 0 {
		o.AlphaRate = 0.25
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
}

// Posterior summarises posterior draws of the population size N.
type Posterior struct {
	Draws        []float64 // in sampling order
	Mean, Median float64
	Lower, Upper float64 // equal-tailed credible interval
	Level        float64
}

func summarise(draws []float64, level float64) Posterior {
	s := append([]float64(nil), draws...)
	sort.Float64s(s)
	sum := 0.0
	for _, d := range s {
		sum += d
	}
	return Posterior{
		Draws:  draws,
		Mean:   sum / float64(len(s)),
		Median: quantile(s, 0.5),
		Lower:  quantile(s, (1-level)/2),
		Upper:  quantile(s, 1-(1-level)/2),
		Level:  level,
	}
}

// LCMCR samples the posterior of N under the Bayesian non-parametric
// latent-class model of Manrique-Vallier (2016), as the LCMCR package does:
// a truncated stick-breaking Dirichlet process over K classes, independent
// Beta(1,1) list-inclusion probabilities within each class, a
// Gamma(AlphaShape, AlphaRate) prior on the concentration, the prior
// p(N) ∝ 1/N, and data augmentation of the unobserved people by Gibbs
// sampling. Draws depend only on the table, the options and rng.
func LCMCR(ctx context.Context, t Table, opt LCMCROptions, rng *rand.Rand) (Posterior, error) {
	opt.defaults()
	if rng == nil {
		return Posterior{}, errors.New("LCMCR: a random source is required")
	}
	if opt.K < 1 || opt.Burnin < 0 || opt.Samples < 1 || opt.Thin < 1 {
		return Posterior{}, fmt.Errorf("LCMCR: invalid options K=%d burnin=%d samples=%d thin=%d", opt.K, opt.Burnin, opt.Samples, opt.Thin)
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return Posterior{}, fmt.Errorf("LCMCR: credible level %v is not in (0, 1)", opt.Level)
	}
	s, err := newLCMSampler(t, opt, rng)
	if err != nil {
		return Posterior{}, err
	}
	draws := make([]float64, 0, opt.Samples)
	total := opt.Burnin + opt.Samples*opt.Thin
	for it := 1; it <= total; it++ {
		if it%256 == 0 {
			if err := ctx.Err(); err != nil {
				return Posterior{}, err
			}
		}
		s.step()
		if it > opt.Burnin && (it-opt.Burnin)%opt.Thin == 0 {
			draws = append(draws, float64(s.n+s.n0))
		}
	}
	return summarise(draws, opt.Level), nil
}

type lcmSampler struct {
	r      *rand.Rand
	k, j   int
	a, b   float64
	pats   []Pattern
	counts []int
	n      int
	n0     int
	lambda []float64 // lambda[k*j + l]: P(on list l | class k)
	v, pi  []float64
	alpha  float64
	nk     []int     // class sizes, observed and unobserved
	sk     []int     // sk[k*j + l]: members of class k on list l
	logp   []float64 // scratch: per-class log-probabilities
	cum    []float64 // scratch: per-class weights
	base   []float64 // scratch: log pi_k + sum_l log(1-lambda_kl)
	lam1   []float64 // scratch: log lambda, then log-odds
	lam0   []float64
}

func newLCMSampler(t Table, opt LCMCROptions, r *rand.Rand) (*lcmSampler, error) {
	if len(t.Lists) < 2 {
		return nil, errors.New("LCMCR needs at least 2 lists")
	}
	if t.Observed() == 0 {
		return nil, errors.New("LCMCR: empty table")
	}
	s := &lcmSampler{r: r, k: opt.K, j: len(t.Lists), a: opt.AlphaShape, b: opt.AlphaRate}
	for _, c := range t.Cells {
		s.pats = append(s.pats, c.Pattern)
		s.counts = append(s.counts, c.Count)
		s.n += c.Count
	}
	K, J := s.k, s.j
	s.v = make([]float64, K)
	s.pi = make([]float64, K)
	s.nk = make([]int, K)
	s.sk = make([]int, K*J)
	s.logp = make([]float64, K)
	s.cum = make([]float64, K)
	s.base = make([]float64, K)
	s.lam1 = make([]float64, K*J)
	s.lam0 = make([]float64, K*J)
	// Start as LCMCR does: every class at the lists' marginal frequencies
	// (the independence model), most weight on four classes, a small
	// concentration, and 500 warm-up sweeps with the concentration held
	// fixed. A random start can leave the chain for a long time in a mode
	// with almost nobody unobserved.
	s.lambda = make([]float64, K*J)
	for l, tot := range t.ListTotals() {
		for k := 0; k < K; k++ {
			s.lambda[k*J+l] = clampOpen(float64(tot) / float64(s.n))
		}
	}
	s.alpha = 0.3 / float64(K)
	if K > 4 {
		for k := 0; k < K; k++ {
			if k < 4 {
				s.pi[k] = 0.25 * 0.9
			} else {
				s.pi[k] = 0.1 / float64(K-4)
			}
		}
	} else {
		for k := range s.pi {
			s.pi[k] = 1 / float64(K)
		}
	}
	for i := 0; i < 500; i++ {
		s.sweep(false)
	}
	s.orderClasses()
	return s, nil
}

// orderClasses relabels the classes by decreasing weight, as LCMCR does
// after its warm-up: the stick-breaking prior favours that order.
func (s *lcmSampler) orderClasses() {
	K, J := s.k, s.j
	order := make([]int, K)
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return s.pi[order[a]] > s.pi[order[b]] })
	lambda := make([]float64, K*J)
	pi := make([]float64, K)
	for to, from := range order {
		pi[to] = s.pi[from]
		copy(lambda[to*J:(to+1)*J], s.lambda[from*J:(from+1)*J])
	}
	s.pi, s.lambda = pi, lambda
	rest := 1.0
	for k := 0; k < K; k++ {
		if rest > 0 {
			s.v[k] = math.Min(pi[k]/rest, 1)
		}
		rest -= pi[k]
	}
	s.v[K-1] = 1
}

func (s *lcmSampler) sticks() {
	rest := 1.0
	for k := 0; k < s.k; k++ {
		s.pi[k] = s.v[k] * rest
		rest *= 1 - s.v[k]
	}
}

// step is one Gibbs sweep.
func (s *lcmSampler) step() { s.sweep(true) }

// sweep updates, in turn, the classes of the observed, the unobserved
// count and its classes, the list probabilities, the stick-breaking
// weights and, when updateAlpha, the concentration.
func (s *lcmSampler) sweep(updateAlpha bool) {
	K, J, r := s.k, s.j, s.r
	for i, l := range s.lambda {
		s.lam1[i] = math.Log(l)
		s.lam0[i] = math.Log1p(-l)
	}
	clear(s.nk)
	clear(s.sk)
	// 1. Classes of the observed, pattern by pattern. The log-probability
	// of a pattern in class k is base[k] plus, for each list it is on,
	// log(lambda/(1-lambda)): patterns are sparse, so loop over set bits.
	base, odds := s.base, s.lam1
	for k := 0; k < K; k++ {
		b := math.Log(s.pi[k])
		for l := 0; l < J; l++ {
			b += s.lam0[k*J+l]
			odds[k*J+l] -= s.lam0[k*J+l]
		}
		base[k] = b
	}
	w := s.cum
	for p, pat := range s.pats {
		mx := math.Inf(-1)
		for k := 0; k < K; k++ {
			lp := base[k]
			for m := uint32(pat); m != 0; m &= m - 1 {
				lp += odds[k*J+bits.TrailingZeros32(m)]
			}
			s.logp[k] = lp
			mx = math.Max(mx, lp)
		}
		acc := 0.0
		for k := 0; k < K; k++ {
			w[k] = math.Exp(s.logp[k] - mx)
			acc += w[k]
		}
		if s.counts[p] == 1 {
			// One person (common with many lists): a single categorical draw.
			u := r.Float64() * acc
			k := 0
			for k < K-1 && u >= w[k] {
				u -= w[k]
				k++
			}
			s.nk[k]++
			for b := uint32(pat); b != 0; b &= b - 1 {
				s.sk[k*J+bits.TrailingZeros32(b)]++
			}
			continue
		}
		// Multinomial split of the pattern's count by conditional binomials.
		left := s.counts[p]
		for k := 0; k < K && left > 0; k++ {
			var m int
			if k == K-1 || acc <= w[k] {
				m = left
			} else {
				m = rbinom(r, left, w[k]/acc)
			}
			acc -= w[k]
			if m == 0 {
				continue
			}
			left -= m
			s.nk[k] += m
			for b := uint32(pat); b != 0; b &= b - 1 {
				s.sk[k*J+bits.TrailingZeros32(b)] += m
			}
		}
	}
	// 2. The unobserved: n0 ~ NegBin(n, 1-p0) under p(N) ∝ 1/N, drawn as a
	// Gamma-Poisson mixture so that the class counts are independent
	// Poisson variates and no per-person loop is needed.
	q := s.logp // reuse scratch: q[k] = pi_k prod_l (1 - lambda_kl)
	p0 := 0.0
	for k := 0; k < K; k++ {
		q[k] = math.Exp(base[k])
		p0 += q[k]
	}
	s.n0 = 0
	if p0 > 0 {
		if p0 >= 1 {
			p0 = 1 - 1e-12
		}
		lam := rgamma(r, float64(s.n)) * p0 / (1 - p0)
		for k := 0; k < K; k++ {
			m := rpoisson(r, lam*q[k]/p0)
			s.nk[k] += m
			s.n0 += m
		}
	}
	// 3. List probabilities within classes.
	for k := 0; k < K; k++ {
		for l := 0; l < J; l++ {
			on := float64(s.sk[k*J+l])
			s.lambda[k*J+l] = clampOpen(rbeta(r, 1+on, 1+float64(s.nk[k])-on))
		}
	}
	// 4. Stick-breaking weights.
	tail := 0
	for k := 0; k < K; k++ {
		tail += s.nk[k]
	}
	sumLog := 0.0
	for k := 0; k < K-1; k++ {
		tail -= s.nk[k]
		s.v[k] = math.Min(rbeta(r, 1+float64(s.nk[k]), s.alpha+float64(tail)), 1-1e-12)
		sumLog += math.Log1p(-s.v[k])
	}
	s.v[K-1] = 1
	s.sticks()
	// 5. Concentration.
	if updateAlpha && K > 1 {
		s.alpha = rgamma(r, s.a+float64(K-1)) / (s.b - sumLog)
	}
}

// clampOpen keeps a probability strictly inside (0, 1) so that its logs
// stay finite.
func clampOpen(p float64) float64 {
	const eps = 1e-300
	if p < eps {
		return eps
	}
	if p > 1-1e-16 {
		return 1 - 1e-16
	}
	return p
}
