package demo

import (
	"context"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/sillok/sillok"
)

// Sink receives the generated records in order. A sillok.Tx satisfies it.
// Create may set r's revision, times and actors; Generate does not read
// them back.
type Sink interface {
	Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error
}

// BatchFunc runs fn once per batch, typically inside a store transaction,
// and returns fn's error (or its own, e.g. a failed commit).
type BatchFunc func(ctx context.Context, fn func(Sink) error) error

// Batcher is the part of sillok.Store that StoreBatch needs.
type Batcher interface {
	Batch(ctx context.Context, fn func(tx sillok.Tx) error) error
}

// StoreBatch adapts a store's Batch to a BatchFunc, so that
// GenerateBatched(ctx, opts, StoreBatch(st)) commits every opts.BatchSize
// records.
func StoreBatch(b Batcher) BatchFunc {
	return func(ctx context.Context, fn func(Sink) error) error {
		return b.Batch(ctx, func(tx sillok.Tx) error { return fn(tx) })
	}
}

// Limits of Options.People.
const (
	MinPeople = 100
	MaxPeople = 1_000_000
)

// DefaultBatchSize is the number of records per batch when
// Options.BatchSize is 0.
const DefaultBatchSize = 10_000

// Options control a generation run.
type Options struct {
	// People is the number of distinct (fictional) individuals, from
	// MinPeople to MaxPeople: escapees, their relatives and fellow
	// detainees, executed persons and perpetrators. There are more person
	// records than people: some are reported by several organisations.
	People int
	// Seed selects the data set: the same seed and People give the same
	// records with the same IDs, in the same order.
	Seed uint64
	// Truth, when set, receives the CSV "record_id,person_key" with one
	// row per person record: records with the same key are the same
	// individual. It is for evaluating linkage; nothing of it is in the
	// records.
	Truth io.Writer
	// BatchSize is the number of records per batch for GenerateBatched;
	// 0 means DefaultBatchSize. Generate ignores it.
	BatchSize int
	// Log receives progress at Info level; nil means no logging. Logs
	// carry counts only, never names.
	Log *slog.Logger
}

// Stats counts what a run generated.
type Stats struct {
	Records       map[sillok.Kind]int // records per kind
	Total         int                 // all records
	Individuals   int                 // distinct individuals (person keys in the truth)
	PersonRecords int                 // person records (rows of the truth)
	Duplicated    int                 // individuals with more than one person record (several organisations, or one twice)
}

// Generate writes a demonstration data set to sink, one Create per record,
// in an order where every record refers only to records before it. It
// returns the counts of what was written. Errors: an Options.People out of
// range wraps sillok.ErrInvalid; a sink or truth-writer error is returned
// wrapped with the record's position, kind and ID (never its content); a
// cancelled ctx stops the run with ctx.Err(). On error, sink and truth hold
// a prefix of the data set (with GenerateBatched, the truth may also list
// records of the batch that failed).
func Generate(ctx context.Context, opts Options, sink Sink) (*Stats, error) {
	g, err := newGen(ctx, opts)
	if err != nil {
		return nil, err
	}
	g.put = func(actor sillok.Actor, r *sillok.Record) error {
		if err := sink.Create(ctx, actor, r); err != nil {
			return fmt.Errorf("demo: create record %d (%s %s): %w", g.stats.Total, r.Kind, r.ID, err)
		}
		return nil
	}
	return g.run()
}

// GenerateBatched is Generate with the records handed to batch in groups
// of Options.BatchSize, so that a store can commit each group in its own
// transaction. A failing batch stops the run; the batches before it stay
// written.
func GenerateBatched(ctx context.Context, opts Options, batch BatchFunc) (*Stats, error) {
	g, err := newGen(ctx, opts)
	if err != nil {
		return nil, err
	}
	size := opts.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	type item struct {
		actor sillok.Actor
		r     *sillok.Record
	}
	buf := make([]item, 0, size)
	first := 0 // stream position of buf[0]
	g.flush = func() error {
		if len(buf) == 0 {
			return nil
		}
		err := batch(ctx, func(s Sink) error {
			for i, it := range buf {
				if err := s.Create(ctx, it.actor, it.r); err != nil {
					return fmt.Errorf("record %d (%s %s): %w", first+i, it.r.Kind, it.r.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo: batch of records %d–%d: %w", first, first+len(buf)-1, err)
		}
		first += len(buf)
		clear(buf)
		buf = buf[:0]
		return nil
	}
	g.put = func(actor sillok.Actor, r *sillok.Record) error {
		buf = append(buf, item{actor, r})
		if len(buf) >= size {
			return g.flush()
		}
		return nil
	}
	return g.run()
}

// org is a fictional documenting organisation and how it writes names.
type org struct {
	name   string
	actor  sillok.Actor
	system string  // preferred romanization
	marks  bool    // keeps McCune–Reischauer diacritics
	north  float64 // probability of writing a name in North Korean spelling
	weight int     // share of primary reports
}

// The organisations are fictional ("demo-" prefix) even where modelled on
// the kind of work real ones do.
func newOrgs() []org {
	orgs := []org{
		{name: "demo-nkdb", system: sysRR, north: 0.10, weight: 45},
		{name: "demo-tjwg", system: sysPersonal, north: 0.05, weight: 20},
		{name: "demo-kfuture", system: sysMR, north: 0.30, weight: 15},
		{name: "demo-ohchr-seoul", system: sysDPRK, marks: true, north: 0.40, weight: 20},
	}
	for i := range orgs {
		orgs[i].actor = sillok.Actor{User: "demo-loader", Org: orgs[i].name}
	}
	return orgs
}

// Orgs returns the names of the demo's organisations (each needs a key
// for its protected records to be sealed).
func Orgs() []string {
	var names []string
	for _, o := range newOrgs() {
		names = append(names, o.name)
	}
	return names
}

// Indices into newOrgs.
const (
	orgKFuture = 2 // documents perpetrators most
	refOrg     = 3 // owns the reference data (places, units, shared events)
)

// Marker is in the notes of every person and the transcript of every
// testimony, so that demo data can never pass for real.
const Marker = "FICTIONAL demo data (sillok demo) — 가상 자료"

// gen is the state of one run. Generation is single-threaded: one random
// stream gives determinism.
type gen struct {
	ctx   context.Context
	opts  Options
	r     *rand.Rand // content
	idr   *rand.Rand // IDs: a stream of its own, so IDs do not shift when content draws change
	idSeq uint64     // IDs issued so far
	w     *world
	orgs  []org
	put   func(sillok.Actor, *sillok.Record) error
	flush func() error
	err   error // first error; once set, emit does nothing
	truth *csv.Writer
	stats Stats

	unitIDs, placeIDs []sillok.ID
	seq               int // individuals created so far; also the key of the next
	events            map[eventKey]sillok.ID
	execActs          map[eventKey]sillok.ID
	perps             map[int][]sillok.ID // unit index → perpetrator person IDs
	perpNames         map[sillok.ID]fullName
	lastDetainee      map[eventKey]sillok.ID
	pending           map[int][]func() // release step → delayed reports
}

func newGen(ctx context.Context, opts Options) (*gen, error) {
	if opts.People < MinPeople || opts.People > MaxPeople {
		return nil, fmt.Errorf("demo: people %d: want %d to %d: %w", opts.People, MinPeople, MaxPeople, sillok.ErrInvalid)
	}
	g := &gen{
		ctx:          ctx,
		opts:         opts,
		r:            rand.New(rand.NewPCG(opts.Seed, 0x5111_0c_de30)),
		idr:          rand.New(rand.NewPCG(opts.Seed, 0x1d_5111_0c)),
		w:            newWorld(),
		orgs:         newOrgs(),
		events:       map[eventKey]sillok.ID{},
		execActs:     map[eventKey]sillok.ID{},
		perps:        map[int][]sillok.ID{},
		perpNames:    map[sillok.ID]fullName{},
		lastDetainee: map[eventKey]sillok.ID{},
		pending:      map[int][]func(){},
		stats:        Stats{Records: map[sillok.Kind]int{}},
	}
	if opts.Log == nil {
		g.opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Truth != nil {
		g.truth = csv.NewWriter(opts.Truth)
		if err := g.truth.Write([]string{"record_id", "person_key"}); err != nil {
			return nil, fmt.Errorf("demo: write truth header: %w", err)
		}
	}
	return g, nil
}

func (g *gen) run() (*Stats, error) {
	log := g.opts.Log
	log.Info("demo: generating", "people", g.opts.People, "seed", g.opts.Seed)
	g.reference()
	g.perpetrators()
	nextLog := 100_000
	for i := 0; g.seq < g.opts.People && g.err == nil; i++ {
		if i%1024 == 0 {
			if err := g.ctx.Err(); err != nil {
				return nil, err
			}
		}
		g.escapee()
		g.release(g.seq)
		if g.seq >= nextLog {
			log.Info("demo: progress", "people", g.seq, "records", g.stats.Total)
			nextLog += 100_000
		}
	}
	// Delayed reports still queued are written at the end, in release order.
	keys := make([]int, 0, len(g.pending))
	for k := range g.pending {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		g.release(k)
	}
	if g.err == nil && g.flush != nil {
		g.err = g.flush()
	}
	if g.err == nil && g.truth != nil {
		g.truth.Flush()
		if err := g.truth.Error(); err != nil {
			g.err = fmt.Errorf("demo: write truth: %w", err)
		}
	}
	if g.err != nil {
		return nil, g.err
	}
	g.stats.Individuals = g.seq
	log.Info("demo: done", "people", g.seq, "records", g.stats.Total, "person_records", g.stats.PersonRecords)
	return &g.stats, nil
}

// release writes the delayed reports due at step.
func (g *gen) release(step int) {
	fns := g.pending[step]
	delete(g.pending, step)
	for _, fn := range fns {
		if g.err != nil {
			return
		}
		fn()
	}
}

// later queues fn to run a random number of individuals from now: another
// organisation reports the same person at another time, so the records of
// one individual are not neighbours in the stream.
func (g *gen) later(fn func()) {
	step := g.seq + 1 + g.r.IntN(2000)
	g.pending[step] = append(g.pending[step], fn)
}

// newID returns IDs in generation order (a 40-bit sequence number, then
// random bits): a store inserts them at the end of its indexes rather than
// all over them, which keeps a million-person load fast.
func (g *gen) newID(k sillok.Kind) sillok.ID {
	var b [10]byte
	g.idSeq++
	binary.BigEndian.PutUint64(b[:8], g.idSeq<<24|g.idr.Uint64()>>40)
	binary.BigEndian.PutUint16(b[8:], uint16(g.idr.Uint32()))
	return sillok.IDFromBytes(k, b)
}

// emit writes one record and returns its ID. After the first error it does
// nothing and returns "": callers check g.err at the end of a step.
func (g *gen) emit(o int, level sillok.Level, b sillok.Body) sillok.ID {
	if g.err != nil {
		return ""
	}
	k := b.Kind()
	id := g.newID(k)
	r := &sillok.Record{ID: id, Kind: k, Org: g.orgs[o].name, Level: level, Body: b}
	if err := g.put(g.orgs[o].actor, r); err != nil {
		g.err = err
		return ""
	}
	g.stats.Records[k]++
	g.stats.Total++
	return id
}

// emitPerson writes a person record and its truth row.
func (g *gen) emitPerson(o int, level sillok.Level, p *sillok.Person, key int) sillok.ID {
	id := g.emit(o, level, p)
	if id == "" {
		return ""
	}
	g.stats.PersonRecords++
	if g.truth != nil {
		if err := g.truth.Write([]string{string(id), personKey(key)}); err != nil {
			g.err = fmt.Errorf("demo: write truth row for %s: %w", id, err)
		}
	}
	return id
}

// personKey names an individual in the truth file.
func personKey(n int) string { return "ind-" + strconv.Itoa(n) }
