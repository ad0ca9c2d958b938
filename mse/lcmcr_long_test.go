package mse

import (
	"context"
	"flag"
	"math/rand/v2"
	"sort"
	"testing"
)

var longLCMCR = flag.Bool("lcmcr.long", false, "run the long LCMCR comparison with HRDAG's reference draws (minutes)")

// TestLCMCRVerdataLong compares the posterior on the 20-source stratum
// "men, 1999" of verdata's first replicate (testdata/verdata_hombre_1999_r1.csv,
// pattern counts aggregated from HRDAG's published replicate) with the
// reference LCMCR draws HRDAG published for it (K=15, 10,000 burn-in, 5
// million iterations thinned to 1,000 draws), summarised here:
// mean 2066, median 2068, 2.5% 1396, 97.5% 3062, quartiles 1614 and 2412.
// The chain mixes slowly on 20 lists, so this runs only with -lcmcr.long.
func TestLCMCRVerdataLong(t *testing.T) {
	if !*longLCMCR {
		t.Skip("needs -lcmcr.long")
	}
	tab := readTestTable(t, "verdata_hombre_1999_r1.csv")
	if tab.Observed() != 982 || len(tab.Lists) != 20 {
		t.Fatalf("table: %d observed on %d lists, want 982 on 20", tab.Observed(), len(tab.Lists))
	}
	opt := LCMCROptions{K: 15, Burnin: 100000, Samples: 2000, Thin: 500}
	post, err := LCMCR(context.Background(), tab, opt, rand.New(rand.NewPCG(19481210, 0)))
	if err != nil {
		t.Fatal(err)
	}
	s := append([]float64(nil), post.Draws...)
	sort.Float64s(s)
	q25, q75 := quantile(s, 0.25), quantile(s, 0.75)
	t.Logf("verdata men 1999 R1: mean %.0f median %.0f 95%% [%.0f, %.0f] quartiles [%.0f, %.0f]", post.Mean, post.Median, post.Lower, post.Upper, q25, q75)
	if post.Median < 1860 || post.Median > 2275 { // reference median ±10%
		t.Errorf("median %.0f, reference 2068", post.Median)
	}
	if post.Lower > 1614 || post.Upper < 2412 { // must cover the reference quartiles
		t.Errorf("95%% interval [%.0f, %.0f] misses the reference quartiles [1614, 2412]", post.Lower, post.Upper)
	}
}
