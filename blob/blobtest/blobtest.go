// Package blobtest is the conformance suite for blob.Store
// implementations, in the style of Perkeep's storagetest: every backend
// (local folder now, S3-compatible later) calls Run from its own tests.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/sillok/sillok/blob"
)

// Run runs the suite. newStore must return a new, empty store each time it
// is called.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"PutGet", testPutGet},
		{"Empty", testEmpty},
		{"Dedupe", testDedupe},
		{"NotFound", testNotFound},
		{"List", testList},
		{"FailedPutLeavesNothing", testFailedPut},
		{"CancelledPut", testCancelledPut},
		{"ConcurrentSameContent", testConcurrent},
		{"Streaming", testStreaming},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

func put(t *testing.T, s blob.Store, data []byte) blob.Info {
	t.Helper()
	info, err := s.Put(context.Background(), bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%d bytes): %v", len(data), err)
	}
	if want := blob.Sum(data); info.Hash != want || info.Size != int64(len(data)) {
		t.Fatalf("Put(%d bytes) = %s/%d, want %s/%d", len(data), info.Hash, info.Size, want, len(data))
	}
	return info
}

func get(t *testing.T, s blob.Store, h blob.Hash) []byte {
	t.Helper()
	rc, err := s.Get(context.Background(), h)
	if err != nil {
		t.Fatalf("Get(%s): %v", h, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", h, err)
	}
	return b
}

func all(t *testing.T, s blob.Store, after blob.Hash) []blob.Info {
	t.Helper()
	var out []blob.Info
	if err := s.List(context.Background(), after, func(i blob.Info) error { out = append(out, i); return nil }); err != nil {
		t.Fatalf("List: %v", err)
	}
	return out
}

func testPutGet(t *testing.T, s blob.Store) {
	ctx := context.Background()
	data := []byte("testimony recording, part 1")
	info := put(t, s, data)
	if got := get(t, s, info.Hash); !bytes.Equal(got, data) {
		t.Errorf("Get returned %q, want %q", got, data)
	}
	st, err := s.Stat(ctx, info.Hash)
	if err != nil || st != info {
		t.Errorf("Stat = %+v, %v; want %+v", st, err, info)
	}
	if ok, err := s.Has(ctx, info.Hash); !ok || err != nil {
		t.Errorf("Has = %v, %v; want true", ok, err)
	}
}

func testEmpty(t *testing.T, s blob.Store) {
	info := put(t, s, nil)
	if got := get(t, s, info.Hash); len(got) != 0 {
		t.Errorf("empty blob read back %d bytes", len(got))
	}
}

func testDedupe(t *testing.T, s blob.Store) {
	data := []byte("same bytes received twice from two sources")
	a := put(t, s, data)
	b := put(t, s, data)
	if a != b {
		t.Errorf("second Put = %+v, first %+v", b, a)
	}
	if n := len(all(t, s, blob.Hash{})); n != 1 {
		t.Errorf("List after two identical Puts has %d blobs, want 1", n)
	}
	if got := get(t, s, a.Hash); !bytes.Equal(got, data) {
		t.Errorf("content changed after dedupe: %q", got)
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	ctx := context.Background()
	h := blob.Sum([]byte("never stored"))
	if _, err := s.Get(ctx, h); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get(absent) error = %v, want ErrNotFound", err)
	}
	if _, err := s.Stat(ctx, h); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat(absent) error = %v, want ErrNotFound", err)
	}
	if ok, err := s.Has(ctx, h); ok || err != nil {
		t.Errorf("Has(absent) = %v, %v; want false, nil", ok, err)
	}
}

func testList(t *testing.T, s blob.Store) {
	want := map[blob.Hash]int64{}
	for i := range 40 {
		data := bytes.Repeat([]byte{byte(i)}, i)
		want[put(t, s, data).Hash] = int64(i)
	}
	got := all(t, s, blob.Hash{})
	if len(got) != len(want) {
		t.Fatalf("List returned %d blobs, want %d", len(got), len(want))
	}
	for i, info := range got {
		if size, ok := want[info.Hash]; !ok || size != info.Size {
			t.Errorf("List item %d = %+v, not put (or wrong size)", i, info)
		}
		if i > 0 && bytes.Compare(got[i-1].Hash[:], info.Hash[:]) >= 0 {
			t.Errorf("List not in increasing hash order at %d", i)
		}
	}
	mid := got[len(got)/2].Hash
	rest := all(t, s, mid)
	if len(rest) != len(got)-len(got)/2-1 || (len(rest) > 0 && rest[0] != got[len(got)/2+1]) {
		t.Errorf("List(after %s) returned %d blobs, want the %d after it", mid, len(rest), len(got)-len(got)/2-1)
	}
	stop := errors.New("stop")
	n := 0
	err := s.List(context.Background(), blob.Hash{}, func(blob.Info) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("List with failing callback = %v after %d calls, want stop after 1", err, n)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection dropped")
	}
	k := min(len(p), f.n)
	clear(p[:k])
	f.n -= k
	return k, nil
}

func testFailedPut(t *testing.T, s blob.Store) {
	if _, err := s.Put(context.Background(), &failingReader{n: 100000}); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	if n := len(all(t, s, blob.Hash{})); n != 0 {
		t.Errorf("failed Put left %d blobs", n)
	}
}

func testCancelledPut(t *testing.T, s blob.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, bytes.NewReader(make([]byte, 1<<20))); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with cancelled context error = %v, want context.Canceled", err)
	}
	if n := len(all(t, s, blob.Hash{})); n != 0 {
		t.Errorf("cancelled Put left %d blobs", n)
	}
}

func testConcurrent(t *testing.T, s blob.Store) {
	data := bytes.Repeat([]byte("concurrent "), 10000)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			info, err := s.Put(context.Background(), bytes.NewReader(data))
			if err == nil && info.Hash != blob.Sum(data) {
				err = fmt.Errorf("hash %s", info.Hash)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Put: %v", err)
		}
	}
	if got := get(t, s, blob.Sum(data)); !bytes.Equal(got, data) {
		t.Error("content differs after concurrent Puts")
	}
}

// testStreaming puts 8 MiB from a generator (never held in memory whole by
// the test) and reads it back through a hash.
func testStreaming(t *testing.T, s blob.Store) {
	const size = 8 << 20
	r := io.LimitReader(rand.NewChaCha8([32]byte{1}), size)
	info, err := s.Put(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.New()
	io.Copy(want, io.LimitReader(rand.NewChaCha8([32]byte{1}), size))
	if info.Size != size || !bytes.Equal(info.Hash[:], want.Sum(nil)) {
		t.Fatalf("Put = %s/%d, want %x/%d", info.Hash, info.Size, want.Sum(nil), size)
	}
	rc, err := s.Get(context.Background(), info.Hash)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got := sha256.New()
	if n, err := io.Copy(got, rc); err != nil || n != size {
		t.Fatalf("read back %d bytes, %v", n, err)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Error("read back different content")
	}
}
