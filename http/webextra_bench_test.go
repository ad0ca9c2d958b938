package http_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/evidence"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/linkage/personlink"
)

// benchLinks runs the linkage model over the benchmark repository once,
// so that the review queue has pairs (kept with the repository when
// $SILLOK_BENCH_DIR is set).
func benchLinks(b *testing.B, st sillok.Store) {
	ctx := context.Background()
	pg, err := st.List(ctx, sillok.Filter{Kind: sillok.KindLink, Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	if len(pg.Records) > 0 {
		return
	}
	start := time.Now()
	rep, err := personlink.Run(ctx, st, personlink.Options{Actor: sillok.Actor{User: "bench", Org: "nkdb-demo"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("linkage run in %v: %d same, %d to review", time.Since(start).Round(time.Second), rep.Linked, rep.Queued)
}

// benchCustody builds a custody log with one record_created event per
// record of the repository (what the evidence hook writes when records
// are created), kept beside the repository with $SILLOK_BENCH_DIR, and
// returns the record pages' view of it.
func benchCustody(b *testing.B, st sillok.Store, people int) sillokhttp.CustodyLog {
	ctx := context.Background()
	dir := b.TempDir()
	if d := os.Getenv("SILLOK_BENCH_DIR"); d != "" {
		dir = filepath.Join(d, fmt.Sprintf("custody-%d", people))
	}
	keyFile := filepath.Join(dir, "custody.key")
	logDir := filepath.Join(dir, "log")
	key, err := custody.LoadKeyFile(keyFile)
	if err != nil {
		start := time.Now()
		if err := os.MkdirAll(dir, 0o700); err != nil {
			b.Fatal(err)
		}
		if key, err = custody.GenerateKeyFile(keyFile, "sillok/bench"); err != nil {
			b.Fatal(err)
		}
		fs, err := custody.OpenFileStorage(logDir)
		if err != nil {
			b.Fatal(err)
		}
		l, err := custody.Open(ctx, fs, custody.Config{Key: key})
		if err != nil {
			b.Fatal(err)
		}
		var batch []custody.Event
		flush := func() {
			if _, err := l.AppendAll(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
		err = sillok.Each(ctx, st, sillok.Filter{}, func(r *sillok.Record) error {
			h := sha256.Sum256([]byte(r.ID))
			batch = append(batch, custody.Event{Version: custody.FormatVersion, Kind: custody.RecordCreated, Actor: "bench@nkdb-demo",
				Time: r.Created.UTC(), Record: string(r.ID), Revision: hex.EncodeToString(h[:])})
			if len(batch) == 20000 {
				flush()
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(batch) > 0 {
			flush()
		}
		cp, _ := l.Latest()
		l.Close()
		fs.Close()
		b.Logf("custody log of %d events written in %v", cp.Size, time.Since(start).Round(time.Second))
	}
	cust := sillokhttp.EvidenceCustody(evidence.NewCustody(logDir, key, nil))
	// The first request indexes the whole log: what a server's first
	// record page after start-up waits for.
	start := time.Now()
	if _, err := cust.Events(ctx, []sillok.ID{"per_none"}); err != nil {
		b.Fatal(err)
	}
	b.Logf("custody log indexed in %v", time.Since(start).Round(time.Millisecond))
	return cust
}
