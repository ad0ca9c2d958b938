package mse

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestLCMCRKosovo(t *testing.T) {
	tab := readTestTable(t, "kosovo.csv")
	if testing.Short() {
		t.Skip("long chain")
	}
	// The settings of the LCMCR manual's Kosovo example.
	opt := LCMCROptions{K: 10, Burnin: 10000, Samples: 1000, Thin: 100}
	post, err := LCMCR(context.Background(), tab, opt, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Kosovo LCMCR K=10: median %.0f, mean %.0f, 95%% [%.0f, %.0f]", post.Median, post.Mean, post.Lower, post.Upper)
	if len(post.Draws) != opt.Samples {
		t.Fatalf("%d draws, want %d", len(post.Draws), opt.Samples)
	}
	// The reference LCMCR posterior is centred near 10,400-11,000 with most
	// mass over 10,000; the observed count is 4,400.
	if post.Median < 9800 || post.Median > 11200 {
		t.Errorf("median %.0f outside [9800, 11200]", post.Median)
	}
	if post.Lower < 7000 || post.Lower > 10000 || post.Upper < 11500 || post.Upper > 17000 {
		t.Errorf("95%% interval [%.0f, %.0f] implausible", post.Lower, post.Upper)
	}
}

func TestLCMCRDeterministic(t *testing.T) {
	tab := readTestTable(t, "kosovo.csv")
	opt := LCMCROptions{K: 5, Burnin: 50, Samples: 20, Thin: 2}
	a, err := LCMCR(context.Background(), tab, opt, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := LCMCR(context.Background(), tab, opt, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := LCMCR(context.Background(), tab, opt, rand.New(rand.NewPCG(8, 7)))
	if err != nil {
		t.Fatal(err)
	}
	same := true
	for i := range a.Draws {
		if a.Draws[i] != b.Draws[i] {
			t.Fatalf("draw %d differs for the same seed: %v vs %v", i, a.Draws[i], b.Draws[i])
		}
		if a.Draws[i] != c.Draws[i] {
			same = false
		}
		if a.Draws[i] < float64(tab.Observed()) {
			t.Fatalf("draw %d = %v below the observed count", i, a.Draws[i])
		}
	}
	if same {
		t.Error("different seeds gave identical draws")
	}
}

func TestRbinomMoments(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		n int
		p float64
	}{{5, 0.3}, {40, 0.1}, {982, 0.001}, {982, 0.009}, {1000, 0.3}, {1000, 0.9}, {100000, 0.5}} {
		const draws = 20000
		var s, s2 float64
		for i := 0; i < draws; i++ {
			x := float64(rbinom(r, tc.n, tc.p))
			if x < 0 || x > float64(tc.n) {
				t.Fatalf("Binomial(%d, %v) drew %v", tc.n, tc.p, x)
			}
			s += x
			s2 += x * x
		}
		mean := s / draws
		v := s2/draws - mean*mean
		wantMean := float64(tc.n) * tc.p
		wantVar := wantMean * (1 - tc.p)
		// Five standard errors of the mean; 10% on the variance.
		if math.Abs(mean-wantMean) > 5*math.Sqrt(wantVar/draws) || math.Abs(v-wantVar) > 0.1*wantVar {
			t.Errorf("Binomial(%d, %v): mean %v var %v, want %v and %v", tc.n, tc.p, mean, v, wantMean, wantVar)
		}
	}
}

func TestVariateMoments(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const draws = 40000
	check := func(name string, draw func() float64, mean, variance float64) {
		t.Helper()
		var s, s2 float64
		for i := 0; i < draws; i++ {
			x := draw()
			s += x
			s2 += x * x
		}
		m := s / draws
		v := s2/draws - m*m
		if math.Abs(m-mean) > 5*math.Sqrt(variance/draws) || math.Abs(v-variance) > 0.1*variance {
			t.Errorf("%s: mean %v var %v, want %v and %v", name, m, v, mean, variance)
		}
	}
	for _, mu := range []float64{0.5, 3, 50, 5000} {
		check(fmt.Sprintf("Poisson(%v)", mu), func() float64 { return float64(rpoisson(r, mu)) }, mu, mu)
	}
	for _, a := range []float64{0.3, 1, 2.5, 400} {
		check(fmt.Sprintf("Gamma(%v)", a), func() float64 { return rgamma(r, a) }, a, a)
	}
	check("Beta(2, 5)", func() float64 { return rbeta(r, 2, 5) }, 2.0/7, 2*5/(49.0*8))
}
