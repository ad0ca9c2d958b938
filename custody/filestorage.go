package custody

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// FileStorage is a Storage in three append-only files in a directory:
//
//	leaves       each leaf as a 4-byte big-endian length and the data
//	hashes       the tlog stored hashes, 32 bytes each, in storage order
//	checkpoints  each as an 8-byte big-endian size, a 4-byte length and
//	             the signed note
//
// Append writes and fsyncs hashes before leaves, so after a crash the
// leaves file decides the size: OpenFileStorage cuts a torn last record
// and any hashes beyond those of the complete leaves. Only one process
// may have a directory open for writing at a time.
type FileStorage struct {
	dir string

	mu      sync.RWMutex
	leaves  *os.File
	hashes  *os.File
	cps     *os.File
	offsets []int64 // start of each leaf record in the leaves file
	end     int64   // end of the last complete leaf record
	nhashes int64
	cpEnd   int64
	latest  memCheckpoint
	haveCP  bool
}

const maxRecord = 1 << 24 // no leaf or checkpoint is larger; bigger lengths mean damage

// OpenFileStorage opens or creates the log files in dir, repairing the
// tail left by a crash during an append.
func OpenFileStorage(dir string) (*FileStorage, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open custody log %s: %w", dir, err)
	}
	s := &FileStorage{dir: dir}
	var err error
	open := func(name string) *os.File {
		if err != nil {
			return nil
		}
		var f *os.File
		f, err = os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE, 0o600)
		return f
	}
	s.leaves, s.hashes, s.cps = open("leaves"), open("hashes"), open("checkpoints")
	if err == nil {
		err = s.recover()
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open custody log %s: %w", dir, err)
	}
	return s, nil
}

// Close closes the files.
func (s *FileStorage) Close() error {
	var errs []error
	for _, f := range []*os.File{s.leaves, s.hashes, s.cps} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(errs...)
}

// readRecords scans length-prefixed records of f, calling fn with each
// complete one, and returns the offset after the last complete record.
func readRecords(f *os.File, hdr int, fn func(off int64, head []byte, data []byte) error) (int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	head := make([]byte, hdr)
	for {
		if _, err := io.ReadFull(r, head); err != nil {
			return off, nil // EOF or torn header: stop at the last whole record
		}
		n := binary.BigEndian.Uint32(head[hdr-4:])
		if n > maxRecord {
			return off, fmt.Errorf("record at offset %d claims %d bytes", off, n)
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return off, nil
		}
		if err := fn(off, head, data); err != nil {
			return off, err
		}
		off += int64(hdr) + int64(n)
	}
}

func (s *FileStorage) recover() error {
	end, err := readRecords(s.leaves, 4, func(off int64, _, _ []byte) error {
		s.offsets = append(s.offsets, off)
		return nil
	})
	if err != nil {
		return fmt.Errorf("leaves: %w", err)
	}
	if err := s.leaves.Truncate(end); err != nil {
		return fmt.Errorf("leaves: cut torn tail: %w", err)
	}
	s.end = end
	fi, err := s.hashes.Stat()
	if err != nil {
		return err
	}
	want := tlog.StoredHashCount(int64(len(s.offsets)))
	have := fi.Size() / tlog.HashSize
	if have < want {
		return fmt.Errorf("hashes file holds %d stored hashes, %d leaves need %d", have, len(s.offsets), want)
	}
	if err := s.hashes.Truncate(want * tlog.HashSize); err != nil {
		return fmt.Errorf("hashes: cut tail: %w", err)
	}
	s.nhashes = want
	cpEnd, err := readRecords(s.cps, 12, func(_ int64, head, data []byte) error {
		s.latest = memCheckpoint{int64(binary.BigEndian.Uint64(head)), data}
		s.haveCP = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	if err := s.cps.Truncate(cpEnd); err != nil {
		return fmt.Errorf("checkpoints: cut torn tail: %w", err)
	}
	s.cpEnd = cpEnd
	return nil
}

// Size implements Storage.
func (s *FileStorage) Size(ctx context.Context) (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return int64(len(s.offsets)), nil
}

// Append implements Storage.
func (s *FileStorage) Append(ctx context.Context, n int64, leaves [][]byte, hashes []tlog.Hash) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n != int64(len(s.offsets)) {
		return fmt.Errorf("append at %d to log of size %d: %w", n, len(s.offsets), ErrConflict)
	}
	if want := tlog.StoredHashCount(n+int64(len(leaves))) - s.nhashes; int64(len(hashes)) != want {
		return fmt.Errorf("append %d leaves at %d: got %d stored hashes, want %d", len(leaves), n, len(hashes), want)
	}
	hb := make([]byte, 0, len(hashes)*tlog.HashSize)
	for _, h := range hashes {
		hb = append(hb, h[:]...)
	}
	var lb []byte
	offs := make([]int64, 0, len(leaves))
	for _, l := range leaves {
		if len(l) > maxRecord {
			return fmt.Errorf("append leaf %d: %d bytes exceeds the limit", n+int64(len(offs)), len(l))
		}
		offs = append(offs, s.end+int64(len(lb)))
		lb = binary.BigEndian.AppendUint32(lb, uint32(len(l)))
		lb = append(lb, l...)
	}
	// On failure, cut what was written so that nothing half-done stays
	// visible; recover would do the same after a crash.
	undo := func(err error) error {
		s.hashes.Truncate(s.nhashes * tlog.HashSize)
		s.leaves.Truncate(s.end)
		return fmt.Errorf("append leaves at %d: %w", n, err)
	}
	if _, err := s.hashes.WriteAt(hb, s.nhashes*tlog.HashSize); err != nil {
		return undo(err)
	}
	if err := s.hashes.Sync(); err != nil {
		return undo(err)
	}
	if _, err := s.leaves.WriteAt(lb, s.end); err != nil {
		return undo(err)
	}
	if err := s.leaves.Sync(); err != nil {
		return undo(err)
	}
	s.offsets = append(s.offsets, offs...)
	s.end += int64(len(lb))
	s.nhashes += int64(len(hashes))
	return nil
}

// ReadHashes implements Storage.
func (s *FileStorage) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]tlog.Hash, len(indexes))
	for i := 0; i < len(indexes); {
		x := indexes[i]
		if x < 0 || x >= s.nhashes {
			return nil, fmt.Errorf("read stored hash %d of %d", x, s.nhashes)
		}
		// Read runs of consecutive indexes with one call.
		j := i + 1
		for j < len(indexes) && indexes[j] == indexes[j-1]+1 && indexes[j] < s.nhashes {
			j++
		}
		buf := make([]byte, (j-i)*tlog.HashSize)
		if _, err := s.hashes.ReadAt(buf, x*tlog.HashSize); err != nil {
			return nil, fmt.Errorf("read stored hashes %d–%d: %w", x, x+int64(j-i)-1, err)
		}
		for k := i; k < j; k++ {
			copy(out[k][:], buf[(k-i)*tlog.HashSize:])
		}
		i = j
	}
	return out, nil
}

// ReadLeaves implements Storage.
func (s *FileStorage) ReadLeaves(ctx context.Context, start int64, count int) ([][]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	size := int64(len(s.offsets))
	if start < 0 || count < 0 || start+int64(count) > size {
		return nil, fmt.Errorf("read leaves [%d, %d) of %d", start, start+int64(count), size)
	}
	if count == 0 {
		return nil, nil
	}
	from := s.offsets[start]
	to := s.end
	if start+int64(count) < size {
		to = s.offsets[start+int64(count)]
	}
	buf := make([]byte, to-from)
	if _, err := s.leaves.ReadAt(buf, from); err != nil {
		return nil, fmt.Errorf("read leaves [%d, %d): %w", start, start+int64(count), err)
	}
	out := make([][]byte, count)
	for i := range out {
		n := binary.BigEndian.Uint32(buf)
		if int64(n)+4 > int64(len(buf)) {
			return nil, fmt.Errorf("read leaf %d: length %d overruns the file", start+int64(i), n)
		}
		out[i] = buf[4 : 4+n : 4+n]
		buf = buf[4+n:]
	}
	return out, nil
}

// AddCheckpoint implements Storage.
func (s *FileStorage) AddCheckpoint(ctx context.Context, size int64, signed []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.haveCP && s.latest.size > size {
		return fmt.Errorf("add checkpoint of size %d after size %d", size, s.latest.size)
	}
	if len(signed) > maxRecord {
		return fmt.Errorf("add checkpoint of size %d: note too large", size)
	}
	b := binary.BigEndian.AppendUint64(nil, uint64(size))
	b = binary.BigEndian.AppendUint32(b, uint32(len(signed)))
	b = append(b, signed...)
	if _, err := s.cps.WriteAt(b, s.cpEnd); err != nil {
		s.cps.Truncate(s.cpEnd)
		return fmt.Errorf("add checkpoint of size %d: %w", size, err)
	}
	if err := s.cps.Sync(); err != nil {
		s.cps.Truncate(s.cpEnd)
		return fmt.Errorf("add checkpoint of size %d: %w", size, err)
	}
	s.cpEnd += int64(len(b))
	s.latest = memCheckpoint{size, append([]byte(nil), signed...)}
	s.haveCP = true
	return nil
}

// Checkpoints implements Storage.
func (s *FileStorage) Checkpoints(ctx context.Context, fn func(int64, []byte) error) error {
	s.mu.RLock()
	end := s.cpEnd
	s.mu.RUnlock()
	r := bufio.NewReaderSize(io.NewSectionReader(s.cps, 0, end), 1<<16)
	head := make([]byte, 12)
	for {
		if _, err := io.ReadFull(r, head); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("read checkpoints: %w", err)
		}
		n := binary.BigEndian.Uint32(head[8:])
		if n > maxRecord {
			return fmt.Errorf("read checkpoints: record claims %d bytes", n)
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return fmt.Errorf("read checkpoints: %w", err)
		}
		if err := fn(int64(binary.BigEndian.Uint64(head)), data); err != nil {
			return err
		}
	}
}

// LatestCheckpoint implements Storage.
func (s *FileStorage) LatestCheckpoint(ctx context.Context) (int64, []byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.haveCP {
		return 0, nil, ErrNoCheckpoint
	}
	return s.latest.size, append([]byte(nil), s.latest.signed...), nil
}

var (
	_ Storage = (*FileStorage)(nil)
	_ Storage = (*MemStorage)(nil)
)
