package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/sillok/sillok"
)

// runBench measures the repository as it is: how long fetching a victim
// with everything linked to them takes, and how big the store is. The
// load itself is measured by `sillok demo` (it prints its time) and by
// the Go benchmarks (BENCHMARKS.md); this answers the same question for a
// repository someone already has, without loading anything.
func runBench(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench", "[--people N] [--depth D]")
	n := fs.Int("people", 200, "fetch the first `N` victims (in ID order)")
	depth := fs.Int("depth", 2, "follow links `D` steps")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	r, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer r.Close()
	page, err := r.Store.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Attrs: []sillok.Attr{{Key: "role", Value: "victim"}}, Limit: *n})
	if err != nil {
		return fmt.Errorf("bench: list victims: %w", err)
	}
	if len(page.Records) == 0 {
		return fmt.Errorf("bench: no victims in the repository (load some with 'sillok demo')")
	}
	// Twice: the first pass reads from disk (cold for this process), the
	// second from the page cache (warm).
	type pass struct {
		name  string
		times []time.Duration
		links int
	}
	var passes []pass
	for _, name := range []string{"cold", "warm"} {
		p := pass{name: name}
		for _, v := range page.Records {
			start := time.Now()
			if _, err := r.Store.Get(ctx, v.ID); err != nil {
				return fmt.Errorf("bench: get %s: %w", v.ID, err)
			}
			l, err := r.Store.Linked(ctx, v.ID, *depth, 0)
			if err != nil {
				return fmt.Errorf("bench: linked %s: %w", v.ID, err)
			}
			p.times = append(p.times, time.Since(start))
			p.links += len(l)
		}
		passes = append(passes, p)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "fetch (person + linked, depth %d)\tpersons\tlinked/person\tmean\tp50\tp95\tmax\t\n", *depth)
	for _, p := range passes {
		slices.Sort(p.times)
		var sum time.Duration
		for _, t := range p.times {
			sum += t
		}
		k := len(p.times)
		fmt.Fprintf(w, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", p.name, k, float64(p.links)/float64(k),
			ms(sum/time.Duration(k)), ms(p.times[k/2]), ms(p.times[k*95/100]), ms(p.times[k-1]))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if e.dbURL == "" {
		var size int64
		for _, f := range []string{"sillok.db", "sillok.db-wal"} {
			if fi, err := os.Stat(filepath.Join(e.dataDir, f)); err == nil {
				size += fi.Size()
			}
		}
		fmt.Fprintf(e.stdout, "database: %.1f MiB\n", float64(size)/(1<<20))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
