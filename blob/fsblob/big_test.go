package fsblob

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These runs write gigabytes, so they are off by default:
//
//	go test ./blob/fsblob -run TestIngestVsSha256sum -ingest.size 1024 -v
//	go test ./blob/fsblob -run TestFlatMemory -flat.size 2048 -v
var (
	ingestMiB = flag.Int("ingest.size", 0, "MiB: compare Put throughput with sha256sum on a file of this size (0 skips)")
	flatMiB   = flag.Int("flat.size", 0, "MiB: put and get a blob of this size and report peak RSS (0 skips)")
)

// writeRandomFile writes size bytes of pseudo-random data (incompressible,
// so no filesystem shortcut flatters the figures).
func writeRandomFile(t testing.TB, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := io.Copy(w, io.LimitReader(rand.NewChaCha8([32]byte{7}), size)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestIngestVsSha256sum(t *testing.T) {
	if *ingestMiB == 0 {
		t.Skip("set -ingest.size MiB to run")
	}
	size := int64(*ingestMiB) << 20
	dir := t.TempDir()
	src := filepath.Join(dir, "original.bin")
	writeRandomFile(t, src, size)

	start := time.Now()
	out, err := exec.Command("sha256sum", src).Output()
	if err != nil {
		t.Fatalf("sha256sum: %v", err)
	}
	plain := time.Since(start)

	s, err := Open(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	info, err := s.Put(context.Background(), f)
	ingest := time.Since(start)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Fields(string(out))[0]; info.Hash.String() != want {
		t.Fatalf("Put hash %s, sha256sum %s", info.Hash, want)
	}
	mbps := func(d time.Duration) float64 { return float64(size) / (1 << 20) / d.Seconds() }
	t.Logf("%d MiB: sha256sum %v (%.0f MiB/s), fsblob Put (hash+copy+fsync) %v (%.0f MiB/s), ratio Put/sha256sum %.2f",
		*ingestMiB, plain, mbps(plain), ingest, mbps(ingest), ingest.Seconds()/plain.Seconds())
}

func peakRSS(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}

// TestFlatMemory streams a generated blob in and out without ever holding
// it; the peak resident set of the whole test process is the figure.
func TestFlatMemory(t *testing.T) {
	if *flatMiB == 0 {
		t.Skip("set -flat.size MiB to run")
	}
	size := int64(*flatMiB) << 20
	s, err := Open(t.TempDir(), VerifyOnRead())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before := peakRSS(t)
	info, err := s.Put(ctx, io.LimitReader(rand.NewChaCha8([32]byte{9}), size))
	if err != nil {
		t.Fatal(err)
	}
	afterPut := peakRSS(t)
	rc, err := s.Get(ctx, info.Hash)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, rc)
	rc.Close()
	if err != nil || n != size {
		t.Fatalf("read back %d bytes: %v", n, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != info.Hash.String() {
		t.Fatal("read back different content")
	}
	t.Logf("%d MiB blob %s: peak RSS before %s, after Put %s, after verified Get %s", *flatMiB, info.Hash, before, afterPut, peakRSS(t))
}

func BenchmarkPut(b *testing.B) {
	const size = 64 << 20
	dir := b.TempDir()
	src := filepath.Join(dir, "src.bin")
	writeRandomFile(b, src, size)
	b.SetBytes(size)
	for i := 0; b.Loop(); i++ {
		s, err := Open(filepath.Join(dir, "store", string(rune('a'+i%26))))
		if err != nil {
			b.Fatal(err)
		}
		f, _ := os.Open(src)
		if _, err := s.Put(context.Background(), f); err != nil {
			b.Fatal(err)
		}
		f.Close()
		b.StopTimer()
		os.RemoveAll(filepath.Join(dir, "store"))
		b.StartTimer()
	}
}
