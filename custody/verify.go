package custody

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Problem is one finding of Verify. Index is the leaf concerned, or -1;
// Checkpoint is the size of the checkpoint concerned, or -1.
type Problem struct {
	Index      int64
	Checkpoint int64
	Err        error
}

func (p Problem) Error() string {
	switch {
	case p.Index >= 0:
		return fmt.Sprintf("event %d: %v", p.Index, p.Err)
	case p.Checkpoint >= 0:
		return fmt.Sprintf("checkpoint of size %d: %v", p.Checkpoint, p.Err)
	}
	return p.Err.Error()
}

// Report is the result of Verify.
type Report struct {
	Size        int64          // leaves in storage
	Checkpoints int            // checkpoints checked
	Kinds       map[Kind]int64 // events per kind
	// Revisions maps each record ID to the revision hash of its last
	// record_created/record_revised event: what the repository's current
	// state of that record must hash to (see CompareRevisions).
	Revisions map[string]string
	Problems  []Problem
}

// OK reports whether Verify found nothing wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(index, cp int64, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Index: index, Checkpoint: cp, Err: fmt.Errorf(format, args...)})
}

// verifyChunk is how many leaves Verify reads at a time.
const verifyChunk = 4096

// Verify recomputes the whole tree from the stored leaves and checks it
// against the stored hashes and every stored checkpoint, whose signatures
// it checks with v. Each event must parse in canonical form. Every
// mismatch becomes a Problem naming the event index or checkpoint size;
// the error is for failures to read the storage at all.
//
// Verify holds the recomputed stored hashes in memory: about 64 bytes per
// event (64 MB at a million).
func Verify(ctx context.Context, st Storage, v note.Verifier) (*Report, error) {
	r := &Report{Kinds: map[Kind]int64{}, Revisions: map[string]string{}}
	size, err := st.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify custody log: %w", err)
	}
	r.Size = size

	// Checkpoints first: their signatures, form and order; the roots are
	// compared while the tree is rebuilt.
	roots := map[int64][]tlog.Hash{}
	last := int64(-1)
	err = st.Checkpoints(ctx, func(cpSize int64, signed []byte) error {
		r.Checkpoints++
		c, err := OpenCheckpoint(signed, v)
		if err != nil {
			r.add(-1, cpSize, "%v", err)
			return nil
		}
		if c.Size != cpSize {
			r.add(-1, cpSize, "signed size is %d", c.Size)
		}
		if c.Size < last {
			r.add(-1, c.Size, "follows a checkpoint of larger size %d", last)
		}
		last = max(last, c.Size)
		if c.Size > size {
			r.add(-1, c.Size, "covers %d events but the log holds %d (events dropped?)", c.Size, size)
			return nil
		}
		roots[c.Size] = append(roots[c.Size], c.Root)
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("verify custody log: %w", err)
	}
	if r.Checkpoints == 0 && size > 0 {
		r.add(-1, -1, "log of %d events has no checkpoint", size)
	}
	checkRoot := func(n int64, mem tlog.HashReader) error {
		want, ok := roots[n]
		if !ok {
			return nil
		}
		got, err := tlog.TreeHash(n, mem)
		if err != nil {
			return err
		}
		for _, w := range want {
			if w != got {
				r.add(-1, n, "signed root %s, recomputed from the events %s", w, got)
			}
		}
		return nil
	}

	hashes := make([]tlog.Hash, 0, tlog.StoredHashCount(size))
	mem := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x >= int64(len(hashes)) {
				return nil, fmt.Errorf("stored hash %d not computed", x)
			}
			out[i] = hashes[x]
		}
		return out, nil
	})
	if err := checkRoot(0, mem); err != nil {
		return r, err
	}
	idx := make([]int64, 0, 2*verifyChunk+64)
	for start := int64(0); start < size; start += verifyChunk {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		count := int(min(verifyChunk, size-start))
		leaves, err := st.ReadLeaves(ctx, start, count)
		if err != nil {
			return r, fmt.Errorf("verify custody log: %w", err)
		}
		from := int64(len(hashes))
		// Parsing events is most of the CPU work; it runs on the other
		// cores while this goroutine rebuilds the tree.
		parsed := parseAll(leaves)
		for i, data := range leaves {
			n := start + int64(i)
			hs, err := tlog.StoredHashesForRecordHash(n, tlog.RecordHash(data), mem)
			if err != nil {
				return r, fmt.Errorf("verify custody log: event %d: %w", n, err)
			}
			hashes = append(hashes, hs...)
			if err := checkRoot(n+1, mem); err != nil {
				return r, err
			}
		}
		for i, p := range parsed() {
			n := start + int64(i)
			if p.err != nil {
				r.add(n, -1, "%v", p.err)
				continue
			}
			r.Kinds[p.e.Kind]++
			if p.e.Kind == RecordCreated || p.e.Kind == RecordRevised {
				r.Revisions[p.e.Record] = p.e.Revision
			}
		}
		// Compare the stored hashes of this chunk with the recomputed ones.
		idx = idx[:0]
		for x := from; x < int64(len(hashes)); x++ {
			idx = append(idx, x)
		}
		stored, err := st.ReadHashes(ctx, idx)
		if err != nil {
			r.add(-1, -1, "read stored hashes %d–%d: %v", from, len(hashes)-1, err)
			continue
		}
		reported := int64(-1)
		for k, x := range idx {
			if stored[k] == hashes[x] {
				continue
			}
			level, n := tlog.SplitStoredHashIndex(x)
			leaf := n << level // first leaf under that node
			if leaf != reported {
				r.add(leaf, -1, "stored hash (level %d) differs from the one recomputed from the event data", level)
				reported = leaf
			}
		}
	}
	sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Index < r.Problems[j].Index })
	return r, nil
}

// RecordProblem is a record whose current state in the repository does
// not match the last revision the custody log holds for it.
type RecordProblem struct {
	Record string
	Logged string // revision hash in the log, "" if never logged
	Stored string // revision hash of the stored record, "" if absent
}

func (p RecordProblem) Error() string {
	switch {
	case p.Logged == "":
		return fmt.Sprintf("record %s: stored revision %s was never logged (edited outside Sillok?)", p.Record, p.Stored)
	case p.Stored == "":
		return fmt.Sprintf("record %s: logged revision %s is missing from the repository", p.Record, p.Logged)
	}
	return fmt.Sprintf("record %s: stored revision %s, logged %s (edited outside Sillok?)", p.Record, p.Stored, p.Logged)
}

// CompareRevisions checks the repository's current revision hashes
// (record ID → hash of its current revision, as the core computes it)
// against the log's (Report.Revisions), and returns one problem per record
// that differs, sorted by record ID. This is how `sillok log verify`
// finds a row edited directly in the database.
func CompareRevisions(logged, current map[string]string) []RecordProblem {
	var out []RecordProblem
	for id, cur := range current {
		if lg := logged[id]; lg != cur {
			out = append(out, RecordProblem{Record: id, Logged: lg, Stored: cur})
		}
	}
	for id, lg := range logged {
		if _, ok := current[id]; !ok {
			out = append(out, RecordProblem{Record: id, Logged: lg})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Record < out[j].Record })
	return out
}

type parsedEvent struct {
	e   Event
	err error
}

// parseAll parses leaves concurrently; the returned function waits for
// the results, which are in leaf order.
func parseAll(leaves [][]byte) func() []parsedEvent {
	out := make([]parsedEvent, len(leaves))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(leaves)/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(leaves); i += workers {
				out[i].e, out[i].err = ParseEvent(leaves[i])
			}
		})
	}
	return func() []parsedEvent {
		wg.Wait()
		return out
	}
}
