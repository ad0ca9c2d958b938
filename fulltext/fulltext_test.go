package fulltext_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

var actor = sillok.Actor{User: "doc", Org: "org-a"}

type backend struct {
	name string
	open func(t *testing.T, ix *fulltext.Index) sillok.Store
}

var backends = []backend{
	{"sqlite", func(t *testing.T, ix *fulltext.Index) sillok.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{Hooks: []sqlstore.Hook{ix}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
	{"postgres", func(t *testing.T, ix *fulltext.Index) sillok.Store {
		s, err := postgres.Open(context.Background(), pgtest.DSN(t), sqlstore.Options{Hooks: []sqlstore.Hook{ix}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

func readTSV(t *testing.T, path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			rows = append(rows, strings.Split(l, "\t"))
		}
	}
	return rows
}

// load stores the judged corpus: odd documents as events (indexed in
// clear), even ones as strictly confidential testimonies (indexed blind).
func load(t *testing.T, s sillok.Store) map[sillok.ID]string {
	ctx := context.Background()
	witness := &sillok.Record{Level: sillok.LevelConfidential, Body: &sillok.Person{Names: []sillok.Name{{Value: "증인"}}}}
	if err := s.Create(ctx, actor, witness); err != nil {
		t.Fatal(err)
	}
	docs := map[sillok.ID]string{}
	for i, row := range readTSV(t, "../search/testdata/judged/corpus.tsv") {
		r := &sillok.Record{Body: &sillok.Event{Title: sillok.Labels{En: "doc " + row[0]}, Description: sillok.Labels{Ko: row[1]}}}
		if i%2 == 1 {
			r = &sillok.Record{Level: sillok.LevelStrict, Body: &sillok.Source{Type: "testimony", Interviewee: witness.ID, Transcript: sillok.Labels{Ko: row[1]}}}
		}
		if err := s.Create(ctx, actor, r); err != nil {
			t.Fatal(err)
		}
		docs[r.ID] = row[0]
	}
	return docs
}

func TestJudgedSet(t *testing.T) {
	queries := readTSV(t, "../search/testdata/judged/queries.tsv")
	if len(queries) < 40 {
		t.Fatalf("only %d judged queries", len(queries))
	}
	results := map[string]map[string][]string{}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ix := fulltext.New([]byte("test blind key of 32 bytes......"))
			s := be.open(t, ix)
			docs := load(t, s)
			results[be.name] = map[string][]string{}
			for _, q := range queries {
				want := []string{}
				if q[1] != "-" {
					want = strings.Split(q[1], ",")
				}
				res, err := ix.Search(context.Background(), s, fulltext.Request{Query: q[0], Limit: 100})
				if err != nil {
					t.Errorf("%s: %v", q[0], err)
					continue
				}
				var got []string
				for _, h := range res.Hits {
					if d, ok := docs[h.Record.ID]; ok {
						got = append(got, d)
					} else if h.Record.Kind != sillok.KindPerson {
						t.Errorf("%s: unexpected hit %s", q[0], h.Record.ID)
					}
				}
				sort.Strings(got)
				if got == nil {
					got = []string{}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s (%s): got %v, want %v", q[0], q[2], got, want)
				}
				results[be.name][q[0]] = got
				if res.Total != len(res.Hits) {
					t.Errorf("%s: total %d, %d hits", q[0], res.Total, len(res.Hits))
				}
			}
		})
	}
	if a, b := results["sqlite"], results["postgres"]; a != nil && b != nil && !reflect.DeepEqual(a, b) {
		t.Error("SQLite and PostgreSQL return different hit sets")
	}
}

func TestFiltersFacetsVisibility(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			ix := fulltext.New([]byte("k"))
			s := be.open(t, ix)
			mk := func(a sillok.Actor, lvl sillok.Level, b sillok.Body) *sillok.Record {
				r := &sillok.Record{Level: lvl, Body: b}
				if err := s.Create(ctx, a, r); err != nil {
					t.Fatal(err)
				}
				return r
			}
			v := mk(actor, sillok.LevelInternal, &sillok.Person{Names: []sillok.Name{{Value: "리영희"}}, Sex: sillok.SexFemale})
			mk(actor, sillok.LevelInternal, &sillok.Person{Names: []sillok.Name{{Value: "박철수"}}, Sex: sillok.SexMale})
			camp := mk(actor, sillok.LevelPublic, &sillok.Location{Names: []sillok.Name{{Value: "요덕 관리소"}}, Type: "kwanliso"})
			ev := mk(actor, sillok.LevelPublic, &sillok.Event{Title: sillok.Labels{Ko: "요덕 수용소 구금"}, Date: sillok.MustDate("2003"), Location: camp.ID})
			mk(actor, sillok.LevelInternal, &sillok.Act{Event: ev.ID, Victim: v.ID, Type: "public_execution", Date: sillok.MustDate("2003-05"), Location: camp.ID, Description: sillok.Labels{Ko: "요덕에서 공개처형"}})
			beat := mk(sillok.Actor{User: "x", Org: "org-b"}, sillok.LevelInternal, &sillok.Act{Event: ev.ID, Victim: v.ID, Type: "beating", Date: sillok.MustDate("1998"), Description: sillok.Labels{Ko: "요덕에서 구타"}})
			search := func(req fulltext.Request) *fulltext.Result {
				t.Helper()
				res, err := ix.Search(ctx, s, req)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			if r := search(fulltext.Request{Query: "요덕"}); r.Total != 4 || r.Facets["kind"]["act"] != 2 || r.Facets["org"]["org-b"] != 1 {
				t.Errorf("요덕: total %d facets %v", r.Total, r.Facets)
			}
			// Sub-types: execution includes public_execution; murder includes execution.
			if r := search(fulltext.Request{Query: "요덕", ActType: "murder"}); r.Total != 1 {
				t.Errorf("act type murder: %d", r.Total)
			}
			if r := search(fulltext.Request{Query: "요덕", Kinds: []sillok.Kind{sillok.KindAct}, From: sillok.MustDate("2000"), To: sillok.MustDate("2010")}); r.Total != 1 {
				t.Errorf("date range: %d", r.Total)
			}
			if r := search(fulltext.Request{Query: "요덕", Location: camp.ID}); r.Total != 3 {
				t.Errorf("location: %d", r.Total)
			}
			// Names in any spelling find the person; sex filters.
			for _, q := range []string{"리영희", "이영희", `"Lee Young-hee"`, `"Ri Yong Hui"`} {
				if r := search(fulltext.Request{Query: q, Sex: sillok.SexFemale}); r.Total != 1 || r.Hits[0].Record.ID != v.ID {
					t.Errorf("%s: %d hits", q, r.Total)
				}
			}
			// What the caller may not see is neither returned nor counted.
			all := []sillok.Level{sillok.LevelPublic, sillok.LevelInternal, sillok.LevelConfidential, sillok.LevelStrict}
			r := search(fulltext.Request{Query: "요덕", Access: []fulltext.Grant{{Org: "org-a", Levels: all}}})
			if r.Total != 3 || r.Facets["org"]["org-b"] != 0 {
				t.Errorf("visibility: total %d facets %v", r.Total, r.Facets)
			}
			r = search(fulltext.Request{Query: "요덕", Access: []fulltext.Grant{{Levels: []sillok.Level{sillok.LevelPublic}}}})
			if r.Total != 2 || r.Facets["kind"]["act"] != 0 {
				t.Errorf("public only: total %d facets %v", r.Total, r.Facets)
			}
			if r := search(fulltext.Request{Query: "요덕", Access: []fulltext.Grant{}}); r.Total != 0 {
				t.Errorf("no access still finds %d", r.Total)
			}
			// Many grants push the match's placeholders past $9 (a
			// renumbering bug once lost such searches).
			many := []fulltext.Grant{{Org: "org-a", Levels: all}}
			for i := range 4 {
				for _, q := range []string{"요덕 공개처형", "요덕 OR 구타 OR 공개처형"} {
					if r, all := search(fulltext.Request{Query: q, Access: many}), search(fulltext.Request{Query: q, Org: "org-a"}); r.Total != all.Total || r.Total == 0 {
						t.Errorf("%s with %d grants: %d hits, want %d", q, len(many), r.Total, all.Total)
					}
				}
				many = append(many, fulltext.Grant{Org: fmt.Sprintf("org-%d", i), Levels: all})
			}
			// A grant by IDs (records shared with the caller) adds those
			// records only; an empty ID list adds nothing.
			public := fulltext.Grant{Levels: []sillok.Level{sillok.LevelPublic}}
			r = search(fulltext.Request{Query: "요덕", Access: []fulltext.Grant{public, {Levels: all, IDs: []sillok.ID{beat.ID}}}})
			if r.Total != 3 || r.Facets["org"]["org-b"] != 1 {
				t.Errorf("shared by ID: total %d facets %v", r.Total, r.Facets)
			}
			if r := search(fulltext.Request{Query: "요덕", Access: []fulltext.Grant{public, {Levels: all, IDs: []sillok.ID{}}}}); r.Total != 2 {
				t.Errorf("empty ID grant: total %d", r.Total)
			}
			// Snippets highlight.
			r = search(fulltext.Request{Query: "공개처형"})
			if len(r.Hits) != 1 || !hasHit(r.Hits[0]) {
				t.Errorf("snippet: %+v", r.Hits)
			}
			// A revision re-indexes; a tombstone removes.
			if _, err := s.Delete(ctx, actor, camp.ID, 1, "test"); err != nil {
				t.Fatal(err)
			}
			if r := search(fulltext.Request{Query: "관리소"}); r.Total != 0 {
				t.Errorf("deleted record still found")
			}
			if _, err := ix.Search(ctx, s, fulltext.Request{Query: "(요덕"}); err == nil {
				t.Error("bad query accepted")
			}
		})
	}
}

func hasHit(h fulltext.Hit) bool {
	for _, f := range h.Snippet {
		if f.Hit {
			return true
		}
	}
	return false
}
