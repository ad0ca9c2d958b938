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
