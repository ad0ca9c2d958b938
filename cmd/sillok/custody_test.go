package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/sillok/sillok"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TestCustodyScripts runs the evidence, log and bundle scenarios in
// testdata/custody, with two commands of their own to tamper with data:
//
//	flipbyte FILE OFFSET   xor one byte of FILE (made writable first)
//	sqlexec DB QUERY       run QUERY on the SQLite database DB, behind Sillok
//	mksource VAR DATA NAME create a witness named NAME and their testimony
//	                       in the repository in DATA (there is no CLI
//	                       command for it yet); $VAR is the source's ID
func TestCustodyScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/custody",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SILLOK_USER", "tester")
			env.Setenv("SILLOK_ORG", "test-org")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"flipbyte": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: flipbyte FILE OFFSET")
				}
				var off int64
				fmt.Sscan(args[1], &off)
				ts.Check(flipByte(ts.MkAbs(args[0]), off))
			},
			"mksource": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: mksource VAR DATA NAME")
				}
				id, err := makeTestimony(ts.MkAbs(args[1]), args[2])
				ts.Check(err)
				ts.Setenv(args[0], string(id))
			},
			"sqlexec": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: sqlexec DB QUERY")
				}
				db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
				ts.Check(err)
				defer db.Close()
				res, err := db.Exec(args[1])
				ts.Check(err)
				if n, _ := res.RowsAffected(); n == 0 {
					ts.Fatalf("%s changed nothing", args[1])
				}
			},
		},
	})
}

// makeTestimony creates a person and their testimony through the
// repository (so the custody log records both).
func makeTestimony(dataDir, name string) (sillok.ID, error) {
	ctx := context.Background()
	e := &env{dataDir: dataDir, stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	r, err := e.openRepo(ctx, "")
	if err != nil {
		return "", err
	}
	defer r.Close()
	st := e.writeStore(r) // seals the witness's name, as every command does
	actor := sillok.Actor{User: "tester", Org: "test-org"}
	p := &sillok.Record{Level: sillok.LevelConfidential, Body: &sillok.Person{Names: []sillok.Name{{Value: name}}}}
	if err := st.Create(ctx, actor, p); err != nil {
		return "", err
	}
	s := &sillok.Record{Level: sillok.LevelConfidential, Body: &sillok.Source{Type: "testimony", Interviewee: p.ID}}
	if err := st.Create(ctx, actor, s); err != nil {
		return "", err
	}
	return s.ID, nil
}

func flipByte(path string, off int64) error {
	if err := os.Chmod(path, 0o644); err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if off >= int64(len(b)) {
		off = int64(len(b)) - 1
	}
	b[off] ^= 0x01
	return os.WriteFile(path, b, 0o644)
}

// TestBundleEveryFileTamper exports a bundle and changes one byte in each
// of its files in turn: sillok verify must fail and name that file.
func TestBundleEveryFileTamper(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Setenv("SILLOK_USER", "tester")
	data := filepath.Join(dir, "data")
	for name, content := range map[string]string{"a.txt": "hello\n", "b.pdf": "%PDF-1.4 scan\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"--data", data, "evidence", "add", "--channel", "courier", filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.pdf")}, nil, &out, &errb); code != 0 {
		t.Fatalf("evidence add: exit %d: %s", code, errb.String())
	}
	ids := strings.Fields(out.String())
	if len(ids) != 4 {
		t.Fatalf("evidence add printed %q", out.String())
	}
	bun := filepath.Join(dir, "bundle")
	out.Reset()
	if code := run(ctx, []string{"--data", data, "bundle", "export", "--records", ids[0] + "," + ids[2], "--out", bun, "--purpose", "internal"}, nil, &out, &errb); code != 0 {
		t.Fatalf("bundle export: exit %d: %s", code, errb.String())
	}
	pristine := map[string][]byte{}
	filepath.WalkDir(bun, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(bun, p)
			pristine[filepath.ToSlash(rel)] = b
		}
		return err
	})
	if len(pristine) < 10 {
		t.Fatalf("bundle has only %d files", len(pristine))
	}
	verify := func() (int, string) {
		var o, e bytes.Buffer
		code := run(ctx, []string{"verify", bun}, nil, &o, &e)
		return code, o.String() + e.String()
	}
	if code, msg := verify(); code != 0 {
		t.Fatalf("pristine bundle: exit %d: %s", code, msg)
	}
	for rel, b := range pristine {
		t.Run(rel, func(t *testing.T) {
			p := filepath.Join(bun, filepath.FromSlash(rel))
			for _, off := range []int64{0, int64(len(b)) / 2, int64(len(b)) - 1} {
				if err := flipByte(p, off); err != nil {
					t.Fatal(err)
				}
				code, msg := verify()
				if code != 1 {
					t.Errorf("byte %d changed: exit %d, want 1", off, code)
				}
				if !strings.Contains(msg, "FAIL "+rel) && !(rel == "MANIFEST" && strings.Contains(msg, "FAIL MANIFEST")) {
					t.Errorf("byte %d changed: output does not name %s:\n%s", off, rel, msg)
				}
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if code, msg := verify(); code != 0 {
		t.Fatalf("restored bundle: exit %d: %s", code, msg)
	}
}

// TestExportedBundleIndependentCheck checks a bundle made by `sillok bundle
// export` with x/mod's reference code only (note.Open, tlog.CheckRecord,
// tlog.CheckTree), not with Sillok's verifier: the checkpoint signature,
// every event's inclusion proof, and that the repository's later
// checkpoint extends the bundle's.
func TestExportedBundleIndependentCheck(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Setenv("SILLOK_USER", "tester")
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "a.txt")
	os.WriteFile(file, []byte("hello\n"), 0o644)
	var out, errb bytes.Buffer
	for _, args := range [][]string{
		{"--data", data, "evidence", "add", file},
		{"--data", data, "evidence", "add", "--channel", "upload", file},
		{"--data", data, "bundle", "export", "--query", "evidence", "--out", filepath.Join(dir, "b"), "--purpose", "internal"},
	} {
		if code := run(ctx, args, nil, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
	}
	bun := filepath.Join(dir, "b")
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join(bun, rel))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(read("key.pub"))))
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(read("checkpoint"), note.VerifierList(v))
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || lines[0] != v.Name() {
		t.Fatalf("checkpoint text %q", n.Text)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		t.Fatalf("checkpoint root %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	events, _ := filepath.Glob(filepath.Join(bun, "events", "*.json"))
	if len(events) != 4 { // two records created, two receipts
		t.Fatalf("%d events in the bundle, want 4", len(events))
	}
	for _, p := range events {
		idx, err := strconv.ParseInt(strings.TrimSuffix(filepath.Base(p), ".json"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := os.ReadFile(p)
		var proof tlog.RecordProof
		for _, l := range strings.Fields(string(read(filepath.Join("proofs", strconv.FormatInt(idx, 10)+".txt")))) {
			b, err := base64.StdEncoding.DecodeString(l)
			if err != nil || len(b) != tlog.HashSize {
				t.Fatalf("proof line %q", l)
			}
			var h tlog.Hash
			copy(h[:], b)
			proof = append(proof, h)
		}
		if err := tlog.CheckRecord(proof, size, root, idx, tlog.RecordHash(leaf)); err != nil {
			t.Errorf("event %d: %v", idx, err)
		}
		// One changed byte of the event breaks its proof.
		leaf[len(leaf)/2] ^= 1
		if tlog.CheckRecord(proof, size, root, idx, tlog.RecordHash(leaf)) == nil {
			t.Errorf("event %d: a changed event still checks", idx)
		}
	}
	// The repository's log has grown since (the export itself is logged);
	// its latest checkpoint must extend the bundle's.
	e := &env{dataDir: data, stdout: &out, stderr: &errb}
	r, err := e.openRepo(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, _, err := r.Custody.Log(ctx)
	if err != nil {
		t.Fatal(err)
	}
	later, signed := l.Latest()
	if _, err := note.Open(signed, note.VerifierList(v)); err != nil || later.Size <= size {
		t.Fatalf("later checkpoint (size %d): %v", later.Size, err)
	}
	tp, err := l.ProveConsistency(ctx, size, later.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(tp, later.Size, later.Root, size, root); err != nil {
		t.Errorf("the repository's log does not extend the bundle's checkpoint: %v", err)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"evidence", "evidence:media_type=application/pdf", "person:", ":x=y", "nokind", "act:type=a=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		flt, err := parseQuery(q)
		if err != nil {
			return
		}
		if !flt.Kind.Valid() {
			t.Fatalf("parseQuery(%q) accepted kind %q", q, flt.Kind)
		}
		back := string(flt.Kind)
		if len(flt.Attrs) == 1 {
			back += ":" + flt.Attrs[0].Key + "=" + flt.Attrs[0].Value
		}
		if back != q {
			t.Errorf("parseQuery(%q) means %q", q, back)
		}
	})
}

func TestParseWhen(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"2024-03-05", "2024-03-05T00:00:00Z"},
		{"2024-03-05T10:11:12+09:00", "2024-03-05T01:11:12Z"},
		{"yesterday", ""},
		{"2024-13-01", ""},
	} {
		got, err := parseWhen(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parseWhen(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("parseWhen(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}
