package search

import (
	"database/sql"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		q      string
		column int
		msg    string
	}{
		{"", 1, "no searchable term"},
		{"   ", 1, "no searchable term"},
		{"…", 1, "no searchable term"},
		{`평양 "요덕`, 4, "unterminated quote"},
		{"(평양", 1, "unbalanced parenthesis"},
		{"평양)", 3, "unexpected closing parenthesis"},
		{"OR 평양", 1, "OR needs an operand on its left"},
		{"평양 OR", 4, "OR needs an operand on its right"},
		{"평양 AND", 4, "AND needs an operand on its right"},
		{"AND 평양", 1, "AND needs an operand on its left"},
		{"평양 NOT", 4, "NOT needs an operand"},
		{"-평양", 1, "needs a term that is not negated"},
		{"요덕 OR -평양", 7, "needs a term that is not negated"},
		{"요덕 (NOT 평양)", 5, "needs a term that is not negated"},
		{"\xff", 1, "not valid UTF-8"},
	}
	for _, tt := range tests {
		_, err := ParseQuery(tt.q)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseQuery(%q) = %v, want a *SyntaxError", tt.q, err)
			continue
		}
		if se.Column != tt.column || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("ParseQuery(%q): column %d %q, want column %d %q", tt.q, se.Column, se.Msg, tt.column, tt.msg)
		}
	}
}

func TestSyntaxErrorHidesQuery(t *testing.T) {
	_, err := ParseQuery(`김영희 "리철수`)
	if err == nil || strings.Contains(err.Error(), "김영희") || strings.Contains(err.Error(), "리철수") {
		t.Errorf("error %v repeats the query", err)
	}
}

// TestCompile checks the canonical form and both engine forms of queries
// against testdata/compile.golden (go test -update rewrites it).
func TestCompile(t *testing.T) {
	queries := []string{
		"평양", "수용소", "평", "김 철수", `"수용 소"`, "14호", "Camp 15 Yodok",
		"요덕 OR Yodok", "execution -public", "여성 AND (교화소 OR 구류장)",
		"(요덕 OR 회령) -보위부 NOT 공개처형", "NOT NOT 평양", "O'Brien's",
	}
	var b strings.Builder
	for _, s := range queries {
		q, err := ParseQuery(s)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", s, err)
		}
		b.WriteString("query:    " + s + "\nterms:    " + q.String() + "\nfts5:     " + q.FTS5() + "\ntsquery:  " + q.TSQuery() + "\n\n")
	}
	golden(t, "compile.golden", b.String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", name, got)
	}
}

func TestWithAliases(t *testing.T) {
	q, err := ParseQuery("Kim 교화소")
	if err != nil {
		t.Fatal(err)
	}
	// A stand-in for korean.Key: Kim, Gim and 김 share the key "kim".
	key := func(w string) []string {
		switch strings.ToLower(w) {
		case "kim", "gim", "김":
			return []string{"kim"}
		}
		return nil
	}
	qa := q.WithAliases(key)
	text := "김영희는 청진 교화소에서 5년을 보냈다."
	if Match(q, text, "kim") {
		t.Error("query without aliases matched through an alias")
	}
	if !Match(qa, text, "kim") {
		t.Error("query with aliases did not match the alias of the text")
	}
	if Match(qa, text) {
		t.Error("query with aliases matched a text without the alias")
	}
	if !strings.Contains(qa.FTS5(), AliasTerm("kim")) || !strings.Contains(qa.TSQuery(), AliasTerm("kim")) {
		t.Errorf("compiled forms lack the alias term: %s / %s", qa.FTS5(), qa.TSQuery())
	}
}

func TestSnippet(t *testing.T) {
	render := func(fs []Fragment) string {
		var b strings.Builder
		for _, f := range fs {
			if f.Hit {
				b.WriteString("[" + f.Text + "]")
			} else {
				b.WriteString(f.Text)
			}
		}
		return b.String()
	}
	long := strings.Repeat("그날은 비가 왔다. ", 10) + "요덕 정치범수용소에서 강제노동을 했다. " + strings.Repeat("배가 고팠다. ", 10)
	tests := []struct {
		text, q string
		width   int
		want    string
	}{
		{"요덕 정치범수용소에서 강제노동을 했다.", "수용소", 40, "요덕 정치범[수용소]에서 강제노동을 했다."},
		{"평양에서 태어나 평성으로 갔다.", "평", 40, "[평]양에서 태어나 [평]성으로 갔다."},
		{"Public execution in Hoeryong; executed publicly.", `"public execution"`, 60, "[Public execution] in Hoeryong; executed publicly."},
		{"The camps were run by the bowibu.", "camp -bowibu", 60, "The [camps] were run by the bowibu."},
		{long, "수용소 강제", 30, "…요덕 정치범[수용소]에서 [강제]노동을 했다. 배가 고팠다. …"},
		{"아무 관련 없는 글", "평양", 5, "아무 관련…"},
	}
	for _, tt := range tests {
		q, err := ParseQuery(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(Snippet(tt.text, q, tt.width)); got != tt.want {
			t.Errorf("Snippet(%q, %q, %d) = %q, want %q", tt.text, tt.q, tt.width, got, tt.want)
		}
	}
}

var fuzzDB struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// FuzzParseQuery checks that any query either fails with a *SyntaxError or
// parses to a query whose FTS5 form SQLite accepts, whose canonical form
// parses again, and that Match can evaluate without panicking.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"평양", `"수용 소" OR -(Camp 15)`, "a AND (b OR NOT c)", "--x y", `"`, "(((", "평 OR", "NOT NOT 김", "-", "x -"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseQuery(%q): %v is not a *SyntaxError", s, err)
			}
			return
		}
		Match(q, s)
		Snippet(s, q, 20)
		fuzzDB.once.Do(func() {
			// One in-memory database per fuzzing process.
			fuzzDB.db, fuzzDB.err = sql.Open("sqlite", ":memory:")
			if fuzzDB.err == nil {
				fuzzDB.db.SetMaxOpenConns(1)
				_, fuzzDB.err = fuzzDB.db.Exec(SQLiteSchema("f"))
			}
		})
		if fuzzDB.err != nil {
			t.Fatal(fuzzDB.err)
		}
		var n int
		if err := fuzzDB.db.QueryRow("SELECT count(*) FROM f WHERE f MATCH ?", q.FTS5()).Scan(&n); err != nil {
			t.Fatalf("ParseQuery(%q): FTS5 rejects %s: %v", s, q.FTS5(), err)
		}
	})
}
