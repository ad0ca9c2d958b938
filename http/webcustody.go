package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/evidence"
)

// Record pages show the custody-log events about the record (its revisions
// being logged, and for a source or an evidence item the receipt of the
// files) with a link to download each event's inclusion proof. The log is
// reached through CustodyLog, so that a server without one (tests, a
// read-only copy) simply has no such section.

// CustodyLog is what record pages need of the repository's custody log.
type CustodyLog interface {
	// Events returns the events about any of the records, in log order.
	Events(ctx context.Context, ids []sillok.ID) ([]CustodyEvent, error)
	// Proof returns event i with its inclusion proof against the latest
	// signed checkpoint.
	Proof(ctx context.Context, i int64) (*CustodyProof, error)
}

// CustodyEvent is one logged event.
type CustodyEvent struct {
	Index int64
	// Checkpoint is the size of the first signed checkpoint that includes
	// the event (0 when not known).
	Checkpoint int64
	Event      custody.Event
}

// CustodyProof is the downloadable proof that an event is in the log: with
// the log's public key (which the reader must get from a trusted channel)
// it is checked offline, as a bundle's proofs are (see package bundle's
// README): leaf hash SHA-256(0x00 ‖ Event), the Proof hashes from the leaf's
// sibling up, against the root in the signed Checkpoint (tlog.CheckRecord).
type CustodyProof struct {
	Format     string   `json:"format"` // "sillok custody inclusion proof v1"
	Origin     string   `json:"origin"` // the log's name
	Key        string   `json:"key"`    // the log's note verifier key
	Index      int64    `json:"index"`
	Event      string   `json:"event"`      // the leaf, exactly as logged (canonical JSON)
	Proof      []string `json:"proof"`      // base64 SHA-256 hashes
	Checkpoint string   `json:"checkpoint"` // the signed checkpoint note
}

// ProofFormat is CustodyProof.Format.
const ProofFormat = "sillok custody inclusion proof v1"

// EvidenceCustody returns the record pages' view of a repository's custody
// log. It keeps an index of the log in memory, 8 bytes per event (a hash of
// the record ID each event names) plus the checkpoint sizes, built on first
// use and extended with the events logged since at each request: the log
// has no index of its own, and reading it whole (as bundle export does)
// takes seconds at a million events.
func EvidenceCustody(c *evidence.Custody) CustodyLog { return &custodyIndex{c: c} }

type custodyIndex struct {
	c *evidence.Custody

	mu     sync.Mutex
	size   int64    // leaves indexed
	keys   []uint64 // per leaf: hash of the record ID it names, 0 for none
	cps    []int64  // checkpoint sizes, ascending
	cpSize int64    // size of the latest checkpoint read
}

func recordKey(id []byte) uint64 {
	h := fnv.New64a()
	h.Write(id)
	return h.Sum64() | 1 // never 0, which means "no record"
}

// recordField is how the canonical encoding names the record: keys are
// in a fixed order, with no spaces, and a quote inside a string value is
// always escaped, so the first match is the key itself.
var recordField = []byte(`"record":"`)

// refresh indexes the events logged since the last call.
func (x *custodyIndex) refresh(ctx context.Context) (*custody.Log, *custody.FileStorage, error) {
	l, st, err := x.c.Log(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("custody index: %w", err)
	}
	cp, _ := l.Latest()
	for x.size < cp.Size {
		n := min(4096, cp.Size-x.size)
		leaves, err := st.ReadLeaves(ctx, x.size, int(n))
		if err != nil {
			return nil, nil, fmt.Errorf("custody index: %w", err)
		}
		for _, d := range leaves {
			var k uint64
			if i := bytes.Index(d, recordField); i >= 0 {
				rest := d[i+len(recordField):]
				if j := bytes.IndexByte(rest, '"'); j >= 0 {
					k = recordKey(rest[:j])
				}
			}
			x.keys = append(x.keys, k)
		}
		x.size += n
	}
	if cp.Size > x.cpSize {
		// Every group commit signs one checkpoint; the ones signed since
		// the last look are at the end of the list.
		var sizes []int64
		err := st.Checkpoints(ctx, func(size int64, _ []byte) error {
			if size > x.cpSize {
				sizes = append(sizes, size)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("custody index: %w", err)
		}
		x.cps = append(x.cps, sizes...)
		x.cpSize = cp.Size
	}
	return l, st, nil
}

func (x *custodyIndex) Events(ctx context.Context, ids []sillok.ID) ([]CustodyEvent, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, st, err := x.refresh(ctx)
	if err != nil {
		return nil, err
	}
	// A record page asks for a record and its few evidence items: a
	// loop over them beats a map lookup per event.
	want := make([]uint64, len(ids))
	names := map[string]bool{}
	for i, id := range ids {
		want[i] = recordKey([]byte(id))
		names[string(id)] = true
	}
	var out []CustodyEvent
	for i, k := range x.keys {
		if k == 0 || !slices.Contains(want, k) {
			continue
		}
		leaves, err := st.ReadLeaves(ctx, int64(i), 1)
		if err != nil {
			return nil, fmt.Errorf("custody event %d: %w", i, err)
		}
		e, err := custody.ParseEvent(leaves[0])
		if err != nil {
			return nil, fmt.Errorf("custody event %d: %w", i, err)
		}
		if !names[e.Record] {
			continue // another record's ID with the same hash
		}
		ce := CustodyEvent{Index: int64(i), Event: e}
		if j, ok := slices.BinarySearch(x.cps, int64(i)+1); ok || j < len(x.cps) {
			ce.Checkpoint = x.cps[j]
		}
		out = append(out, ce)
	}
	return out, nil
}

func (x *custodyIndex) Proof(ctx context.Context, i int64) (*CustodyProof, error) {
	x.mu.Lock()
	l, _, err := x.refresh(ctx)
	x.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ps, _, signed, err := l.Prove(ctx, []int64{i})
	if err != nil {
		return nil, fmt.Errorf("prove custody event %d: %w", i, err)
	}
	p := &CustodyProof{Format: ProofFormat, Origin: l.Origin(), Key: x.c.Key().VerifierKey, Index: i,
		Event: string(ps[0].Data), Checkpoint: string(signed), Proof: []string{}}
	for _, h := range ps[0].Proof {
		p.Proof = append(p.Proof, base64.StdEncoding.EncodeToString(h[:]))
	}
	return p, nil
}

// custodyView is one row of a record page's custody section.
type custodyView struct {
	Index      int64
	Kind       string
	Record     sillok.ID // the evidence item, when not the page's record
	Rev        int       // the record's revision the event names, or 0
	Time       string
	Actor      string
	Checkpoint int64
	Proof      string
}

// custodyFor lists the custody events of a record and of the evidence
// items filed under it; revs maps revision hashes to revision numbers.
func (s *Server) custodyFor(ctx context.Context, p *page, id sillok.ID, revs map[string]int) ([]custodyView, error) {
	ids := []sillok.ID{id}
	if sillok.KindOf(id) != sillok.KindEvidence {
		err := sillok.Each(ctx, s.store, sillok.Filter{Kind: sillok.KindEvidence, RefTo: id}, func(r *sillok.Record) error {
			ids = append(ids, r.ID)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("evidence of %s: %w", id, err)
		}
	}
	evs, err := s.web.custody.Events(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []custodyView
	for _, e := range evs {
		v := custodyView{Index: e.Index, Kind: p.T("custody.kind." + string(e.Event.Kind)), Time: e.Event.Time.UTC().Format("2006-01-02 15:04:05 MST"),
			Actor: e.Event.Actor, Checkpoint: e.Checkpoint, Proof: "/records/" + string(id) + "/custody/" + strconv.FormatInt(e.Index, 10)}
		if e.Event.Record != string(id) {
			v.Record = sillok.ID(e.Event.Record)
		} else if e.Event.Revision != "" {
			v.Rev = revs[e.Event.Revision]
		}
		out = append(out, v)
	}
	return out, nil
}

// custodyProof serves the inclusion proof of one of a record's events as
// a JSON download.
func (s *Server) custodyProof(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) { http.Error(w, msg, status) }
	if _, err := s.web.viewer.Viewer(r); err != nil {
		if errors.Is(err, errSignIn) {
			fail(http.StatusUnauthorized, "sign in")
			return
		}
		fail(http.StatusUnauthorized, "not signed in")
		return
	}
	if s.web.custody == nil {
		fail(http.StatusNotFound, "no custody log")
		return
	}
	id := sillok.ID(r.PathValue("id"))
	n, err := strconv.ParseInt(r.PathValue("n"), 10, 64)
	if err != nil || n < 0 || !sillok.KindOf(id).Valid() {
		fail(http.StatusNotFound, "not found")
		return
	}
	if _, err := s.store.Get(r.Context(), id); err != nil && !errors.Is(err, sillok.ErrDeleted) {
		fail(http.StatusNotFound, "not found")
		return
	}
	// Only the events the record's page lists.
	lang := language(w, r)
	p := &page{Lang: lang, req: r, cat: s.web.catalogs[lang], web: s.web}
	evs, err := s.custodyFor(r.Context(), p, id, nil)
	if err != nil {
		s.log.Error("web: custody events", "record", id, "err", err)
		fail(http.StatusInternalServerError, "internal error")
		return
	}
	if !slices.ContainsFunc(evs, func(v custodyView) bool { return v.Index == n }) {
		fail(http.StatusNotFound, "not found")
		return
	}
	proof, err := s.web.custody.Proof(r.Context(), n)
	if err != nil {
		s.log.Error("web: custody proof", "record", id, "event", n, "err", err)
		fail(http.StatusInternalServerError, "internal error")
		return
	}
	b, err := json.MarshalIndent(proof, "", "  ")
	if err != nil {
		fail(http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sillok-custody-%d.json"`, n))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(append(b, '\n'))
}
