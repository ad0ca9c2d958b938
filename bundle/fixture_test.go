package bundle_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/blob/fsblob"
	"github.com/sillok/sillok/bundle"
	"github.com/sillok/sillok/custody"
)

// fixture is a miniature repository: a blob folder, a custody log and
// what the core would hand to bundle.Write.
type fixture struct {
	store *fsblob.Store
	log   *custody.Log
	key   *custody.Key
	items []bundle.Item
}

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// newFixture ingests n items; every third gets a redacted derivative, and
// every item has a received event; item 1's original is protected (its
// event holds a commitment, not the hash).
func newFixture(t testing.TB, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := fsblob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := custody.GenerateKeyFile(filepath.Join(dir, "log.key"), "sillok.example/fixture")
	if err != nil {
		t.Fatal(err)
	}
	l, err := custody.Open(ctx, custody.NewMemStorage(), custody.Config{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &fixture{store: store, log: l, key: key}
	for i := range n {
		data := fmt.Appendf(nil, "testimony %d: audio transcript ...", i)
		data = append(data, bytes.Repeat([]byte{byte(i)}, i%50)...)
		info, err := store.Put(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		ev := custody.Event{Kind: custody.EvidenceReceived, Actor: "staff-1", Blob: info.Hash.String(),
			Source: fmt.Sprintf("src-%d", i%4), Channel: "in person", Time: t0.Add(time.Duration(i) * time.Minute)}
		if i == 1 {
			c, _, err := custody.Protect([]byte(info.Hash.String()))
			if err != nil {
				t.Fatal(err)
			}
			ev.Blob, ev.Commitment = "", c
		}
		rc, err := l.Append(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		it := bundle.Item{ID: fmt.Sprintf("ev-%04d", i), SHA256: info.Hash, Size: info.Size,
			MediaType: "text/plain", Metadata: []byte(`{"title":"interview"}`), Events: []int64{rc.Index}}
		if i%3 == 0 {
			red, err := store.Put(ctx, bytes.NewReader(bytes.ReplaceAll(data, []byte("testimony"), []byte("[redacted]"))))
			if err != nil {
				t.Fatal(err)
			}
			d := blob.Derivation{Original: info.Hash, Derived: red.Hash, Operation: "redact",
				Params: map[string]string{"fields": "names"}, Actor: "staff-2", Time: t0.Add(time.Hour)}
			rd, err := l.Append(ctx, custody.Event{Kind: custody.DerivativeMade, Actor: "staff-2", Blob: info.Hash.String(),
				Derived: red.Hash.String(), Operation: "redact", Time: d.Time})
			if err != nil {
				t.Fatal(err)
			}
			it.Derivations = []blob.Derivation{d}
			it.Events = append(it.Events, rd.Index)
		}
		f.items = append(f.items, it)
	}
	return f
}

// export writes a bundle of all items into a new directory.
func (f *fixture) export(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	var idx []int64
	for _, it := range f.items {
		idx = append(idx, it.Events...)
	}
	proofs, _, signed, err := f.log.Prove(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bundle")
	_, err = bundle.Write(ctx, dir, bundle.Export{Items: f.items, Events: proofs, Checkpoint: signed, Key: f.key}, f.store)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// logEvent is an unrelated event, to grow the log after an export.
func (f *fixture) logEvent(i int) custody.Event {
	return custody.Event{Kind: custody.ProtectedViewed, Actor: "staff-3", Record: fmt.Sprintf("rec-%d", i),
		Purpose: "consent review", Time: t0.Add(time.Duration(i) * time.Hour)}
}
