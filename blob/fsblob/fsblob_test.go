package fsblob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/blob/blobtest"
)

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := Open(t.TempDir(), VerifyOnRead())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func mustPut(t *testing.T, s *Store, data string) blob.Info {
	t.Helper()
	info, err := s.Put(context.Background(), strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// flipByte changes one byte of a stored blob the way a disk error or a
// hand edit would, bypassing the read-only mode.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
}

func TestLayoutAndReadOnly(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	info := mustPut(t, s, "abc")
	// sha256("abc") is the FIPS 180-2 example value.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if info.Hash.String() != want {
		t.Fatalf("hash = %s, want %s", info.Hash, want)
	}
	path := filepath.Join(dir, "sha256", "ba", "78", want)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("blob not at %s: %v", path, err)
	}
	if fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("stored blob is writable: %v", fi.Mode())
	}
	tmp, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(tmp) != 0 {
		t.Errorf("temp dir holds %d files after Put", len(tmp))
	}
}

func TestVerifyNamesCorruptBlob(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	good := mustPut(t, s, "untouched original")
	bad := mustPut(t, s, "original that a disk error will change")
	if probs, err := s.Verify(ctx); err != nil || len(probs) != 0 {
		t.Fatalf("Verify on intact store = %v, %v", probs, err)
	}
	flipByte(t, s.Path(bad.Hash), 5)
	os.WriteFile(filepath.Join(dir, "sha256", "stray.txt"), []byte("x"), 0o444)

	probs, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var corrupt, stray int
	for _, p := range probs {
		switch {
		case p.Hash == bad.Hash && errors.Is(p.Err, blob.ErrCorrupt):
			corrupt++
			if !strings.Contains(p.Error(), bad.Hash.String()) {
				t.Errorf("problem %q does not name the blob", p.Error())
			}
		case p.Hash == good.Hash:
			t.Errorf("intact blob reported: %v", p)
		case strings.HasSuffix(p.Path, "stray.txt"):
			stray++
		default:
			t.Errorf("unexpected problem %v", p)
		}
	}
	if corrupt != 1 || stray != 1 {
		t.Errorf("Verify found %d corrupt, %d stray; want 1, 1: %v", corrupt, stray, probs)
	}

	// Verify-on-read catches the same change at the end of the stream.
	vs, _ := Open(dir, VerifyOnRead())
	rc, err := vs.Get(ctx, bad.Hash)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	if !errors.Is(err, blob.ErrCorrupt) {
		t.Errorf("verifying read of corrupt blob: err = %v, want ErrCorrupt", err)
	}
	rc, _ = vs.Get(ctx, good.Hash)
	if b, err := io.ReadAll(rc); err != nil || string(b) != "untouched original" {
		t.Errorf("verifying read of good blob = %q, %v", b, err)
	}
	rc.Close()

	// Putting the genuine bytes again must not silently replace the
	// corrupted file: the store never rewrites, Verify keeps reporting.
	mustPut(t, s, "original that a disk error will change")
	probs, _ = s.Verify(ctx)
	found := false
	for _, p := range probs {
		found = found || p.Hash == bad.Hash
	}
	if !found {
		t.Error("re-Put hid the corruption")
	}
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	a, _ := Open(t.TempDir())
	b, _ := Open(t.TempDir())
	info := mustPut(t, a, "move me")
	if got, err := blob.Copy(ctx, b, a, info.Hash); err != nil || got != info {
		t.Fatalf("Copy = %+v, %v", got, err)
	}
	if _, err := blob.Copy(ctx, b, a, blob.Sum([]byte("absent"))); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Copy(absent) = %v", err)
	}
}

func TestParseHash(t *testing.T) {
	h := blob.Sum([]byte("x"))
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{h.String(), true},
		{strings.ToUpper(h.String()), false},
		{h.String()[:63], false},
		{h.String() + "0", false},
		{strings.Repeat("g", 64), false},
		{"", false},
	} {
		got, err := blob.ParseHash(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != h) {
			t.Errorf("ParseHash(%q) = %v, %v; ok want %v", tc.in, got, err, tc.ok)
		}
	}
	if _, err := blob.ParseHash(strings.Repeat("0", 64)); err != nil {
		t.Error(err)
	}
	var buf bytes.Buffer
	buf.WriteString(h.String())
	var back blob.Hash
	if err := back.UnmarshalText(buf.Bytes()); err != nil || back != h {
		t.Errorf("UnmarshalText round trip = %v, %v", back, err)
	}
}

func TestPutDetect(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2000)...)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"png", png, "image/png"},
		{"pdf", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"text", []byte("증언 기록"), "text/plain; charset=utf-8"},
		{"empty", nil, "text/plain; charset=utf-8"},
	} {
		info, mt, err := blob.PutDetect(context.Background(), s, bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if mt != tc.want || info.Hash != blob.Sum(tc.data) || info.Size != int64(len(tc.data)) {
			t.Errorf("%s: %s %d %q, want %s %d %q", tc.name, info.Hash, info.Size, mt, blob.Sum(tc.data), len(tc.data), tc.want)
		}
	}
}
