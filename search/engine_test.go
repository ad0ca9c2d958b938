package search

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"
)

type judgedDoc struct{ id, text string }

type judgedQuery struct {
	query string
	want  []string // sorted ids
	note  string
}

// readTSV returns the rows of a tab-separated file, skipping # comments.
func readTSV(t testing.TB, name string, cols int) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "judged", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		row := strings.Split(line, "\t")
		if len(row) != cols {
			t.Fatalf("%s line %d: %d columns, want %d", name, n, len(row), cols)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func judged(t testing.TB) ([]judgedDoc, []judgedQuery) {
	var docs []judgedDoc
	for _, r := range readTSV(t, "corpus.tsv", 2) {
		docs = append(docs, judgedDoc{r[0], r[1]})
	}
	var qs []judgedQuery
	for _, r := range readTSV(t, "queries.tsv", 3) {
		q := judgedQuery{query: r[0], note: r[2]}
		if r[1] != "-" {
			q.want = strings.Split(r[1], ",")
			slices.Sort(q.want)
		}
		qs = append(qs, q)
	}
	return docs, qs
}

// matchSet returns the sorted ids of docs that Match q.
func matchSet(q *Query, docs []judgedDoc) []string {
	var ids []string
	for _, d := range docs {
		if Match(q, d.text) {
			ids = append(ids, d.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestJudged checks Match, the oracle of the engine tests, against the
// hand-judged hits: exactly the judged set (recall and precision 1.0).
func TestJudged(t *testing.T) {
	docs, qs := judged(t)
	if len(qs) < 40 {
		t.Fatalf("judged set has %d queries, want at least 40", len(qs))
	}
	for _, jq := range qs {
		q, err := ParseQuery(jq.query)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", jq.query, err)
			continue
		}
		if got := matchSet(q, docs); !slices.Equal(got, jq.want) {
			t.Errorf("%q (%s) = %s: got %v, want %v", jq.query, jq.note, q, got, jq.want)
		}
	}
}

// engine runs a compiled query and returns hit ids in rank order.
type engine struct {
	name  string
	query func(q *Query) ([]string, error)
}

// checkEngine compares an engine's hits with the judged hits and Match:
// the same set (recall 1.0) and no top-10 hit that fails the query.
func checkEngine(t *testing.T, e engine, docs []judgedDoc, qs []judgedQuery) {
	byID := make(map[string]string)
	for _, d := range docs {
		byID[d.id] = d.text
	}
	for _, jq := range qs {
		q, err := ParseQuery(jq.query)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", jq.query, err)
		}
		ranked, err := e.query(q)
		if err != nil {
			t.Errorf("%s: %q: %v", e.name, jq.query, err)
			continue
		}
		for i, id := range ranked[:min(10, len(ranked))] {
			if !Match(q, byID[id]) {
				t.Errorf("%s: %q: hit %d (%s) fails the query", e.name, jq.query, i+1, id)
			}
		}
		got := slices.Clone(ranked)
		slices.Sort(got)
		if !slices.Equal(got, jq.want) {
			t.Errorf("%s: %q (%s): got %v, want %v", e.name, jq.query, q, got, jq.want)
		}
		if m := matchSet(q, docs); !slices.Equal(got, m) {
			t.Errorf("%s: %q: got %v, Match gives %v", e.name, jq.query, got, m)
		}
	}
}

func openSQLite(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "search.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// loadSQLite indexes docs (rowid = index+1) in table, one transaction.
func loadSQLite(t testing.TB, db *sql.DB, table string, terms func(text string) string, docs []judgedDoc) {
	t.Helper()
	if _, err := db.Exec(SQLiteSchema(table)); err != nil {
		t.Fatalf("create FTS5 table: %v", err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		if _, err := tx.Exec("INSERT INTO "+table+"(rowid, terms) VALUES (?, ?)", i+1, terms(d.text)); err != nil {
			t.Fatalf("index %s: %v", d.id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func sqliteQuery(db *sql.DB, table string, docs []judgedDoc, match string) ([]string, error) {
	rows, err := db.Query("SELECT rowid FROM "+table+" WHERE "+table+" MATCH ? ORDER BY bm25("+table+")", match)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", match, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		ids = append(ids, docs[n-1].id)
	}
	return ids, rows.Err()
}

func TestSQLite(t *testing.T) {
	docs, qs := judged(t)
	db := openSQLite(t)
	loadSQLite(t, db, "fts", func(s string) string { return FTS5Terms(s) }, docs)
	checkEngine(t, engine{"sqlite", func(q *Query) ([]string, error) {
		return sqliteQuery(db, "fts", docs, q.FTS5())
	}}, docs, qs)
}

// TestSQLiteTokenizer proves that the ascii tokenizer keeps every term of
// ours whole: FTS5's own vocabulary equals the set of our terms.
func TestSQLiteTokenizer(t *testing.T) {
	docs, _ := judged(t)
	docs = append(docs, judgedDoc{"x", "Москва Yŏng-hŭi O'Brien's 金正日 ＣＡＭＰ１５ ㅋㅋㅋ façade naïve Ærø"})
	db := openSQLite(t)
	loadSQLite(t, db, "fts", func(s string) string { return FTS5Terms(s) }, docs)
	if _, err := db.Exec("CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, row)"); err != nil {
		t.Fatal(err)
	}
	want := make(map[string]int) // term → documents
	for _, d := range docs {
		seen := make(map[string]bool)
		for _, tm := range Terms(d.text) {
			if !seen[tm.Text] {
				seen[tm.Text] = true
				want[tm.Text]++
			}
		}
	}
	rows, err := db.Query("SELECT term, doc FROM fts_vocab")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := make(map[string]int)
	for rows.Next() {
		var term string
		var n int
		if err := rows.Scan(&term, &n); err != nil {
			t.Fatal(err)
		}
		got[term] = n
	}
	if len(got) != len(want) {
		t.Errorf("FTS5 has %d terms, we made %d", len(got), len(want))
	}
	for term, n := range want {
		if got[term] != n {
			t.Errorf("term %q: FTS5 counts %d documents, we made it in %d", term, got[term], n)
		}
	}
}

// TestSQLiteBlind checks the blind index: the blind query's hits hold every
// hit of the query (recall 1.0), and confirming them with Match gives
// exactly the query's hits. No clear term is in the blind index.
func TestSQLiteBlind(t *testing.T) {
	docs, qs := judged(t)
	key := []byte("test key, 32 bytes long, not sec")
	db := openSQLite(t)
	loadSQLite(t, db, "blind", func(s string) string { return strings.Join(BlindTerms(key, s), " ") }, docs)
	byID := make(map[string]string)
	for _, d := range docs {
		byID[d.id] = d.text
	}
	for _, jq := range qs {
		q, err := ParseQuery(jq.query)
		if err != nil {
			t.Fatal(err)
		}
		cand, err := sqliteQuery(db, "blind", docs, q.Blind(key).FTS5())
		if err != nil {
			t.Fatalf("%q: %v", jq.query, err)
		}
		if len(cand) > 2*len(jq.want)+3 {
			t.Errorf("blind %q: %d candidates for %d hits: the blind query hardly filters", jq.query, len(cand), len(jq.want))
		}
		var confirmed []string
		for _, id := range cand {
			if Match(q, byID[id]) {
				confirmed = append(confirmed, id)
			}
		}
		slices.Sort(confirmed)
		if !slices.Equal(confirmed, jq.want) {
			t.Errorf("blind %q: confirmed %v of candidates %v, want %v", jq.query, confirmed, cand, jq.want)
		}
	}
	var n int
	for _, term := range []string{"평양", "요덕", "yodok", "camp"} {
		if err := db.QueryRow("SELECT count(*) FROM blind WHERE blind MATCH ?", `"`+term+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("blind index answers the clear term %q", term)
		}
	}
}

// TestPostgres runs the judged set on PostgreSQL when $SILLOK_TEST_POSTGRES
// names a database; it works in a schema of its own and drops it.
func TestPostgres(t *testing.T) {
	url := os.Getenv("SILLOK_TEST_POSTGRES")
	if url == "" {
		t.Skip("$SILLOK_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "search_test_" + hex.EncodeToString(b)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE SCHEMA " + schema)
	t.Cleanup(func() { conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE") })
	exec("SET search_path TO " + schema)
	for _, ddl := range PostgresSchema("docs") {
		exec(ddl)
	}
	docs, qs := judged(t)
	for i, d := range docs {
		vec, exact := TSVector(d.text)
		if !exact {
			t.Fatalf("%s: tsvector not exact", d.id)
		}
		exec("INSERT INTO docs (id, vec) VALUES ($1, $2::tsvector)", i+1, vec)
	}
	// Make the planner use the GIN index, as it would on a large table.
	exec("SET enable_seqscan = off")
	pgQuery := func(tsq string) ([]string, error) {
		rows, err := conn.Query(ctx, "SELECT id FROM docs WHERE vec @@ $1::tsquery ORDER BY ts_rank_cd(vec, $1::tsquery) DESC, id", tsq)
		if err != nil {
			return nil, err
		}
		ns, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, fmt.Errorf("tsquery %s: %w", tsq, err)
		}
		var ids []string
		for _, n := range ns {
			ids = append(ids, docs[n-1].id)
		}
		return ids, nil
	}
	checkEngine(t, engine{"postgres", func(q *Query) ([]string, error) { return pgQuery(q.TSQuery()) }}, docs, qs)

	// The blind index on PostgreSQL: candidates confirmed by Match give
	// exactly the judged hits.
	key := []byte("test key, 32 bytes long, not sec")
	for _, ddl := range PostgresSchema("blind") {
		exec(ddl)
	}
	for i, d := range docs {
		exec("INSERT INTO blind (id, vec) VALUES ($1, $2::tsvector)", i+1, BlindTSVector(BlindTerms(key, d.text)))
	}
	for _, jq := range qs {
		q, err := ParseQuery(jq.query)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(ctx, "SELECT id FROM blind WHERE vec @@ $1::tsquery", q.Blind(key).TSQuery())
		if err != nil {
			t.Fatal(err)
		}
		ns, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatalf("blind %q: %v", jq.query, err)
		}
		var confirmed []string
		for _, n := range ns {
			if Match(q, docs[n-1].text) {
				confirmed = append(confirmed, docs[n-1].id)
			}
		}
		slices.Sort(confirmed)
		if !slices.Equal(confirmed, jq.want) {
			t.Errorf("postgres blind %q: confirmed %v, want %v", jq.query, confirmed, jq.want)
		}
	}

	// A text beyond a tsvector's limits (a term 300 times) is indexed
	// without positions for that term: PostgreSQL then answers phrases with
	// it through TSQueryLoose as a superset, which Match narrows.
	long := strings.Repeat("보위부 ", 300) + "수용 소"
	vec, exact := TSVector(long)
	if exact {
		t.Fatal("TSVector of a term occurring 300 times is exact")
	}
	exec("INSERT INTO docs (id, vec) VALUES ($1, $2::tsvector)", 1000, vec)
	for _, c := range []struct {
		q         string
		pg, match bool
	}{
		{"보위부", true, true},
		{`"부 위부"`, true, false}, // 부 is never followed by 위부 in the text
		{"수용소", false, false},   // 수용 and 용소 have positions: exact
		{"수용 소", true, true},
		{"요덕", false, false},
		{"보위부 -수용", true, false},
	} {
		q, err := ParseQuery(c.q)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM docs WHERE id = 1000 AND vec @@ $1::tsquery", q.TSQueryLoose()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if (n == 1) != c.pg || Match(q, long) != c.match {
			t.Errorf("long text, %q: PostgreSQL %v (want %v), Match %v (want %v)", c.q, n == 1, c.pg, Match(q, long), c.match)
		}
	}

	// The lexemes that PostgreSQL stores are ours, unchanged.
	var lexemes []string
	if err := conn.QueryRow(ctx, "SELECT tsvector_to_array(vec) FROM docs WHERE id = 1").Scan(&lexemes); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, tm := range Terms(docs[0].text) {
		want = append(want, tm.Text)
	}
	slices.Sort(want)
	want = slices.Compact(want)
	slices.Sort(lexemes)
	if !slices.Equal(lexemes, want) {
		t.Errorf("PostgreSQL lexemes %v, want %v", lexemes, want)
	}
}
