package consent_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sillok/sillok/consent"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// BenchmarkPlan measures judging consent over a whole repository (what a
// bundle or share export adds): demo data of $SILLOK_BENCH_PEOPLE people
// (default 1000), e.g.
//
//	SILLOK_BENCH_PEOPLE=100000 go test ./consent -run - -bench Plan -benchtime 1x
func BenchmarkPlan(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("SILLOK_BENCH_PEOPLE")); err == nil {
		n = v
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	st, err := demo.GenerateBatched(ctx, demo.Options{People: n, Seed: 1}, demo.StoreBatch(s))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		p, err := consent.NewPlan(ctx, s, consent.Purpose{Use: "prosecution"}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(p.WithheldIDs())), "withheld")
	}
	b.ReportMetric(float64(st.Total), "records")
}
