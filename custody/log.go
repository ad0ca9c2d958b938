package custody

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// Log appends custody events to a Storage and signs checkpoints.
//
// Appends are group-committed: one goroutine takes every Append waiting
// at that moment (up to MaxBatch), computes their tree hashes, writes
// them with one Storage.Append, signs one checkpoint and stores it, and
// only then answers each caller. So an Append that returns nil has its
// event durably stored and inside a signed, stored checkpoint.
type Log struct {
	st  Storage
	key *Key
	log *slog.Logger
	max int

	reqs    chan *appendReq
	closing chan struct{}
	done    chan struct{}

	mu     sync.RWMutex
	size   int64
	latest Checkpoint
	signed []byte
}

// Config configures Open.
type Config struct {
	Key      *Key         // the signing key; its name is the origin line
	MaxBatch int          // events per checkpoint at most; default 1024
	Logger   *slog.Logger // default slog.Default()
}

// appendReq is one Append (one event) or AppendAll (several, kept
// together and in order).
type appendReq struct {
	data [][]byte
	resp chan appendResp
}

type appendResp struct {
	rs  []Receipt
	err error
}

// Receipt tells an appender where its event went.
type Receipt struct {
	Index      int64      // the event's leaf index
	Checkpoint Checkpoint // the first checkpoint that includes it
	Signed     []byte     // that checkpoint as a signed note
}

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("custody log closed")

// Open starts a Log on st. If st holds leaves beyond its latest checkpoint
// (a crash after storing them), Open signs a checkpoint that covers them.
// The latest stored checkpoint must verify with cfg.Key.
func Open(ctx context.Context, st Storage, cfg Config) (*Log, error) {
	if cfg.Key == nil {
		return nil, errors.New("open custody log: no key")
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1024
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	l := &Log{
		st: st, key: cfg.Key, log: cfg.Logger, max: cfg.MaxBatch,
		reqs: make(chan *appendReq), closing: make(chan struct{}), done: make(chan struct{}),
	}
	size, err := st.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("open custody log: %w", err)
	}
	l.size = size
	cpSize, signed, err := st.LatestCheckpoint(ctx)
	switch {
	case errors.Is(err, ErrNoCheckpoint):
		cpSize = -1
	case err != nil:
		return nil, fmt.Errorf("open custody log: %w", err)
	default:
		c, err := OpenCheckpoint(signed, cfg.Key.Verifier)
		if err != nil {
			return nil, fmt.Errorf("open custody log: latest checkpoint: %w", err)
		}
		if c.Size != cpSize || c.Size > size {
			return nil, fmt.Errorf("open custody log: latest checkpoint has size %d, stored as %d, log has %d leaves", c.Size, cpSize, size)
		}
		// Appending to a tree whose stored hashes no longer give the
		// signed root would sign the damage into later checkpoints.
		root, err := tlog.TreeHash(c.Size, l.reader(ctx))
		if err != nil {
			return nil, fmt.Errorf("open custody log: %w", err)
		}
		if root != c.Root {
			return nil, fmt.Errorf("open custody log: stored hashes give root %s at size %d, the signed checkpoint says %s; run verify", root, c.Size, c.Root)
		}
		l.latest, l.signed = c, signed
	}
	if cpSize != size {
		if err := l.checkpoint(ctx, size); err != nil {
			return nil, fmt.Errorf("open custody log: %w", err)
		}
		if cpSize >= 0 {
			l.log.Warn("custody log had events beyond its checkpoint; signed a new one", "checkpoint", cpSize, "size", size)
		}
	}
	go l.run()
	return l, nil
}

// Close stops the committer after the batch in progress. Appends waiting
// or arriving later fail with ErrClosed.
func (l *Log) Close() error {
	select {
	case <-l.closing:
	default:
		close(l.closing)
	}
	<-l.done
	return nil
}

// Origin returns the log's origin line.
func (l *Log) Origin() string { return l.key.Origin() }

// Latest returns the latest signed checkpoint.
func (l *Log) Latest() (Checkpoint, []byte) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.latest, l.signed
}

// Append logs e and returns once it is in a signed, durably stored
// checkpoint. If ctx ends first, Append returns ctx's error, and the event
// may or may not have been logged.
func (l *Log) Append(ctx context.Context, e Event) (Receipt, error) {
	rs, err := l.AppendAll(ctx, []Event{e})
	if err != nil {
		return Receipt{}, err
	}
	return rs[0], nil
}

// AppendAll logs es in order, as consecutive leaves under one signed
// checkpoint (however many there are: MaxBatch bounds only how many
// separate callers share a commit), and returns their receipts once that
// checkpoint is durably stored. It is how a bulk load logs a whole
// database transaction's events with one fsync and one signature.
// An invalid event fails the whole call before anything is logged; if ctx
// ends first, the events may or may not have been logged.
func (l *Log) AppendAll(ctx context.Context, es []Event) ([]Receipt, error) {
	if len(es) == 0 {
		return nil, nil
	}
	data := make([][]byte, len(es))
	for i, e := range es {
		d, err := e.Marshal()
		if err != nil {
			return nil, fmt.Errorf("event %d of %d: %w", i, len(es), err)
		}
		data[i] = d
	}
	return l.appendData(ctx, data)
}

// AppendEncoded is AppendAll for events already in their canonical
// encoding (as Marshal returned them, e.g. queued in a database): each must
// parse with ParseEvent, which saves decoding and re-encoding them.
func (l *Log) AppendEncoded(ctx context.Context, data [][]byte) ([]Receipt, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if err := checkEvents(data); err != nil {
		return nil, err
	}
	return l.appendData(ctx, data)
}

// checkEvents checks that every event parses, on all cores: a bulk load
// appends tens of thousands at a time, and the check is pure CPU.
func checkEvents(data [][]byte) error {
	n := min(runtime.GOMAXPROCS(0), 1+len(data)/1000)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			lo, hi := w*len(data)/n, (w+1)*len(data)/n
			for i := lo; i < hi; i++ {
				if _, err := ParseEvent(data[i]); err != nil {
					errs[w] = fmt.Errorf("event %d of %d: %w", i, len(data), err)
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (l *Log) appendData(ctx context.Context, data [][]byte) ([]Receipt, error) {
	req := &appendReq{data: data, resp: make(chan appendResp, 1)}
	select {
	case l.reqs <- req:
	case <-l.closing:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-req.resp:
		return r.rs, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *Log) run() {
	defer close(l.done)
	for {
		var batch []*appendReq
		n := 0
		select {
		case r := <-l.reqs:
			batch = append(batch, r)
			n += len(r.data)
		case <-l.closing:
			return
		}
		// Take whatever else is waiting: those callers share this
		// commit's fsync and signature.
	more:
		for n < l.max {
			select {
			case r := <-l.reqs:
				batch = append(batch, r)
				n += len(r.data)
			default:
				break more
			}
		}
		l.commit(batch)
	}
}

// overlay reads stored hashes from the storage, and those at or beyond
// base from pending (computed but not yet stored).
type overlay struct {
	ctx     context.Context
	st      Storage
	base    int64
	pending []tlog.Hash
}

func (o *overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var stored []int64
	for _, x := range indexes {
		if x < o.base {
			stored = append(stored, x)
		}
	}
	var hs []tlog.Hash
	if len(stored) > 0 {
		var err error
		if hs, err = o.st.ReadHashes(o.ctx, stored); err != nil {
			return nil, err
		}
	}
	for i, x := range indexes {
		if x < o.base {
			out[i], hs = hs[0], hs[1:]
			continue
		}
		if x-o.base >= int64(len(o.pending)) {
			return nil, fmt.Errorf("read stored hash %d: not yet computed", x)
		}
		out[i] = o.pending[x-o.base]
	}
	return out, nil
}

func (l *Log) commit(batch []*appendReq) {
	// The committer is not bound to any caller's context: one caller
	// giving up must not abort the others' shared write.
	ctx := context.Background()
	fail := func(err error) {
		for _, r := range batch {
			r.resp <- appendResp{err: err}
		}
	}
	l.mu.RLock()
	n := l.size
	l.mu.RUnlock()
	o := &overlay{ctx: ctx, st: l.st, base: tlog.StoredHashIndex(0, n)}
	var leaves [][]byte
	for _, r := range batch {
		for _, d := range r.data {
			i := n + int64(len(leaves))
			hs, err := tlog.StoredHashes(i, d, o)
			if err != nil {
				fail(fmt.Errorf("append event %d: %w", i, err))
				return
			}
			o.pending = append(o.pending, hs...)
			leaves = append(leaves, d)
		}
	}
	if err := l.st.Append(ctx, n, leaves, o.pending); err != nil {
		fail(err)
		return
	}
	size := n + int64(len(leaves))
	l.mu.Lock()
	l.size = size
	l.mu.Unlock()
	if err := l.checkpoint(ctx, size); err != nil {
		// The events are stored; the next commit or Open signs a
		// checkpoint covering them. These callers are told it failed.
		l.log.Error("custody log: events stored but checkpoint failed", "size", size, "err", err)
		fail(err)
		return
	}
	c, signed := l.Latest()
	next := n
	for _, r := range batch {
		rs := make([]Receipt, len(r.data))
		for i := range rs {
			rs[i] = Receipt{Index: next, Checkpoint: c, Signed: signed}
			next++
		}
		r.resp <- appendResp{rs: rs}
	}
}

// checkpoint signs and stores a checkpoint of the given size.
func (l *Log) checkpoint(ctx context.Context, size int64) error {
	root, err := tlog.TreeHash(size, l.reader(ctx))
	if err != nil {
		return fmt.Errorf("checkpoint at size %d: tree hash: %w", size, err)
	}
	c := Checkpoint{Origin: l.key.Origin(), Size: size, Root: root}
	signed, err := SignCheckpoint(c, l.key.Signer)
	if err != nil {
		return err
	}
	if err := l.st.AddCheckpoint(ctx, size, signed); err != nil {
		return fmt.Errorf("checkpoint at size %d: %w", size, err)
	}
	l.mu.Lock()
	l.latest, l.signed = c, signed
	l.mu.Unlock()
	return nil
}

func (l *Log) reader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return l.st.ReadHashes(ctx, indexes)
	})
}

// Event returns leaf i's data and its parsed event.
func (l *Log) Event(ctx context.Context, i int64) ([]byte, Event, error) {
	ds, err := l.st.ReadLeaves(ctx, i, 1)
	if err != nil {
		return nil, Event{}, fmt.Errorf("read event %d: %w", i, err)
	}
	e, err := ParseEvent(ds[0])
	if err != nil {
		return ds[0], e, fmt.Errorf("read event %d: %w", i, err)
	}
	return ds[0], e, nil
}

// ProveInclusion returns the proof that event i is in the tree of the
// given size (tlog.CheckRecord verifies it).
func (l *Log) ProveInclusion(ctx context.Context, i, treeSize int64) (tlog.RecordProof, error) {
	p, err := tlog.ProveRecord(treeSize, i, l.reader(ctx))
	if err != nil {
		return nil, fmt.Errorf("prove event %d in tree of size %d: %w", i, treeSize, err)
	}
	return p, nil
}

// ProveConsistency returns the proof that the tree of size newSize
// extends the tree of size oldSize (tlog.CheckTree verifies it).
func (l *Log) ProveConsistency(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	p, err := tlog.ProveTree(newSize, oldSize, l.reader(ctx))
	if err != nil {
		return nil, fmt.Errorf("prove tree %d extends tree %d: %w", newSize, oldSize, err)
	}
	return p, nil
}

// EventProof is one event with its inclusion proof.
type EventProof struct {
	Index int64
	Data  []byte // the leaf: canonical event JSON
	Proof tlog.RecordProof
}

// Prove returns the given events with inclusion proofs against the latest
// signed checkpoint, which it also returns: the input a bundle needs.
func (l *Log) Prove(ctx context.Context, indexes []int64) ([]EventProof, Checkpoint, []byte, error) {
	c, signed := l.Latest()
	out := make([]EventProof, 0, len(indexes))
	for _, i := range indexes {
		if i < 0 || i >= c.Size {
			return nil, c, nil, fmt.Errorf("prove event %d: not in checkpoint of size %d", i, c.Size)
		}
		data, _, err := l.Event(ctx, i)
		if err != nil {
			return nil, c, nil, err
		}
		p, err := l.ProveInclusion(ctx, i, c.Size)
		if err != nil {
			return nil, c, nil, err
		}
		out = append(out, EventProof{Index: i, Data: data, Proof: p})
	}
	return out, c, signed, nil
}
