package evidence

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/blob/fsblob"
	"github.com/sillok/sillok/custody"
)

// Report is the result of Repo.Verify: what `sillok log verify` prints.
type Report struct {
	Log       *custody.Report  // the tree against its checkpoints
	Blobs     []fsblob.Problem // originals that changed, stray or writable files
	Records   []RecordProblem  // records whose stored state the log does not vouch for
	Revisions int64            // revisions checked
	Evidence  int              // evidence records whose file was looked up
}

// RecordProblem is one record the log and the database disagree about.
type RecordProblem struct {
	Record sillok.ID
	Rev    int // 0 when the problem is not about one stored revision
	Reason string
}

func (p RecordProblem) Error() string {
	if p.Rev > 0 {
		return fmt.Sprintf("record %s revision %d: %s", p.Record, p.Rev, p.Reason)
	}
	return fmt.Sprintf("record %s: %s", p.Record, p.Reason)
}

// OK reports whether everything held.
func (r *Report) OK() bool {
	return r.Log.OK() && len(r.Blobs) == 0 && len(r.Records) == 0
}

// Problems returns every finding as one line each.
func (r *Report) Problems() []string {
	var out []string
	for _, p := range r.Log.Problems {
		out = append(out, "custody log: "+p.Error())
	}
	for _, p := range r.Blobs {
		out = append(out, "blob store: "+p.Error())
	}
	for _, p := range r.Records {
		out = append(out, p.Error())
	}
	return out
}

// Verify checks the repository against its custody log:
//
//   - the log: the whole tree recomputed from the stored events against the
//     stored hashes and every signed checkpoint (custody.Verify);
//   - the blob store: every file rehashed against its name (fsblob.Verify),
//     and every evidence record's file present with its recorded size;
//   - the records: every stored revision must hash (Revision.ComputeHash)
//     to its stored hash and be named by a record_created/record_revised
//     event, every logged revision must still be stored, and each record's
//     current revision must be the last one the log names for it
//     (custody.CompareRevisions). A row edited in the database behind
//     Sillok's back fails here, named by its record ID.
//
// Events still pending (a crash before they were logged) are logged first.
// The error is for failures to read at all; findings are in the Report.
// Memory: a few hundred bytes per record and per logged revision.
func (r *Repo) Verify(ctx context.Context) (*Report, error) {
	flushErr := r.Custody.Flush(ctx)
	st, err := r.Custody.Storage()
	if err != nil {
		return nil, err
	}
	lr, err := custody.Verify(ctx, st, r.Custody.Key().Verifier)
	if err != nil {
		return nil, err
	}
	rep := &Report{Log: lr}
	if flushErr != nil {
		var n int
		if err := r.Store.DB().QueryRowContext(ctx, `SELECT count(*) FROM custody_pending`).Scan(&n); err != nil {
			return nil, fmt.Errorf("count pending custody events: %w", err)
		}
		lr.Problems = append(lr.Problems, custody.Problem{Index: -1, Checkpoint: -1,
			Err: fmt.Errorf("%d events pending, not logged: %w", n, flushErr)})
	}

	// Every revision the log names, by hash, with the leaf naming it.
	logged := map[[32]byte]int64{}
	size, err := st.Size(ctx)
	if err != nil {
		return nil, err
	}
	for start := int64(0); start < size; start += 4096 {
		n := int(min(4096, size-start))
		leaves, err := st.ReadLeaves(ctx, start, n)
		if err != nil {
			return nil, fmt.Errorf("read custody events from %d: %w", start, err)
		}
		for i, d := range leaves {
			e, err := custody.ParseEvent(d)
			if err != nil || (e.Kind != custody.RecordCreated && e.Kind != custody.RecordRevised) {
				continue // a bad leaf is already one of lr's problems
			}
			if h, ok := hash32(e.Revision); ok {
				logged[h] = start + int64(i)
			}
		}
	}

	// Each record's current revision hash, binary (a hex string would
	// double the largest structure Verify holds).
	current := map[string][32]byte{}
	var evidence []sillok.ID
	err = r.Store.Revisions(ctx, func(v *sillok.Revision) error {
		rep.Revisions++
		computed := v.ComputeHash()
		h, _ := hash32(computed)
		current[string(v.ID)] = h
		switch {
		case v.Hash != computed:
			rep.Records = append(rep.Records, RecordProblem{v.ID, v.Rev, "stored content does not match its stored hash: changed outside Sillok"})
		case !hasKey(logged, h):
			rep.Records = append(rep.Records, RecordProblem{v.ID, v.Rev, "not in the custody log"})
		}
		// What is left in logged afterwards was never seen stored.
		delete(logged, h)
		if v.Kind == sillok.KindEvidence && v.Rev == 1 {
			evidence = append(evidence, v.ID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	// As custody.CompareRevisions, on binary hashes.
	for id, cur := range current {
		lg, ok := lr.Revisions[id]
		if !ok {
			continue // never logged: already reported per revision above
		}
		if h, _ := hash32(lg); h != cur {
			rep.Records = append(rep.Records, RecordProblem{sillok.ID(id), 0, "current state is not the last revision the custody log holds"})
		}
	}
	for id := range lr.Revisions {
		if _, ok := current[id]; !ok {
			rep.Records = append(rep.Records, RecordProblem{sillok.ID(id), 0, "in the custody log but not in the database"})
		}
	}
	for _, i := range logged {
		_, e, err := r.eventAt(ctx, i)
		if err != nil {
			return nil, err
		}
		if _, ok := current[e.Record]; ok { // whole records missing were reported above
			rep.Records = append(rep.Records, RecordProblem{sillok.ID(e.Record), 0, fmt.Sprintf("revision %s of custody event %d is no longer stored", e.Revision, i)})
		}
	}
	sortProblems(rep.Records)

	probs, err := r.Blobs.Verify(ctx)
	if err != nil {
		return nil, err
	}
	rep.Blobs = probs
	for _, id := range evidence {
		if err := r.checkEvidenceBlob(ctx, id); err != nil {
			rep.Records = append(rep.Records, RecordProblem{id, 0, err.Error()})
		}
		rep.Evidence++
	}
	return rep, nil
}

func (r *Repo) eventAt(ctx context.Context, i int64) ([]byte, custody.Event, error) {
	st, err := r.Custody.Storage()
	if err != nil {
		return nil, custody.Event{}, err
	}
	ds, err := st.ReadLeaves(ctx, i, 1)
	if err != nil {
		return nil, custody.Event{}, fmt.Errorf("read custody event %d: %w", i, err)
	}
	e, err := custody.ParseEvent(ds[0])
	return ds[0], e, err
}

func (r *Repo) checkEvidenceBlob(ctx context.Context, id sillok.ID) error {
	rec, err := r.Store.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	ev, ok := rec.Body.(*sillok.Evidence)
	if !ok {
		return errors.New("not an evidence body")
	}
	h, err := blob.ParseHash(ev.SHA256)
	if err != nil {
		return err
	}
	info, err := r.Blobs.Stat(ctx, h)
	if errors.Is(err, blob.ErrNotFound) {
		return fmt.Errorf("file %s is missing from the blob store", h)
	}
	if err != nil {
		return err
	}
	if info.Size != ev.Size {
		return fmt.Errorf("file %s has %d bytes, the record says %d", h, info.Size, ev.Size)
	}
	return nil
}

func hash32(s string) ([32]byte, bool) {
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return h, false
	}
	copy(h[:], b)
	return h, true
}

func hasKey(m map[[32]byte]int64, k [32]byte) bool { _, ok := m[k]; return ok }

func sortProblems(ps []RecordProblem) {
	slices.SortStableFunc(ps, func(a, b RecordProblem) int {
		if c := strings.Compare(string(a.Record), string(b.Record)); c != 0 {
			return c
		}
		return a.Rev - b.Rev
	})
}
