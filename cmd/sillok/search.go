package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sillok/sillok/search"
	_ "modernc.org/sqlite"
)

// runSearch searches the repository (or, with --in, a file of texts, one
// "id<TAB>text" per line, indexed in memory exactly as the store indexes
// records).
func runSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "search", "[--json] [--explain] [--in FILE] [--limit N] [--width N] QUERY")
	asJSON := fs.Bool("json", false, "print JSON")
	explain := fs.Bool("explain", false, "print the query's terms and its FTS5 and tsquery forms instead of searching")
	in := fs.String("in", "", "`file` of texts to search, one id<TAB>text per line")
	limit := fs.Int("limit", 10, "print at most `n` hits, best first")
	width := fs.Int("width", 80, "snippet width in characters")
	var kinds multiFlag
	fs.Var(&kinds, "kind", "only records of this `kind` (repeatable): person, event, act, source, location, unit")
	actType := fs.String("act-type", "", "only acts of this act_type `code` or its sub-types")
	location := fs.String("location", "", "only records at this location `ID`")
	sex := fs.String("sex", "", "only persons of this `sex`")
	org := fs.String("org", "", "only records of this `organisation`")
	from := fs.String("from", "", "only records dated on or after this fuzzy `date`")
	to := fs.String("to", "", "only records dated on or before this fuzzy `date`")
	offset := fs.Int("offset", 0, "skip the first `n` hits (pagination)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("%w: no query", errUsage)
	}
	q, err := search.ParseQuery(strings.Join(fs.Args(), " "))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *explain {
		ex := struct {
			Terms   string `json:"terms"`
			FTS5    string `json:"fts5"`
			TSQuery string `json:"tsquery"`
		}{q.String(), q.FTS5(), q.TSQuery()}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(ex)
		}
		fmt.Fprintf(e.stdout, "terms:   %s\nfts5:    %s\ntsquery: %s\n", ex.Terms, ex.FTS5, ex.TSQuery)
		return nil
	}
	if *in == "" {
		params := map[string][]string{"act_type": {*actType}, "location": {*location}, "sex": {*sex},
			"org": {*org}, "from": {*from}, "to": {*to}, "kind": kinds,
			"offset": {fmt.Sprint(*offset)}, "limit": {fmt.Sprint(*limit)}}
		return e.searchRepository(ctx, strings.Join(fs.Args(), " "), params, *width, *asJSON)
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	hits, total, err := searchFile(ctx, f, q, *limit)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	type hitJSON struct {
		ID      string            `json:"id"`
		Snippet []search.Fragment `json:"snippet"`
	}
	out := struct {
		Total int       `json:"total"`
		Hits  []hitJSON `json:"hits"`
	}{Total: total, Hits: []hitJSON{}}
	for _, h := range hits {
		out.Hits = append(out.Hits, hitJSON{h.id, search.Snippet(h.text, q, *width)})
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(out)
	}
	fmt.Fprintf(e.stdout, "%d hits\n", total)
	for _, h := range out.Hits {
		var b strings.Builder
		for _, fr := range h.Snippet {
			if fr.Hit {
				b.WriteString("[" + fr.Text + "]")
			} else {
				b.WriteString(fr.Text)
			}
		}
		fmt.Fprintf(e.stdout, "%s\t%s\n", h.ID, strings.Join(strings.Fields(b.String()), " "))
	}
	return nil
}

type fileHit struct{ id, text string }

// searchFile indexes the id<TAB>text lines of r in an in-memory FTS5
// table and returns the best limit hits by BM25 and the number of hits.
func searchFile(ctx context.Context, r io.Reader, q *search.Query, limit int) ([]fileHit, int, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	if _, err := db.ExecContext(ctx, search.SQLiteSchema("texts")); err != nil {
		return nil, 0, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var docs []fileHit
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, text, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, 0, fmt.Errorf("line %d: no tab between id and text", n)
		}
		docs = append(docs, fileHit{id, text})
		if _, err := tx.ExecContext(ctx, "INSERT INTO texts(rowid, terms) VALUES (?, ?)", len(docs), search.FTS5Terms(text)); err != nil {
			return nil, 0, fmt.Errorf("line %d: index: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, err
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM texts WHERE texts MATCH ?", q.FTS5()).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.QueryContext(ctx, "SELECT rowid FROM texts WHERE texts MATCH ? ORDER BY bm25(texts) LIMIT ?", q.FTS5(), limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var hits []fileHit
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, 0, err
		}
		if n < 1 || n > len(docs) {
			return nil, 0, errors.New("index returned an unknown row")
		}
		hits = append(hits, docs[n-1])
	}
	return hits, total, rows.Err()
}
