package custody_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/custody/custodytest"
)

func TestMemStorageConformance(t *testing.T) {
	custodytest.Run(t, func(t *testing.T) custody.Storage { return custody.NewMemStorage() })
}

func TestFileStorageConformance(t *testing.T) {
	custodytest.Run(t, func(t *testing.T) custody.Storage {
		s, err := custody.OpenFileStorage(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestFileStorageCrash cuts the files the way a crash during an append
// would, and checks that reopening repairs the tail and the log signs a
// checkpoint over what survived.
func TestFileStorageCrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := custodytest.TestKey(t, "sillok.example/crash")
	s, err := custody.OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := custody.Open(ctx, s, custody.Config{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, err := l.Append(ctx, custodytest.TestEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	s.Close()

	// A torn last leaf record and extra hashes past the leaves.
	leaves := filepath.Join(dir, "leaves")
	fi, _ := os.Stat(leaves)
	os.Truncate(leaves, fi.Size()-7)
	hf, _ := os.OpenFile(filepath.Join(dir, "hashes"), os.O_WRONLY|os.O_APPEND, 0)
	hf.Write(make([]byte, 45))
	hf.Close()

	s, err = custody.OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.Size(ctx); n != 9 {
		t.Fatalf("size after torn tail = %d, want 9", n)
	}
	// The stored checkpoint covers 10 events, more than survived: the Log
	// must refuse to carry on silently.
	if _, err := custody.Open(ctx, s, custody.Config{Key: key}); err == nil {
		t.Fatal("Open accepted a checkpoint beyond the stored events")
	}
	rep, err := custody.Verify(ctx, s, key.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() {
		t.Fatal("Verify passed a log that lost a checkpointed event")
	}
}

// TestReopenSignsUncheckpointed: leaves stored without a checkpoint (crash
// between the two writes) get one at the next Open.
func TestReopenSignsUncheckpointed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := custodytest.TestKey(t, "sillok.example/reopen")
	s, _ := custody.OpenFileStorage(dir)
	l, err := custody.Open(ctx, s, custody.Config{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := l.Append(ctx, custodytest.TestEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	s.Close()
	// Drop the last checkpoint record: 4 checkpoints (sizes 0..3) were
	// written; keep the first three.
	cpf := filepath.Join(dir, "checkpoints")
	b, _ := os.ReadFile(cpf)
	cut := 0
	for range 3 {
		n := int(b[cut+8])<<24 | int(b[cut+9])<<16 | int(b[cut+10])<<8 | int(b[cut+11])
		cut += 12 + n
	}
	os.WriteFile(cpf, b[:cut], 0o600)

	s, _ = custody.OpenFileStorage(dir)
	defer s.Close()
	if size, _, _ := s.LatestCheckpoint(ctx); size != 2 {
		t.Fatalf("latest checkpoint after cut = %d, want 2", size)
	}
	l, err = custody.Open(ctx, s, custody.Config{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if c, _ := l.Latest(); c.Size != 3 {
		t.Errorf("reopened log's checkpoint size %d, want 3", c.Size)
	}
	if rep, err := custody.Verify(ctx, s, key.Verifier); err != nil || !rep.OK() {
		t.Errorf("Verify after recovery: %v %v", rep.Problems, err)
	}
}
