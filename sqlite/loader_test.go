package sqlite_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/jsonl"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// TestLoaderDemo loads the same demo data set through Batch (one Create at
// a time) and through a Loader, with the full-text hook and a fixed clock:
// the exports must be the same bytes, and the index must find the same.
func TestLoaderDemo(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }
	open := func() (*sqlstore.Store, *fulltext.Index) {
		ix := fulltext.New(make([]byte, 32))
		s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{Now: clock, Hooks: []sqlstore.Hook{ix}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, ix
	}
	opts := demo.Options{People: 300, Seed: 7, BatchSize: 500}
	a, aix := open()
	if _, err := demo.GenerateBatched(ctx, opts, demo.StoreBatch(a)); err != nil {
		t.Fatal(err)
	}
	b, bix := open()
	ld := b.NewLoader(ctx, 500)
	if _, err := demo.Generate(ctx, opts, ld); err != nil {
		t.Fatal(err)
	}
	if err := ld.Close(); err != nil {
		t.Fatal(err)
	}
	var ea, eb bytes.Buffer
	if _, err := jsonl.Export(ctx, a, &ea); err != nil {
		t.Fatal(err)
	}
	if _, err := jsonl.Export(ctx, b, &eb); err != nil {
		t.Fatal(err)
	}
	if ea.Len() == 0 || !bytes.Equal(ea.Bytes(), eb.Bytes()) {
		t.Fatalf("exports differ: Batch %d bytes, Loader %d bytes", ea.Len(), eb.Len())
	}
	for _, q := range []string{"kim", "김", "torture", "kwanliso"} {
		ra, err := aix.Search(ctx, a, fulltext.Request{Query: q, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		rb, err := bix.Search(ctx, b, fulltext.Request{Query: q, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if ra.Total == 0 && q == "kim" || ra.Total != rb.Total || len(ra.Hits) != len(rb.Hits) {
			t.Errorf("search %q: Batch finds %d, Loader %d", q, ra.Total, rb.Total)
		}
	}
}
