// Package sqlstore implements sillok.Store over database/sql. The sqlite
// and postgres packages supply the driver, the schema and a Dialect; the
// record logic (validation, revisions, references, import) lives here once,
// so both backends behave the same by construction and the conformance
// suite checks that they do.
//
// Schema: revisions holds every revision verbatim (the record of truth);
// records holds one row per record pointing at its current revision; refs
// and attrs are indexes derived from current revisions, rebuilt on each
// write in the same transaction so they cannot drift from the data.
//
// Bulk creation (demo data) goes through a Loader: the same checks, rows
// and hooks as Create, with the work that needs no database done on other
// cores (PrepareHook) and each batch written with multi-row INSERTs
// (BatchHook). BENCHMARKS.md has the figures.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/sillok/sillok"
)

// Dialect is what differs between SQL backends.
type Dialect struct {
	Name string
	// Migrations are applied in order, each in its own transaction; the
	// index+1 of the last one applied is kept in table meta.
	Migrations []string
	// ForUpdate is appended to the SELECT that locks a record's row before
	// a write (" FOR UPDATE" on PostgreSQL; SQLite locks the whole database
	// at BEGIN IMMEDIATE, so it needs none).
	ForUpdate string
	// IsUniqueViolation reports a primary-key clash (concurrent writers).
	IsUniqueViolation func(error) bool
}

// Options configure a Store.
type Options struct {
	Now    func() time.Time // clock; time.Now when nil
	Logger *slog.Logger
	// Hooks see every revision inside its write transaction.
	Hooks []Hook
}

// Hook extends the store with derived data that must never drift from the
// records — a search index, custody events: what AfterRevision writes in
// tx commits or rolls back with the revision.
type Hook interface {
	// Setup creates the hook's own tables; dialect is Dialect.Name. It runs
	// at every Open and must be idempotent.
	Setup(ctx context.Context, db *sql.DB, dialect string) error
	// AfterRevision is called after each revision is stored (created,
	// revised, deleted or imported). body is the revision's decoded body.
	AfterRevision(ctx context.Context, tx *sql.Tx, v *sillok.Revision, body sillok.Body) error
}

// CommitHook is a Hook that also wants to know when a batch has committed
// (e.g. to sign a checkpoint over the events it wrote).
type CommitHook interface {
	Hook
	AfterCommit(ctx context.Context) error
}

// PrepareHook is a Hook that can do the part of its work that needs no
// database ahead of the write transaction, on another goroutine: Loader
// calls Prepare for each new revision while an earlier batch is being
// written, then AfterPrepared (instead of AfterRevision) in the
// transaction with what Prepare returned. Prepare must be safe for
// concurrent use; returning nil means "nothing prepared": AfterRevision
// is called as usual.
type PrepareHook interface {
	Hook
	Prepare(v *sillok.Revision, body sillok.Body) (any, error)
	AfterPrepared(ctx context.Context, tx *sql.Tx, v *sillok.Revision, body sillok.Body, prep any) error
}

// BatchHook is a PrepareHook that writes a Loader's whole batch at once
// (e.g. with multi-row INSERTs): AfterPreparedBatch gets the batch's
// revisions, bodies and what Prepare returned for each (never nil), in
// order, after their rows are stored.
type BatchHook interface {
	PrepareHook
	AfterPreparedBatch(ctx context.Context, tx *sql.Tx, vs []*sillok.Revision, bodies []sillok.Body, preps []any) error
}

// Store is a sillok.Store on a *sql.DB.
type Store struct {
	db    *sql.DB
	d     Dialect
	now   func() time.Time
	log   *slog.Logger
	hooks []Hook
}

var _ sillok.Store = (*Store)(nil)

// Open migrates the database to the current schema, seeds the shipped
// thesauri and returns the store. It takes ownership of db.
func Open(ctx context.Context, db *sql.DB, d Dialect, opts Options) (*Store, error) {
	s := &Store{db: db, d: d, now: opts.Now, log: opts.Logger, hooks: opts.Hooks}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	for _, h := range s.hooks {
		if err := h.Setup(ctx, db, d.Name); err != nil {
			return nil, fmt.Errorf("set up %T: %w", h, err)
		}
	}
	if err := s.seedThesauri(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// DB returns the underlying database, for packages that keep their own
// tables in the same database (custody log, search index).
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate %s: create meta: %w", s.d.Name, err)
	}
	for {
		done := false
		err := s.Batch(ctx, func(tx sillok.Tx) error {
			t := tx.(*txn)
			var v int
			err := t.tx.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'`).Scan(&v)
			if errors.Is(err, sql.ErrNoRows) {
				v = 0
			} else if err != nil {
				return err
			}
			if v > len(s.d.Migrations) {
				return fmt.Errorf("database schema version %d is newer than this build knows (%d): upgrade sillok", v, len(s.d.Migrations))
			}
			if v == len(s.d.Migrations) {
				done = true
				return nil
			}
			if _, err := t.tx.ExecContext(ctx, s.d.Migrations[v]); err != nil {
				return fmt.Errorf("apply migration %d: %w", v+1, err)
			}
			_, err = t.tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('schema_version', $1)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, fmt.Sprint(v+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", s.d.Name, err)
		}
		if done {
			return nil
		}
	}
}

// seedThesauri creates the shipped terms the repository lacks, as the
// system actor at the thesauri's fixed date, so that they are identical
// revisions in every repository.
func (s *Store) seedThesauri(ctx context.Context) error {
	sh, err := sillok.ShippedThesauri()
	if err != nil {
		return err
	}
	var have string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'thesauri_version'`).Scan(&have)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read thesauri version: %w", err)
	}
	if have == fmt.Sprint(sh.Version) {
		return nil
	}
	return s.Batch(ctx, func(tx sillok.Tx) error {
		t := tx.(*txn)
		for i := range sh.Terms {
			term := sh.Terms[i]
			id := sillok.TermID(term.Thesaurus, term.Code)
			if _, err := t.Get(ctx, id); err == nil {
				continue
			} else if !errors.Is(err, sillok.ErrNotFound) {
				return err
			}
			r := &sillok.Record{ID: id, Kind: sillok.KindTerm, Org: sillok.SystemActor.Org, Level: sillok.LevelPublic, Body: &term}
			if err := t.create(ctx, sillok.SystemActor, r, sh.Date); err != nil {
				return fmt.Errorf("seed thesaurus %s term %s: %w", term.Thesaurus, term.Code, err)
			}
		}
		_, err := t.tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('thesauri_version', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, fmt.Sprint(sh.Version))
		return err
	})
}

// Batch runs fn in one transaction.
func (s *Store) Batch(ctx context.Context, fn func(tx sillok.Tx) error) (err error) {
	sqltx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	t := &txn{s: s, tx: sqltx, stmts: map[string]*sql.Stmt{}, terms: map[sillok.ID]bool{}, live: map[sillok.ID]sillok.Kind{}}
	defer func() {
		for _, st := range t.stmts {
			st.Close()
		}
		if err != nil {
			sqltx.Rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return s.mapErr(fmt.Errorf("commit: %w", err))
	}
	for _, h := range s.hooks {
		if ch, ok := h.(CommitHook); ok {
			if err := ch.AfterCommit(ctx); err != nil {
				return fmt.Errorf("after commit: %T: %w", h, err)
			}
		}
	}
	return nil
}

func (s *Store) mapErr(err error) error {
	if err != nil && s.d.IsUniqueViolation != nil && s.d.IsUniqueViolation(err) {
		return fmt.Errorf("%w (%v)", sillok.ErrConflict, err)
	}
	return err
}

// Create stores a new record in its own transaction.
func (s *Store) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	return s.Batch(ctx, func(tx sillok.Tx) error { return tx.Create(ctx, actor, r) })
}

// Update appends a revision in its own transaction.
func (s *Store) Update(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, body sillok.Body, note string) (rec *sillok.Record, err error) {
	err = s.Batch(ctx, func(tx sillok.Tx) error {
		rec, err = tx.Update(ctx, actor, id, baseRev, body, note)
		return err
	})
	return rec, err
}

// Delete appends a tombstone in its own transaction.
func (s *Store) Delete(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, note string) (rec *sillok.Record, err error) {
	err = s.Batch(ctx, func(tx sillok.Tx) error {
		rec, err = tx.Delete(ctx, actor, id, baseRev, note)
		return err
	})
	return rec, err
}

// queryer is what reads need: a *sql.DB or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const recordCols = `r.id, r.kind, r.org, r.level, r.rev, r.deleted, r.created, r.created_by, r.updated, r.updated_by, v.body`
const recordFrom = ` FROM records r JOIN revisions v ON v.id = r.id AND v.rev = r.rev`

type scanner interface{ Scan(dest ...any) error }

func scanRecord(sc scanner) (*sillok.Record, error) {
	var (
		r                sillok.Record
		created, updated string
		body             string
	)
	if err := sc.Scan(&r.ID, &r.Kind, &r.Org, &r.Level, &r.Rev, &r.Deleted, &created, &r.CreatedBy, &updated, &r.UpdatedBy, &body); err != nil {
		return nil, err
	}
	var err error
	if r.Created, err = time.Parse(sillok.TimeFormat, created); err != nil {
		return nil, fmt.Errorf("record %s: created time: %w", r.ID, err)
	}
	if r.Updated, err = time.Parse(sillok.TimeFormat, updated); err != nil {
		return nil, fmt.Errorf("record %s: updated time: %w", r.ID, err)
	}
	if r.Body, err = sillok.DecodeBody(r.Kind, []byte(body)); err != nil {
		return nil, fmt.Errorf("record %s: %w", r.ID, err)
	}
	return &r, nil
}

func get(ctx context.Context, q queryer, id sillok.ID) (*sillok.Record, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordCols+recordFrom+` WHERE r.id = $1`, string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("record %s: %w", id, sillok.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get record %s: %w", id, err)
	}
	return r, nil
}

// Get returns a record's current state.
func (s *Store) Get(ctx context.Context, id sillok.ID) (*sillok.Record, error) {
	return get(ctx, s.db, id)
}

const revisionCols = `id, kind, org, level, rev, time, actor, actor_org, tombstone, note, body, hash`

func scanRevision(sc scanner) (*sillok.Revision, error) {
	var (
		v    sillok.Revision
		t    string
		body string
	)
	if err := sc.Scan(&v.ID, &v.Kind, &v.Org, &v.Level, &v.Rev, &t, &v.Actor, &v.ActorOrg, &v.Tombstone, &v.Note, &body, &v.Hash); err != nil {
		return nil, err
	}
	var err error
	if v.Time, err = time.Parse(sillok.TimeFormat, t); err != nil {
		return nil, fmt.Errorf("revision %s@%d: time: %w", v.ID, v.Rev, err)
	}
	v.Body = []byte(body)
	return &v, nil
}

// Revision returns one revision.
func (s *Store) Revision(ctx context.Context, id sillok.ID, rev int) (*sillok.Revision, error) {
	v, err := scanRevision(s.db.QueryRowContext(ctx, `SELECT `+revisionCols+` FROM revisions WHERE id = $1 AND rev = $2`, string(id), rev))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("record %s revision %d: %w", id, rev, sillok.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get record %s revision %d: %w", id, rev, err)
	}
	return v, nil
}

// History returns all revisions of a record, oldest first.
func (s *Store) History(ctx context.Context, id sillok.ID) ([]*sillok.Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+revisionCols+` FROM revisions WHERE id = $1 ORDER BY rev`, string(id))
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	defer rows.Close()
	var out []*sillok.Revision
	for rows.Next() {
		v, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("record %s: %w", id, sillok.ErrNotFound)
	}
	return out, nil
}

// Revisions streams every revision ordered by ID and revision number.
func (s *Store) Revisions(ctx context.Context, fn func(*sillok.Revision) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+revisionCols+` FROM revisions ORDER BY id, rev`)
	if err != nil {
		return fmt.Errorf("read revisions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scanRevision(rows)
		if err != nil {
			return fmt.Errorf("read revisions: %w", err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read revisions: %w", err)
	}
	return nil
}

// List returns a page of records matching f.
func (s *Store) List(ctx context.Context, f sillok.Filter) (*sillok.Page, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 10000 {
		limit = 10000
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Kind != "" {
		where = append(where, "r.kind = "+arg(string(f.Kind)))
	}
	if f.Org != "" {
		where = append(where, "r.org = "+arg(f.Org))
	}
	if !f.IncludeDeleted {
		where = append(where, "NOT r.deleted")
	}
	if f.After != "" {
		where = append(where, "r.id > "+arg(string(f.After)))
	}
	for _, a := range f.Attrs {
		where = append(where, "EXISTS (SELECT 1 FROM attrs a WHERE a.record_id = r.id AND a.key = "+arg(a.Key)+" AND a.value = "+arg(a.Value)+")")
	}
	if f.RefTo != "" {
		where = append(where, "EXISTS (SELECT 1 FROM refs f WHERE f.from_id = r.id AND f.to_id = "+arg(string(f.RefTo))+")")
	}
	q := `SELECT ` + recordCols + recordFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY r.id LIMIT " + arg(limit+1)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	defer rows.Close()
	p := &sillok.Page{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("list records: %w", err)
		}
		p.Records = append(p.Records, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	if len(p.Records) > limit {
		p.Records = p.Records[:limit]
		p.Next = p.Records[limit-1].ID
	}
	return p, nil
}

// Linked walks references from id. Records that point at a record (acts
// of a victim, involvements in an act, information from a source) are
// expanded in both directions; records a record points at (its event,
// place, unit) are context and are expanded only outward, so that hubs such
// as a camp or a province do not pull in everyone connected to them.
func (s *Store) Linked(ctx context.Context, id sillok.ID, depth, limit int) ([]*sillok.Record, error) {
	if limit <= 0 {
		limit = 10000
	}
	seen := map[sillok.ID]bool{id: true}
	frontier := []sillok.ID{id} // expanded both ways
	var context []sillok.ID     // expanded outward only
	var found []sillok.ID
	for d := 0; d < depth && len(frontier)+len(context) > 0 && len(found) < limit; d++ {
		var nextFrontier, nextContext []sillok.ID
		add := func(other sillok.ID, incoming bool) {
			if seen[other] {
				return
			}
			seen[other] = true
			found = append(found, other)
			if incoming {
				nextFrontier = append(nextFrontier, other)
			} else {
				nextContext = append(nextContext, other)
			}
		}
		if err := s.eachRef(ctx, `SELECT to_id FROM refs WHERE from_id IN (%s)`, append(frontier, context...), func(o sillok.ID) { add(o, false) }); err != nil {
			return nil, fmt.Errorf("linked records of %s: %w", id, err)
		}
		if err := s.eachRef(ctx, `SELECT from_id FROM refs WHERE to_id IN (%s)`, frontier, func(o sillok.ID) { add(o, true) }); err != nil {
			return nil, fmt.Errorf("linked records of %s: %w", id, err)
		}
		frontier, context = nextFrontier, nextContext
	}
	if len(found) > limit {
		found = found[:limit]
	}
	return s.GetMany(ctx, found)
}

// eachRef runs query (with %s for the placeholders) over ids in chunks.
func (s *Store) eachRef(ctx context.Context, query string, ids []sillok.ID, fn func(sillok.ID)) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		ph, args := placeholders(chunk, 0)
		rows, err := s.db.QueryContext(ctx, fmt.Sprintf(query, ph), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var other sillok.ID
			if err := rows.Scan(&other); err != nil {
				rows.Close()
				return err
			}
			fn(other)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// GetMany returns the live records among ids, in ID order.
func (s *Store) GetMany(ctx context.Context, ids []sillok.ID) ([]*sillok.Record, error) {
	var out []*sillok.Record
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		ph, args := placeholders(chunk, 0)
		rows, err := s.db.QueryContext(ctx, `SELECT `+recordCols+recordFrom+` WHERE r.id IN (`+ph+`) AND NOT r.deleted`, args...)
		if err != nil {
			return nil, fmt.Errorf("get records: %w", err)
		}
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("get records: %w", err)
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("get records: %w", err)
		}
	}
	sortRecords(out)
	return out, nil
}

func sortRecords(rs []*sillok.Record) {
	slices.SortFunc(rs, func(a, b *sillok.Record) int { return strings.Compare(string(a.ID), string(b.ID)) })
}

// placeholders returns "$k+1, $k+2, …" for ids, and the args.
func placeholders(ids []sillok.ID, k int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", k+i+1)
		args[i] = string(id)
	}
	return b.String(), args
}
