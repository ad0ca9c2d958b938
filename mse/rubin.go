package mse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ReplicateSummary is what combining needs from one multiple-imputation
// replicate's posterior draws of N: statistics of the undocumented count
// n0 = N - observed, on the log scale for the variance.
type ReplicateSummary struct {
	Observed  float64 // people observed in the replicate's stratum
	Draws     int
	MeanN0    float64
	MeanLogN0 float64
	VarLogN0  float64 // sample variance (n-1 denominator)
}

// SummariseReplicate reduces posterior draws of N. A draw equal to the
// observed count has n0 = 0, which is replaced by 0.1 before taking logs,
// as HRDAG's verdata does.
func SummariseReplicate(observed int, draws []float64) (ReplicateSummary, error) {
	if len(draws) < 2 {
		return ReplicateSummary{}, errors.New("summarise replicate: need at least 2 draws")
	}
	s := ReplicateSummary{Observed: float64(observed), Draws: len(draws)}
	logs := make([]float64, len(draws))
	for i, d := range draws {
		n0 := d - float64(observed)
		if n0 < 0 {
			return ReplicateSummary{}, fmt.Errorf("summarise replicate: draw %d (%v) is below the observed count %d", i, d, observed)
		}
		s.MeanN0 += n0
		if n0 == 0 {
			n0 = 0.1
		}
		logs[i] = math.Log(n0)
		s.MeanLogN0 += logs[i]
	}
	s.MeanN0 /= float64(len(draws))
	s.MeanLogN0 /= float64(len(draws))
	for _, l := range logs {
		s.VarLogN0 += (l - s.MeanLogN0) * (l - s.MeanLogN0)
	}
	s.VarLogN0 /= float64(len(draws) - 1)
	return s, nil
}

// Combined is an estimate pooled over replicates.
type Combined struct {
	Replicates   int
	ObservedMean float64 // mean observed count over replicates
	N0Mean       float64 // law of total expectation on n0
	// N0Lower and N0Upper bound n0: exp(mean log n0 ± t * sd) with Rubin's
	// total variance W + (1 + 1/m) B and t on Rubin's degrees of freedom.
	N0Lower, N0Upper float64
	DF               float64
	Level            float64
}

// N is the pooled point estimate ObservedMean + N0Mean.
func (c Combined) N() float64 { return c.ObservedMean + c.N0Mean }

// Lower and Upper bound N.
func (c Combined) Lower() float64 { return c.ObservedMean + c.N0Lower }
func (c Combined) Upper() float64 { return c.ObservedMean + c.N0Upper }

// CombineReplicates pools replicate estimates of one stratum with Rubin's
// rules on log n0. One replicate cannot be combined (error); fewer than 10
// should be reported as unreliable by the caller.
func CombineReplicates(reps []ReplicateSummary, level float64) (Combined, error) {
	m := len(reps)
	if m < 2 {
		return Combined{}, fmt.Errorf("combine replicates: %d replicate(s), need at least 2", m)
	}
	if !(level > 0 && level < 1) {
		return Combined{}, fmt.Errorf("combine replicates: level %v is not in (0, 1)", level)
	}
	c := Combined{Replicates: m, Level: level}
	var meanLog, w float64
	for _, r := range reps {
		c.ObservedMean += r.Observed
		c.N0Mean += r.MeanN0
		meanLog += r.MeanLogN0
		w += r.VarLogN0
	}
	fm := float64(m)
	c.ObservedMean /= fm
	c.N0Mean /= fm
	meanLog /= fm
	w /= fm
	b := 0.0
	for _, r := range reps {
		b += (r.MeanLogN0 - meanLog) * (r.MeanLogN0 - meanLog)
	}
	b /= fm - 1
	total := w + (fm+1)/fm*b
	if b == 0 {
		c.DF = math.Inf(1)
	} else {
		c.DF = (fm - 1) * math.Pow(1+1/(fm+1)*w/b, 2)
	}
	tq := qt(1-(1-level)/2, c.DF)
	sd := math.Sqrt(total)
	c.N0Lower = math.Exp(meanLog - tq*sd)
	c.N0Upper = math.Exp(meanLog + tq*sd)
	return c, nil
}

// EstimateReplicates runs LCMCR on the same stratum in each
// multiple-imputation replicate and pools the results with Rubin's rules.
// Replicate i uses a PCG stream derived from seed and i.
func EstimateReplicates(ctx context.Context, tables []Table, opt LCMCROptions, seed uint64) (Combined, error) {
	opt.defaults()
	reps := make([]ReplicateSummary, 0, len(tables))
	for i, t := range tables {
		post, err := LCMCR(ctx, t, opt, rand.New(rand.NewPCG(seed, uint64(i))))
		if err != nil {
			return Combined{}, fmt.Errorf("replicate %d: %w", i+1, err)
		}
		s, err := SummariseReplicate(t.Observed(), post.Draws)
		if err != nil {
			return Combined{}, fmt.Errorf("replicate %d: %w", i+1, err)
		}
		reps = append(reps, s)
	}
	return CombineReplicates(reps, opt.Level)
}
