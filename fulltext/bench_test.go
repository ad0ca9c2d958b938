package fulltext_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/sqlite"
)

// transcripts collects n distinct demo testimony transcripts (Korean and
// English), running the demo generator with further seeds as needed.
func transcripts(b *testing.B, n int) []sillok.Labels {
	var out []sillok.Labels
	for seed := uint64(1); len(out) < n; seed++ {
		people := min(demo.MaxPeople, max(demo.MinPeople, (n-len(out))*23/10))
		sink := sinkFunc(func(r *sillok.Record) {
			if s, ok := r.Body.(*sillok.Source); ok && len(out) < n {
				out = append(out, s.Transcript)
			}
		})
		if _, err := demo.Generate(context.Background(), demo.Options{People: people, Seed: seed}, sink); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

type sinkFunc func(*sillok.Record)

func (f sinkFunc) Create(_ context.Context, _ sillok.Actor, r *sillok.Record) error { f(r); return nil }

// stubReader answers Get with a small record: the benchmark measures the
// index, not record fetches.
type stubReader struct{ sillok.Reader }

func (stubReader) Get(_ context.Context, id sillok.ID) (*sillok.Record, error) {
	return &sillok.Record{ID: id, Kind: sillok.KindSource, Body: &sillok.Source{Type: "testimony", Transcript: sillok.Labels{Ko: "요덕"}}}, nil
}

func (r stubReader) GetMany(ctx context.Context, ids []sillok.ID) ([]*sillok.Record, error) {
	var out []*sillok.Record
	for _, id := range ids {
		rec, _ := r.Get(ctx, id)
		out = append(out, rec)
	}
	return out, nil
}

// BenchmarkTestimonies indexes $SILLOK_BENCH_TESTIMONIES (default 20,000)
// demo testimonies in SQLite and runs 1,000 mixed queries:
//
//	SILLOK_BENCH_TESTIMONIES=1000000 go test ./fulltext -run - -bench Testimonies -benchtime 1x -timeout 2h
func BenchmarkTestimonies(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("SILLOK_BENCH_TESTIMONIES")); err == nil {
		n = v
	}
	texts := transcripts(b, n)
	raw := 0
	for _, t := range texts {
		raw += len(t.Ko) + len(t.En)
	}
	queries := []string{"요덕", "수용소", "보위부", "보위", "구류장", "회령", "평양", "강제송환", "공개처형", "고문",
		"집결소", "교화소", "온성", "혜산", "중국", "여성", "강제낙태", "평", "torture", "Yodok", "\"public execution\"",
		"repatriated", "interrogation", "Hoeryong OR 회령", "구류장 AND 고문", "요덕 -평양", "\"정치범 수용소\"", "starvation",
		"1997", "2010", "함경북도", "양강도 혜산", "bowibu", "MSS", "guard"}
	for range b.N {
		ctx := context.Background()
		dir := b.TempDir()
		path := filepath.Join(dir, "ix.db")
		db, err := sqlite.OpenDB(path)
		if err != nil {
			b.Fatal(err)
		}
		ix := fulltext.New(make([]byte, 32))
		if err := ix.Setup(ctx, db, "sqlite"); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for i := 0; i < len(texts); i += 5000 {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			for j := i; j < min(i+5000, len(texts)); j++ {
				id := sillok.ID(fmt.Sprintf("src_%016d", j))
				v := &sillok.Revision{ID: id, Kind: sillok.KindSource, Org: "o", Level: sillok.LevelInternal, Rev: 1}
				if err := ix.AfterRevision(ctx, tx, v, &sillok.Source{Type: "testimony", Transcript: texts[j]}); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		indexTime := time.Since(start)
		var pages, pageSize int64
		db.QueryRow("PRAGMA page_count").Scan(&pages)
		db.QueryRow("PRAGMA page_size").Scan(&pageSize)
		size := pages * pageSize
		r := rand.New(rand.NewPCG(1, 2))
		var lat []time.Duration
		hits := 0
		for range 1000 {
			q := queries[r.IntN(len(queries))]
			t0 := time.Now()
			res, err := ix.Search(ctx, stubReader{}, fulltext.Request{Query: q, Limit: 10})
			if err != nil {
				b.Fatal(q, err)
			}
			lat = append(lat, time.Since(t0))
			hits += res.Total
		}
		if testing.Verbose() {
			per := map[string][]time.Duration{}
			r2 := rand.New(rand.NewPCG(1, 2))
			for i := range lat {
				q := queries[r2.IntN(len(queries))]
				per[q] = append(per[q], lat[i])
			}
			for q, ds := range per {
				slices.Sort(ds)
				b.Logf("%-28s n=%3d p50 %6.1f ms max %6.1f ms", q, len(ds), float64(ds[len(ds)/2].Microseconds())/1000, float64(ds[len(ds)-1].Microseconds())/1000)
			}
		}
		slices.Sort(lat)
		b.ReportMetric(float64(len(texts)), "testimonies")
		b.ReportMetric(float64(raw)/(1<<20), "raw-MiB")
		b.ReportMetric(float64(size)/(1<<20), "index-MiB")
		b.ReportMetric(float64(size)/float64(raw), "index/raw")
		b.ReportMetric(float64(len(texts))/indexTime.Seconds(), "docs/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		b.ReportMetric(float64(hits)/1000, "hits/query")
		db.Close()
	}
}
