package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// BenchmarkDemo generates and stores demo people, then fetches one person
// with everything linked to them. Sizes: $SILLOK_BENCH_PEOPLE (default 10000);
// the figures for 100k and 1M come from
//
//	SILLOK_BENCH_PEOPLE=1000000 go test ./sqlite -run - -bench Demo -benchtime 1x
func BenchmarkDemo(b *testing.B) {
	n := benchPeople()
	for range b.N {
		ctx := context.Background()
		dir := b.TempDir()
		// As `sillok demo` runs: with the full-text index hook.
		s, err := sqlite.Open(ctx, filepath.Join(dir, "s.db"), sqlstore.Options{Hooks: []sqlstore.Hook{fulltext.New(make([]byte, 32))}})
		if err != nil {
			b.Fatal(err)
		}
		start, cpu0 := time.Now(), cpuTime()
		ld := s.NewLoader(ctx, 0) // as sillok demo loads
		st, err := demo.Generate(ctx, demo.Options{People: n, Seed: 1}, ld)
		if cerr := ld.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.ReportMetric(elapsed.Seconds(), "store-s")
		b.ReportMetric(float64(st.Total)/elapsed.Seconds(), "records/s")
		// CPU time is what the machine's other load does not inflate.
		b.ReportMetric((cpuTime() - cpu0).Seconds(), "store-cpu-s")
		// Fetch one person with everything linked to them, many times.
		p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Attrs: []sillok.Attr{{Key: "role", Value: "victim"}}, Limit: 200})
		if err != nil || len(p.Records) == 0 {
			b.Fatal("no victims", err)
		}
		start = time.Now()
		links := 0
		for _, r := range p.Records {
			if _, err := s.Get(ctx, r.ID); err != nil {
				b.Fatal(err)
			}
			l, err := s.Linked(ctx, r.ID, 2, 0)
			if err != nil {
				b.Fatal(err)
			}
			links += len(l)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/float64(len(p.Records)), "µs/person-fetch")
		b.ReportMetric(float64(links)/float64(len(p.Records)), "linked/person")
		s.Close()
		size := int64(0)
		for _, f := range []string{"s.db", "s.db-wal"} {
			if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
				size += fi.Size()
			}
		}
		b.ReportMetric(float64(size)/(1<<20), "db-MiB")
	}
}

func benchPeople() int {
	if v := os.Getenv("SILLOK_BENCH_PEOPLE"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return 10000
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
