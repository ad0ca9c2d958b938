// Package custodytest is the conformance suite for custody.Storage
// implementations: the in-memory and file stores here, and the SQL stores
// of the repository core, call Run from their tests.
package custodytest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sillok/sillok/custody"
	"golang.org/x/mod/sumdb/tlog"
)

// Run runs the suite. newStorage must return a new, empty Storage each
// time it is called (and clean it up with t.Cleanup).
func Run(t *testing.T, newStorage func(t *testing.T) custody.Storage) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s custody.Storage)
	}{
		{"Empty", testEmpty},
		{"AppendRead", testAppendRead},
		{"Conflict", testConflict},
		{"Checkpoints", testCheckpoints},
		{"LogRoundTrip", testLogRoundTrip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStorage(t)) })
	}
}

// TestKey returns a fresh signing key for origin.
func TestKey(t testing.TB, origin string) *custody.Key {
	t.Helper()
	k, err := custody.GenerateKeyFile(t.TempDir()+"/log.key", origin)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEvent returns a valid event, distinct for each i.
func TestEvent(i int) custody.Event {
	rev := tlog.RecordHash(fmt.Appendf(nil, "revision %d", i))
	return custody.Event{
		Kind:     custody.RecordRevised,
		Actor:    "staff-7",
		Record:   fmt.Sprintf("rec-%06d", i),
		Revision: fmt.Sprintf("%x", rev[:]),
		Time:     time.Date(2026, 11, 27, 12, 0, 0, i, time.UTC),
	}
}

func testEmpty(t *testing.T, s custody.Storage) {
	ctx := context.Background()
	if n, err := s.Size(ctx); n != 0 || err != nil {
		t.Errorf("Size = %d, %v; want 0", n, err)
	}
	if _, _, err := s.LatestCheckpoint(ctx); !errors.Is(err, custody.ErrNoCheckpoint) {
		t.Errorf("LatestCheckpoint on empty storage: %v, want ErrNoCheckpoint", err)
	}
	calls := 0
	if err := s.Checkpoints(ctx, func(int64, []byte) error { calls++; return nil }); err != nil || calls != 0 {
		t.Errorf("Checkpoints on empty storage: %d calls, %v", calls, err)
	}
	if _, err := s.ReadHashes(ctx, []int64{0}); err == nil {
		t.Error("ReadHashes beyond the end succeeded")
	}
	if _, err := s.ReadLeaves(ctx, 0, 1); err == nil {
		t.Error("ReadLeaves beyond the end succeeded")
	}
}

// appendRaw computes the stored hashes for leaves at n and appends them.
func appendRaw(t *testing.T, s custody.Storage, n int64, leaves [][]byte) {
	t.Helper()
	ctx := context.Background()
	var pending []tlog.Hash
	base := tlog.StoredHashIndex(0, n)
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= base {
				out[i] = pending[x-base]
				continue
			}
			h, err := s.ReadHashes(ctx, []int64{x})
			if err != nil {
				return nil, err
			}
			out[i] = h[0]
		}
		return out, nil
	})
	for i, l := range leaves {
		hs, err := tlog.StoredHashes(n+int64(i), l, r)
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, hs...)
	}
	if err := s.Append(ctx, n, leaves, pending); err != nil {
		t.Fatalf("Append(%d, %d leaves): %v", n, len(leaves), err)
	}
}

func testAppendRead(t *testing.T, s custody.Storage) {
	ctx := context.Background()
	var all [][]byte
	for batch := range 5 {
		var leaves [][]byte
		for i := range batch*3 + 1 {
			leaves = append(leaves, fmt.Appendf(nil, "leaf %d.%d", batch, i))
		}
		appendRaw(t, s, int64(len(all)), leaves)
		all = append(all, leaves...)
	}
	n, err := s.Size(ctx)
	if err != nil || n != int64(len(all)) {
		t.Fatalf("Size = %d, %v; want %d", n, err, len(all))
	}
	got, err := s.ReadLeaves(ctx, 0, len(all))
	if err != nil {
		t.Fatal(err)
	}
	for i := range all {
		if !bytes.Equal(got[i], all[i]) {
			t.Errorf("leaf %d = %q, want %q", i, got[i], all[i])
		}
	}
	mid, err := s.ReadLeaves(ctx, 3, 4)
	if err != nil || len(mid) != 4 || !bytes.Equal(mid[0], all[3]) || !bytes.Equal(mid[3], all[6]) {
		t.Errorf("ReadLeaves(3, 4) = %q, %v", mid, err)
	}
	// The tree built from the stored hashes must equal one built from
	// the leaves directly.
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, idx) })
	got0, err := tlog.TreeHash(int64(len(all)), r)
	if err != nil {
		t.Fatal(err)
	}
	if want := referenceRoot(all); got0 != want {
		t.Errorf("tree hash from stored hashes %v, reference %v", got0, want)
	}
	// Hashes asked out of order come back in the order asked.
	a, err := s.ReadHashes(ctx, []int64{5, 0, 5, 2})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.ReadHashes(ctx, []int64{0, 2, 5})
	if a[0] != b[2] || a[1] != b[0] || a[2] != b[2] || a[3] != b[1] {
		t.Error("ReadHashes does not keep the order asked")
	}
}

// referenceRoot is RFC 6962's MTH, written from the RFC's definition.
func referenceRoot(leaves [][]byte) tlog.Hash {
	switch len(leaves) {
	case 0:
		return tlog.Hash(sha256.Sum256(nil))
	case 1:
		return tlog.RecordHash(leaves[0])
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return tlog.NodeHash(referenceRoot(leaves[:k]), referenceRoot(leaves[k:]))
}

func testConflict(t *testing.T, s custody.Storage) {
	ctx := context.Background()
	appendRaw(t, s, 0, [][]byte{[]byte("a"), []byte("b")})
	h := tlog.RecordHash([]byte("c"))
	if err := s.Append(ctx, 1, [][]byte{[]byte("c")}, []tlog.Hash{h}); !errors.Is(err, custody.ErrConflict) {
		t.Errorf("Append at stale size: %v, want ErrConflict", err)
	}
	// Wrong number of stored hashes: rejected, nothing visible.
	if err := s.Append(ctx, 2, [][]byte{[]byte("c")}, nil); err == nil {
		t.Error("Append with missing stored hashes succeeded")
	}
	if n, _ := s.Size(ctx); n != 2 {
		t.Errorf("Size after rejected appends = %d, want 2", n)
	}
}

func testCheckpoints(t *testing.T, s custody.Storage) {
	ctx := context.Background()
	appendRaw(t, s, 0, [][]byte{[]byte("a"), []byte("b"), []byte("c")})
	notes := []string{"cp one\n", "cp two\n", "cp three\n"}
	for i, n := range notes {
		if err := s.AddCheckpoint(ctx, int64(i+1), []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddCheckpoint(ctx, 1, []byte("older")); err == nil {
		t.Error("AddCheckpoint with a smaller size succeeded")
	}
	var got []string
	s.Checkpoints(ctx, func(size int64, signed []byte) error {
		got = append(got, fmt.Sprintf("%d:%s", size, signed))
		return nil
	})
	want := []string{"1:cp one\n", "2:cp two\n", "3:cp three\n"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Checkpoints = %q, want %q", got, want)
	}
	size, signed, err := s.LatestCheckpoint(ctx)
	if err != nil || size != 3 || string(signed) != "cp three\n" {
		t.Errorf("LatestCheckpoint = %d, %q, %v", size, signed, err)
	}
}

func testLogRoundTrip(t *testing.T, s custody.Storage) {
	ctx := context.Background()
	key := TestKey(t, "sillok.example/conformance")
	l, err := custody.Open(ctx, s, custody.Config{Key: key, MaxBatch: 16})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	var wg sync.WaitGroup
	receipts := make([]custody.Receipt, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { receipts[i], errs[i] = l.Append(ctx, TestEvent(i)) })
	}
	wg.Wait()
	l.Close()
	seen := map[int64]bool{}
	for i, r := range receipts {
		if errs[i] != nil {
			t.Fatalf("Append %d: %v", i, errs[i])
		}
		if seen[r.Index] || r.Index >= r.Checkpoint.Size {
			t.Errorf("receipt %d: index %d (dup %v) not inside checkpoint of size %d", i, r.Index, seen[r.Index], r.Checkpoint.Size)
		}
		seen[r.Index] = true
		if c, err := custody.OpenCheckpoint(r.Signed, key.Verifier); err != nil || c != r.Checkpoint {
			t.Errorf("receipt %d: signed checkpoint %v, %v", i, c, err)
		}
	}
	rep, err := custody.Verify(ctx, s, key.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Size != n || rep.Kinds[custody.RecordRevised] != n || len(rep.Revisions) != n {
		t.Errorf("Verify: size %d, kinds %v, %d revisions, problems %v", rep.Size, rep.Kinds, len(rep.Revisions), rep.Problems)
	}
	if rep.Checkpoints < 2 {
		t.Errorf("only %d checkpoints for %d appends", rep.Checkpoints, n)
	}
}
