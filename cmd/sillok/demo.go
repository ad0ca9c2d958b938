package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/protect"
	"github.com/sillok/sillok/sqlstore"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "[--people N] [--seed S] [--truth FILE] [--seal=false]")
	people := fs.Int("people", 1000, fmt.Sprintf("number of fictional people (%d to %d)", demo.MinPeople, demo.MaxPeople))
	seed := fs.Uint64("seed", 1, "seed: the same seed gives the same data set")
	truth := fs.String("truth", "", "write which person records are the same individual to `FILE` (never stored in the repository)")
	seal := fs.Bool("seal", true, "seal confidential persons and testimonies with the demo organisations' keys (false: keep them in clear, for comparison; only on a repository without keys)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	e.noSeal = !*seal
	if *people < demo.MinPeople || *people > demo.MaxPeople {
		return fmt.Errorf("%w: --people must be from %d to %d", errUsage, demo.MinPeople, demo.MaxPeople)
	}
	// A bulk load allocates a great deal that dies young; collecting less
	// often cut a million-person load from 13:38 to 12:03 (GC was ~9% of
	// its CPU) for 1.9 GB instead of 1.0 GB peak RSS. $GOGC still wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	return e.loadDemo(ctx, *people, *seed, *truth)
}

// loadBatch is the number of records the demo's loader writes per
// transaction: at 100k people 2,000 took 1:17, 10,000 0:54 and 40,000
// 0:49 (fewer commits and checkpoints; four batches in flight are ~160k
// records in memory).
const loadBatch = 40_000

func (e *env) loadDemo(ctx context.Context, people int, seed uint64, truthFile string) error {
	if e.noSeal {
		if _, err := os.Stat(filepath.Join(e.keyDir(), protect.RecoveryPubFile)); err == nil {
			return fmt.Errorf("%w: --seal=false: this repository has keys; use a fresh --data directory", errUsage)
		}
	} else if _, err := e.keyring(demo.Orgs()...); err != nil {
		return err
	}
	repo, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer repo.Close()
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
	// on all cores while it writes earlier batches; with keys, the
	// protected records are sealed on all cores before they reach it.
	ld := repo.Store.NewLoader(ctx, loadBatch)
	var st *demo.Stats
	if e.keys != nil {
		batch, wait := sealedBatch(ctx, protect.NewStore(repo.Store, repo.Store.DB(), e.keys), ld)
		st, err = demo.GenerateBatched(ctx, opts, batch)
		if werr := wait(); err == nil {
			err = werr
		}
	} else {
		st, err = demo.Generate(ctx, opts, ld)
		if cerr := ld.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("demo: %w", cerr)
		}
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

// sealedBatch collects each batch of generated records and seals the
// protected ones on every core (pseudonyms first, in order, so that the
// same seed gives the same pseudonyms); a goroutine hands the sealed
// batches in order to the loader, which prepares and writes them while
// the next batch is generated and sealed: the single writer does no
// cryptography. wait closes the loader once every batch handed over is
// written, and returns the first error.
func sealedBatch(ctx context.Context, st *protect.Store, ld *sqlstore.Loader) (batch demo.BatchFunc, wait func() error) {
	type sealed struct {
		items []collected
		dones []func()
	}
	queue := make(chan sealed, 1)
	failed := make(chan struct{})
	var werr error
	writerDone := make(chan struct{})
	release := func(dones []func()) {
		for _, d := range dones {
			if d != nil {
				d()
			}
		}
	}
	go func() {
		defer close(writerDone)
		// done releases a record's opened text kept for the search
		// index; the loader prepares a few batches behind, so each
		// batch's are released three batches later (released early, the
		// index opens the record again: slower, not wrong).
		var held [][]func()
		for b := range queue {
			if werr == nil {
				for _, it := range b.items {
					if werr = ld.Create(ctx, it.actor, it.r); werr != nil {
						close(failed)
						break
					}
				}
			}
			held = append(held, b.dones)
			if len(held) > 3 {
				release(held[0])
				held = held[1:]
			}
		}
		if err := ld.Close(); werr == nil && err != nil {
			werr = fmt.Errorf("demo: %w", err)
		}
		for _, d := range held {
			release(d)
		}
	}()
	var once sync.Once
	wait = func() error {
		once.Do(func() { close(queue) })
		<-writerDone
		return werr
	}
	batch = func(ctx context.Context, fn func(demo.Sink) error) error {
		var c collector
		if err := fn(&c); err != nil {
			return err
		}
		for _, it := range c.items {
			if p, ok := it.r.Body.(*sillok.Person); ok && protect.NeedsSealing(it.r.Level) && p.Pseudonym == "" {
				ps, err := st.Pseudonym(ctx, it.r.Org)
				if err != nil {
					return err
				}
				p.Pseudonym = ps
			}
		}
		dones := make([]func(), len(c.items))
		errs := make([]error, len(c.items))
		var wg sync.WaitGroup
		next := make(chan int)
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					dones[i], errs[i] = st.Seal(ctx, c.items[i].r)
				}
			}()
		}
		for i := range c.items {
			next <- i
		}
		close(next)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		select {
		case queue <- sealed{c.items, dones}:
			return nil
		case <-failed:
			return wait()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return batch, wait
}

type collected struct {
	actor sillok.Actor
	r     *sillok.Record
}

// collector is a demo.Sink that keeps the records of one batch.
type collector struct{ items []collected }

func (c *collector) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	c.items = append(c.items, collected{actor, r})
	return nil
}
