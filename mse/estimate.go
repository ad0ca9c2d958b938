package mse

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Method names an estimator.
type Method string

const (
	MethodChapman         Method = "chapman"
	MethodLincolnPetersen Method = "lincoln-petersen"
	MethodChao            Method = "chao" // Mh Chao lower bound, log-linear
	MethodLoglinear       Method = "loglinear"
	MethodLCMCR           Method = "lcmcr"
	MethodDGA             Method = "dga"
)

// Options configures Estimate.
type Options struct {
	Method Method // default lcmcr, HRDAG's standard
	// Model is the log-linear model (see ParseModel); empty means a search
	// over all hierarchical models ranked by Criterion.
	Model     string
	Criterion Criterion
	Level     float64 // interval level; default 0.95
	Seed      uint64  // LCMCR random seed
	LCMCR     LCMCROptions
	DGA       DGAOptions
	// MinObserved: a stratum with fewer people observed is not estimable;
	// default 10.
	MinObserved int
	// Dependent names pairs of lists that are not independent in design
	// (one copies from the other, same interviewers): results are flagged,
	// and two-list estimates on such a pair are not estimable.
	Dependent [][2]string
}

// Result is one estimate with its interval and diagnostics. When
// NotEstimable is set, no estimate is given and the reason says why.
type Result struct {
	Method       Method   `json:"method"`
	Model        string   `json:"model,omitempty"`
	Lists        []string `json:"lists,omitempty"` // the lists used
	Observed     int      `json:"observed"`        // 0 when suppressed as a small count
	NotEstimable string   `json:"not_estimable,omitempty"`
	Estimate     float64  `json:"estimate,omitempty"`
	SE           float64  `json:"se,omitempty"`
	Lower        float64  `json:"lower,omitempty"`
	Upper        float64  `json:"upper,omitempty"`
	// UpperOpen means the interval is unbounded above: Upper is then only
	// the limit of the search.
	UpperOpen bool     `json:"upper_open,omitempty"`
	Level     float64  `json:"level,omitempty"`
	Interval  string   `json:"interval,omitempty"` // what kind of interval
	Deviance  *float64 `json:"deviance,omitempty"`
	DF        *int     `json:"df,omitempty"`
	AIC       *float64 `json:"aic,omitempty"`
	BIC       *float64 `json:"bic,omitempty"`
	Flags     []string `json:"flags,omitempty"`
}

// Estimate estimates the population size from one table. Problems with the
// data (too few lists, too few people, no overlap, dependent lists in a
// two-list estimate) give a Result with NotEstimable set and a nil error;
// an error means invalid options or a failed computation.
func Estimate(ctx context.Context, t Table, opt Options) (Result, error) {
	if opt.Method == "" {
		opt.Method = MethodLCMCR
	}
	if opt.Level == 0 {
		opt.Level = 0.95
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return Result{}, fmt.Errorf("level %v is not in (0, 1)", opt.Level)
	}
	if opt.MinObserved == 0 {
		opt.MinObserved = 10
	}
	switch opt.Method {
	case MethodChapman, MethodLincolnPetersen, MethodChao, MethodLoglinear, MethodLCMCR, MethodDGA:
	default:
		return Result{}, fmt.Errorf("unknown method %q (want chapman, lincoln-petersen, chao, loglinear, lcmcr or dga)", opt.Method)
	}
	known := make(map[string]bool, len(t.Lists))
	for _, l := range t.Lists {
		known[l] = true
	}
	for _, d := range opt.Dependent {
		if !known[d[0]] || !known[d[1]] {
			return Result{}, fmt.Errorf("dependent lists %q and %q: not both lists of the table", d[0], d[1])
		}
	}
	res := Result{Method: opt.Method, Level: opt.Level}
	n := t.Observed()
	if n < opt.MinObserved {
		// The count itself is suppressed: small counts can identify people.
		res.NotEstimable = fmt.Sprintf("fewer than %d people observed", opt.MinObserved)
		return res, nil
	}
	res.Observed = n
	// HRDAG's rule: keep the lists with at least one record in the stratum.
	var keep []int
	for i, tot := range t.ListTotals() {
		if tot > 0 {
			keep = append(keep, i)
		} else {
			res.Flags = append(res.Flags, fmt.Sprintf("list %s has no records here and is left out", t.Lists[i]))
		}
	}
	if len(keep) < len(t.Lists) {
		t = t.Select(keep)
	}
	res.Lists = t.Lists
	for i, tot := range t.ListTotals() {
		if tot < 5 {
			res.Flags = append(res.Flags, fmt.Sprintf("list %s has fewer than 5 records", t.Lists[i]))
		}
	}
	idx := make(map[string]int)
	for i, l := range t.Lists {
		idx[l] = i
	}
	depPair := false
	for _, d := range opt.Dependent {
		_, ok1 := idx[d[0]]
		_, ok2 := idx[d[1]]
		if ok1 && ok2 {
			res.Flags = append(res.Flags, fmt.Sprintf("lists %s and %s are not independent in design", d[0], d[1]))
			depPair = true
		}
	}
	overlap := 0
	for _, c := range t.Cells {
		if c.Pattern.Size() > 1 {
			overlap += c.Count
		}
	}
	if overlap == 0 {
		res.NotEstimable = "no person is on more than one list: the overlap carries no information"
		return res, nil
	}
	twoList := opt.Method == MethodChapman || opt.Method == MethodLincolnPetersen
	switch {
	case twoList && len(t.Lists) != 2:
		res.NotEstimable = fmt.Sprintf("two-list estimators need exactly 2 lists with records, have %d", len(t.Lists))
		return res, nil
	case twoList && depPair:
		res.NotEstimable = "the two lists are not independent in design"
		return res, nil
	case !twoList && len(t.Lists) < 3:
		res.NotEstimable = fmt.Sprintf("fewer than 3 lists with records (%d)", len(t.Lists))
		return res, nil
	}
	z := qnorm(1 - (1-opt.Level)/2)
	switch opt.Method {
	case MethodChapman, MethodLincolnPetersen:
		f := Chapman
		if opt.Method == MethodLincolnPetersen {
			f = LincolnPetersen
		}
		e, err := f(t)
		if err != nil {
			res.NotEstimable = err.Error()
			return res, nil
		}
		res.Estimate, res.SE = e.N, e.SE
		res.Lower, res.Upper = math.Max(float64(n), e.N-z*e.SE), e.N+z*e.SE
		res.Interval = "normal (estimate ± z·SE)"
		res.Flags = append(res.Flags, "two-list estimates assume the lists are independent and capture is homogeneous")
	case MethodChao, MethodLoglinear:
		var m Model
		if opt.Method == MethodChao {
			m = Model{Hetero: HeteroChao}
		} else if opt.Model != "" {
			var err error
			if m, err = ParseModel(opt.Model, t.Lists); err != nil {
				return Result{}, err
			}
		} else {
			sr, skipped, err := Search(ctx, t, opt.Criterion)
			if err != nil {
				res.NotEstimable = err.Error()
				return res, nil
			}
			m = sr[0].Model
			crit := "AIC"
			if opt.Criterion == BIC {
				crit = "BIC"
			}
			res.Flags = append(res.Flags, fmt.Sprintf("model chosen by %s among %d hierarchical models (%d not fitted)", crit, len(sr)+skipped, skipped))
		}
		f, err := FitLoglinear(t, m)
		if err != nil {
			// Rank deficiency or divergence come from the data (zero
			// cells, too few patterns), not from the caller.
			res.NotEstimable = err.Error()
			return res, nil
		}
		res.Model = f.Model
		res.Estimate, res.SE = f.N, f.SE
		res.Deviance, res.DF, res.AIC, res.BIC = &f.Deviance, &f.DF, &f.AIC, &f.BIC
		if !f.Converged {
			res.Flags = append(res.Flags, "the fit did not converge")
		}
		if f.DroppedEta > 0 {
			res.Flags = append(res.Flags, fmt.Sprintf("%d negative Chao eta(s) fixed at zero", f.DroppedEta))
		}
		ci, err := ProfileCI(ctx, t, m, opt.Level)
		switch {
		case ctx.Err() != nil:
			return Result{}, ctx.Err()
		case err != nil:
			// Fall back on Chao's (1987) log-normal interval for N - n.
			n0 := f.N - float64(n)
			c := math.Exp(z * math.Sqrt(math.Log1p(f.SE*f.SE/(n0*n0))))
			res.Lower, res.Upper = float64(n)+n0/c, float64(n)+n0*c
			res.Interval = "log-normal (Chao 1987)"
			res.Flags = append(res.Flags, "profile likelihood failed: "+err.Error())
		default:
			res.Lower, res.Upper = ci.Lower, ci.Upper
			res.Interval = "profile likelihood"
			if math.IsInf(ci.Upper, 1) {
				res.Upper, res.UpperOpen = 3*f.N, true
				res.Flags = append(res.Flags, "the profile likelihood does not bound N above within 3 times the estimate")
			}
		}
	case MethodLCMCR:
		lo := opt.LCMCR
		lo.Level = opt.Level
		p, err := LCMCR(ctx, t, lo, rand.New(rand.NewPCG(opt.Seed, 0x5111_0c)))
		if err != nil {
			return Result{}, err
		}
		res.Estimate, res.Lower, res.Upper = p.Median, p.Lower, p.Upper
		res.Interval = "equal-tailed credible interval; estimate is the posterior median"
		lo.defaults()
		res.Model = fmt.Sprintf("K=%d", lo.K)
	case MethodDGA:
		d, err := DGA(ctx, t, opt.DGA)
		if err != nil {
			res.NotEstimable = err.Error()
			return res, nil
		}
		res.Estimate, res.Lower, res.Upper = d.Median, d.Lower, d.Upper
		res.Interval = "equal-tailed credible interval; estimate is the posterior median"
		res.Model = fmt.Sprintf("top graph %s (posterior %.2f)", d.Models[0].Name, d.Models[0].Prob)
		if len(opt.DGA.NMissing) == 0 && d.Upper >= d.N[len(d.N)-1] {
			res.Flags = append(res.Flags, "the posterior reaches the end of the grid of missing counts")
		}
	}
	return res, nil
}

// StratumResult is the estimate of one stratum.
type StratumResult struct {
	Stratum string `json:"stratum"`
	Result
}

// EstimateStrata estimates each stratum separately. The LCMCR seed of
// stratum i is derived from opt.Seed and i.
func EstimateStrata(ctx context.Context, strata []Stratum, names []string, opt Options) ([]StratumResult, error) {
	out := make([]StratumResult, 0, len(strata))
	for i, s := range strata {
		o := opt
		o.Seed = opt.Seed + uint64(i)*0x9e3779b97f4a7c15
		r, err := Estimate(ctx, s.Table, o)
		name := s.Name(names)
		if err != nil {
			return nil, fmt.Errorf("stratum %d: %w", i+1, err)
		}
		out = append(out, StratumResult{Stratum: name, Result: r})
	}
	return out, nil
}
