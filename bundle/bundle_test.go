package bundle_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/bundle"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/custody/custodytest"
	"golang.org/x/mod/sumdb/tlog"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func verify(t *testing.T, dir string, opt bundle.Options) *bundle.Report {
	t.Helper()
	r, err := bundle.Verify(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func problems(r *bundle.Report) string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.Error() + "\n")
	}
	return b.String()
}

func bundleFiles(t *testing.T, dir string) []string {
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	return files
}

func TestWriteVerify(t *testing.T) {
	f := newFixture(t, 7)
	dir := f.export(t)
	r := verify(t, dir, bundle.Options{Key: f.key.VerifierKey})
	if !r.OK() {
		t.Fatalf("fresh bundle fails:\n%s", problems(r))
	}
	// 7 originals + 3 redactions; 7 received + 3 derivative events.
	if r.Items != 7 || r.Blobs != 10 || r.Events != 10 || r.KeyFrom != "pinned" {
		t.Errorf("report: %s", r)
	}
	if !strings.HasPrefix(r.String(), "bundle OK: 7 items, 10 blobs") {
		t.Errorf("summary %q", r)
	}
	// The protected item's event carries no bare hash of its original.
	ev1, _ := os.ReadFile(filepath.Join(dir, "events", fmt.Sprint(f.items[1].Events[0])+".json"))
	if strings.Contains(string(ev1), f.items[1].SHA256.String()) || !strings.Contains(string(ev1), `"commitment"`) {
		t.Errorf("protected event: %s", ev1)
	}
}

// TestTamperEveryFile changes one byte in every file of a bundle in turn
// (first, middle and last byte) and requires Verify to fail naming that
// file.
func TestTamperEveryFile(t *testing.T) {
	f := newFixture(t, 4)
	clean := f.export(t)
	files := bundleFiles(t, clean)
	if len(files) < 10 {
		t.Fatalf("only %d files", len(files))
	}
	for _, rel := range files {
		orig, err := os.ReadFile(filepath.Join(clean, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, off := range []int{0, len(orig) / 2, len(orig) - 1} {
			if len(orig) == 0 {
				continue
			}
			mod := append([]byte(nil), orig...)
			mod[off] ^= 0x01
			p := filepath.Join(clean, rel)
			os.Chmod(p, 0o644)
			os.WriteFile(p, mod, 0o644)
			r := verify(t, clean, bundle.Options{})
			os.WriteFile(p, orig, 0o644)
			if r.OK() {
				t.Errorf("%s byte %d changed: bundle still verifies", rel, off)
				continue
			}
			// The failing file is named (a changed key.pub can only show
			// as the key or the signatures failing).
			named := false
			for _, pr := range r.Problems {
				named = named || pr.Path == rel
			}
			if !named {
				t.Errorf("%s byte %d changed: problems do not name it:\n%s", rel, off, problems(r))
			}
		}
	}
	if r := verify(t, clean, bundle.Options{}); !r.OK() {
		t.Fatalf("restored bundle fails:\n%s", problems(r))
	}
}

func TestTamperStructure(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		want   string
	}{
		{"event dropped", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "events", "2.json"))
			os.Remove(filepath.Join(dir, "proofs", "2.txt"))
		}, "events/2.json: listed in MANIFEST but missing"},
		{"proof dropped", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "proofs", "0.txt"))
		}, "proofs/0.txt: listed in MANIFEST but missing"},
		{"blob dropped", func(t *testing.T, dir string) {
			ents, _ := os.ReadDir(filepath.Join(dir, "blobs"))
			os.Remove(filepath.Join(dir, "blobs", ents[0].Name()))
		}, "listed in MANIFEST but missing"},
		{"file added", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "items", "ev-9999.json"), []byte("{}"), 0o644)
		}, "items/ev-9999.json: not listed in MANIFEST"},
		{"manifest re-signed by another key", func(t *testing.T, dir string) {
			k, _ := custody.GenerateKeyFile(filepath.Join(t.TempDir(), "k"), "sillok.example/fixture")
			os.WriteFile(filepath.Join(dir, "key.pub"), []byte(k.VerifierKey+"\n"), 0o644)
		}, "MANIFEST: signature"},
		{"second signature appended to checkpoint", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "checkpoint")
			b, _ := os.ReadFile(p)
			b = append(b, []byte("— other.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")...)
			os.WriteFile(p, b, 0o644)
		}, "checkpoint: invalid checkpoint: want exactly one signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 4)
			dir := f.export(t)
			tt.change(t, dir)
			r := verify(t, dir, bundle.Options{})
			if r.OK() || !strings.Contains(problems(r), tt.want) {
				t.Errorf("want a problem containing %q, got:\n%s", tt.want, problems(r))
			}
		})
	}
}

func TestPinnedKey(t *testing.T) {
	f := newFixture(t, 2)
	dir := f.export(t)
	other, _ := custody.GenerateKeyFile(filepath.Join(t.TempDir(), "k"), "sillok.example/fixture")
	r := verify(t, dir, bundle.Options{Key: other.VerifierKey})
	if r.OK() || !strings.Contains(problems(r), "key.pub: is not the trusted key") {
		t.Errorf("bundle verified against another trusted key:\n%s", problems(r))
	}
	if r := verify(t, dir, bundle.Options{}); !r.OK() || r.KeyFrom != "bundle" {
		t.Errorf("unpinned: %s %s", r, problems(r))
	}
}

func TestWriteRefuses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	dir := f.export(t)
	proofs, _, signed, err := f.log.Prove(ctx, []int64{0, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	x := bundle.Export{Items: f.items, Events: proofs, Checkpoint: signed, Key: f.key}
	if _, err := bundle.Write(ctx, dir, x, f.store); err == nil {
		t.Error("Write into a non-empty directory succeeded")
	}
	// A proof that does not match its event.
	bad := append([]custody.EventProof(nil), proofs...)
	bad[1].Data = bad[0].Data
	if _, err := bundle.Write(ctx, filepath.Join(t.TempDir(), "b"), bundle.Export{Items: f.items, Events: bad, Checkpoint: signed, Key: f.key}, f.store); err == nil || !strings.Contains(err.Error(), "event 1") {
		t.Errorf("Write with a wrong proof: %v", err)
	}
	// An item whose events were not exported.
	if _, err := bundle.Write(ctx, filepath.Join(t.TempDir(), "b"), bundle.Export{Items: f.items, Events: proofs[:1], Checkpoint: signed, Key: f.key}, f.store); err == nil {
		t.Error("Write with missing events succeeded")
	}
	// A corrupt original in the store stops the export and is named.
	h := f.items[2].SHA256
	p := f.store.Path(h)
	os.Chmod(p, 0o644)
	os.WriteFile(p, []byte("changed on disk"), 0o444)
	_, err = bundle.Write(ctx, filepath.Join(t.TempDir(), "b"), x, f.store)
	if err == nil || !strings.Contains(err.Error(), h.String()) {
		t.Errorf("Write with a corrupt blob: %v", err)
	}
}

func TestReadmeGolden(t *testing.T) {
	f := newFixture(t, 1)
	dir := f.export(t)
	got, _ := os.ReadFile(filepath.Join(dir, bundle.ReadmeFile))
	// Key and root differ per run; normalise them.
	cp, _ := os.ReadFile(filepath.Join(dir, bundle.CheckpointFile))
	lines := strings.Split(string(cp), "\n")
	norm := strings.ReplaceAll(string(got), lines[2], "<ROOT>")
	norm = strings.ReplaceAll(norm, f.key.VerifierKey, "<KEY>")
	golden := filepath.Join("testdata", "README.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, []byte(norm), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if norm != string(want) {
		t.Errorf("README differs from %s (run with -update after checking):\n%s", golden, norm)
	}
}

func TestParseProofAndManifest(t *testing.T) {
	p := tlog.RecordProof{tlog.RecordHash([]byte("a")), tlog.RecordHash([]byte("b"))}
	back, err := bundle.ParseProof(bundle.FormatProof(p))
	if err != nil || len(back) != 2 || back[0] != p[0] || back[1] != p[1] {
		t.Fatalf("proof round trip: %v %v", back, err)
	}
	for _, bad := range []string{"x\n", string(bundle.FormatProof(p))[:10], string(bundle.FormatProof(p)) + "\n"} {
		if _, err := bundle.ParseProof([]byte(bad)); err == nil {
			t.Errorf("ParseProof accepted %q", bad)
		}
	}
	m := bundle.Manifest{"a/b": blob.Sum([]byte("1")), "README.txt": blob.Sum(nil)}
	mb, err := bundle.ParseManifest(m.Text())
	if err != nil || len(mb) != 2 || mb["a/b"] != m["a/b"] {
		t.Fatalf("manifest round trip: %v %v", mb, err)
	}
	h := blob.Sum(nil).String()
	for _, bad := range []string{
		"sillok bundle manifest v2\n",
		"sillok bundle manifest v1\n" + h + "  ../etc/passwd\n",
		"sillok bundle manifest v1\n" + h + "  /abs\n",
		"sillok bundle manifest v1\n" + h + "  b\n" + h + "  a\n",
		"sillok bundle manifest v1\n" + h + "  a\n" + h + "  a\n",
		"sillok bundle manifest v1\n" + h + " a\n",
		"sillok bundle manifest v1\n" + h + "  MANIFEST\n",
		"sillok bundle manifest v1\n" + h + "  a",
	} {
		if _, err := bundle.ParseManifest([]byte(bad)); err == nil {
			t.Errorf("ParseManifest accepted %q", bad)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add(bundle.Manifest{"blobs/x": blob.Sum(nil), "README.txt": blob.Sum([]byte("r"))}.Text())
	f.Fuzz(func(t *testing.T, text []byte) {
		m, err := bundle.ParseManifest(text)
		if err != nil {
			return
		}
		if string(m.Text()) != string(text) {
			t.Fatalf("accepted %q, formats as %q", text, m.Text())
		}
	})
}

func FuzzParseProof(f *testing.F) {
	f.Add(bundle.FormatProof(tlog.RecordProof{tlog.RecordHash(nil)}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := bundle.ParseProof(data)
		if err != nil {
			return
		}
		if string(bundle.FormatProof(p)) != string(data) {
			t.Fatalf("accepted %q, formats as %q", data, bundle.FormatProof(p))
		}
	})
}

func FuzzParseItem(f *testing.F) {
	f.Add([]byte(`{"id":"ev-1","sha256":"` + blob.Sum(nil).String() + `","size":0,"events":[0]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := bundle.ParseItem(data)
		if err != nil {
			return
		}
		if it.ID == "" || strings.ContainsAny(it.ID, "/\\") || it.SHA256.IsZero() {
			t.Fatalf("accepted item with id %q hash %v", it.ID, it.SHA256)
		}
	})
}

var sampleOut = flag.String("sample.out", "", "write a sample bundle of 5 items to this `dir` (for trying `sillok verify`)")

func TestWriteSample(t *testing.T) {
	if *sampleOut == "" {
		t.Skip("set -sample.out DIR")
	}
	f := newFixture(t, 5)
	dir := f.export(t)
	if err := os.CopyFS(*sampleOut, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(*sampleOut+".key.pub", []byte(f.key.VerifierKey+"\n"), 0o644)
}

// TestTamperEveryByteOfNotes flips the lowest bit of every byte of the
// checkpoint, the key, the manifest's signature line (where a lenient
// base64 decoder could hide a change in the padding bits) and one event
// and one proof. (Other manifest lines are plain hashes, covered by
// TestTamperEveryFile.)
func TestTamperEveryByteOfNotes(t *testing.T) {
	f := newFixture(t, 2)
	dir := f.export(t)
	for _, rel := range []string{"MANIFEST", "checkpoint", "key.pub", "events/0.json", "proofs/0.txt"} {
		p := filepath.Join(dir, rel)
		orig, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		from := 0
		if rel == "MANIFEST" {
			from = bytes.LastIndex(orig, []byte("\n\n")) + 2
		}
		passed := 0
		for i := from; i < len(orig); i++ {
			for _, bit := range []int{0} {
				mod := append([]byte(nil), orig...)
				mod[i] ^= 1 << bit
				os.WriteFile(p, mod, 0o644)
				r, err := bundle.Verify(context.Background(), dir, bundle.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if r.OK() {
					passed++
					if passed < 4 {
						t.Errorf("%s: byte %d bit %d flipped, bundle still verifies", rel, i, bit)
					}
				}
			}
		}
		os.WriteFile(p, orig, 0o644)
		if passed > 0 {
			t.Errorf("%s: %d single-bit changes went unnoticed", rel, passed)
		}
	}
}

func TestTimestampedBundle(t *testing.T) {
	ctx := context.Background()
	tsa := custodytest.NewOpenSSLTSA(t)
	f := newFixture(t, 3)
	var idx []int64
	for _, it := range f.items {
		idx = append(idx, it.Events...)
	}
	proofs, cp, signed, err := f.log.Prove(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	token, when, err := custody.Timestamp(ctx, tsa, cp, tsa.Roots)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "b")
	x := bundle.Export{Items: f.items, Events: proofs, Checkpoint: signed, Key: f.key, Timestamp: token}
	if _, err := bundle.Write(ctx, dir, x, f.store); err != nil {
		t.Fatal(err)
	}
	r := verify(t, dir, bundle.Options{TSARoots: tsa.Roots})
	if !r.OK() || !r.Timestamp.Equal(when) || !r.TimestampTrusted || !strings.Contains(r.String(), "TSA trusted") {
		t.Fatalf("timestamped bundle: %s\n%s", r, problems(r))
	}
	if r := verify(t, dir, bundle.Options{}); !r.OK() || r.TimestampTrusted {
		t.Errorf("without roots: %s %s", r, problems(r))
	}
	if r := verify(t, dir, bundle.Options{TSARoots: x509.NewCertPool()}); r.OK() || !strings.Contains(problems(r), "checkpoint.tsr") {
		t.Errorf("untrusted TSA accepted: %s", problems(r))
	}
	// Step 6 of the README, run as written.
	script := "awk '/^$/ {exit} {print}' checkpoint > " + filepath.Join(t.TempDir(), "cp.txt")
	if !strings.Contains(readmeText(t, dir), "awk '/^$/ {exit} {print}' checkpoint > checkpoint.txt") {
		t.Fatal("README step 6 changed; update this test")
	}
	txt := strings.TrimPrefix(script, "awk '/^$/ {exit} {print}' checkpoint > ")
	cmd := exec.Command("sh", "-c", script+" && openssl ts -verify -token_in -in checkpoint.tsr -data "+txt+" -CAfile "+filepath.Join(tsa.Dir, "ca.crt"))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("README step 6: %v\n%s", err, out)
	}

	// A token for another checkpoint is refused at export.
	other := cp
	other.Size--
	tok2, _, err := custody.Timestamp(ctx, tsa, other, tsa.Roots)
	if err != nil {
		t.Fatal(err)
	}
	x.Timestamp = tok2
	if _, err := bundle.Write(ctx, filepath.Join(t.TempDir(), "c"), x, f.store); err == nil {
		t.Error("Write accepted a timestamp of another checkpoint")
	}
}
