package custody

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// Storage holds a log's leaves, its tlog stored hashes and its signed
// checkpoints. Implementations: MemStorage (tests, benchmarks), FileStorage
// (append-only files), and the SQL stores of the repository core. Every
// implementation must pass custodytest.Run.
//
// A Storage is written by one Log at a time; reads may run concurrently
// with an append and must then see either none or all of it.
type Storage interface {
	// Size returns the number of leaves stored.
	Size(ctx context.Context) (int64, error)
	// Append stores leaves n, n+1, … with their data, and hashes, which
	// are the stored hashes of those leaves in order (the concatenation
	// of tlog.StoredHashes for each), to go at storage indexes
	// tlog.StoredHashIndex(0, n) onwards. It is atomic and durable: when
	// it returns nil, all of it survives a crash; when it fails, none of
	// it is visible. It returns an error wrapping ErrConflict when n is
	// not the current size.
	Append(ctx context.Context, n int64, leaves [][]byte, hashes []tlog.Hash) error
	// ReadHashes returns the stored hashes at the given storage indexes,
	// in the order asked. An index at or beyond the stored count is an
	// error.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// ReadLeaves returns the data of leaves [start, start+count).
	ReadLeaves(ctx context.Context, start int64, count int) ([][]byte, error)
	// AddCheckpoint durably stores a signed checkpoint of the given
	// size. Sizes never decrease from one call to the next.
	AddCheckpoint(ctx context.Context, size int64, signed []byte) error
	// Checkpoints calls fn for every stored checkpoint in the order they
	// were added.
	Checkpoints(ctx context.Context, fn func(size int64, signed []byte) error) error
	// LatestCheckpoint returns the last added checkpoint, or an error
	// wrapping ErrNoCheckpoint.
	LatestCheckpoint(ctx context.Context) (size int64, signed []byte, err error)
}

// Errors of the Storage contract.
var (
	ErrConflict     = errors.New("log append conflict: size changed")
	ErrNoCheckpoint = errors.New("no checkpoint stored")
)

// MemStorage is a Storage in memory. It is lost when the process ends:
// use it for tests and benchmarks only.
type MemStorage struct {
	mu     sync.RWMutex
	leaves [][]byte
	hashes []tlog.Hash
	cps    []memCheckpoint
}

type memCheckpoint struct {
	size   int64
	signed []byte
}

// NewMemStorage returns an empty MemStorage.
func NewMemStorage() *MemStorage { return &MemStorage{} }

// Size implements Storage.
func (m *MemStorage) Size(ctx context.Context) (int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.leaves)), nil
}

// Append implements Storage.
func (m *MemStorage) Append(ctx context.Context, n int64, leaves [][]byte, hashes []tlog.Hash) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n != int64(len(m.leaves)) {
		return fmt.Errorf("append at %d to log of size %d: %w", n, len(m.leaves), ErrConflict)
	}
	if want := tlog.StoredHashCount(n+int64(len(leaves))) - int64(len(m.hashes)); int64(len(hashes)) != want {
		return fmt.Errorf("append %d leaves at %d: got %d stored hashes, want %d", len(leaves), n, len(hashes), want)
	}
	for _, l := range leaves {
		m.leaves = append(m.leaves, append([]byte(nil), l...))
	}
	m.hashes = append(m.hashes, hashes...)
	return nil
}

// ReadHashes implements Storage.
func (m *MemStorage) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("read stored hash %d of %d", x, len(m.hashes))
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// ReadLeaves implements Storage.
func (m *MemStorage) ReadLeaves(ctx context.Context, start int64, count int) ([][]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if start < 0 || count < 0 || start+int64(count) > int64(len(m.leaves)) {
		return nil, fmt.Errorf("read leaves [%d, %d) of %d", start, start+int64(count), len(m.leaves))
	}
	out := make([][]byte, count)
	for i := range out {
		out[i] = append([]byte(nil), m.leaves[start+int64(i)]...)
	}
	return out, nil
}

// AddCheckpoint implements Storage.
func (m *MemStorage) AddCheckpoint(ctx context.Context, size int64, signed []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k := len(m.cps); k > 0 && m.cps[k-1].size > size {
		return fmt.Errorf("add checkpoint of size %d after size %d", size, m.cps[k-1].size)
	}
	m.cps = append(m.cps, memCheckpoint{size, append([]byte(nil), signed...)})
	return nil
}

// Checkpoints implements Storage.
func (m *MemStorage) Checkpoints(ctx context.Context, fn func(int64, []byte) error) error {
	m.mu.RLock()
	cps := append([]memCheckpoint(nil), m.cps...)
	m.mu.RUnlock()
	for _, c := range cps {
		if err := fn(c.size, c.signed); err != nil {
			return err
		}
	}
	return nil
}

// LatestCheckpoint implements Storage.
func (m *MemStorage) LatestCheckpoint(ctx context.Context) (int64, []byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if len(m.cps) == 0 {
		return 0, nil, ErrNoCheckpoint
	}
	c := m.cps[len(m.cps)-1]
	return c.size, c.signed, nil
}
