package mse

import (
	"context"
	"math"
	"testing"
)

func TestDecomposableGraphCounts(t *testing.T) {
	// Decomposable graphs on 3, 4, 5 labelled vertices (OEIS A058862).
	for p, want := range map[int]int{3: 8, 4: 61, 5: 822} {
		if got := len(DecomposableGraphs(p)); got != want {
			t.Errorf("p=%d: %d decomposable graphs, want %d", p, got, want)
		}
	}
}

func TestDGAMadiganYork3(t *testing.T) {
	tab := readTestTable(t, "my3.csv")
	grid := make([]int, 300)
	for i := range grid {
		grid[i] = i + 1
	}
	res, err := DGA(context.Background(), tab, DGAOptions{Delta: 1, NMissing: grid, LogPrior: NegBinomialLogPrior(13.14, 55.17)})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Models[:3] {
		t.Logf("%s %.4f", m.Name, m.Prob)
	}
	t.Logf("N mean %.1f median %.0f 95%% [%.0f, %.0f]", res.Mean, res.Median, res.Lower, res.Upper)
	if got := math.Round(res.Models[0].Prob*100) / 100; got != 0.37 {
		t.Errorf("top model posterior probability %.4f, want 0.37", res.Models[0].Prob)
	}
	sum := 0.0
	for _, p := range res.Prob {
		sum += p
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("posterior of N sums to %v", sum)
	}
}

// TestDGAMadiganYork5 runs dga's five-list example (delta 0.5, 1..300
// missing) and checks it against an independent method, the BIC search
// over hierarchical log-linear models: every interaction of the BIC-best
// model must be an edge of the top graph, and its estimate must fall in
// the model-averaged credible interval.
func TestDGAMadiganYork5(t *testing.T) {
	tab := readTestTable(t, "my5.csv")
	grid := make([]int, 300)
	for i := range grid {
		grid[i] = i + 1
	}
	res, err := DGA(context.Background(), tab, DGAOptions{Delta: 0.5, NMissing: grid})
	if err != nil {
		t.Fatal(err)
	}
	sr, _, err := Search(context.Background(), tab, BIC)
	if err != nil {
		t.Fatal(err)
	}
	best := sr[0]
	top := res.Models[0].Graph
	for _, in := range best.Model.Interactions {
		var p Pattern
		for _, i := range in {
			p |= 1 << uint(i)
		}
		inClique := false
		for _, c := range top.Cliques {
			if c&p == p {
				inClique = true
			}
		}
		if !inClique {
			t.Errorf("interaction %v of the BIC-best model %q is not in the top graph %s", in, best.Fit.Model, res.Models[0].Name)
		}
	}
	if best.Fit.N < res.Lower || best.Fit.N > res.Upper {
		t.Errorf("BIC-best N %.1f outside the DGA interval [%v, %v]", best.Fit.N, res.Lower, res.Upper)
	}
	t.Logf("top graph %s (%.2f), BIC best %s N=%.1f; DGA N median %.0f [%.0f, %.0f]", res.Models[0].Name, res.Models[0].Prob, best.Fit.Model, best.Fit.N, res.Median, res.Lower, res.Upper)
}
