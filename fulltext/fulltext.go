// Package fulltext keeps the repository's full-text index inside its
// database, written by a sqlstore hook in the same transaction as each
// record (so index and records cannot drift apart), and answers searches
// with filters, facets, ranking, snippets and pagination.
//
// Terms come from package search (one tokenizer for both backends: SQLite
// FTS5 and a PostgreSQL tsvector with GIN). Records of level confidential or
// strict are indexed blind: keyed hashes of their terms, no positions; their
// candidate hits are confirmed against the record's text inside the process.
// Protected names are never indexed in clear: persons are indexed only when
// their level is public or internal, otherwise blind (see search's package
// doc for what a blind index still leaks).
package fulltext

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/korean"
	"github.com/sillok/sillok/search"
	"github.com/sillok/sillok/sqlstore"
)

// Index is a sqlstore.Hook maintaining the index, and the search over it.
type Index struct {
	// Reveal, when set, opens sealed records (package protect) in the
	// process: their text is indexed blind like any confidential record's,
	// and their candidate hits are confirmed on the opened text. Snippets
	// are cut from the record as stored, so they never show sealed text.
	Reveal func(ctx context.Context, id sillok.ID, b sillok.Body) sillok.Body

	blindKey []byte
	dialect  string
	db       *sql.DB

	mu    sync.Mutex
	tx    *sql.Tx // the transaction stmts belong to
	stmts map[string]*sql.Stmt
}

// stmt returns q prepared in tx. Statements are kept for the latest
// transaction only (a bulk load writes many records in one); database/sql
// closes them when it ends.
func (ix *Index) stmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.tx != tx {
		ix.tx, ix.stmts = tx, map[string]*sql.Stmt{}
	}
	if st, ok := ix.stmts[q]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	ix.stmts[q] = st
	return st, nil
}

// New returns an index whose blind terms are keyed with blindKey (kept
// outside the database; without it the blind index cannot be searched).
func New(blindKey []byte) *Index {
	return &Index{blindKey: blindKey}
}

// Setup creates the index tables.
func (ix *Index) Setup(ctx context.Context, db *sql.DB, dialect string) error {
	ix.dialect, ix.db = dialect, db
	var stmts []string
	switch dialect {
	case "sqlite":
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS search_docs (
				rowid INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
				org TEXT NOT NULL, level TEXT NOT NULL, blind BOOLEAN NOT NULL, act_type TEXT NOT NULL,
				location TEXT NOT NULL, sex TEXT NOT NULL, date_lo TEXT NOT NULL, date_hi TEXT NOT NULL)`,
			`CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(terms, tokenize='ascii', content='', contentless_delete=1)`,
		}
	case "postgres":
		stmts = []string{
			`CREATE TABLE IF NOT EXISTS search_docs (
				rowid BIGSERIAL PRIMARY KEY, record_id TEXT COLLATE "C" NOT NULL UNIQUE, kind TEXT NOT NULL,
				org TEXT NOT NULL, level TEXT NOT NULL, blind BOOLEAN NOT NULL, act_type TEXT NOT NULL,
				location TEXT NOT NULL, sex TEXT NOT NULL, date_lo TEXT NOT NULL, date_hi TEXT NOT NULL,
				exact BOOLEAN NOT NULL, vec TSVECTOR NOT NULL)`,
			`CREATE INDEX IF NOT EXISTS search_docs_vec ON search_docs USING gin (vec)`,
		}
	default:
		return fmt.Errorf("fulltext: no index for dialect %q", dialect)
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("fulltext: create index tables: %w", err)
		}
	}
	return nil
}

// Blind reports whether records of level l are indexed blind.
func Blind(l sillok.Level) bool {
	return l == sillok.LevelConfidential || l == sillok.LevelStrict
}

// Text returns the searchable text of a body and its name aliases (Korean
// name keys, so that Kim, Gim and 김 meet).
func Text(b sillok.Body) (text string, aliases []string) {
	var parts []string
	add := func(ss ...string) {
		for _, s := range ss {
			if s = strings.TrimSpace(s); s != "" {
				parts = append(parts, s)
			}
		}
	}
	names := func(ns []sillok.Name) {
		for _, n := range ns {
			add(n.Value)
		}
	}
	switch b := b.(type) {
	case *sillok.Person:
		names(b.Names)
		add(b.OriginText)
		for _, n := range b.Names {
			aliases = append(aliases, NameAliases(n.Value)...)
		}
	case *sillok.Unit:
		names(b.Names)
	case *sillok.Location:
		names(b.Names)
	case *sillok.Event:
		add(b.Title.Ko, b.Title.En, b.Description.Ko, b.Description.En)
	case *sillok.Act:
		add(b.Description.Ko, b.Description.En)
	case *sillok.Source:
		add(b.Title.Ko, b.Title.En, b.Place, b.Transcript.Ko, b.Transcript.En)
	}
	return strings.Join(parts, "\n"), dedupe(aliases)
}

// NameAliases returns the alias keys of a personal name: its whole-name key
// and the keys of its family and given names.
func NameAliases(name string) []string {
	var ks []string
	for _, k := range []string{korean.Key(name)} {
		if k != "" {
			ks = append(ks, k)
		}
	}
	family, given := korean.SplitName(name)
	if k := korean.SurnameKey(family); k != "" && family != "" {
		ks = append(ks, k)
	}
	if k := korean.GivenKey(given); k != "" && given != "" {
		ks = append(ks, k)
	}
	return ks
}

// queryAliases are the alias keys a query word or phrase may stand for.
func queryAliases(word string) []string {
	var ks []string
	for _, k := range []string{korean.Key(word), korean.SurnameKey(word), korean.GivenKey(word)} {
		if k != "" && strings.ContainsFunc(k, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
			ks = append(ks, k)
		}
	}
	return dedupe(ks)
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// docFields are the filter columns of a record.
type docFields struct {
	actType, location, sex, dateLo, dateHi string
}

func fieldsOf(b sillok.Body) docFields {
	var f docFields
	date := func(d sillok.FuzzyDate) {
		if !d.IsZero() {
			f.dateLo, f.dateHi = d.Lo.Format("2006-01-02"), d.Hi.Format("2006-01-02")
		}
	}
	switch b := b.(type) {
	case *sillok.Person:
		f.sex = string(b.Sex)
	case *sillok.Act:
		f.actType, f.location = b.Type, string(b.Location)
		date(b.Date)
	case *sillok.Event:
		f.location = string(b.Location)
		date(b.Date)
	case *sillok.Source:
		date(b.Date)
	}
	return f
}

// AfterRevision re-indexes the record of revision v.
func (ix *Index) AfterRevision(ctx context.Context, tx *sql.Tx, v *sillok.Revision, body sillok.Body) error {
	return ix.AfterPrepared(ctx, tx, v, body, ix.entry(ctx, v, body))
}

// Prepare implements sqlstore.PrepareHook: the index entry of a revision
// (its terms, blind or not, and filter fields) needs no database.
func (ix *Index) Prepare(v *sillok.Revision, body sillok.Body) (any, error) {
	return ix.entry(context.Background(), v, body), nil
}

// entry is what the index holds for one revision.
type entry struct {
	none  bool // nothing to index (a tombstone, or no text)
	blind bool
	f     docFields
	terms string // FTS5 terms or PostgreSQL tsvector
	exact bool   // PostgreSQL: the tsvector holds every term exactly
}

func (ix *Index) entry(ctx context.Context, v *sillok.Revision, body sillok.Body) *entry {
	if v.Tombstone {
		return &entry{none: true}
	}
	if Blind(v.Level) && ix.Reveal != nil {
		// A sealed record is indexed (blind) from its opened text.
		body = ix.Reveal(ctx, v.ID, body)
	}
	text, aliases := Text(body)
	if text == "" {
		return &entry{none: true}
	}
	e := &entry{blind: Blind(v.Level), f: fieldsOf(body), exact: true}
	if _, ok := body.(*sillok.Location); ok {
		e.f.location = string(v.ID)
	}
	switch {
	case ix.dialect == "postgres" && e.blind:
		e.terms = search.BlindTSVector(search.BlindTerms(ix.blindKey, text, aliases...))
	case ix.dialect == "postgres":
		e.terms, e.exact = search.TSVector(text, aliases...)
	case e.blind:
		e.terms = strings.Join(search.BlindTerms(ix.blindKey, text, aliases...), " ")
	default:
		e.terms = search.FTS5Terms(text, aliases...)
	}
	return e
}

// AfterPrepared implements sqlstore.PrepareHook: it writes the entry
// Prepare (or AfterRevision) computed.
func (ix *Index) AfterPrepared(ctx context.Context, tx *sql.Tx, v *sillok.Revision, _ sillok.Body, prep any) error {
	e, ok := prep.(*entry)
	if !ok {
		return fmt.Errorf("index %s: prepared %T, not an index entry", v.ID, prep)
	}
	if v.Rev > 1 { // a first revision has nothing to replace
		if err := ix.remove(ctx, tx, v.ID); err != nil {
			return err
		}
	}
	if e.none {
		return nil
	}
	f := e.f
	switch ix.dialect {
	case "sqlite":
		ins, err := ix.stmt(ctx, tx, `INSERT INTO search_docs (record_id, kind, org, level, blind, act_type, location, sex, date_lo, date_hi)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`)
		if err != nil {
			return fmt.Errorf("index %s: %w", v.ID, err)
		}
		res, err := ins.ExecContext(ctx, string(v.ID), string(v.Kind), v.Org, string(v.Level), e.blind, f.actType, f.location, f.sex, f.dateLo, f.dateHi)
		if err != nil {
			return fmt.Errorf("index %s: %w", v.ID, err)
		}
		rowid, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("index %s: %w", v.ID, err)
		}
		fts, err := ix.stmt(ctx, tx, `INSERT INTO search_fts (rowid, terms) VALUES ($1, $2)`)
		if err != nil {
			return fmt.Errorf("index %s: %w", v.ID, err)
		}
		if _, err := fts.ExecContext(ctx, rowid, e.terms); err != nil {
			return fmt.Errorf("index %s: %w", v.ID, err)
		}
	case "postgres":
		ins, err := ix.stmt(ctx, tx, `INSERT INTO search_docs (record_id, kind, org, level, blind, act_type, location, sex, date_lo, date_hi, exact, vec)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::tsvector)`)
		if err == nil {
			_, err = ins.ExecContext(ctx, string(v.ID), string(v.Kind), v.Org, string(v.Level), e.blind, f.actType, f.location, f.sex, f.dateLo, f.dateHi, e.exact, e.terms)
		}
		if err != nil {
			return fmt.Errorf("index %s: %w", v.ID, err)
		}
	}
	return nil
}

// AfterPreparedBatch implements sqlstore.BatchHook: on SQLite, the
// documents of a batch of new records go in with multi-row INSERTs, with
// rowids numbered on from the largest (what SQLite would pick; the write
// transaction holds the database), and then their terms, one row per
// statement (see sqlstore.InsertRows on FTS5).
func (ix *Index) AfterPreparedBatch(ctx context.Context, tx *sql.Tx, vs []*sillok.Revision, bodies []sillok.Body, preps []any) error {
	fresh := ix.dialect == "sqlite"
	for _, v := range vs {
		fresh = fresh && v.Rev == 1
	}
	if !fresh {
		for i, v := range vs {
			if err := ix.AfterPrepared(ctx, tx, v, bodies[i], preps[i]); err != nil {
				return err
			}
		}
		return nil
	}
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM search_docs`).Scan(&next); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	var docs []any
	var rowids []int64
	var terms []string
	for i, v := range vs {
		e, ok := preps[i].(*entry)
		if !ok {
			return fmt.Errorf("index %s: prepared %T, not an index entry", v.ID, preps[i])
		}
		if e.none {
			continue
		}
		next++
		f := e.f
		docs = append(docs, next, string(v.ID), string(v.Kind), v.Org, string(v.Level), e.blind, f.actType, f.location, f.sex, f.dateLo, f.dateHi)
		rowids, terms = append(rowids, next), append(terms, e.terms)
	}
	prep := func(q string) (*sql.Stmt, error) { return ix.stmt(ctx, tx, q) }
	if err := sqlstore.InsertRows(ctx, ix.dialect, prep, `INSERT INTO search_docs (rowid, record_id, kind, org, level, blind, act_type, location, sex, date_lo, date_hi) VALUES `, 11, docs); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	fts, err := ix.stmt(ctx, tx, `INSERT INTO search_fts (rowid, terms) VALUES ($1, $2)`)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	for i, rowid := range rowids {
		if _, err := fts.ExecContext(ctx, rowid, terms[i]); err != nil {
			return fmt.Errorf("index %s: %w", docs[i*11+1], err)
		}
	}
	return nil
}

func (ix *Index) remove(ctx context.Context, tx *sql.Tx, id sillok.ID) error {
	if ix.dialect == "sqlite" {
		var rowid int64
		err := tx.QueryRowContext(ctx, `SELECT rowid FROM search_docs WHERE record_id = $1`, string(id)).Scan(&rowid)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unindex %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = $1`, rowid); err != nil {
			return fmt.Errorf("unindex %s: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE record_id = $1`, string(id)); err != nil {
		return fmt.Errorf("unindex %s: %w", id, err)
	}
	return nil
}
