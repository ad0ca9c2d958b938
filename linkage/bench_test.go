package linkage

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// vmHWM reads the process's peak resident memory from /proc (Linux), in
// bytes; 0 where unavailable.
func vmHWM() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}

// benchLink links n generated persons end to end: encoding and blocking,
// u from random pairs, EM on each training rule, comparing the candidate
// pairs, λ, scoring and clustering. Generating the records is not timed.
func benchLink(b *testing.B, n int) {
	recs := generate(n, 42)
	tab, err := genTable(recs)
	if err != nil {
		b.Fatal(err)
	}
	truth := make([]string, len(recs))
	for i, r := range recs {
		truth[i] = strconv.Itoa(r.person)
	}
	recs = nil
	runtime.GC()
	b.ResetTimer()
	var res *Result
	var trainPairs int64
	for b.Loop() {
		l, err := NewLinker(tab, genSettings(), Options{Folds: testFolds})
		if err != nil {
			b.Fatal(err)
		}
		m, err := l.Train(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		trainPairs = 0
		for _, s := range m.Sessions {
			trainPairs += s.Pairs
		}
		if res, err = l.Score(context.Background(), m, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	q, err := Evaluate(res.Cluster, truth)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Stats.CandidatePairs), "pairs")
	b.ReportMetric(float64(trainPairs), "EM-pairs")
	b.ReportMetric(vmHWM()/(1<<20), "peak-MiB")
	b.ReportMetric(q.Precision, "precision")
	b.ReportMetric(q.Recall, "recall")
}

func BenchmarkLink100k(b *testing.B) { benchLink(b, 100_000) }

func BenchmarkLink1M(b *testing.B) { benchLink(b, 1_000_000) }

// BenchmarkJaroWinkler and the others time one comparison of two names.
func BenchmarkJaroWinkler(b *testing.B) {
	x, y := []rune("kim yong hui"), []rune("gim yeong hee")
	for b.Loop() {
		jaroRunes(x, y, true)
	}
}

func BenchmarkLevenshteinBounded(b *testing.B) {
	x, y := []rune("stanley street"), []rune("pinkerton circuit")
	for b.Loop() {
		levenshteinRunes(x, y, 2)
	}
}

func BenchmarkDamerauLevenshtein(b *testing.B) {
	x, y := []rune("19151111"), []rune("19151211")
	for b.Loop() {
		damerauRunes(x, y)
	}
}
