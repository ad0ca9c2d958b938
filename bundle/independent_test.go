package bundle_test

// The independent check: a verifier written only from the bundle's README
// and the public formats, using nothing of Sillok's and nothing of x/mod
// but tlog.CheckRecord, tlog.CheckTree and note.Open (with
// note.NewVerifier to load the key). If Sillok's own Verify and this
// disagree, one of them is wrong.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type indepResult struct {
	size   int64
	root   tlog.Hash
	events int
}

func independentCheck(t *testing.T, dir string) indepResult {
	t.Helper()
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(read("key.pub"))))
	if err != nil {
		t.Fatal(err)
	}
	// Manifest: every file's SHA-256.
	mn, err := note.Open(read("MANIFEST"), note.VerifierList(v))
	if err != nil {
		t.Fatalf("MANIFEST signature: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(mn.Text, "\n"), "\n")
	if lines[0] != "sillok bundle manifest v1" {
		t.Fatalf("manifest header %q", lines[0])
	}
	for _, l := range lines[1:] {
		want, path, _ := strings.Cut(l, "  ")
		sum := sha256.Sum256(read(path))
		if hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s: hash mismatch", path)
		}
	}
	if len(lines)-1+1 != countFiles(t, dir) {
		t.Errorf("manifest lists %d files, bundle has %d besides MANIFEST", len(lines)-1, countFiles(t, dir)-1)
	}
	// Checkpoint: origin, size, base64 root.
	cn, err := note.Open(read("checkpoint"), note.VerifierList(v))
	if err != nil {
		t.Fatalf("checkpoint signature: %v", err)
	}
	cl := strings.Split(cn.Text, "\n")
	size, err := strconv.ParseInt(cl[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	var root tlog.Hash
	rb, err := base64.StdEncoding.DecodeString(cl[2])
	if err != nil || len(rb) != 32 {
		t.Fatalf("root %q", cl[2])
	}
	copy(root[:], rb)
	// Each event against the root, twice: with tlog.CheckRecord and with
	// the README's algorithm written out here.
	ents, err := os.ReadDir(filepath.Join(dir, "events"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		n, err := strconv.ParseInt(strings.TrimSuffix(e.Name(), ".json"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		data := read("events/" + e.Name())
		leaf := sha256.Sum256(append([]byte{0}, data...))
		var proof tlog.RecordProof
		for _, l := range strings.Fields(string(read("proofs/" + strconv.FormatInt(n, 10) + ".txt"))) {
			b, err := base64.StdEncoding.DecodeString(l)
			if err != nil || len(b) != 32 {
				t.Fatalf("proof line %q", l)
			}
			proof = append(proof, tlog.Hash(b))
		}
		if err := tlog.CheckRecord(proof, size, root, n, leaf); err != nil {
			t.Errorf("event %d: tlog.CheckRecord: %v", n, err)
		}
		if !readmeInclusion(proof, size, root, n, leaf) {
			t.Errorf("event %d: the README's algorithm rejects the proof", n)
		}
	}
	return indepResult{size: size, root: root, events: len(ents)}
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	return n
}

// readmeInclusion is step 4 of README.txt (RFC 9162, 2.1.3.2).
func readmeInclusion(proof []tlog.Hash, size int64, root tlog.Hash, i int64, h [32]byte) bool {
	if i >= size {
		return false
	}
	node := func(l, r [32]byte) [32]byte {
		return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
	}
	fn, sn := i, size-1
	for _, p := range proof {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			h = node(p, h)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			h = node(h, p)
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && h == root
}

func TestIndependentCheck(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 9)
	dir := f.export(t)
	got := independentCheck(t, dir)
	if got.events != 12 {
		t.Errorf("checked %d events, want 12", got.events)
	}
	// The log grows after the export; a consistency proof shows that the
	// later tree contains the bundle's, checked with tlog.CheckTree.
	for i := range 5 {
		f.log.Append(ctx, f.logEvent(i))
	}
	later, _ := f.log.Latest()
	p, err := f.log.ProveConsistency(ctx, got.size, later.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(p, later.Size, later.Root, got.size, got.root); err != nil {
		t.Errorf("tlog.CheckTree(%d → %d): %v", got.size, later.Size, err)
	}
	var wrong tlog.Hash
	if err := tlog.CheckTree(p, later.Size, later.Root, got.size, wrong); err == nil {
		t.Error("CheckTree accepted a wrong old root")
	}
	// A changed event fails the independent check too (the README's
	// algorithm is not trivially true).
	leaf := sha256.Sum256([]byte{0, 'x'})
	if readmeInclusion(nil, got.size, got.root, 0, leaf) {
		t.Error("README algorithm accepts an empty proof for a wrong leaf")
	}
}

// TestReadmeShellCommands runs step 2 of README.txt with the system's sh,
// awk and sha256sum, where they exist.
func TestReadmeShellCommands(t *testing.T) {
	for _, tool := range []string{"sh", "awk", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	f := newFixture(t, 3)
	dir := f.export(t)
	for _, script := range []string{
		`awk 'NR>1 && /^$/ {exit} NR>1' MANIFEST | sha256sum -c`,
		`cd blobs && for f in *; do echo "$f  $f"; done | sha256sum -c`,
	} {
		if !strings.Contains(readmeText(t, dir), script) {
			t.Fatalf("README no longer contains %q", script)
		}
		out, err := exec.Command("sh", "-c", "cd "+dir+" && "+script).CombinedOutput()
		if err != nil || bytes.Contains(out, []byte("FAILED")) {
			t.Errorf("%s: %v\n%s", script, err, out)
		}
		// And it catches a change.
		p := filepath.Join(dir, "README.txt")
		orig, _ := os.ReadFile(p)
		os.WriteFile(p, append(orig, '!'), 0o644)
		blobs, _ := os.ReadDir(filepath.Join(dir, "blobs"))
		bp := filepath.Join(dir, "blobs", blobs[0].Name())
		borig, _ := os.ReadFile(bp)
		os.Chmod(bp, 0o644)
		os.WriteFile(bp, append(borig, '!'), 0o644)
		if out, err := exec.Command("sh", "-c", "cd "+dir+" && "+script).CombinedOutput(); err == nil {
			t.Errorf("%s passed a changed bundle:\n%s", script, out)
		}
		os.WriteFile(p, orig, 0o644)
		os.WriteFile(bp, borig, 0o644)
	}
}

func readmeText(t *testing.T, dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "README.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
