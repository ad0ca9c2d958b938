package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/sillok/sillok"
)

// Loader creates many new records in bulk (demo data) on all cores: the caller's goroutine hands records to Create, workers
// prepare whole batches (checks, canonical body, revision hash, each
// PrepareHook's share such as search terms and custody events), and one
// writer stores the batches in order, one transaction each. A store
// serialises writers anyway, so the writer is the bottleneck; everything
// that needs no database is taken off it.
//
// Create returns before the record is written: it gives r an ID if it has
// none, but may set r's other fields (revision, times, actors) later, so
// the caller must not touch r (or its body) again before Close. Errors
// come back from a later Create or from Close; the batches before the
// failing one stay written, as with a loop of Batch calls. A Loader is for
// one goroutine: Create and Close are not safe for concurrent use.
type Loader struct {
	s    *Store
	ctx  context.Context
	size int

	cur     []*prepared
	prepq   chan *loadBatch // to the preparing workers
	writeq  chan *loadBatch // to the writer, in order
	workers sync.WaitGroup
	writer  chan struct{} // closed when the writer is done

	mu     sync.Mutex
	err    error // first error of the writer
	closed bool
}

// loadBatch is one transaction's records.
type loadBatch struct {
	ps    []*prepared
	ready chan struct{} // closed when every record is prepared
}

// DefaultLoadBatch is the number of records per transaction of a Loader
// when NewLoader is given 0.
const DefaultLoadBatch = 10_000

// NewLoader returns a Loader writing batches of size records (0 means
// DefaultLoadBatch). Close it to write the last batch and wait.
func (s *Store) NewLoader(ctx context.Context, size int) *Loader {
	if size <= 0 {
		size = DefaultLoadBatch
	}
	l := &Loader{s: s, ctx: ctx, size: size,
		prepq: make(chan *loadBatch, 2), writeq: make(chan *loadBatch, 2), writer: make(chan struct{})}
	n := max(1, runtime.GOMAXPROCS(0))
	l.workers.Add(n)
	for range n {
		go l.prepare()
	}
	go l.write()
	return l
}

// Create queues r for writing (see Loader for what that means for r).
func (l *Loader) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	if err := l.failed(); err != nil {
		return err
	}
	if l.closed {
		return errors.New("loader: create after close")
	}
	if r.ID == "" && r.Body != nil {
		// Now rather than when prepared, so that the caller has it.
		k := r.Kind
		if k == "" {
			k = r.Body.Kind()
		}
		if k.Valid() {
			r.ID = sillok.NewID(k)
		}
	}
	l.cur = append(l.cur, &prepared{actor: actor, r: r})
	if len(l.cur) >= l.size {
		return l.send()
	}
	return nil
}

// send hands the current batch to the workers and the writer. It blocks
// while the writer is two batches behind, which bounds memory.
func (l *Loader) send() error {
	b := &loadBatch{ps: l.cur, ready: make(chan struct{})}
	l.cur = nil
	select {
	case l.writeq <- b:
	case <-l.writer: // stopped on an error
		return l.failed()
	case <-l.ctx.Done():
		return l.ctx.Err()
	}
	l.prepq <- b // workers wait on nothing else, so this does not block for long
	return nil
}

// Close writes what is queued and returns the first error.
func (l *Loader) Close() error {
	if !l.closed {
		l.closed = true
		var err error
		if len(l.cur) > 0 && l.failed() == nil {
			err = l.send()
		}
		close(l.prepq)
		close(l.writeq)
		<-l.writer
		l.workers.Wait()
		if err != nil && l.failed() == nil {
			return err
		}
	}
	return l.failed()
}

func (l *Loader) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

func (l *Loader) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = err
	}
}

// prepare is a worker: it prepares whole batches. With several workers,
// the next batches are prepared while one is written.
func (l *Loader) prepare() {
	defer l.workers.Done()
	for b := range l.prepq {
		for _, p := range b.ps {
			// Each record gets its own time, as a loop of Create calls
			// would give it; it is the time of preparation.
			*p = *l.s.prepare(p.actor, p.r, l.s.now(), true)
		}
		close(b.ready)
	}
}

// write stores the batches in order, one transaction each.
func (l *Loader) write() {
	defer close(l.writer)
	first := 0 // position of the batch's first record in the stream
	for b := range l.writeq {
		<-b.ready
		if l.failed() != nil {
			first += len(b.ps)
			continue // drain: the caller learns of the error
		}
		err := l.s.Batch(l.ctx, func(tx sillok.Tx) error {
			return tx.(*txn).createBatch(l.ctx, b.ps, first)
		})
		if err != nil {
			l.fail(fmt.Errorf("load batch of records %d–%d: %w", first, first+len(b.ps)-1, err))
		}
		first += len(b.ps)
	}
}

// loadChunk is the number of rows per multi-row INSERT of createBatch:
// 12 columns of revisions make 768 parameters, well under SQLite's limit
// of 32766 and PostgreSQL's of 65535.
const loadChunk = 64

// createBatch writes prepared new records, in order, with multi-row
// INSERTs: per row, the SQL engine's statement overhead outweighed the
// B-tree work. Every check createPrepared makes is made; the hooks then run
// for each record in order, after all rows of the batch are in. On SQLite
// that order matters: a multi-row INSERT runs in a statement savepoint, at
// which FTS5 writes out its pending data, so no such INSERT may follow the
// first full-text write of the transaction.
func (t *txn) createBatch(ctx context.Context, ps []*prepared, first int) error {
	name := func(i int) string {
		return fmt.Sprintf("record %d (%s %s)", first+i, ps[i].r.Kind, ps[i].r.ID)
	}
	for i, p := range ps {
		if p.err != nil {
			return fmt.Errorf("%s: %w", name(i), p.err)
		}
		if _, dup := t.live[p.r.ID]; dup {
			return fmt.Errorf("%s: create %s: %w: the ID is taken", name(i), p.r.ID, sillok.ErrConflict)
		}
		if err := t.checkRefs(ctx, p.r.ID, p.r.Body); err != nil {
			return fmt.Errorf("%s: %w", name(i), err)
		}
		t.live[p.r.ID] = p.r.Kind // later records of the batch may refer to it
	}
	if err := t.insertRows(ctx, ps); err != nil {
		what := fmt.Sprintf("records %d–%d", first, first+len(ps)-1)
		if errors.Is(err, sillok.ErrConflict) {
			return fmt.Errorf("%s: %w: an ID is taken", what, sillok.ErrConflict)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	for i, h := range t.s.hooks {
		if err := t.hookBatch(ctx, i, h, ps, first); err != nil {
			return err
		}
	}
	for _, p := range ps {
		r, now := p.r, p.v.Time
		r.Rev, r.Deleted = 1, false
		r.Created, r.Updated = now, now
		r.CreatedBy, r.UpdatedBy = p.actor.User, p.actor.User
	}
	return nil
}

// hookBatch runs hook i (h) for every record of a batch: at once if it is
// a BatchHook and prepared them all, else one record at a time.
func (t *txn) hookBatch(ctx context.Context, i int, h Hook, ps []*prepared, first int) error {
	if bh, ok := h.(BatchHook); ok {
		vs, bodies, preps := make([]*sillok.Revision, len(ps)), make([]sillok.Body, len(ps)), make([]any, len(ps))
		all := true
		for j, p := range ps {
			vs[j], bodies[j] = p.v, p.r.Body
			if p.hooks != nil {
				preps[j] = p.hooks[i]
			}
			all = all && preps[j] != nil
		}
		if all {
			if err := bh.AfterPreparedBatch(ctx, t.tx, vs, bodies, preps); err != nil {
				return fmt.Errorf("records %d–%d: %T: %w", first, first+len(ps)-1, h, err)
			}
			return nil
		}
	}
	for j, p := range ps {
		var err error
		if ph, ok := h.(PrepareHook); ok && p.hooks != nil && p.hooks[i] != nil {
			err = ph.AfterPrepared(ctx, t.tx, p.v, p.r.Body, p.hooks[i])
		} else {
			err = h.AfterRevision(ctx, t.tx, p.v, p.r.Body)
		}
		if err != nil {
			return fmt.Errorf("record %d (%s %s): create %s: %T: %w", first+j, p.r.Kind, p.r.ID, p.r.ID, h, err)
		}
	}
	return nil
}

// insertRows inserts the revisions, records, refs and attrs rows of
// prepared new records with multi-row INSERTs.
func (t *txn) insertRows(ctx context.Context, ps []*prepared) error {
	var (
		revs, recs, refs, attrs multiInsert
		pairs                   [][2]string
	)
	revs.init(`INSERT INTO revisions (`+revisionCols+`) VALUES `, 12)
	recs.init(`INSERT INTO records (id, kind, org, level, rev, deleted, label, created, created_by, updated, updated_by) VALUES `, 11)
	refs.init(`INSERT INTO refs (from_id, field, to_id) VALUES `, 3)
	attrs.init(`INSERT INTO attrs (record_id, key, value) VALUES `, 3)
	for _, p := range ps {
		r, v := p.r, p.v
		ts := v.Time.Format(sillok.TimeFormat)
		revs.add(string(v.ID), string(v.Kind), v.Org, string(v.Level), v.Rev, ts,
			v.Actor, v.ActorOrg, v.Tombstone, v.Note, string(v.Body), v.Hash)
		recs.add(string(r.ID), string(r.Kind), r.Org, string(r.Level), 1, false, p.label, ts, p.actor.User, ts, p.actor.User)
		pairs = pairs[:0]
		for _, ref := range r.Body.Refs() {
			pairs = append(pairs, [2]string{ref.Field, string(ref.To)})
		}
		for _, pr := range sortedPairs(pairs) {
			refs.add(string(r.ID), pr[0], pr[1])
		}
		pairs = pairs[:0]
		for _, a := range r.Body.Attrs() {
			pairs = append(pairs, [2]string{a.Key, a.Value})
		}
		for _, pr := range sortedPairs(pairs) {
			attrs.add(string(r.ID), pr[0], pr[1])
		}
	}
	for _, m := range []*multiInsert{&revs, &recs, &refs, &attrs} {
		if err := m.exec(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// multiInsert collects the rows of one table for multi-row INSERTs.
type multiInsert struct {
	head string
	cols int
	args []any
}

func (m *multiInsert) init(head string, cols int) { m.head, m.cols = head, cols }

func (m *multiInsert) add(vals ...any) { m.args = append(m.args, vals...) }

func (m *multiInsert) exec(ctx context.Context, t *txn) error {
	return t.s.mapErr(InsertRows(ctx, t.s.d.Name, func(q string) (*sql.Stmt, error) { return t.stmt(ctx, q) }, m.head, m.cols, m.args))
}

// InsertRows runs head (an "INSERT INTO … VALUES " without its rows) for
// the rows of cols values each in args, as multi-row INSERTs: loadChunk
// rows at a time, and the rest in powers of two, so that prepare (which
// should cache statements by text) sees a handful of statements per
// table. On SQLite, mind that such an INSERT makes FTS5 write out its
// pending data (see createBatch).
func InsertRows(ctx context.Context, dialect string, prepare func(query string) (*sql.Stmt, error), head string, cols int, args []any) error {
	rows := len(args) / cols
	for done := 0; done < rows; {
		n := loadChunk
		for n > rows-done {
			n /= 2
		}
		st, err := prepare(multiQuery(dialect, head, cols, n))
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args[done*cols:(done+n)*cols]...); err != nil {
			return err
		}
		done += n
	}
	return nil
}

// multiQuery is the INSERT of n rows. SQLite gets anonymous ? parameters:
// the driver looks up every parameter's name, and with numbered ones each
// look-up scans the statement's list of names.
func multiQuery(dialect, head string, cols, n int) string {
	var q strings.Builder
	q.WriteString(head)
	p := 1
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for c := range cols {
			if c > 0 {
				q.WriteString(", ")
			}
			if dialect == "sqlite" {
				q.WriteByte('?')
			} else {
				q.WriteByte('$')
				q.WriteString(strconv.Itoa(p))
			}
			p++
		}
		q.WriteByte(')')
	}
	return q.String()
}
