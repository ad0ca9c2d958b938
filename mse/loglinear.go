package mse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Hetero is the form of capture heterogeneity in an Mh or Mth model
// (Rivest & Baillargeon's log-linear parametrisation, as in Rcapture).
type Hetero int

const (
	HeteroNone Hetero = iota
	// HeteroChao is Chao's lower bound: one eta per capture count >= 3,
	// constrained non-negative.
	HeteroChao
	HeteroPoisson2 // 2^k - 1
	HeteroDarroch  // k^2 / 2
	HeteroGamma35  // -log(3.5 + k) + log(3.5)
)

var heteroNames = map[Hetero]string{
	HeteroChao: "Chao (LB)", HeteroPoisson2: "Poisson2", HeteroDarroch: "Darroch", HeteroGamma35: "Gamma3.5",
}

// Model is a closed-population log-linear model: M0 (one capture effect),
// Mt (one effect per list), either with heterogeneity (Mh, Mth) and with
// interactions between lists.
type Model struct {
	Time         bool // one parameter per list (Mt); otherwise one common effect (M0)
	Hetero       Hetero
	Interactions [][]int // sets of list indexes, each of size >= 2, sorted
}

// Name renders the model with list names, e.g. "Mt + c1:c2".
func (m Model) Name(lists []string) string {
	var b strings.Builder
	b.WriteString("M")
	if m.Time {
		b.WriteString("t")
	} else if m.Hetero == HeteroNone {
		b.WriteString("0")
	}
	if m.Hetero != HeteroNone {
		b.WriteString("h " + heteroNames[m.Hetero])
	}
	for _, in := range m.Interactions {
		b.WriteString(" + ")
		for j, i := range in {
			if j > 0 {
				b.WriteByte(':')
			}
			if i < len(lists) {
				b.WriteString(lists[i])
			} else {
				b.WriteString(strconv.Itoa(i))
			}
		}
	}
	return b.String()
}

// ParseModel parses a model: a base ("M0", "Mt", "Mh", "Mth", the
// heterogeneous ones optionally suffixed "-chao", "-poisson2",
// "-darroch", "-gamma3.5"; default chao) followed by "+"-separated
// interactions of list names joined by ":", e.g. "Mt + c1:c2 + c2:c3".
func ParseModel(s string, lists []string) (Model, error) {
	parts := strings.Split(s, "+")
	base := strings.ToLower(strings.TrimSpace(parts[0]))
	var m Model
	het := ""
	if i := strings.IndexByte(base, '-'); i >= 0 {
		base, het = base[:i], base[i+1:]
	}
	switch base {
	case "m0":
	case "mt":
		m.Time = true
	case "mh":
		m.Hetero = HeteroChao
	case "mth":
		m.Time = true
		m.Hetero = HeteroChao
	default:
		return Model{}, fmt.Errorf("model %q: base must be M0, Mt, Mh or Mth", s)
	}
	if het != "" {
		if m.Hetero == HeteroNone {
			return Model{}, fmt.Errorf("model %q: only Mh and Mth take a heterogeneity form", s)
		}
		switch het {
		case "chao", "lb":
			m.Hetero = HeteroChao
		case "poisson2", "poisson":
			m.Hetero = HeteroPoisson2
		case "darroch":
			m.Hetero = HeteroDarroch
		case "gamma3.5", "gamma":
			m.Hetero = HeteroGamma35
		default:
			return Model{}, fmt.Errorf("model %q: unknown heterogeneity %q", s, het)
		}
	}
	idx := make(map[string]int, len(lists))
	for i, l := range lists {
		idx[l] = i
	}
	seen := make(map[string]bool)
	for _, p := range parts[1:] {
		names := strings.Split(strings.TrimSpace(p), ":")
		if len(names) < 2 {
			return Model{}, fmt.Errorf("model %q: term %q is not an interaction of lists", s, strings.TrimSpace(p))
		}
		var term []int
		for _, n := range names {
			i, ok := idx[strings.TrimSpace(n)]
			if !ok {
				return Model{}, fmt.Errorf("model %q: no list %q", s, strings.TrimSpace(n))
			}
			term = append(term, i)
		}
		sort.Ints(term)
		for j := 1; j < len(term); j++ {
			if term[j] == term[j-1] {
				return Model{}, fmt.Errorf("model %q: list repeated in term %q", s, strings.TrimSpace(p))
			}
		}
		k := fmt.Sprint(term)
		if seen[k] {
			continue
		}
		seen[k] = true
		m.Interactions = append(m.Interactions, term)
	}
	return m, nil
}

// LoglinearFit is a fitted closed-population log-linear model.
type LoglinearFit struct {
	Model    string
	N        float64 // n + exp(intercept)
	SE       float64 // delta-method standard error of N, as Rcapture
	Deviance float64
	DF       int
	AIC      float64
	// BIC uses log(n), n the number of people observed.
	BIC       float64
	Params    int
	Converged bool
	// DroppedEta counts Chao eta parameters fixed at zero because their
	// estimates were negative (Rcapture's neg=TRUE).
	DroppedEta int
}

// cells is the response and the covariates that models are built from:
// either all 2^t-1 capture histories or the capture counts 1..t0.
type cells struct {
	y      []float64
	nbcap  []int
	hist   []Pattern // nil for frequency data
	offset []float64 // nil when zero
	t      int       // occasions (t0 for frequency data)
	n      float64
}

func tableCells(t Table) (*cells, error) {
	if len(t.Lists) < 2 {
		return nil, errors.New("log-linear models need at least 2 lists")
	}
	if len(t.Lists) > 15 {
		return nil, fmt.Errorf("%d lists: log-linear models are limited to 15", len(t.Lists))
	}
	full := t.Full()
	c := &cells{t: len(t.Lists), n: float64(t.Observed())}
	for p := 1; p < len(full); p++ {
		c.y = append(c.y, full[p])
		c.hist = append(c.hist, Pattern(p))
		c.nbcap = append(c.nbcap, Pattern(p).Size())
	}
	return c, nil
}

func freqCells(f Frequencies) (*cells, error) {
	t0 := len(f.Counts)
	for t0 > 0 && f.Counts[t0-1] == 0 {
		t0--
	}
	if f.Occasions > 0 {
		if len(f.Counts) > f.Occasions {
			return nil, fmt.Errorf("capture counts up to %d exceed %d occasions", len(f.Counts), f.Occasions)
		}
		t0 = f.Occasions
	}
	if t0 < 2 {
		return nil, errors.New("need capture counts of at least 2")
	}
	c := &cells{t: t0, n: float64(f.Observed())}
	for k := 1; k <= t0; k++ {
		y := 0.0
		if k <= len(f.Counts) {
			y = float64(f.Counts[k-1])
		}
		c.y = append(c.y, y)
		c.nbcap = append(c.nbcap, k)
		var off float64
		if f.Occasions == 0 {
			lg, _ := math.Lgamma(float64(k) + 1)
			off = -lg // Poisson counts in continuous time
		} else {
			off = lchoose(f.Occasions, k)
		}
		c.offset = append(c.offset, off)
	}
	return c, nil
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n) + 1)
	b, _ := math.Lgamma(float64(k) + 1)
	d, _ := math.Lgamma(float64(n-k) + 1)
	return a - b - d
}

// design builds the covariate rows (without intercept) and returns nca, the
// number of coefficients (intercept included) before the Chao etas.
func (m Model) design(c *cells) ([][]float64, int, error) {
	if c.hist == nil && (m.Time || len(m.Interactions) > 0) {
		return nil, 0, errors.New("capture-count frequencies support only M0 and Mh models")
	}
	if m.Hetero != HeteroNone && c.t < 3 {
		return nil, 0, errors.New("heterogeneity models need at least 3 lists")
	}
	for _, in := range m.Interactions {
		for _, i := range in {
			if i >= c.t {
				return nil, 0, fmt.Errorf("interaction names list %d of %d", i, c.t)
			}
		}
	}
	rows := make([][]float64, len(c.y))
	nca := 0
	for r := range rows {
		var x []float64
		k := float64(c.nbcap[r])
		if m.Time {
			for i := 0; i < c.t; i++ {
				x = append(x, b2f(c.hist[r].Has(i)))
			}
		} else {
			x = append(x, k)
		}
		for _, in := range m.Interactions {
			v := 1.0
			for _, i := range in {
				if !c.hist[r].Has(i) {
					v = 0
					break
				}
			}
			x = append(x, v)
		}
		nca = len(x) + 1
		switch m.Hetero {
		case HeteroChao:
			for j := 3; j <= c.t; j++ {
				x = append(x, math.Max(k-float64(j)+1, 0))
			}
		case HeteroPoisson2:
			x = append(x, math.Pow(2, k)-1)
		case HeteroDarroch:
			x = append(x, k*k/2)
		case HeteroGamma35:
			x = append(x, -math.Log(3.5+k)+math.Log(3.5))
		}
		rows[r] = x
	}
	return rows, nca, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// fitRows fits y on rows, applying Rcapture's correction for negative Chao
// etas: drop the first non-positive eta and refit until none is negative.
func fitRows(y []float64, rows [][]float64, offset []float64, nca int, chao bool) (*poissonFit, int, error) {
	dropped := 0
	for {
		f, err := glmPoisson(y, rows, offset, 200)
		if err != nil {
			return nil, dropped, err
		}
		if !chao || len(f.coef) <= nca {
			return f, dropped, nil
		}
		neg := false
		for _, b := range f.coef[nca:] {
			if b < 0 {
				neg = true
			}
		}
		if !neg {
			return f, dropped, nil
		}
		pos := nca
		for pos < len(f.coef) && f.coef[pos] > 0 {
			pos++
		}
		col := pos - 1 // rows exclude the intercept
		nr := make([][]float64, len(rows))
		for i, r := range rows {
			nr[i] = append(append([]float64(nil), r[:col]...), r[col+1:]...)
		}
		rows = nr
		dropped++
	}
}

// FitLoglinear fits a model to a capture-history table.
func FitLoglinear(t Table, m Model) (LoglinearFit, error) {
	c, err := tableCells(t)
	if err != nil {
		return LoglinearFit{}, err
	}
	return fitCells(c, m, m.Name(t.Lists))
}

// FitFrequencies fits an M0 or Mh model to capture-count frequencies.
func FitFrequencies(f Frequencies, m Model) (LoglinearFit, error) {
	c, err := freqCells(f)
	if err != nil {
		return LoglinearFit{}, err
	}
	return fitCells(c, m, m.Name(nil))
}

func fitCells(c *cells, m Model, name string) (LoglinearFit, error) {
	rows, nca, err := m.design(c)
	if err != nil {
		return LoglinearFit{}, fmt.Errorf("model %s: %w", name, err)
	}
	f, dropped, err := fitRows(c.y, rows, c.offset, nca, m.Hetero == HeteroChao)
	if err != nil {
		return LoglinearFit{}, fmt.Errorf("fit model %s: %w", name, err)
	}
	b0 := f.coef[0]
	p := len(f.coef)
	out := LoglinearFit{
		Model:      name,
		N:          c.n + math.Exp(b0),
		SE:         math.Sqrt(math.Exp(b0) + math.Exp(2*b0)*f.cov[0][0]),
		Deviance:   f.deviance,
		DF:         len(c.y) - p,
		AIC:        -2*f.loglik + 2*float64(p),
		BIC:        -2*f.loglik + math.Log(c.n)*float64(p),
		Params:     p,
		Converged:  f.converged,
		DroppedEta: dropped,
	}
	return out, nil
}

// ProfileInterval is a profile-likelihood confidence interval for N from
// the multinomial likelihood (Cormack 1992), as Rcapture's closedpCI.
type ProfileInterval struct {
	N     float64 // multinomial maximum-likelihood estimate
	Lower float64
	// Upper is +Inf when the profile does not fall below the cut-off
	// before 3 times the Poisson estimate (Rcapture reports "> value").
	Upper float64
	Level float64
}

// ProfileCI computes the profile-likelihood interval at the given level
// (e.g. 0.95) for model m on table t.
func ProfileCI(ctx context.Context, t Table, m Model, level float64) (ProfileInterval, error) {
	c, err := tableCells(t)
	if err != nil {
		return ProfileInterval{}, err
	}
	return profileCells(ctx, c, m, m.Name(t.Lists), level)
}

// ProfileCIFrequencies is ProfileCI for capture-count frequencies.
func ProfileCIFrequencies(ctx context.Context, f Frequencies, m Model, level float64) (ProfileInterval, error) {
	c, err := freqCells(f)
	if err != nil {
		return ProfileInterval{}, err
	}
	return profileCells(ctx, c, m, m.Name(nil), level)
}

func profileCells(ctx context.Context, c *cells, m Model, name string, level float64) (ProfileInterval, error) {
	if !(level > 0 && level < 1) {
		return ProfileInterval{}, fmt.Errorf("confidence level %v is not in (0, 1)", level)
	}
	pf, err := fitCells(c, m, name)
	if err != nil {
		return ProfileInterval{}, err
	}
	rows, nca, err := m.design(c)
	if err != nil {
		return ProfileInterval{}, err
	}
	// The unobserved cell: all covariates zero, offset zero.
	arows := append(append([][]float64(nil), rows...), make([]float64, len(rows[0])))
	var aoff []float64
	if c.offset != nil {
		aoff = append(append([]float64(nil), c.offset...), 0)
	}
	ay := append(append([]float64(nil), c.y...), 0)
	n := c.n
	var evalErr error
	loglik := func(N float64) float64 {
		n0 := N - n
		ay[len(ay)-1] = n0
		f, _, err := fitRows(ay, arows, aoff, nca, m.Hetero == HeteroChao)
		if err != nil {
			evalErr = err
			return math.Inf(-1)
		}
		// Cormack's correction term, exactly as Rcapture computes it.
		var ct float64
		if N > 100 {
			if n0 == 0 || n0 == 1 {
				ct = -N + 0.5*math.Log(2*math.Pi*N)
			} else {
				ct = n0 - N - 0.5*math.Log(n0/N)
			}
		} else {
			lgN, _ := math.Lgamma(N + 1)
			lg0, _ := math.Lgamma(n0 + 1)
			ct = xlogx(n0) + lgN - xlogx(N) - lg0
		}
		return (f.deviance - 2*ct) / -2
	}
	// Maximise over (n, 3 N_poisson) by golden section.
	lo, hi := n, 3*pf.N
	const g = 0.6180339887498949
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := loglik(a), loglik(b)
	for hi-lo > 1e-6*math.Max(1, lo) {
		if err := ctx.Err(); err != nil {
			return ProfileInterval{}, err
		}
		if fa < fb {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = loglik(b)
		} else {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = loglik(a)
		}
	}
	if evalErr != nil {
		return ProfileInterval{}, fmt.Errorf("profile likelihood of model %s: %w", name, evalErr)
	}
	nmax := (lo + hi) / 2
	lmax := loglik(nmax)
	z := qnorm(1 - (1-level)/2)
	cut := lmax - z*z/2
	root := func(x0, x1 float64) (float64, bool) {
		f0 := loglik(x0) - cut
		f1 := loglik(x1) - cut
		if f0*f1 > 0 {
			return 0, false
		}
		for x1-x0 > 1e-7*math.Max(1, x0) {
			mid := (x0 + x1) / 2
			fm := loglik(mid) - cut
			if fm*f0 > 0 {
				x0, f0 = mid, fm
			} else {
				x1 = mid
			}
		}
		return (x0 + x1) / 2, true
	}
	out := ProfileInterval{N: nmax, Level: level}
	var ok bool
	if out.Lower, ok = root(n, nmax); !ok {
		out.Lower = n
	}
	if out.Upper, ok = root(nmax, 3*pf.N); !ok {
		out.Upper = math.Inf(1)
	}
	if evalErr != nil {
		return ProfileInterval{}, fmt.Errorf("profile likelihood of model %s: %w", name, evalErr)
	}
	return out, nil
}

func xlogx(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return x * math.Log(x)
}
