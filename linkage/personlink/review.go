package personlink

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/sillok/sillok"
)

// Queue returns the review queue: the live links whose current decision is
// the model's unsure, most probable first, at most limit (0: all).
func Queue(ctx context.Context, r sillok.Reader, limit int) ([]*sillok.Record, error) {
	var q []*sillok.Record
	f := sillok.Filter{Kind: sillok.KindLink, Attrs: []sillok.Attr{{Key: "decision", Value: sillok.LinkUnsure}, {Key: "method", Value: MethodModel}}, Limit: pageSize}
	for {
		p, err := r.List(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("list the review queue: %w", err)
		}
		q = append(q, p.Records...)
		if p.Next == "" {
			break
		}
		f.After = p.Next
	}
	slices.SortStableFunc(q, func(x, y *sillok.Record) int {
		return cmp.Or(cmp.Compare(y.Body.(*sillok.Link).Probability, x.Body.(*sillok.Link).Probability), cmp.Compare(x.ID, y.ID))
	})
	if limit > 0 && len(q) > limit {
		q = q[:limit]
	}
	return q, nil
}

// FindLink returns the live link between two persons, or nil.
func FindLink(ctx context.Context, r sillok.Reader, a, b sillok.ID) (*sillok.Record, error) {
	p := PairOf(a, b)
	f := sillok.Filter{Kind: sillok.KindLink, RefTo: p.A, Limit: pageSize}
	for {
		pg, err := r.List(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("find the link of %s and %s: %w", p.A, p.B, err)
		}
		for _, rec := range pg.Records {
			if l := rec.Body.(*sillok.Link); l.A == p.A && l.B == p.B {
				return rec, nil
			}
		}
		if pg.Next == "" {
			return nil, nil
		}
		f.After = pg.Next
	}
}

// Decide records a reviewer's decision (same, different or unsure, with a
// note) on two person records: a new link, or a new revision of the pair's
// link with method review. Later runs use same and different decisions as
// labels and leave every reviewed pair alone. Errors: a decision other
// than the three, or the same record twice, wraps sillok.ErrInvalid; an ID
// that is not a live person fails as the store's reference check does.
func Decide(ctx context.Context, st sillok.Store, actor sillok.Actor, a, b sillok.ID, decision, note string) (*sillok.Record, error) {
	switch decision {
	case sillok.LinkSame, sillok.LinkDifferent, sillok.LinkUnsure:
	default:
		return nil, fmt.Errorf("decision %q: want same, different or unsure: %w", decision, sillok.ErrInvalid)
	}
	if a == b {
		return nil, fmt.Errorf("decide %s: a record is not linked to itself: %w", a, sillok.ErrInvalid)
	}
	p := PairOf(a, b)
	old, err := FindLink(ctx, st, p.A, p.B)
	if err != nil {
		return nil, err
	}
	var out *sillok.Record
	err = st.Batch(ctx, func(tx sillok.Tx) error {
		l := &sillok.Link{A: p.A, B: p.B, Decision: decision, Method: MethodReview, Note: note}
		if old == nil {
			r := &sillok.Record{Kind: sillok.KindLink, Org: actor.Org, Level: sillok.LevelConfidential, Body: l}
			if err := tx.Create(ctx, actor, r); err != nil {
				return fmt.Errorf("record decision on %s and %s: %w", p.A, p.B, err)
			}
			out = r
			return nil
		}
		// The model's probability stays for reference.
		l.Probability = old.Body.(*sillok.Link).Probability
		var err error
		out, err = tx.Update(ctx, actor, old.ID, old.Rev, l, "review: "+decision)
		if err != nil {
			return fmt.Errorf("record decision on link %s: %w", old.ID, err)
		}
		return nil
	})
	return out, err
}

// Undo reverts the last revision of a link by writing a new revision that
// restores the decision before it (so an undo can itself be undone). A link
// with a single revision has nothing to undo: ErrNothingToUndo (record a
// decision instead).
func Undo(ctx context.Context, st sillok.Store, actor sillok.Actor, id sillok.ID) (*sillok.Record, error) {
	if sillok.KindOf(id) != sillok.KindLink {
		return nil, fmt.Errorf("undo %s: not a link: %w", id, sillok.ErrInvalid)
	}
	h, err := st.History(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("undo %s: %w", id, err)
	}
	if len(h) < 2 {
		return nil, fmt.Errorf("undo %s: %w: the link has no earlier decision", id, ErrNothingToUndo)
	}
	last, prev := h[len(h)-1], h[len(h)-2]
	if last.Tombstone || prev.Tombstone {
		return nil, fmt.Errorf("undo %s: %w", id, sillok.ErrDeleted)
	}
	var l sillok.Link
	if err := json.Unmarshal(prev.Body, &l); err != nil {
		return nil, fmt.Errorf("undo %s: read revision %d: %w", id, prev.Rev, err)
	}
	r, err := st.Update(ctx, actor, id, last.Rev, &l, fmt.Sprintf("undo revision %d: back to %s (%s) of revision %d", last.Rev, l.Decision, l.Method, prev.Rev))
	if err != nil {
		return nil, fmt.Errorf("undo %s: %w", id, err)
	}
	return r, nil
}

// Assignment is a person record's cluster: the smallest person ID in it,
// so that a cluster's id is stable while its members stay.
type Assignment struct {
	Person  sillok.ID
	Org     string
	Cluster sillok.ID
}

// Clusters assigns every live person record to a cluster: connected
// components over the same links (reviewers' first, then the model's by
// probability), never joining two components when a reviewer's different
// decision lies between them.
func Clusters(ctx context.Context, r sillok.Reader) ([]Assignment, error) {
	var ids []sillok.ID
	var orgs []string
	index := map[sillok.ID]int32{}
	err := each(ctx, r, sillok.KindPerson, func(rec *sillok.Record) error {
		index[rec.ID] = int32(len(ids))
		ids = append(ids, rec.ID)
		orgs = append(orgs, rec.Org)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var same []*sillok.Link
	u := newUnion(len(ids))
	err = each(ctx, r, sillok.KindLink, func(rec *sillok.Record) error {
		l := rec.Body.(*sillok.Link)
		a, okA := index[l.A]
		b, okB := index[l.B]
		if !okA || !okB {
			return nil
		}
		switch l.Decision {
		case sillok.LinkSame:
			same = append(same, l)
		case sillok.LinkDifferent:
			// Only a reviewer's different forbids a join through other
			// records; the model's (a withdrawn link) just does not join.
			if l.Method == MethodReview {
				u.cannot(a, b)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(same, func(x, y *sillok.Link) int {
		rank := func(l *sillok.Link) int {
			if l.Method == MethodReview {
				return 0
			}
			return 1
		}
		return cmp.Or(cmp.Compare(rank(x), rank(y)), cmp.Compare(y.Probability, x.Probability))
	})
	for _, l := range same {
		u.join(index[l.A], index[l.B])
	}
	out := make([]Assignment, len(ids))
	for i, id := range ids {
		out[i] = Assignment{Person: id, Org: orgs[i], Cluster: ids[u.find(int32(i))]}
	}
	return out, nil
}

// union is union-find whose root is the smallest index of a component
// (records are in ID order, so the smallest ID), with cannot-link
// constraints kept per root.
type union struct {
	parent []int32
	not    map[int32]map[int32]bool // root → roots it must not join
}

func newUnion(n int) *union {
	u := &union{parent: make([]int32, n), not: map[int32]map[int32]bool{}}
	for i := range u.parent {
		u.parent[i] = int32(i)
	}
	return u
}

func (u *union) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *union) cannot(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if u.not[ra] == nil {
		u.not[ra] = map[int32]bool{}
	}
	if u.not[rb] == nil {
		u.not[rb] = map[int32]bool{}
	}
	u.not[ra][rb], u.not[rb][ra] = true, true
}

// join merges the components of a and b unless a cannot-link lies between
// them; it reports whether they are now one.
func (u *union) join(a, b int32) bool {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return true
	}
	if u.not[ra][rb] {
		return false
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	// The merged root inherits rb's constraints, and the roots rb had a
	// constraint with now point at ra.
	for x := range u.not[rb] {
		if u.not[ra] == nil {
			u.not[ra] = map[int32]bool{}
		}
		u.not[ra][x] = true
		delete(u.not[x], rb)
		u.not[x][ra] = true
	}
	delete(u.not, rb)
	return true
}
