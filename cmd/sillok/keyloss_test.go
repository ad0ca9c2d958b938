package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/protect"
)

// cliFails runs a command that must fail and returns its exit code.
func (p *product) cliFails(args ...string) int {
	p.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append(append([]string{}, p.global...), args...), strings.NewReader(""), &out, &errb)
	if code == 0 {
		p.t.Fatalf("sillok %s succeeded; want a failure", args[0])
	}
	return code
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, fi.Mode().Perm()) // the blob store keeps files read-only
	})
	if err != nil {
		t.Fatal(err)
	}
}

// findOne returns the ID of the one search hit of query in kind.
func (p *product) findOne(kind, query string) string {
	p.t.Helper()
	var res struct {
		Hits []struct {
			Record struct{ ID string } `json:"record"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(p.cli("", "search", "--json", "--kind", kind, query)), &res); err != nil || len(res.Hits) != 1 {
		p.t.Fatalf("search %s: %v, %d hits", kind, err, len(res.Hits))
	}
	return res.Hits[0].Record.ID
}

// opensAs checks that show --purpose opens person id with the given
// first name.
func (p *product) opensAs(id, name string) {
	p.t.Helper()
	var shown struct {
		Protected struct {
			Names []sillok.Name `json:"names"`
		} `json:"protected"`
	}
	if err := json.Unmarshal([]byte(p.cli("", "show", "--purpose", "key recovery drill", id)), &shown); err != nil ||
		len(shown.Protected.Names) == 0 || shown.Protected.Names[0].Value != name {
		p.t.Fatalf("show --purpose %s: %v", id, err)
	}
}

// TestKeyLossAndRecovery walks docs/keys.md: the database is lost (key
// files, an export and the blob folder restore everything); the
// organisation's key file is lost (the recovery key and the escrow give
// it back); both are lost (the protected fields are gone).
func TestKeyLossAndRecovery(t *testing.T) {
	setActor(t)
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	p := &product{t: t, global: []string{"--data", a}, logPath: filepath.Join(dir, "a.log")}
	photo := stolenScenario(t, p, a, "")
	backup := filepath.Join(dir, "backup.jsonl")
	p.cli("", "export", "--out", backup)
	// The operator moved the recovery key offline as told.
	offline := filepath.Join(dir, "offline")
	os.Mkdir(offline, 0o700)
	if err := os.Rename(filepath.Join(a, "keys", protect.RecoveryKeyFile), filepath.Join(offline, protect.RecoveryKeyFile)); err != nil {
		t.Fatal(err)
	}

	// 1. The database is lost. The key directory and the blob folder
	// were backed up; the export is restored into a new repository.
	b := filepath.Join(dir, "b")
	copyTree(t, filepath.Join(a, "keys"), filepath.Join(b, "keys"))
	copyTree(t, filepath.Join(a, "blobs"), filepath.Join(b, "blobs"))
	os.RemoveAll(a)
	q := &product{t: t, global: []string{"--data", b}, logPath: filepath.Join(dir, "b.log")}
	if out := q.cli("", "import", backup); !strings.Contains(out, "imported") {
		t.Fatalf("import: %s", out)
	}
	w0, w1 := stolenWitnesses[0], stolenWitnesses[1]
	pid0, pid1 := q.findOne("person", w0.hangul), q.findOne("person", w1.romanized)
	q.opensAs(pid0, w0.hangul)
	q.opensAs(pid1, w1.hangul)
	checkPhoto(t, b, photo)

	// 2. The organisation's key file is lost: protected fields do not
	// open, until the recovery key and the escrow give the key back.
	os.Remove(filepath.Join(b, "keys", "ngo-a.key"))
	q.cliFails("show", "--purpose", "key recovery drill", pid0)
	out := q.cli("", "key", "recover", "--org", "ngo-a", "--recovery-key", filepath.Join(offline, protect.RecoveryKeyFile))
	if !strings.Contains(out, "re-wrapped 4 records") {
		t.Fatalf("recover: %s", out)
	}
	q.opensAs(pid0, w0.hangul)
	if q.findOne("person", w1.hangul) != pid1 { // same secret: blind indexes still valid
		t.Fatal("blind index lost with the key")
	}
	checkPhoto(t, b, photo)
	if out := q.cli("", "log", "verify"); !strings.HasPrefix(out, "ok") {
		t.Fatalf("log verify: %s", out)
	}

	// 3. Key file and recovery key both lost: a new key opens nothing.
	os.Remove(filepath.Join(b, "keys", "ngo-a.key"))
	os.Remove(filepath.Join(offline, protect.RecoveryKeyFile))
	q.cli("", "key", "new", "--org", "ngo-a")
	q.cliFails("show", "--purpose", "key recovery drill", pid0)
	kr, err := protect.LoadKeyring(filepath.Join(b, "keys"), nil, nil, keyFilesOfOthers...)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{dataDir: b, stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	r, err := e.openRepo(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec, err := r.Store.Get(context.Background(), sillok.ID(pid0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Reveal(rec.ID, rec.Body); err == nil {
		t.Fatal("a new key opened a record sealed before both keys were lost")
	}
}

// checkPhoto opens the sealed photo of the first witness's testimony from
// the blob folder of the repository in dir with its key file.
func checkPhoto(t *testing.T, dir string, photo []byte) {
	t.Helper()
	ctx := context.Background()
	kr, err := protect.LoadKeyring(filepath.Join(dir, "keys"), nil, nil, keyFilesOfOthers...)
	if err != nil || kr == nil {
		t.Fatalf("load keys: %v", err)
	}
	e := &env{dataDir: dir, stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	r, err := e.openRepo(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var found bool
	err = sillok.Each(ctx, r.Store, sillok.Filter{Kind: sillok.KindSource}, func(rec *sillok.Record) error {
		src := rec.Body.(*sillok.Source)
		if len(src.Evidence) == 0 {
			return nil
		}
		k := kr.KeyFor(src.Sealed)
		if k == nil {
			t.Fatal("no key opens the testimony")
		}
		f, err := k.OpenSource(rec.ID, src)
		if err != nil {
			return err
		}
		key, _ := k.RecordKey(src.Sealed)
		h, err := blob.ParseHash(f.Evidence[0].CipherSHA256)
		if err != nil {
			return err
		}
		rc, err := r.Blobs.Get(ctx, h)
		if err != nil {
			return err
		}
		defer rc.Close()
		var out bytes.Buffer
		if err := protect.OpenBlob(ctx, &out, rc, rec.ID, key, f.Evidence[0]); err != nil {
			return err
		}
		found = bytes.Equal(out.Bytes(), photo) && f.Evidence[0].MediaType == "image/jpeg"
		return nil
	})
	if err != nil || !found {
		t.Fatalf("photo not restored: %v", err)
	}
}
