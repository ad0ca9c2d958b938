package mse

import (
	"context"
	"testing"
)

func TestHierarchicalModelCounts(t *testing.T) {
	// Down-sets of interaction terms of size 2..t-1: for 3 lists the 8
	// subsets of the 3 two-way terms; for 4 lists, counted by brute force.
	for _, tc := range []struct{ t, want int }{{2, 1}, {3, 8}, {4, bruteHierarchical(4)}} {
		if got := len(HierarchicalModels(tc.t)); got != tc.want {
			t.Errorf("t=%d: %d models, want %d", tc.t, got, tc.want)
		}
	}
}

// bruteHierarchical counts down-closed subsets of the terms of size 2..t-1
// by checking every subset.
func bruteHierarchical(t int) int {
	var terms []Pattern
	for p := Pattern(1); p < 1<<uint(t); p++ {
		if p.Size() >= 2 && p.Size() < t {
			terms = append(terms, p)
		}
	}
	count := 0
	for mask := 0; mask < 1<<uint(len(terms)); mask++ {
		in := make(map[Pattern]bool)
		for i, p := range terms {
			if mask&(1<<uint(i)) != 0 {
				in[p] = true
			}
		}
		ok := true
		for p := range in {
			if p.Size() == 2 {
				continue
			}
			for m := uint32(p); m != 0; m &= m - 1 {
				if !in[p&^Pattern(m&-m)] {
					ok = false
				}
			}
		}
		if ok {
			count++
		}
	}
	return count
}

func TestSearchHIV(t *testing.T) {
	tab := readTestTable(t, "hiv.csv")
	res, skipped, err := Search(context.Background(), tab, AIC)
	if err != nil {
		t.Fatal(err)
	}
	if len(res)+skipped != bruteHierarchical(4) {
		t.Errorf("%d fitted + %d skipped, want %d models", len(res), skipped, bruteHierarchical(4))
	}
	for i := 1; i < len(res); i++ {
		if res[i].Fit.AIC < res[i-1].Fit.AIC {
			t.Fatalf("results not sorted by AIC at %d", i)
		}
	}
	// The published analysis settles on Mt + c1:c2 (AIC 86.65); the search
	// must rank it at least as well as Mt alone and find nothing worse at
	// the top.
	var mt12, mt float64
	for _, r := range res {
		switch r.Fit.Model {
		case "Mt + l1:l2":
			mt12 = r.Fit.AIC
		case "Mt":
			mt = r.Fit.AIC
		}
	}
	if mt12 == 0 || mt == 0 || mt12 >= mt {
		t.Errorf("AIC Mt+l1:l2 = %v, Mt = %v: want the interaction model better", mt12, mt)
	}
	if res[0].Fit.AIC > mt12 {
		t.Errorf("best AIC %v worse than Mt+l1:l2 %v", res[0].Fit.AIC, mt12)
	}
	t.Logf("best by AIC: %s N=%.1f AIC=%.3f (%d fitted, %d skipped)", res[0].Fit.Model, res[0].Fit.N, res[0].Fit.AIC, len(res), skipped)
}
