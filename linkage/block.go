package linkage

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// rule is a blocking rule bound to a table: per record the code of its
// blocking key (0: a term is null, so the record is not in the rule), and the
// records in key order with block boundaries.
type rule struct {
	terms   []Term
	columns map[string]bool
	key     []int32
	order   []int32 // records with a key, grouped by key
	starts  []int32 // block b is order[starts[b]:starts[b+1]]
	units   []unit
	pairs   int64 // pairs within this rule's blocks, before the link-type filter and deduplication across rules
}

// unit is a slice of work: blocks b0..b1-1 whole, or, when one block is too
// large, rows lo..hi-1 of block b0 (each paired with the rows after it).
type unit struct {
	b0, b1 int32
	lo, hi int32
}

// unitPairs is the target number of pairs in one unit of work.
const unitPairs = 1 << 14

func (r *rule) build(nKeys int) {
	// Counting sort of records by key.
	count := make([]int32, nKeys+2)
	for _, k := range r.key {
		if k != 0 {
			count[k+1]++
		}
	}
	for k := 1; k < len(count); k++ {
		count[k] += count[k-1]
	}
	r.order = make([]int32, count[len(count)-1])
	pos := append([]int32(nil), count[:len(count)-1]...)
	for i, k := range r.key {
		if k != 0 {
			r.order[pos[k]] = int32(i)
			pos[k]++
		}
	}
	// Blocks of one record have no pairs: keep only blocks of two or more,
	// in a compacted order.
	compact := make([]int32, 0, len(r.order))
	var starts []int32
	for k := 1; k <= nKeys; k++ {
		lo, hi := count[k], count[k+1]
		if hi-lo < 2 {
			continue
		}
		starts = append(starts, int32(len(compact)))
		compact = append(compact, r.order[lo:hi]...)
	}
	starts = append(starts, int32(len(compact)))
	r.order, r.starts = compact, starts
	r.units = r.units[:0]
	r.pairs = 0
	var acc int64
	b0 := int32(0)
	nb := int32(len(starts) - 1)
	for b := int32(0); b < nb; b++ {
		s := int64(starts[b+1] - starts[b])
		p := s * (s - 1) / 2
		r.pairs += p
		if p > 4*unitPairs {
			if b0 < b {
				r.units = append(r.units, unit{b0: b0, b1: b, hi: -1})
			}
			// Rows near the top of a block pair with more rows: cut so each
			// unit holds about unitPairs pairs.
			lo := int64(0)
			for lo < s-1 {
				hi, got := lo, int64(0)
				for hi < s-1 && got < unitPairs {
					got += s - 1 - hi
					hi++
				}
				r.units = append(r.units, unit{b0: b, b1: b + 1, lo: int32(lo), hi: int32(hi)})
				lo = hi
			}
			b0, acc = b+1, 0
			continue
		}
		acc += p
		if acc >= unitPairs {
			r.units = append(r.units, unit{b0: b0, b1: b + 1, hi: -1})
			b0, acc = b+1, 0
		}
	}
	if b0 < nb {
		r.units = append(r.units, unit{b0: b0, b1: nb, hi: -1})
	}
}

// pairVisitor is called by worker w for each candidate pair (i < j).
type pairVisitor func(w int, i, j int32)

// forEachPair visits the candidate pairs of rules[k] with workers goroutines.
// With dedupe, a pair that an earlier rule (index < k) already yields is
// skipped, so that over all rules each candidate pair is visited once.
// With linkOnly, only pairs from different sources are visited.
func forEachPair(ctx context.Context, rules []*rule, k int, dedupe bool, src []int32, linkOnly bool, workers int, visit pairVisitor) error {
	r := rules[k]
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var stop atomic.Bool
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for !stop.Load() {
				ui := next.Add(1) - 1
				if ui >= int64(len(r.units)) {
					return
				}
				if ctx.Err() != nil {
					stop.Store(true)
					return
				}
				u := r.units[ui]
				for b := u.b0; b < u.b1; b++ {
					blk := r.order[r.starts[b]:r.starts[b+1]]
					lo, hi := int32(0), int32(len(blk)-1)
					if u.hi >= 0 {
						lo, hi = u.lo, u.hi
					}
					for x := lo; x < hi; x++ {
						i := blk[x]
						for _, j := range blk[x+1:] {
							if linkOnly && src[i] == src[j] {
								continue
							}
							if dedupe && coveredEarlier(rules[:k], i, j) {
								continue
							}
							if i < j {
								visit(w, i, j)
							} else {
								visit(w, j, i)
							}
						}
					}
				}
			}
		}(w)
	}
	wg.Wait()
	return ctx.Err()
}

func coveredEarlier(earlier []*rule, i, j int32) bool {
	for _, e := range earlier {
		if a := e.key[i]; a != 0 && a == e.key[j] {
			return true
		}
	}
	return false
}
