package jsonl_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/jsonl"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

func openSQLite(t testing.TB) sillok.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fill(t *testing.T, s sillok.Store) {
	ctx := context.Background()
	a := sillok.Actor{User: "doc", Org: "org"}
	p := &sillok.Record{Body: &sillok.Person{Names: []sillok.Name{{Value: "김영희"}, {Value: "Kim Yŏng-hŭi", System: "mr"}}, Sex: sillok.SexFemale}}
	if err := s.Create(ctx, a, p); err != nil {
		t.Fatal(err)
	}
	ev := &sillok.Record{Body: &sillok.Event{Title: sillok.Labels{Ko: "회령 집결소 구금", En: "Detention at Hoeryong <holding> centre & \"more\""}}}
	if err := s.Create(ctx, a, ev); err != nil {
		t.Fatal(err)
	}
	act := &sillok.Record{Body: &sillok.Act{Event: ev.ID, Victim: p.ID, Type: "arbitrary_detention", Date: sillok.MustDate("~2009-winter")}}
	if err := s.Create(ctx, a, act); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, a, act.ID, 1, &sillok.Act{Event: ev.ID, Victim: p.ID, Type: "arbitrary_detention", Date: sillok.MustDate("2009/2010")}, "date corrected by witness"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, a, ev.ID, 1, "test"); err != nil {
		t.Fatal(err)
	}
}

// RoundTrip exports a, imports into a fresh b, and checks that b exports
// the same bytes.
func RoundTrip(t *testing.T, a, b sillok.Store) []byte {
	ctx := context.Background()
	var first, second bytes.Buffer
	if _, err := jsonl.Export(ctx, a, &first); err != nil {
		t.Fatal(err)
	}
	st, err := jsonl.Import(ctx, b, bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != st.Imported+st.Skipped || st.Imported == 0 {
		t.Errorf("import stats %+v", st)
	}
	if _, err := jsonl.Export(ctx, b, &second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatalf("second export differs from the first:\n%s\n---\n%s", first.Bytes(), second.Bytes())
	}
	return first.Bytes()
}

func TestRoundTrip(t *testing.T) {
	a := openSQLite(t)
	fill(t, a)
	out := RoundTrip(t, a, openSQLite(t))
	if !strings.HasPrefix(string(out), `{"format":"sillok-export","version":1}`+"\n") {
		t.Errorf("no header: %.60s", out)
	}
	if !strings.Contains(string(out), `Hoeryong <holding> centre & \"more\"`) || !strings.Contains(string(out), "김영희") {
		t.Error("text escaped or mangled in export")
	}
}

func TestImportReportsBadLines(t *testing.T) {
	ctx := context.Background()
	a := openSQLite(t)
	fill(t, a)
	var buf bytes.Buffer
	if _, err := jsonl.Export(ctx, a, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	// Tamper with the event's tombstone and garble a thesaurus line.
	tomb := 0
	for i, l := range lines {
		if strings.Contains(l, `"note":"test"`) {
			tomb = i
		}
	}
	lines[tomb] = strings.Replace(lines[tomb], `"note":"test"`, `"note":"tset"`, 1)
	garbled := len(lines) - 3
	lines[garbled] = "{not json\n"
	b := openSQLite(t)
	_, err := jsonl.Import(ctx, b, strings.NewReader(strings.Join(lines, "")))
	var ie jsonl.ImportErrors
	if !errors.As(err, &ie) {
		t.Fatalf("Import = %v, want ImportErrors", err)
	}
	if len(ie) != 2 || ie[0].Line != tomb+1 || ie[1].Line != garbled+1 {
		t.Fatalf("errors = %v, want lines %d and %d", err, tomb+1, garbled+1)
	}
	if !strings.Contains(ie[0].Error(), "hash") {
		t.Errorf("tamper error does not say hash: %v", ie[0])
	}
	// Nothing was imported.
	p, _ := b.List(ctx, sillok.Filter{Kind: sillok.KindPerson})
	if len(p.Records) != 0 {
		t.Error("a failed import left records behind")
	}
	if _, err := jsonl.Import(ctx, b, strings.NewReader(`{"format":"other","version":1}`+"\n")); err == nil {
		t.Error("foreign header accepted")
	}
}

func FuzzImport(f *testing.F) {
	s := openSQLite(f)
	var seed bytes.Buffer
	jsonl.Export(context.Background(), s, &seed)
	lines := strings.SplitAfter(seed.String(), "\n")
	f.Add(lines[0] + lines[1])
	f.Add(`{"format":"sillok-export","version":1}` + "\n" + `{"id":"per_x","kind":"person","rev":1}`)
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		// Must not panic; on error nothing may be left half-imported.
		before := count(t, s)
		_, err := jsonl.Import(context.Background(), s, strings.NewReader(in))
		if err != nil && count(t, s) != before {
			t.Fatalf("failed import changed the repository")
		}
	})
}

func count(t *testing.T, s sillok.Store) int {
	n := 0
	s.Revisions(context.Background(), func(*sillok.Revision) error { n++; return nil })
	return n
}

// TestDemoRoundTripThroughPostgres: demo 1,000 people in SQLite → export →
// PostgreSQL → export → SQLite → export; all three exports are identical.
func TestDemoRoundTripThroughPostgres(t *testing.T) {
	ctx := context.Background()
	pg, err := postgres.Open(ctx, pgtest.DSN(t), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	a := openSQLite(t)
	if _, err := demo.GenerateBatched(ctx, demo.Options{People: 1000, Seed: 3}, demo.StoreBatch(a)); err != nil {
		t.Fatal(err)
	}
	first := RoundTrip(t, a, pg)
	second := RoundTrip(t, pg, openSQLite(t))
	if !bytes.Equal(first, second) {
		t.Fatal("export through PostgreSQL differs")
	}
	if n := bytes.Count(first, []byte("\n")); n < 4000 {
		t.Errorf("only %d lines exported", n)
	}
}
