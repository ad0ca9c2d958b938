package evidence

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/sqlstore"
)

// Custody is the repository's custody log: a sqlstore.CommitHook that logs
// every revision, and the owner of the log files.
//
// Crash safety: AfterRevision writes each revision's events as rows of
// table custody_pending in the revision's own transaction, so they commit or
// roll back with it. AfterCommit appends every pending row to the log with
// one custody.Log.AppendAll (one fsync, one signed checkpoint per database
// transaction) and deletes the rows; so a write returns once its events are
// in a signed checkpoint. Rows left by a crash are appended at the next
// open. A crash between the append and the delete would append them twice;
// the first flush of each process therefore skips pending events whose
// exact bytes already end the log (a record's event names its revision
// hash, so no two legitimate events have the same bytes).
//
// The log is opened on first use and kept open: FileStorage reads the
// whole leaves file at open. An exclusive flock on DIR/lock keeps a second
// process (a CLI command while `sillok serve` runs) from appending to the
// same files: it fails with ErrLogBusy instead.
type Custody struct {
	dir string
	key *custody.Key
	log *slog.Logger

	mu      sync.Mutex // serialises flushes and guards the fields below
	db      *sql.DB
	dialect string
	st      *custody.FileStorage
	l       *custody.Log
	lock    *os.File
	checked bool // the log's tail has been compared with pending rows

	smu   sync.Mutex
	stmts map[*sql.Tx]map[string]*sql.Stmt // pending-row INSERTs per open transaction
}

// ErrLogBusy is returned when another process holds the custody log.
var ErrLogBusy = errors.New("custody log is in use by another process")

// NewCustody returns the hook for the log in dir signed with key. Nothing
// is opened until the store calls Setup or the log is needed.
func NewCustody(dir string, key *custody.Key, logger *slog.Logger) *Custody {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Custody{dir: dir, key: key, log: logger}
}

var _ sqlstore.CommitHook = (*Custody)(nil)

// Key returns the log's signing key.
func (c *Custody) Key() *custody.Key { return c.key }

// Setup implements sqlstore.Hook: it creates the pending table and appends
// whatever a crash left in it.
func (c *Custody) Setup(ctx context.Context, db *sql.DB, dialect string) error {
	var ddl string
	switch dialect {
	case "sqlite":
		ddl = `CREATE TABLE IF NOT EXISTS custody_pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, event BLOB NOT NULL)`
	case "postgres":
		ddl = `CREATE TABLE IF NOT EXISTS custody_pending (seq BIGSERIAL PRIMARY KEY, event BYTEA NOT NULL)`
	default:
		return fmt.Errorf("custody hook: unknown SQL dialect %q", dialect)
	}
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		return fmt.Errorf("create custody_pending: %w", err)
	}
	c.mu.Lock()
	c.db, c.dialect = db, dialect
	c.mu.Unlock()
	return c.Flush(ctx)
}

// AfterRevision implements sqlstore.Hook.
func (c *Custody) AfterRevision(ctx context.Context, tx *sql.Tx, v *sillok.Revision, b sillok.Body) error {
	es, err := revisionEvents(ctx, tx, v, b)
	if err != nil {
		return err
	}
	data := make([][]byte, len(es))
	for i, e := range es {
		if data[i], err = e.Marshal(); err != nil {
			return fmt.Errorf("custody event for %s revision %d: %w", v.ID, v.Rev, err)
		}
	}
	return c.queue(ctx, tx, v, data)
}

// Prepare implements sqlstore.PrepareHook: the encoded events of a
// revision, when working them out needs no database (all but a derived
// evidence copy, whose event names its original's hash).
func (c *Custody) Prepare(v *sillok.Revision, b sillok.Body) (any, error) {
	if ev, ok := b.(*sillok.Evidence); ok && ev.DerivedFrom != "" {
		return nil, nil
	}
	es, err := revisionEvents(context.Background(), nil, v, b)
	if err != nil {
		return nil, err
	}
	data := make([][]byte, len(es))
	for i, e := range es {
		if data[i], err = e.Marshal(); err != nil {
			return nil, fmt.Errorf("custody event for %s revision %d: %w", v.ID, v.Rev, err)
		}
	}
	return data, nil
}

// AfterPrepared implements sqlstore.PrepareHook.
func (c *Custody) AfterPrepared(ctx context.Context, tx *sql.Tx, v *sillok.Revision, _ sillok.Body, prep any) error {
	data, ok := prep.([][]byte)
	if !ok {
		return fmt.Errorf("custody event for %s revision %d: prepared %T, not events", v.ID, v.Rev, prep)
	}
	return c.queue(ctx, tx, v, data)
}

// AfterPreparedBatch implements sqlstore.BatchHook: a batch's events as
// pending rows with multi-row INSERTs, in order.
func (c *Custody) AfterPreparedBatch(ctx context.Context, tx *sql.Tx, vs []*sillok.Revision, _ []sillok.Body, preps []any) error {
	var rows []any
	for i, v := range vs {
		data, ok := preps[i].([][]byte)
		if !ok {
			return fmt.Errorf("custody event for %s revision %d: prepared %T, not events", v.ID, v.Rev, preps[i])
		}
		for _, d := range data {
			rows = append(rows, d)
		}
	}
	c.mu.Lock()
	dialect := c.dialect
	c.mu.Unlock()
	prep := func(q string) (*sql.Stmt, error) { return c.stmt(ctx, tx, q) }
	if err := sqlstore.InsertRows(ctx, dialect, prep, `INSERT INTO custody_pending (event) VALUES `, 1, rows); err != nil {
		return fmt.Errorf("queue custody events: %w", err)
	}
	return nil
}

// queue writes a revision's encoded events as pending rows in its
// transaction.
func (c *Custody) queue(ctx context.Context, tx *sql.Tx, v *sillok.Revision, data [][]byte) error {
	st, err := c.insertStmt(ctx, tx)
	if err != nil {
		return err
	}
	for _, d := range data {
		if _, err := st.ExecContext(ctx, d); err != nil {
			return fmt.Errorf("queue custody event for %s revision %d: %w", v.ID, v.Rev, err)
		}
	}
	return nil
}

// insertStmt returns the pending-row INSERT prepared in tx: a bulk batch
// writes thousands, and preparing each was a fifth of the hook's cost.
func (c *Custody) insertStmt(ctx context.Context, tx *sql.Tx) (*sql.Stmt, error) {
	st, err := c.stmt(ctx, tx, `INSERT INTO custody_pending (event) VALUES ($1)`)
	if err != nil {
		return nil, fmt.Errorf("prepare custody_pending insert: %w", err)
	}
	return st, nil
}

// stmt returns q prepared in tx. Statements die with their transaction;
// the cache is emptied after each commit (a concurrent transaction just
// prepares again).
func (c *Custody) stmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	c.smu.Lock()
	defer c.smu.Unlock()
	if st := c.stmts[tx][q]; st != nil {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[*sql.Tx]map[string]*sql.Stmt{}
	}
	if c.stmts[tx] == nil {
		c.stmts[tx] = map[string]*sql.Stmt{}
	}
	c.stmts[tx][q] = st
	return st, nil
}

// AfterCommit implements sqlstore.CommitHook. The store's schema
// migrations commit before Setup; they store no revisions, so there is
// nothing to flush then.
func (c *Custody) AfterCommit(ctx context.Context) error {
	c.smu.Lock()
	clear(c.stmts)
	c.smu.Unlock()
	c.mu.Lock()
	ready := c.db != nil
	c.mu.Unlock()
	if !ready {
		return nil
	}
	return c.Flush(ctx)
}

// flushChunk bounds the pending rows read and appended at once: a 10,000
// record bulk batch is one chunk, one checkpoint.
const flushChunk = 50_000

// Flush appends every committed pending event to the log and deletes it
// from the pending table. It is safe to call at any time.
func (c *Custody) Flush(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.db == nil {
		return errors.New("custody hook: not set up")
	}
	for {
		seqs, data, err := c.pending(ctx)
		if err != nil || len(seqs) == 0 {
			return err
		}
		l, err := c.openLocked(ctx)
		if err != nil {
			return err
		}
		all, last := seqs, seqs[len(seqs)-1]
		if !c.checked {
			k, err := c.skipLogged(ctx, data)
			if err != nil {
				return err
			}
			seqs, data = seqs[k:], data[k:]
		}
		if _, err := l.AppendEncoded(ctx, data); err != nil {
			c.checked = false // the rows may now be logged and still pending
			return fmt.Errorf("append custody events: %w", err)
		}
		c.checked = false
		if err := c.deletePending(ctx, all, last); err != nil {
			return fmt.Errorf("delete logged custody events: %w", err)
		}
		c.checked = true
	}
}

// deletePending deletes the rows just logged. On SQLite writers are
// serialised, so sequence numbers commit in order and a range is exact. On
// PostgreSQL a transaction holding a lower sequence number can commit
// after a higher one was read; a range would delete its row unlogged, so
// the rows are named.
func (c *Custody) deletePending(ctx context.Context, seqs []int64, last int64) error {
	var err error
	if c.dialect == "postgres" {
		_, err = c.db.ExecContext(ctx, `DELETE FROM custody_pending WHERE seq = ANY($1)`, seqs)
	} else {
		_, err = c.db.ExecContext(ctx, `DELETE FROM custody_pending WHERE seq <= $1`, last)
	}
	return err
}

func (c *Custody) pending(ctx context.Context) (seqs []int64, data [][]byte, err error) {
	rows, err := c.db.QueryContext(ctx, `SELECT seq, event FROM custody_pending ORDER BY seq LIMIT $1`, flushChunk)
	if err != nil {
		return nil, nil, fmt.Errorf("read pending custody events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s int64
		var d []byte
		if err := rows.Scan(&s, &d); err != nil {
			return nil, nil, fmt.Errorf("read pending custody events: %w", err)
		}
		seqs, data = append(seqs, s), append(data, d)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read pending custody events: %w", err)
	}
	return seqs, data, nil
}

// skipLogged returns how many of the pending events a flush interrupted
// before its delete already appended: they are the log's last leaves.
func (c *Custody) skipLogged(ctx context.Context, data [][]byte) (int, error) {
	size, err := c.st.Size(ctx)
	if err != nil {
		return 0, err
	}
	n := min(size, int64(len(data)))
	if n == 0 {
		return 0, nil
	}
	tail, err := c.st.ReadLeaves(ctx, size-n, int(n))
	if err != nil {
		return 0, fmt.Errorf("read custody log tail: %w", err)
	}
	// The interrupted flush appended a prefix of the pending rows, so the
	// log ends with data[:k] for the largest such k.
	for k := n; k > 0; k-- {
		match := true
		for i := range k {
			if !bytes.Equal(tail[n-k+i], data[i]) {
				match = false
				break
			}
		}
		if match {
			c.log.Warn("custody events were logged before a crash but still pending; not logging them twice", "events", k)
			return int(k), nil
		}
	}
	return 0, nil
}

// Log returns the open custody log, opening it on first use.
func (c *Custody) Log(ctx context.Context) (*custody.Log, *custody.FileStorage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, err := c.openLocked(ctx)
	return l, c.st, err
}

func (c *Custody) openLocked(ctx context.Context) (*custody.Log, error) {
	if c.l != nil {
		return c.l, nil
	}
	if err := c.openStorageLocked(); err != nil {
		return nil, err
	}
	l, err := custody.Open(ctx, c.st, custody.Config{Key: c.key, Logger: c.log})
	if err != nil {
		return nil, err // the storage stays open for Verify
	}
	c.l = l
	return l, nil
}

// openStorageLocked opens the log files under the process lock.
func (c *Custody) openStorageLocked() error {
	if c.st != nil {
		return nil
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("open custody log: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(c.dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open custody log: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("open custody log %s: %w", c.dir, ErrLogBusy)
		}
		return fmt.Errorf("open custody log: lock: %w", err)
	}
	st, err := custody.OpenFileStorage(c.dir)
	if err != nil {
		lock.Close()
		return err
	}
	c.st, c.lock = st, lock
	return nil
}

// Storage returns the log's storage, open even when the log itself
// refuses to open (a damaged tree), so that Verify can say what is wrong.
func (c *Custody) Storage() (*custody.FileStorage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.openStorageLocked(); err != nil {
		return nil, err
	}
	return c.st, nil
}

// Close closes the log if it is open. Pending events stay in the database
// for the next open.
func (c *Custody) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	if c.l != nil {
		errs = append(errs, c.l.Close())
	}
	if c.st != nil {
		errs = append(errs, c.st.Close(), c.lock.Close())
	}
	err := errors.Join(errs...)
	c.l, c.st, c.lock = nil, nil, nil
	c.checked = false
	return err
}

// revisionEvents returns the custody events of one stored revision: a
// record_created (revision 1) or record_revised (later revisions,
// tombstones included: a deletion is the record_revised of its tombstone
// revision) naming the revision hash; and for the first revision of an
// evidence record, its evidence_received or, for a derived copy,
// derivative_made event.
func revisionEvents(ctx context.Context, tx *sql.Tx, v *sillok.Revision, b sillok.Body) ([]custody.Event, error) {
	actor := v.Actor + "@" + v.ActorOrg
	kind := custody.RecordRevised
	if v.Rev == 1 {
		kind = custody.RecordCreated
	}
	es := []custody.Event{{Version: custody.FormatVersion, Kind: kind, Actor: actor, Time: v.Time.UTC(),
		Record: string(v.ID), Revision: v.Hash}}
	ev, ok := b.(*sillok.Evidence)
	if !ok || v.Rev != 1 || v.Tombstone {
		return es, nil
	}
	e := custody.Event{Version: custody.FormatVersion, Actor: actor, Time: v.Time.UTC(), Record: string(v.ID),
		Source: string(ev.Source), Channel: ev.Channel}
	blobField, err := commitOrHash(ev)
	if err != nil {
		return nil, fmt.Errorf("custody event for %s: %w", v.ID, err)
	}
	if ev.DerivedFrom == "" {
		e.Kind = custody.EvidenceReceived
		e.Blob, e.Commitment = blobField.hash, blobField.commitment
	} else {
		orig, err := evidenceInTx(ctx, tx, ev.DerivedFrom)
		if err != nil {
			return nil, fmt.Errorf("custody event for %s: original %s: %w", v.ID, ev.DerivedFrom, err)
		}
		of, err := commitOrHash(orig)
		if err != nil {
			return nil, fmt.Errorf("custody event for %s: original %s: %w", v.ID, ev.DerivedFrom, err)
		}
		e.Kind = custody.DerivativeMade
		e.Blob, e.Commitment = of.hash, of.commitment
		e.Derived, e.Operation = ev.SHA256, ev.Operation
	}
	return append(es, e), nil
}

type blobRef struct{ hash, commitment string }

// commitOrHash is what an event says about an evidence file: the bare hash,
// or for a protected item (one with a salt) the salted commitment to it.
func commitOrHash(ev *sillok.Evidence) (blobRef, error) {
	if ev.Salt == "" {
		return blobRef{hash: ev.SHA256}, nil
	}
	salt, err := ParseSalt(ev.Salt)
	if err != nil {
		return blobRef{}, err
	}
	return blobRef{commitment: custody.Commit(salt, []byte(ev.SHA256))}, nil
}

// evidenceInTx reads the current body of an evidence record inside tx.
func evidenceInTx(ctx context.Context, tx *sql.Tx, id sillok.ID) (*sillok.Evidence, error) {
	var body string
	err := tx.QueryRowContext(ctx, `SELECT v.body FROM records r JOIN revisions v ON v.id = r.id AND v.rev = r.rev WHERE r.id = $1`, string(id)).Scan(&body)
	if err != nil {
		return nil, err
	}
	b, err := sillok.DecodeBody(sillok.KindEvidence, []byte(body))
	if err != nil {
		return nil, err
	}
	return b.(*sillok.Evidence), nil
}
