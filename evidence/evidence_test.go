package evidence

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/bundle"
	"github.com/sillok/sillok/consent"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/custody/custodytest"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

var staff = sillok.Actor{User: "staff1", Org: "org-a"}

func sqliteOpener(path string) StoreOpener {
	return func(ctx context.Context, opts sqlstore.Options) (*sqlstore.Store, error) {
		return sqlite.Open(ctx, path, opts)
	}
}

// openRepo opens (or reopens) the SQLite repository in dir.
func openRepo(t *testing.T, dir string) *Repo {
	t.Helper()
	r, err := Open(context.Background(), Config{DataDir: dir}, sqliteOpener(filepath.Join(dir, "sillok.db")), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func mustAdd(t *testing.T, r *Repo, content string, rc Receipt) *sillok.Record {
	t.Helper()
	rec, info, err := r.Add(context.Background(), staff, strings.NewReader(content), rc)
	if err != nil {
		t.Fatal(err)
	}
	if info.Hash != blob.Sum([]byte(content)) || info.Size != int64(len(content)) {
		t.Fatalf("Add stored %v", info)
	}
	return rec
}

// events returns every event in r's log.
func events(t *testing.T, r *Repo) []custody.Event {
	t.Helper()
	ctx := context.Background()
	l, _, err := r.Custody.Log(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := l.Latest()
	var out []custody.Event
	for i := range c.Size {
		_, e, err := l.Event(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func eventsOf(es []custody.Event, id sillok.ID) []custody.Event {
	var out []custody.Event
	for _, e := range es {
		if e.Record == string(id) {
			out = append(out, e)
		}
	}
	return out
}

func mustVerifyOK(t *testing.T, r *Repo) *Report {
	t.Helper()
	rep, err := r.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify found problems in an untouched repository: %q", rep.Problems())
	}
	return rep
}

func TestEveryRevisionIsLogged(t *testing.T) {
	ctx := context.Background()
	r := openRepo(t, t.TempDir())
	p := &sillok.Record{Body: &sillok.Person{Names: []sillok.Name{{Value: "김영희"}}}}
	if err := r.Store.Create(ctx, staff, p); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Store.Update(ctx, staff, p.ID, 1, &sillok.Person{Names: []sillok.Name{{Value: "김영희"}}, Sex: sillok.SexFemale}, "sex"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Store.Delete(ctx, staff, p.ID, 2, "duplicate"); err != nil {
		t.Fatal(err)
	}
	hist, err := r.Store.History(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := eventsOf(events(t, r), p.ID)
	want := []custody.Kind{custody.RecordCreated, custody.RecordRevised, custody.RecordRevised}
	if len(got) != len(want) {
		t.Fatalf("%d events for %s, want %d", len(got), p.ID, len(want))
	}
	for i, e := range got {
		if e.Kind != want[i] || e.Revision != hist[i].Hash || e.Actor != "staff1@org-a" || !e.Time.Equal(hist[i].Time) {
			t.Errorf("event %d = %+v, want %s of revision %s", i, e, want[i], hist[i].Hash)
		}
		// Witness names never reach the log.
		data, _ := e.Marshal()
		if bytes.Contains(data, []byte("김영희")) {
			t.Errorf("event %d holds the person's name", i)
		}
	}
	var pending int
	if err := r.Store.DB().QueryRow(`SELECT count(*) FROM custody_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d events still pending (%v)", pending, err)
	}
	mustVerifyOK(t, r)
}

// TestLoaderIsLogged: records written through a Loader (whose custody
// events are prepared off the writer) are logged like any other, one
// event per revision, naming its hash.
func TestLoaderIsLogged(t *testing.T) {
	ctx := context.Background()
	r := openRepo(t, t.TempDir())
	ld := r.Store.NewLoader(ctx, 3)
	var ids []sillok.ID
	for i := range 10 {
		p := &sillok.Record{Body: &sillok.Person{Names: []sillok.Name{{Value: fmt.Sprintf("김영%d", i)}}}}
		if err := ld.Create(ctx, staff, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if err := ld.Close(); err != nil {
		t.Fatal(err)
	}
	es := events(t, r)
	for _, id := range ids {
		v, err := r.Store.Revision(ctx, id, 1)
		if err != nil {
			t.Fatal(err)
		}
		got := eventsOf(es, id)
		if len(got) != 1 || got[0].Kind != custody.RecordCreated || got[0].Revision != v.Hash {
			t.Errorf("events of %s = %+v, want its record_created", id, got)
		}
	}
	mustVerifyOK(t, r)
}

func TestAddEvidence(t *testing.T) {
	ctx := context.Background()
	r := openRepo(t, t.TempDir())
	src := &sillok.Record{Body: &sillok.Source{Type: "document"}}
	if err := r.Store.Create(ctx, staff, src); err != nil {
		t.Fatal(err)
	}
	const content = "%PDF-1.4 testimony scan"
	a := mustAdd(t, r, content, Receipt{FileName: "kim-interview.pdf", Channel: "courier", Source: src.ID})
	b := mustAdd(t, r, content, Receipt{FileName: "copy.pdf", Channel: "upload"})
	if a.ID == b.ID {
		t.Fatal("two receipts share a record")
	}
	n := 0
	r.Blobs.List(ctx, blob.Hash{}, func(blob.Info) error { n++; return nil })
	if n != 1 {
		t.Errorf("%d blobs for one content", n)
	}
	ev := a.Body.(*sillok.Evidence)
	if ev.MediaType != "application/pdf" || ev.ReceivedBy != "staff1" || ev.FileName != "kim-interview.pdf" || ev.Received.IsZero() {
		t.Errorf("evidence body %+v", ev)
	}
	es := events(t, r)
	for _, rec := range []*sillok.Record{a, b} {
		got := eventsOf(es, rec.ID)
		if len(got) != 2 || got[0].Kind != custody.RecordCreated || got[1].Kind != custody.EvidenceReceived ||
			got[1].Blob != blob.Sum([]byte(content)).String() || got[1].Commitment != "" {
			t.Errorf("events of %s: %+v", rec.ID, got)
		}
	}
	if got := eventsOf(es, a.ID); got[1].Source != string(src.ID) || got[1].Channel != "courier" {
		t.Errorf("receipt event %+v lacks source or channel", got[1])
	}
	// A derived copy names its original's hash and the operation.
	d := mustAdd(t, r, "redacted", Receipt{DerivedFrom: a.ID, Operation: "redact"})
	got := eventsOf(events(t, r), d.ID)
	if len(got) != 2 || got[1].Kind != custody.DerivativeMade || got[1].Blob != ev.SHA256 ||
		got[1].Derived != blob.Sum([]byte("redacted")).String() || got[1].Operation != "redact" {
		t.Errorf("derivative events %+v", got)
	}
	mustVerifyOK(t, r)
}

func TestProtectedEvidenceIsCommitted(t *testing.T) {
	r := openRepo(t, t.TempDir())
	const content = "a recording that names a witness"
	rec := mustAdd(t, r, content, Receipt{Level: sillok.LevelConfidential})
	ev := rec.Body.(*sillok.Evidence)
	got := eventsOf(events(t, r), rec.ID)
	if len(got) != 2 || got[1].Kind != custody.EvidenceReceived || got[1].Blob != "" || got[1].Commitment == "" {
		t.Fatalf("protected receipt %+v", got)
	}
	data, _ := got[1].Marshal()
	if bytes.Contains(data, []byte(ev.SHA256)) {
		t.Error("the log can confirm a known file: it holds the bare hash")
	}
	salt, err := ParseSalt(ev.Salt)
	if err != nil {
		t.Fatal(err)
	}
	if !custody.CheckCommitment(got[1].Commitment, salt, []byte(ev.SHA256)) {
		t.Error("commitment does not open with the record's salt")
	}
	mustVerifyOK(t, r)
}

func TestVerifyTamper(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string, r *Repo, rec *sillok.Record)
		want   string // in some problem line
	}{
		{"original byte", func(t *testing.T, dir string, r *Repo, rec *sillok.Record) {
			h, _ := blob.ParseHash(rec.Body.(*sillok.Evidence).SHA256)
			flipByte(t, r.Blobs.Path(h), 3)
		}, "blob store: "},
		{"original removed", func(t *testing.T, dir string, r *Repo, rec *sillok.Record) {
			h, _ := blob.ParseHash(rec.Body.(*sillok.Evidence).SHA256)
			if err := os.Remove(r.Blobs.Path(h)); err != nil {
				t.Fatal(err)
			}
		}, "is missing from the blob store"},
		{"revision body", func(t *testing.T, dir string, r *Repo, rec *sillok.Record) {
			sqlExec(t, dir, `UPDATE revisions SET body = replace(body, '"size":11', '"size":12') WHERE id = $1`, string(rec.ID))
		}, "changed outside Sillok"},
		{"revision body and hash", func(t *testing.T, dir string, r *Repo, rec *sillok.Record) {
			v, err := r.Store.Revision(ctx, rec.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			v.Body = []byte(strings.Replace(string(v.Body), `"channel":"courier"`, `"channel":"in person"`, 1))
			sqlExec(t, dir, `UPDATE revisions SET body = $1, hash = $2 WHERE id = $3`, string(v.Body), v.ComputeHash(), string(rec.ID))
		}, "not in the custody log"},
		{"revision row removed", func(t *testing.T, dir string, r *Repo, rec *sillok.Record) {
			sqlExec(t, dir, `DELETE FROM revisions WHERE id = $1`, string(rec.ID))
			sqlExec(t, dir, `DELETE FROM records WHERE id = $1`, string(rec.ID))
		}, "in the custody log but not in the database"},
		{"event dropped", func(t *testing.T, dir string, r *Repo, rec *sillok.Record) {
			dropLeaf(t, filepath.Join(dir, CustodyDir, "leaves"), 1)
		}, "custody log: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := openRepo(t, dir)
			rec := mustAdd(t, r, "hello world", Receipt{Channel: "courier"})
			mustAdd(t, r, "another file", Receipt{})
			mustVerifyOK(t, r)
			r.Close()
			r = openRepo(t, dir)
			tt.tamper(t, dir, r, rec)
			r.Close()
			r = openRepo(t, dir)
			rep, err := r.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatal("verify passed a tampered repository")
			}
			t.Logf("problems: %q", rep.Problems())
			found := false
			for _, p := range rep.Problems() {
				if strings.Contains(p, tt.want) && (strings.HasPrefix(p, "custody log") || strings.Contains(p, string(rec.ID)) || strings.Contains(p, rec.Body.(*sillok.Evidence).SHA256)) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem %q naming %s: %q", tt.want, rec.ID, rep.Problems())
			}
		})
	}
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// sqlExec changes the database behind Sillok's back.
func sqlExec(t *testing.T, dir, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "sillok.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed nothing", q)
	}
}

// dropLeaf removes leaf i from a FileStorage leaves file (4-byte length,
// data).
func dropLeaf(t *testing.T, path string, i int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for range i {
		off += 4 + int(binary.BigEndian.Uint32(b[off:]))
	}
	end := off + 4 + int(binary.BigEndian.Uint32(b[off:]))
	if err := os.WriteFile(path, append(b[:off:off], b[end:]...), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestPendingEventsSurviveACrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := openRepo(t, dir)
	rec := mustAdd(t, r, "file", Receipt{})
	before := len(events(t, r))
	r.Close()

	// A crash after commit, before the append: the event is only pending.
	v, err := r.Store.Revision(ctx, rec.ID, 1)
	_ = v
	if err == nil {
		t.Fatal("closed store still answers")
	}
	r = openRepo(t, dir)
	v, err = r.Store.Revision(ctx, rec.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	e := custody.Event{Version: custody.FormatVersion, Kind: custody.RecordRevised, Actor: "staff1@org-a",
		Time: v.Time, Record: "evi_crashed", Revision: v.Hash}
	data, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sqlExec(t, dir, `INSERT INTO custody_pending (event) VALUES ($1)`, data)
	r = openRepo(t, dir) // Setup flushes
	es := events(t, r)
	if len(es) != before+1 || es[len(es)-1].Record != "evi_crashed" {
		t.Fatalf("pending event not logged at open: %d events", len(es))
	}
	r.Close()

	// A crash after the append, before the delete: logged once only.
	sqlExec(t, dir, `INSERT INTO custody_pending (event) VALUES ($1)`, data)
	r = openRepo(t, dir)
	if es := events(t, r); len(es) != before+1 {
		t.Fatalf("%d events after recovery, want %d: logged twice", len(es), before+1)
	}
	var pending int
	r.Store.DB().QueryRow(`SELECT count(*) FROM custody_pending`).Scan(&pending)
	if pending != 0 {
		t.Errorf("%d events still pending", pending)
	}
}

func TestExportBundle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := openRepo(t, dir)
	src := &sillok.Record{Body: &sillok.Source{Type: "document"}}
	if err := r.Store.Create(ctx, staff, src); err != nil {
		t.Fatal(err)
	}
	a := mustAdd(t, r, "original one", Receipt{Source: src.ID, FileName: "secret-name.txt", From: "Mr Witness"})
	mustAdd(t, r, "redacted one", Receipt{DerivedFrom: a.ID, Operation: "redact"})
	// A protected item, reached through the source's list of hashes.
	prot := mustAdd(t, r, "protected one", Receipt{Level: sillok.LevelStrict})
	if _, err := r.Store.Update(ctx, staff, src.ID, 1, &sillok.Source{Type: "document", Evidence: []string{prot.Body.(*sillok.Evidence).SHA256}}, "link file"); err != nil {
		t.Fatal(err)
	}
	other := mustAdd(t, r, "not selected", Receipt{})
	out := filepath.Join(t.TempDir(), "bundle")
	sum, err := r.Export(ctx, out, staff, []sillok.ID{src.ID}, ExportOptions{For: consent.Purpose{Use: sillok.UseInternal}, Purpose: "prosecutor X"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Items != 3 || sum.Blobs != 3 || sum.Events != 6 {
		t.Errorf("summary %+v, want 3 items, 3 blobs, 6 events", sum)
	}
	rep, err := bundle.Verify(ctx, out, bundle.Options{Key: r.Custody.Key().VerifierKey})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("exported bundle fails: %v", rep.Problems)
	}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, s := range []string{"secret-name", "Mr Witness", string(other.ID)} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		return nil
	})
	es := events(t, r)
	if last := es[len(es)-1]; last.Kind != custody.Exported || last.Purpose != "internal: prosecutor X" {
		t.Errorf("last event %+v, want the export", last)
	}
	if _, err := r.Export(ctx, filepath.Join(t.TempDir(), "b"), staff, []sillok.ID{"per_nobody"}, ExportOptions{For: consent.Purpose{Use: sillok.UseInternal}}); err == nil {
		t.Error("export of a missing record succeeded")
	}
	mustVerifyOK(t, r)
}

func TestPostgresHook(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	dir := t.TempDir()
	open := func(ctx context.Context, opts sqlstore.Options) (*sqlstore.Store, error) {
		return postgres.Open(ctx, dsn, opts)
	}
	r, err := Open(ctx, Config{DataDir: dir}, open, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec := mustAdd(t, r, "pg original", Receipt{})
	if got := eventsOf(events(t, r), rec.ID); len(got) != 2 {
		t.Fatalf("events %+v", got)
	}
	concurrentWrites(t, r)
	mustVerifyOK(t, r)
	if _, err := r.Store.DB().Exec(`UPDATE revisions SET body = replace(body, '"size":11', '"size":12') WHERE id = $1`, string(rec.ID)); err != nil {
		t.Fatal(err)
	}
	rep, err := r.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(strings.Join(rep.Problems(), "\n"), string(rec.ID)) {
		t.Errorf("edited row not reported: %q", rep.Problems())
	}
}

// concurrentWrites has several writers create and revise records at once:
// every revision must be logged exactly once, none left pending.
func concurrentWrites(t *testing.T, r *Repo) {
	t.Helper()
	ctx := context.Background()
	const writers, each = 8, 10
	var wg sync.WaitGroup
	ids := make([][]sillok.ID, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				p := &sillok.Record{Body: &sillok.Person{Names: []sillok.Name{{Value: fmt.Sprintf("p%d-%d", w, i)}}}}
				if err := r.Store.Create(ctx, staff, p); err != nil {
					t.Error(err)
					return
				}
				if _, err := r.Store.Update(ctx, staff, p.ID, 1, &sillok.Person{Names: []sillok.Name{{Value: "x"}}}, ""); err != nil {
					t.Error(err)
					return
				}
				ids[w] = append(ids[w], p.ID)
			}
		}()
	}
	wg.Wait()
	es := events(t, r)
	for _, ws := range ids {
		for _, id := range ws {
			got := eventsOf(es, id)
			if len(got) != 2 || got[0].Kind != custody.RecordCreated || got[1].Kind != custody.RecordRevised {
				t.Errorf("events of %s: %+v", id, got)
			}
		}
	}
	var pending int
	if err := r.Store.DB().QueryRow(`SELECT count(*) FROM custody_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d events still pending (%v)", pending, err)
	}
}

func TestConcurrentWritesSQLite(t *testing.T) {
	r := openRepo(t, t.TempDir())
	concurrentWrites(t, r)
	mustVerifyOK(t, r)
}

func TestExportTimestamped(t *testing.T) {
	ctx := context.Background()
	tsa := custodytest.NewOpenSSLTSA(t)
	r := openRepo(t, t.TempDir())
	a := mustAdd(t, r, "stamped", Receipt{})
	out := filepath.Join(t.TempDir(), "bundle")
	if _, err := r.Export(ctx, out, staff, []sillok.ID{a.ID}, ExportOptions{For: consent.Purpose{Use: sillok.UseInternal}, Purpose: "court", TSA: tsa}); err != nil {
		t.Fatal(err)
	}
	rep, err := bundle.Verify(ctx, out, bundle.Options{TSARoots: tsa.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Timestamp.IsZero() || !rep.TimestampTrusted {
		t.Fatalf("timestamped bundle: ok %v, time %v, trusted %v: %v", rep.OK(), rep.Timestamp, rep.TimestampTrusted, rep.Problems)
	}
}
