package mse

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
)

// testdata/replicates.csv holds, for each of the 20 replicates of the
// stratum in verdata's combine_estimates test, the statistics of its 1,000
// LCMCR draws that Rubin's rules use (computed from HRDAG's published
// draws; the draws themselves are not copied).
func TestCombineReplicatesVerdata(t *testing.T) {
	f, err := os.Open("testdata/replicates.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var reps []ReplicateSummary
	for _, r := range recs[1:] {
		v := make([]float64, 5)
		for i := range v {
			if v[i], err = strconv.ParseFloat(r[i+1], 64); err != nil {
				t.Fatal(err)
			}
		}
		reps = append(reps, ReplicateSummary{Observed: v[0], Draws: int(v[1]), MeanN0: v[2], MeanLogN0: v[3], VarLogN0: v[4]})
	}
	c, err := CombineReplicates(reps, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	// verdata rounds the mean observed count and each n0 figure separately.
	obs := math.Round(c.ObservedMean)
	for _, tc := range []struct {
		what      string
		got, want float64
	}{
		{"N_025", obs + math.Round(c.N0Lower), 1266},
		{"N_mean", obs + math.Round(c.N0Mean), 1593},
		{"N_975", obs + math.Round(c.N0Upper), 2148},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.what, tc.got, tc.want)
		}
	}
	if _, err := CombineReplicates(reps[:1], 0.95); err == nil {
		t.Error("one replicate: want an error")
	}
}

func TestSummariseReplicate(t *testing.T) {
	s, err := SummariseReplicate(10, []float64{10, 12, 14})
	if err != nil {
		t.Fatal(err)
	}
	if s.MeanN0 != 2 {
		t.Errorf("MeanN0 = %v, want 2", s.MeanN0)
	}
	wantLog := (math.Log(0.1) + math.Log(2) + math.Log(4)) / 3
	if math.Abs(s.MeanLogN0-wantLog) > 1e-12 {
		t.Errorf("MeanLogN0 = %v, want %v", s.MeanLogN0, wantLog)
	}
	if _, err := SummariseReplicate(10, []float64{9, 12}); err == nil {
		t.Error("draw below observed: want an error")
	}
}

func TestQuantiles(t *testing.T) {
	for _, tc := range []struct{ p, df, want float64 }{
		{0.975, 1, 12.706204736},
		{0.975, 10, 2.228138852},
		{0.975, 2.5, 3.574655}, // checked by numerical integration of the t density
		{0.05, 30, -1.697260887},
		{0.975, math.Inf(1), 1.959963985},
	} {
		if got := qt(tc.p, tc.df); math.Abs(got-tc.want) > 1e-5 {
			t.Errorf("qt(%v, %v) = %v, want %v", tc.p, tc.df, got, tc.want)
		}
	}
}

func TestEstimateReplicates(t *testing.T) {
	// Three imputations of one stratum that differ by a few people: the
	// pooled interval must contain each replicate's observed count plus a
	// positive undocumented count, and more replicates than one are needed.
	base := map[Pattern]int{1: 120, 2: 90, 4: 70, 3: 30, 5: 25, 6: 20, 7: 10}
	var tables []Table
	for i := 0; i < 3; i++ {
		m := make(map[Pattern]int)
		for p, c := range base {
			m[p] = c + i*(int(p)%3)
		}
		tab, err := NewTable([]string{"a", "b", "c"}, m)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tab)
	}
	opt := LCMCROptions{K: 5, Burnin: 500, Samples: 300, Thin: 5}
	c, err := EstimateReplicates(context.Background(), tables, opt, 42)
	if err != nil {
		t.Fatal(err)
	}
	if c.Replicates != 3 || !(c.N0Lower > 0 && c.N0Lower < c.N0Mean && c.N0Mean < c.N0Upper) {
		t.Errorf("pooled %+v inconsistent", c)
	}
	if _, err := EstimateReplicates(context.Background(), tables[:1], opt, 42); err == nil {
		t.Error("one replicate: want an error")
	}
}
