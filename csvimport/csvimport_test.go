package csvimport_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/csvimport"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

var actor = sillok.Actor{User: "doc", Org: "org"}

func open(t testing.TB) sillok.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// persons.csv has 100 rows; lines 24, 59 and 92 (rows 23, 58, 91) are bad:
// a sex of "x", a birth month 13, an empty name.
func TestPersons97of100(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	f, err := os.Open("testdata/persons.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := csvimport.Import(ctx, s, f, csvimport.Options{Kind: sillok.KindPerson, Actor: actor,
		Map: map[string]string{"name": "성명", "sex": "성별", "birth": "생년", "role": "역할", "origin_text": "출신"}, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 100 || len(res.Imported) != 97 || len(res.Rejected) != 3 {
		t.Fatalf("rows %d, imported %d, rejected %v", res.Rows, len(res.Imported), res.Rejected)
	}
	want := []csvimport.Rejection{
		{Line: 24, Column: "성별", Reason: "want female, male, other or empty"},
		{Line: 59, Column: "생년"},
		{Line: 92, Column: "성명"},
	}
	for i, w := range want {
		got := res.Rejected[i]
		if got.Line != w.Line || got.Column != w.Column || (w.Reason != "" && got.Reason != w.Reason) {
			t.Errorf("rejection %d = %+v, want %+v", i, got, w)
		}
	}
	// The rejected rows' values appear in no reason.
	data, _ := os.ReadFile("testdata/persons.csv")
	lines := strings.Split(string(data), "\n")
	for _, r := range res.Rejected {
		for _, cell := range strings.Split(lines[r.Line-1], ",") {
			if len(cell) > 2 && strings.Contains(r.String(), cell) && cell != "victim" {
				t.Errorf("rejection %q repeats the cell %q", r, cell)
			}
		}
	}
	p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != 97 {
		t.Errorf("%d persons stored", len(p.Records))
	}
	// Korean sex words are understood; external IDs kept.
	first := p.Records[0].Body.(*sillok.Person)
	if first.Sex == "" || len(first.ExternalIDs) != 1 || first.Roles[0].Role != "victim" || first.OriginText != "함경북도 회령시" {
		t.Errorf("person = %+v", first)
	}
	if len(res.Ignored) != 0 {
		t.Errorf("ignored columns %v", res.Ignored)
	}
}

func TestActsByExternalID(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	imp := func(kind sillok.Kind, csv string) *csvimport.Result {
		t.Helper()
		res, err := csvimport.Import(ctx, s, strings.NewReader(csv), csvimport.Options{Kind: kind, Actor: actor})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	imp(sillok.KindPerson, "external_id,name,sex,extra\np1,김영희,f,x\np2,박철,m,y\n")
	ev := imp(sillok.KindEvent, "external_id,title_en,date\ne1,Arrest in Hyesan,2009-spring\n")
	if len(ev.Imported) != 1 {
		t.Fatalf("event: %+v", ev)
	}
	res := imp(sillok.KindAct, strings.Join([]string{
		"event,victim,type,date,consequences",
		"e1,p1,arbitrary_arrest,2009-04,",
		"e1,p2,torture_interrogation,2009-04,injury;psychological_harm",
		"e1,p3,torture,,",                       // unknown victim
		"e1,p1,water_boarding,,",                // unknown act type (the store refuses it)
		"e1,p2,beating,2009-04-31,",             // no such day
		"e1," + string(ev.Imported[0]) + ",x,,", // an event ID where a person belongs
		"e1,p2,beating,,death;nope",             // unknown consequence
		"e1,p2,beating,,,",                      // too many columns
		"\"e1,p2,beating,,",                     // malformed CSV
	}, "\n"))
	if len(res.Imported) != 2 {
		t.Errorf("imported %d acts, want 2: %v", len(res.Imported), res.Rejected)
	}
	wantCols := map[int]string{4: "victim", 5: "type", 6: "date", 7: "victim", 8: "consequences", 9: "", 10: ""}
	for _, r := range res.Rejected {
		if c, ok := wantCols[r.Line]; ok && r.Column != c {
			t.Errorf("line %d rejected at column %q, want %q (%s)", r.Line, r.Column, c, r)
		}
		delete(wantCols, r.Line)
	}
	if len(wantCols) != 0 || len(res.Rejected) != 7 {
		t.Errorf("rejections %v; missing %v", res.Rejected, wantCols)
	}
}

func TestFileErrors(t *testing.T) {
	s := open(t)
	for name, tt := range map[string]struct {
		kind sillok.Kind
		csv  string
		m    map[string]string
	}{
		"empty":          {sillok.KindPerson, "", nil},
		"no name column": {sillok.KindPerson, "sex\nf\n", nil},
		"missing mapped": {sillok.KindPerson, "name\nx\n", map[string]string{"sex": "성별"}},
		"unknown field":  {sillok.KindPerson, "name\nx\n", map[string]string{"shoe": "x"}},
		"unknown kind":   {sillok.KindUnit, "name\nx\n", nil},
		"act columns":    {sillok.KindAct, "event,type\ne,t\n", nil},
	} {
		if _, err := csvimport.Import(context.Background(), s, strings.NewReader(tt.csv), csvimport.Options{Kind: tt.kind, Actor: actor, Map: tt.m}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzImport(f *testing.F) {
	s := open(f)
	f.Add("name,sex,birth\n김영희,f,1970\n")
	f.Add("name,birth\n\"x\"\"y\",~1970/1975\nz,2010-winter\n")
	f.Add("\ufeffname\n;;\n")
	f.Fuzz(func(t *testing.T, in string) {
		res, err := csvimport.Import(context.Background(), s, strings.NewReader(in), csvimport.Options{Kind: sillok.KindPerson, Actor: actor})
		if err != nil {
			return
		}
		// Every row is accounted for.
		if len(res.Imported)+len(res.Rejected) != res.Rows {
			t.Fatalf("%d rows, %d imported, %d rejected", res.Rows, len(res.Imported), len(res.Rejected))
		}
	})
}
