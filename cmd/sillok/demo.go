package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/sillok/sillok/demo"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "[--people N] [--seed S] [--truth FILE]")
	people := fs.Int("people", 1000, fmt.Sprintf("number of fictional people (%d to %d)", demo.MinPeople, demo.MaxPeople))
	seed := fs.Uint64("seed", 1, "seed: the same seed gives the same data set")
	truth := fs.String("truth", "", "write which person records are the same individual to `FILE` (never stored in the repository)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *people < demo.MinPeople || *people > demo.MaxPeople {
		return fmt.Errorf("%w: --people must be from %d to %d", errUsage, demo.MinPeople, demo.MaxPeople)
	}
	return e.loadDemo(ctx, *people, *seed, *truth)
}

func (e *env) loadDemo(ctx context.Context, people int, seed uint64, truthFile string) error {
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	opts := demo.Options{People: people, Seed: seed, Log: e.log}
	var tf *os.File
	if truthFile != "" {
		if tf, err = os.Create(truthFile); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer tf.Close()
		opts.Truth = tf
	}
	start := time.Now()
	// The loader prepares records (hashes, search terms, custody events)
	// on all cores while it writes earlier batches.
	ld := s.NewLoader(ctx, demo.DefaultBatchSize)
	st, err := demo.Generate(ctx, opts, ld)
	if cerr := ld.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("demo: %w", cerr)
	}
	if err != nil {
		return err
	}
	if tf != nil {
		if err := tf.Close(); err != nil {
			return fmt.Errorf("demo: write truth: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "demo: %d records (%d person records of %d individuals, %d reported more than once) in %s\n",
		st.Total, st.PersonRecords, st.Individuals, st.Duplicated, time.Since(start).Round(time.Millisecond))
	return nil
}

// useDemoRepository points the environment at a fresh temporary repository
// loaded with demo data; the returned function removes it.
func (e *env) useDemoRepository(ctx context.Context, people int) (func(), error) {
	if e.dbURL != "" {
		return nil, fmt.Errorf("%w: --demo makes a temporary embedded repository; to load demo data into PostgreSQL use 'sillok --db … demo'", errUsage)
	}
	dir, err := os.MkdirTemp("", "sillok-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	e.dataDir = dir
	fmt.Fprintf(e.stdout, "Loading %d fictional people into a temporary repository in %s …\n", people, dir)
	if err := e.loadDemo(ctx, people, 1, ""); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return func() { os.RemoveAll(dir) }, nil
}
