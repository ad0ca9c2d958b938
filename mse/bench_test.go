package mse

import (
	"context"
	"math/rand/v2"
	"testing"
)

// synthTable draws people from a 3-class latent-class population over j
// lists and keeps those observed at least once.
func synthTable(j, people int, seed uint64) Table {
	r := rand.New(rand.NewPCG(seed, 1))
	probs := [][]float64{make([]float64, j), make([]float64, j), make([]float64, j)}
	for c := range probs {
		for l := range probs[c] {
			probs[c][l] = 0.02 + 0.25*r.Float64()*float64(c+1)/3
		}
	}
	counts := make(map[Pattern]int)
	for i := 0; i < people; i++ {
		c := r.IntN(3)
		var p Pattern
		for l := 0; l < j; l++ {
			if r.Float64() < probs[c][l] {
				p |= 1 << uint(l)
			}
		}
		if p != 0 {
			counts[p]++
		}
	}
	lists := make([]string, j)
	for l := range lists {
		lists[l] = string(rune('a'+l%26)) + string(rune('0'+l/26))
	}
	t, _ := NewTable(lists, counts)
	return t
}

func benchLCMCR(b *testing.B, t Table) {
	opt := LCMCROptions{K: 10}
	opt.defaults()
	s, err := newLCMSampler(t, opt, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 200; i++ { // leave the random start
		s.step()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "iter/s")
}

// BenchmarkLCMCR4Lists: one Gibbs sweep, K=10, on the Kosovo table
// (4 lists, 4,400 people observed).
func BenchmarkLCMCR4Lists(b *testing.B) {
	benchLCMCR(b, readTestTable(b, "kosovo.csv"))
}

// BenchmarkLCMCR20Lists: one Gibbs sweep, K=10, on a synthetic 20-list
// table.
func BenchmarkLCMCR20Lists(b *testing.B) {
	t := synthTable(20, 20000, 5)
	b.Logf("20 lists: %d observed in %d patterns", t.Observed(), len(t.Cells))
	benchLCMCR(b, t)
}

// BenchmarkSearch5Lists fits every hierarchical log-linear model for 5
// lists (Madigan & York's five-list data).
func BenchmarkSearch5Lists(b *testing.B) {
	t := readTestTable(b, "my5.csv")
	b.Logf("%d hierarchical models", len(HierarchicalModels(5)))
	for i := 0; i < b.N; i++ {
		if _, _, err := Search(context.Background(), t, AIC); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDGA5Lists(b *testing.B) {
	t := readTestTable(b, "my5.csv")
	for i := 0; i < b.N; i++ {
		if _, err := DGA(context.Background(), t, DGAOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLCMCRVerdata: one Gibbs sweep, K=15, on the 20-source Colombian
// stratum (982 observed in 103 patterns).
func BenchmarkLCMCRVerdata(b *testing.B) {
	t := readTestTable(b, "verdata_hombre_1999_r1.csv")
	opt := LCMCROptions{K: 15}
	opt.defaults()
	s, err := newLCMSampler(t, opt, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		s.step()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "iter/s")
}
