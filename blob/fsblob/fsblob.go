// Package fsblob is the default blob.Store: a local folder.
//
// Layout: ROOT/sha256/ab/cd/<64 hex digits>, where ab and cd are the first
// two bytes of the hash (fan-out keeps directories small at millions of
// blobs), and ROOT/tmp for uploads in progress. A Put streams into a
// temporary file while hashing, fsyncs it, makes it read-only and links it
// to its final name; link (unlike rename) fails when the name exists, so a
// stored original can never be replaced, even by a concurrent Put of the
// same content. The file names are the hashes, so `sha256sum` run in any
// fan-out directory checks the store by hand.
//
// Written on the standard library only: the whole job is os and
// crypto/sha256, and an evidence store should be readable in thirty years
// without the module graph of today.
package fsblob

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sillok/sillok/blob"
)

// Store is a blob.Store in a local folder. Create it with Open.
type Store struct {
	root         string
	verifyOnRead bool
}

// Option configures Open.
type Option func(*Store)

// VerifyOnRead makes every reader from Get rehash the content and fail
// with blob.ErrCorrupt at EOF if it does not match its name. It costs one
// SHA-256 pass per read; use it where reads leave the building (exports).
func VerifyOnRead() Option { return func(s *Store) { s.verifyOnRead = true } }

// Open opens (creating if needed) the store rooted at dir.
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{root: dir}
	for _, o := range opts {
		o(s)
	}
	for _, d := range []string{s.blobDir(), s.tmpDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("open blob store %s: %w", dir, err)
		}
	}
	return s, nil
}

func (s *Store) blobDir() string { return filepath.Join(s.root, "sha256") }
func (s *Store) tmpDir() string  { return filepath.Join(s.root, "tmp") }

// Path returns the file that holds (or would hold) h. Callers must treat it
// as read-only.
func (s *Store) Path(h blob.Hash) string {
	x := h.String()
	return filepath.Join(s.blobDir(), x[0:2], x[2:4], x)
}

// ctxReader stops a long copy when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Put implements blob.Store.
func (s *Store) Put(ctx context.Context, r io.Reader) (info blob.Info, err error) {
	tmp, err := os.CreateTemp(s.tmpDir(), "put-*")
	if err != nil {
		return info, fmt.Errorf("put blob: create temp file: %w", err)
	}
	tmpName := tmp.Name()
	// The temporary file is removed in every case: on success it has
	// been linked to its final name (or the content was already there).
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		if rerr := os.Remove(tmpName); rerr != nil && err == nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = fmt.Errorf("put blob %s: remove temp file: %w", info.Hash, rerr)
		}
	}()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	n, err := io.CopyBuffer(io.MultiWriter(tmp, h), ctxReader{ctx, r}, buf)
	if err != nil {
		return info, fmt.Errorf("put blob: after %d bytes: %w", n, err)
	}
	copy(info.Hash[:], h.Sum(nil))
	info.Size = n
	if err := tmp.Sync(); err != nil {
		return info, fmt.Errorf("put blob %s: fsync: %w", info.Hash, err)
	}
	if err := tmp.Chmod(0o444); err != nil {
		return info, fmt.Errorf("put blob %s: make read-only: %w", info.Hash, err)
	}
	if err := tmp.Close(); err != nil {
		return info, fmt.Errorf("put blob %s: close temp file: %w", info.Hash, err)
	}
	tmp = nil
	final := s.Path(info.Hash)
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return info, fmt.Errorf("put blob %s: %w", info.Hash, err)
	}
	if err := os.Link(tmpName, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Deduplicated: the stored copy stays as it was.
			return info, nil
		}
		return info, fmt.Errorf("put blob %s: link: %w", info.Hash, err)
	}
	if err := syncDir(dir); err != nil {
		return info, fmt.Errorf("put blob %s: %w", info.Hash, err)
	}
	return info, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return nil
}

// Get implements blob.Store.
func (s *Store) Get(ctx context.Context, h blob.Hash) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.Path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("get blob %s: %w", h, blob.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", h, err)
	}
	if !s.verifyOnRead {
		return f, nil
	}
	return &verifyingReader{f: f, want: h, h: sha256.New()}, nil
}

// verifyingReader hashes what it passes on and turns EOF into ErrCorrupt
// when the content does not match its name.
type verifyingReader struct {
	f    *os.File
	want blob.Hash
	h    hash.Hash
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		var got blob.Hash
		copy(got[:], v.h.Sum(nil))
		if got != v.want {
			return n, fmt.Errorf("read blob %s: content hashes to %s: %w", v.want, got, blob.ErrCorrupt)
		}
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.f.Close() }

// Stat implements blob.Store.
func (s *Store) Stat(ctx context.Context, h blob.Hash) (blob.Info, error) {
	if err := ctx.Err(); err != nil {
		return blob.Info{}, err
	}
	fi, err := os.Stat(s.Path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return blob.Info{}, fmt.Errorf("stat blob %s: %w", h, blob.ErrNotFound)
	}
	if err != nil {
		return blob.Info{}, fmt.Errorf("stat blob %s: %w", h, err)
	}
	return blob.Info{Hash: h, Size: fi.Size()}, nil
}

// Has implements blob.Store.
func (s *Store) Has(ctx context.Context, h blob.Hash) (bool, error) {
	_, err := s.Stat(ctx, h)
	if errors.Is(err, blob.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// List implements blob.Store. Names that are not blob hashes in their
// right fan-out directory are skipped here and reported by Verify.
func (s *Store) List(ctx context.Context, after blob.Hash, fn func(blob.Info) error) error {
	a := after.String()
	l1, err := readDirNames(s.blobDir())
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	for _, d1 := range l1 {
		if len(d1) != 2 || d1 < a[:2] {
			continue
		}
		l2, err := readDirNames(filepath.Join(s.blobDir(), d1))
		if err != nil {
			return fmt.Errorf("list blobs: %w", err)
		}
		for _, d2 := range l2 {
			if len(d2) != 2 || d1+d2 < a[:4] {
				continue
			}
			names, err := readDirNames(filepath.Join(s.blobDir(), d1, d2))
			if err != nil {
				return fmt.Errorf("list blobs: %w", err)
			}
			for _, name := range names {
				if name <= a {
					continue
				}
				h, err := blob.ParseHash(name)
				if err != nil || !strings.HasPrefix(name, d1+d2) {
					continue
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				info, err := s.Stat(ctx, h)
				if err != nil {
					return fmt.Errorf("list blobs: %w", err)
				}
				if err := fn(info); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func readDirNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names, nil
}

// Problem is one finding of Verify. Path is relative to the store root.
type Problem struct {
	Path string
	Hash blob.Hash // zero when the name is not a hash
	Err  error
}

func (p Problem) Error() string { return p.Path + ": " + p.Err.Error() }

// Verify rehashes every stored blob and returns one Problem per file whose
// content no longer matches its name, per stray file in the blob tree, and
// per writable blob file (a hint that something outside Sillok touched
// it). A nil slice means the store is intact. The error is for failures to
// walk the store at all.
func (s *Store) Verify(ctx context.Context) ([]Problem, error) {
	var probs []Problem
	buf := make([]byte, 1<<20)
	err := filepath.WalkDir(s.blobDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, _ := filepath.Rel(s.root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			return nil
		}
		h, perr := blob.ParseHash(d.Name())
		if perr != nil || s.Path(h) != path {
			probs = append(probs, Problem{Path: rel, Err: errors.New("stray file: not a blob at its place")})
			return nil
		}
		got, herr := hashFile(path, buf)
		if herr != nil {
			probs = append(probs, Problem{Path: rel, Hash: h, Err: herr})
			return nil
		}
		if got != h {
			probs = append(probs, Problem{Path: rel, Hash: h, Err: fmt.Errorf("content hashes to %s: %w", got, blob.ErrCorrupt)})
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o222 != 0 {
			probs = append(probs, Problem{Path: rel, Hash: h, Err: fmt.Errorf("file is writable (mode %v)", fi.Mode().Perm())})
		}
		return nil
	})
	if err != nil {
		return probs, fmt.Errorf("verify blob store %s: %w", s.root, err)
	}
	return probs, nil
}

func hashFile(path string, buf []byte) (blob.Hash, error) {
	var h blob.Hash
	f, err := os.Open(path)
	if err != nil {
		return h, err
	}
	defer f.Close()
	d := sha256.New()
	if _, err := io.CopyBuffer(d, f, buf); err != nil {
		return h, fmt.Errorf("read: %w", err)
	}
	copy(h[:], d.Sum(nil))
	return h, nil
}

var _ blob.Store = (*Store)(nil)
