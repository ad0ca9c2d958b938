package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sillok/sillok"
)

// txn is a sillok.Tx on a SQL transaction. It caches prepared statements
// and thesaurus look-ups for the length of the batch: bulk loads (demo data,
// imports) run the same few statements millions of times.
type txn struct {
	s     *Store
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	terms map[sillok.ID]bool
	live  map[sillok.ID]sillok.Kind // records known to exist, undeleted, in this transaction
}

func (t *txn) exec(ctx context.Context, q string, args ...any) error {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return t.s.mapErr(err)
}

func (t *txn) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	t.stmts[q] = st
	return st, nil
}

func (t *txn) Get(ctx context.Context, id sillok.ID) (*sillok.Record, error) {
	return get(ctx, t.tx, id)
}

func (t *txn) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	return t.create(ctx, actor, r, t.s.now())
}

func (t *txn) create(ctx context.Context, actor sillok.Actor, r *sillok.Record, now time.Time) error {
	p := t.s.prepare(actor, r, now, false)
	return t.createPrepared(ctx, p)
}

// prepared is a new record's revision worked out without the database:
// checks that need no look-up, canonical body, hash, and (with hooks)
// each PrepareHook's share. Loader computes them on other goroutines.
type prepared struct {
	actor sillok.Actor
	r     *sillok.Record
	v     *sillok.Revision
	label string
	hooks []any // per hook of the store: what its Prepare returned, or nil
	err   error
}

// prepare checks r as far as it can without the database and computes its
// first revision at time now. withHooks asks the PrepareHooks for their
// share too (worth it only when prepare runs off the writing goroutine).
func (s *Store) prepare(actor sillok.Actor, r *sillok.Record, now time.Time, withHooks bool) *prepared {
	p := &prepared{actor: actor, r: r}
	if p.err = checkActor(actor); p.err != nil {
		return p
	}
	if r.Body == nil {
		p.err = &sillok.FieldError{Record: r.ID, Field: "body", Reason: "missing"}
		return p
	}
	if r.Kind == "" {
		r.Kind = r.Body.Kind()
	}
	if !r.Kind.Valid() || r.Body.Kind() != r.Kind {
		p.err = &sillok.FieldError{Record: r.ID, Field: "kind", Reason: fmt.Sprintf("kind %q does not match a %s body", r.Kind, r.Body.Kind())}
		return p
	}
	if r.ID == "" {
		r.ID = sillok.NewID(r.Kind)
	} else if sillok.KindOf(r.ID) != r.Kind {
		p.err = &sillok.FieldError{Record: r.ID, Field: "id", Reason: fmt.Sprintf("an ID of a %s starts with %s_", r.Kind, r.Kind.Prefix())}
		return p
	}
	if r.Org == "" {
		r.Org = actor.Org
	}
	if r.Level == "" {
		r.Level = sillok.LevelInternal
	}
	if !r.Level.Valid() {
		p.err = &sillok.FieldError{Record: r.ID, Field: "level", Reason: "want public, internal, confidential or strict"}
		return p
	}
	if err := validate(r.ID, r.Body); err != nil {
		p.err = err
		return p
	}
	if r.Kind == sillok.KindTerm {
		term := r.Body.(*sillok.Term)
		if want := sillok.TermID(term.Thesaurus, term.Code); r.ID != want {
			p.err = &sillok.FieldError{Record: r.ID, Field: "id", Reason: fmt.Sprintf("a term's ID is %s", want)}
			return p
		}
	}
	body, err := sillok.EncodeBody(r.Body)
	if err != nil {
		p.err = err
		return p
	}
	now = sillok.Timestamp(now)
	p.v = &sillok.Revision{ID: r.ID, Kind: r.Kind, Org: r.Org, Level: r.Level, Rev: 1, Time: now,
		Actor: actor.User, ActorOrg: actor.Org, Body: body}
	p.v.Hash = p.v.ComputeHash()
	p.label = r.Body.Label()
	if withHooks {
		for i, h := range s.hooks {
			ph, ok := h.(PrepareHook)
			if !ok {
				continue
			}
			if p.hooks == nil {
				p.hooks = make([]any, len(s.hooks))
			}
			if p.hooks[i], err = ph.Prepare(p.v, r.Body); err != nil {
				p.err = fmt.Errorf("create %s: %T: %w", r.ID, h, err)
				return p
			}
		}
	}
	return p
}

// createPrepared writes a prepared record: the checks that need the
// database, its rows, and the hooks.
func (t *txn) createPrepared(ctx context.Context, p *prepared) error {
	if p.err != nil {
		return p.err
	}
	r, v := p.r, p.v
	if err := t.checkRefs(ctx, r.ID, r.Body); err != nil {
		return err
	}
	if err := t.insertRevision(ctx, v); err != nil {
		if errors.Is(err, sillok.ErrConflict) {
			return fmt.Errorf("create %s: %w: the ID is taken", r.ID, sillok.ErrConflict)
		}
		return fmt.Errorf("create %s: %w", r.ID, err)
	}
	now := v.Time
	if err := t.exec(ctx, `INSERT INTO records (id, kind, org, level, rev, deleted, label, created, created_by, updated, updated_by)
		VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $7, $8)`,
		string(r.ID), string(r.Kind), r.Org, string(r.Level), false, p.label, now.Format(sillok.TimeFormat), p.actor.User); err != nil {
		return fmt.Errorf("create %s: %w", r.ID, err)
	}
	if err := t.index(ctx, r.ID, r.Body, nil); err != nil {
		return fmt.Errorf("create %s: %w", r.ID, err)
	}
	if err := t.storedPrepared(ctx, v, r.Body, p.hooks); err != nil {
		return fmt.Errorf("create %s: %w", r.ID, err)
	}
	t.live[r.ID] = r.Kind
	r.Rev, r.Deleted = 1, false
	r.Created, r.Updated = now, now
	r.CreatedBy, r.UpdatedBy = p.actor.User, p.actor.User
	return nil
}

func (t *txn) Update(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, body sillok.Body, note string) (*sillok.Record, error) {
	if body == nil {
		return nil, &sillok.FieldError{Record: id, Field: "body", Reason: "missing"}
	}
	return t.revise(ctx, actor, id, baseRev, body, note, false)
}

func (t *txn) Delete(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, note string) (*sillok.Record, error) {
	return t.revise(ctx, actor, id, baseRev, nil, note, true)
}

func (t *txn) revise(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, body sillok.Body, note string, tombstone bool) (*sillok.Record, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	if t.s.d.ForUpdate != "" {
		// Lock the row alone first: a locking read through the join would,
		// after waiting for a concurrent writer, re-check the join against
		// the new revision number and find nothing.
		var one int
		err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM records WHERE id = $1`+t.s.d.ForUpdate, string(id)).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("lock record %s: %w", id, err)
		}
	}
	cur, err := scanRecord(t.tx.QueryRowContext(ctx, `SELECT `+recordCols+recordFrom+` WHERE r.id = $1`, string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("record %s: %w", id, sillok.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", id, err)
	}
	if cur.Deleted {
		return nil, fmt.Errorf("record %s: %w", id, sillok.ErrDeleted)
	}
	if cur.Rev != baseRev {
		return nil, fmt.Errorf("record %s is at revision %d, not %d: %w", id, cur.Rev, baseRev, sillok.ErrConflict)
	}
	if tombstone {
		body = cur.Body // a tombstone keeps the last content, so history shows what was deleted
	} else {
		if body.Kind() != cur.Kind {
			return nil, &sillok.FieldError{Record: id, Field: "kind", Reason: fmt.Sprintf("record is a %s, body is a %s", cur.Kind, body.Kind())}
		}
		if err := t.check(ctx, id, body); err != nil {
			return nil, err
		}
	}
	enc, err := sillok.EncodeBody(body)
	if err != nil {
		return nil, err
	}
	now := sillok.Timestamp(t.s.now())
	v := &sillok.Revision{ID: id, Kind: cur.Kind, Org: cur.Org, Level: cur.Level, Rev: cur.Rev + 1, Time: now,
		Actor: actor.User, ActorOrg: actor.Org, Tombstone: tombstone, Note: note, Body: enc}
	v.Hash = v.ComputeHash()
	if err := t.insertRevision(ctx, v); err != nil {
		return nil, fmt.Errorf("revise %s: %w", id, err)
	}
	if err := t.exec(ctx, `UPDATE records SET rev = $2, deleted = $3, label = $4, updated = $5, updated_by = $6 WHERE id = $1`,
		string(id), v.Rev, tombstone, body.Label(), now.Format(sillok.TimeFormat), actor.User); err != nil {
		return nil, fmt.Errorf("revise %s: %w", id, err)
	}
	if tombstone {
		delete(t.live, id)
		err = t.unindex(ctx, id, cur.Body) // a deleted record is found by no filter or walk
	} else {
		err = t.index(ctx, id, body, cur.Body)
	}
	if err != nil {
		return nil, fmt.Errorf("revise %s: %w", id, err)
	}
	if err := t.stored(ctx, v, body); err != nil {
		return nil, fmt.Errorf("revise %s: %w", id, err)
	}
	cur.Rev, cur.Deleted, cur.Body, cur.Updated, cur.UpdatedBy = v.Rev, tombstone, body, now, actor.User
	return cur, nil
}

func checkActor(a sillok.Actor) error {
	if a.User == "" || a.Org == "" {
		return fmt.Errorf("%w: every change needs an actor (user and organisation)", sillok.ErrInvalid)
	}
	return nil
}

// check validates a body and its references and thesaurus codes.
func (t *txn) check(ctx context.Context, id sillok.ID, b sillok.Body) error {
	if err := validate(id, b); err != nil {
		return err
	}
	return t.checkRefs(ctx, id, b)
}

// validate checks a body on its own, without the database.
func validate(id sillok.ID, b sillok.Body) error {
	if err := b.Validate(); err != nil {
		var fe *sillok.FieldError
		if errors.As(err, &fe) && fe.Record == "" {
			fe.Record = id
		}
		return err
	}
	return nil
}

// checkRefs checks that a body's references and thesaurus codes resolve.
func (t *txn) checkRefs(ctx context.Context, id sillok.ID, b sillok.Body) error {
	for _, ref := range b.Refs() {
		var (
			kind    string
			deleted bool
			err     error
		)
		if k, ok := t.live[ref.To]; ok {
			kind = string(k)
		} else {
			st, serr := t.stmt(ctx, `SELECT kind, deleted FROM records WHERE id = $1`)
			if serr != nil {
				return serr
			}
			err = st.QueryRowContext(ctx, string(ref.To)).Scan(&kind, &deleted)
			if err == nil && !deleted {
				t.live[ref.To] = sillok.Kind(kind)
			}
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return &sillok.FieldError{Record: id, Field: ref.Field, Reason: fmt.Sprintf("refers to %s, which does not exist", ref.To)}
		case err != nil:
			return fmt.Errorf("check reference %s of %s: %w", ref.Field, id, err)
		case deleted:
			return &sillok.FieldError{Record: id, Field: ref.Field, Reason: fmt.Sprintf("refers to %s, which is deleted", ref.To)}
		case ref.To == id:
			return &sillok.FieldError{Record: id, Field: ref.Field, Reason: "refers to the record itself"}
		case len(ref.Kinds) > 0 && !slices.Contains(ref.Kinds, sillok.Kind(kind)):
			return &sillok.FieldError{Record: id, Field: ref.Field, Reason: fmt.Sprintf("refers to %s, a %s; want %v", ref.To, kind, ref.Kinds)}
		}
	}
	for _, tr := range b.Terms() {
		tid := sillok.TermID(tr.Thesaurus, tr.Code)
		ok, cached := t.terms[tid]
		if !cached {
			var deleted bool
			st, err := t.stmt(ctx, `SELECT deleted FROM records WHERE id = $1`)
			if err != nil {
				return err
			}
			err = st.QueryRowContext(ctx, string(tid)).Scan(&deleted)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("check thesaurus code %s of %s: %w", tr.Field, id, err)
			}
			ok = err == nil && !deleted
			t.terms[tid] = ok
		}
		if !ok {
			return &sillok.FieldError{Record: id, Field: tr.Field, Reason: fmt.Sprintf("%q is not a term of thesaurus %s", tr.Code, tr.Thesaurus)}
		}
	}
	return nil
}

// stored runs the hooks after a revision is stored.
func (t *txn) stored(ctx context.Context, v *sillok.Revision, b sillok.Body) error {
	return t.storedPrepared(ctx, v, b, nil)
}

// storedPrepared runs the hooks after a revision is stored, handing each
// PrepareHook what its Prepare returned (prep[i] for hook i) if anything.
func (t *txn) storedPrepared(ctx context.Context, v *sillok.Revision, b sillok.Body, prep []any) error {
	for i, h := range t.s.hooks {
		var err error
		if ph, ok := h.(PrepareHook); ok && prep != nil && prep[i] != nil {
			err = ph.AfterPrepared(ctx, t.tx, v, b, prep[i])
		} else {
			err = h.AfterRevision(ctx, t.tx, v, b)
		}
		if err != nil {
			return fmt.Errorf("%T: %w", h, err)
		}
	}
	return nil
}

func (t *txn) insertRevision(ctx context.Context, v *sillok.Revision) error {
	return t.exec(ctx, `INSERT INTO revisions (`+revisionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		string(v.ID), string(v.Kind), v.Org, string(v.Level), v.Rev, v.Time.Format(sillok.TimeFormat),
		v.Actor, v.ActorOrg, v.Tombstone, v.Note, string(v.Body), v.Hash)
}

// index rebuilds the derived refs and attrs rows of a record. old is the
// body the rows were built from (nil for a new record).
func (t *txn) index(ctx context.Context, id sillok.ID, b, old sillok.Body) error {
	if old != nil {
		if err := t.unindex(ctx, id, old); err != nil {
			return err
		}
	}
	var rows [][2]string
	for _, ref := range b.Refs() {
		rows = append(rows, [2]string{ref.Field, string(ref.To)})
	}
	if err := t.insertPairs(ctx, `INSERT INTO refs (from_id, field, to_id) VALUES ($1, $2, $3)`, id, rows); err != nil {
		return fmt.Errorf("index references: %w", err)
	}
	rows = rows[:0]
	for _, a := range b.Attrs() {
		rows = append(rows, [2]string{a.Key, a.Value})
	}
	if err := t.insertPairs(ctx, `INSERT INTO attrs (record_id, key, value) VALUES ($1, $2, $3)`, id, rows); err != nil { // see unindex
		return fmt.Errorf("index attributes: %w", err)
	}
	return nil
}

// insertPairs inserts (id, a, b) rows with insert, a prepared single-row
// INSERT, without duplicates. One row per statement on purpose: a
// multi-row INSERT runs in a statement savepoint, and SQLite's FTS5 writes
// its pending index data to disk at every savepoint of a transaction that
// has touched it, so a bulk load made thousands of tiny FTS segments and
// spent more time merging them than inserting.
func (t *txn) insertPairs(ctx context.Context, insert string, id sillok.ID, rows [][2]string) error {
	rows = sortedPairs(rows)
	if len(rows) == 0 {
		return nil
	}
	st, err := t.stmt(ctx, insert)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, string(id), r[0], r[1]); err != nil {
			return t.s.mapErr(err)
		}
	}
	return nil
}

// sortedPairs sorts rows and removes duplicates, in place.
func sortedPairs(rows [][2]string) [][2]string {
	slices.SortFunc(rows, func(x, y [2]string) int {
		if c := strings.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return strings.Compare(x[1], y[1])
	})
	return slices.Compact(rows)
}

// unindex removes the derived rows built from body old. attrs has one
// B-tree, keyed (key, value, record_id) for filters, so its rows are
// deleted by their full key rather than by record.
func (t *txn) unindex(ctx context.Context, id sillok.ID, old sillok.Body) error {
	if err := t.exec(ctx, `DELETE FROM refs WHERE from_id = $1`, string(id)); err != nil {
		return err
	}
	for _, a := range old.Attrs() {
		if err := t.exec(ctx, `DELETE FROM attrs WHERE key = $1 AND value = $2 AND record_id = $3`, a.Key, a.Value, string(id)); err != nil {
			return err
		}
	}
	return nil
}

// Import stores a revision from an export verbatim.
func (t *txn) Import(ctx context.Context, v *sillok.Revision) (bool, error) {
	name := fmt.Sprintf("revision %s@%d", v.ID, v.Rev)
	if v.Hash != v.ComputeHash() {
		return false, fmt.Errorf("%s: hash does not match its content: %w", name, sillok.ErrInvalid)
	}
	if !v.Kind.Valid() || sillok.KindOf(v.ID) != v.Kind {
		return false, fmt.Errorf("%s: kind %q does not fit the ID: %w", name, v.Kind, sillok.ErrInvalid)
	}
	if v.Actor == "" || v.ActorOrg == "" || !v.Level.Valid() || v.Org == "" || v.Rev < 1 {
		return false, fmt.Errorf("%s: missing actor, organisation, level or revision number: %w", name, sillok.ErrInvalid)
	}
	body, err := sillok.DecodeBody(v.Kind, v.Body)
	if err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	if canon, err := sillok.EncodeBody(body); err != nil || !bytes.Equal(canon, v.Body) {
		return false, fmt.Errorf("%s: body is not in canonical form: %w", name, sillok.ErrInvalid)
	}
	var cur int
	err = t.tx.QueryRowContext(ctx, `SELECT rev FROM records WHERE id = $1`, string(v.ID)).Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	if v.Rev <= cur {
		var hash string
		if err := t.tx.QueryRowContext(ctx, `SELECT hash FROM revisions WHERE id = $1 AND rev = $2`, string(v.ID), v.Rev).Scan(&hash); err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
		if hash != v.Hash {
			return false, fmt.Errorf("%s: the repository holds a different revision with that number: %w", name, sillok.ErrConflict)
		}
		return false, nil
	}
	if v.Rev != cur+1 {
		return false, fmt.Errorf("%s: revisions %d to %d are missing: %w", name, cur+1, v.Rev-1, sillok.ErrInvalid)
	}
	v.Time = sillok.Timestamp(v.Time)
	if err := t.insertRevision(ctx, v); err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	ts := v.Time.Format(sillok.TimeFormat)
	if v.Rev == 1 {
		err = t.exec(ctx, `INSERT INTO records (id, kind, org, level, rev, deleted, label, created, created_by, updated, updated_by)
			VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $7, $8)`,
			string(v.ID), string(v.Kind), v.Org, string(v.Level), v.Tombstone, body.Label(), ts, v.Actor)
	} else {
		err = t.exec(ctx, `UPDATE records SET rev = $2, deleted = $3, label = $4, updated = $5, updated_by = $6, org = $7, level = $8 WHERE id = $1`,
			string(v.ID), v.Rev, v.Tombstone, body.Label(), ts, v.Actor, v.Org, string(v.Level))
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	delete(t.live, v.ID)
	var prev sillok.Body // the body the current index rows were built from
	if cur > 0 {
		var (
			pb   string
			tomb bool
		)
		if err := t.tx.QueryRowContext(ctx, `SELECT body, tombstone FROM revisions WHERE id = $1 AND rev = $2`, string(v.ID), cur).Scan(&pb, &tomb); err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
		if !tomb {
			if prev, err = sillok.DecodeBody(v.Kind, []byte(pb)); err != nil {
				return false, fmt.Errorf("%s: previous revision: %w", name, err)
			}
		}
	}
	switch {
	case v.Tombstone && prev != nil:
		err = t.unindex(ctx, v.ID, prev)
	case !v.Tombstone:
		err = t.index(ctx, v.ID, body, prev)
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	if err := t.stored(ctx, v, body); err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	return true, nil
}
