package personlink

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

var reviewer = sillok.Actor{User: "reviewer", Org: "demo-ohchr-seoul"}

func TestReviewFlowSQLite(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sillok.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	testReviewFlow(t, s)
}

func TestReviewFlowPostgres(t *testing.T) {
	s, err := postgres.Open(context.Background(), pgtest.DSN(t), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	testReviewFlow(t, s)
}

// linkOf returns the current body of the pair's link, failing when there
// is none.
func linkOf(t *testing.T, st sillok.Store, p Pair) (*sillok.Record, *sillok.Link) {
	t.Helper()
	r, err := FindLink(context.Background(), st, p.A, p.B)
	if err != nil || r == nil {
		t.Fatalf("link of %s and %s: %v (record %v)", p.A, p.B, err, r)
	}
	return r, r.Body.(*sillok.Link)
}

func clusterOf(t *testing.T, st sillok.Store) map[sillok.ID]sillok.ID {
	t.Helper()
	as, err := Clusters(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[sillok.ID]sillok.ID, len(as))
	for _, a := range as {
		m[a.Person] = a.Cluster
	}
	return m
}

// testReviewFlow runs linkage over a small demo repository, then checks
// the review cycle: a reviewer's decisions are kept and used, undo restores
// the decision before, reruns on unchanged data write nothing, and person
// records are never altered.
func testReviewFlow(t *testing.T, st sillok.Store) {
	ctx := context.Background()
	if _, err := demo.GenerateBatched(ctx, demo.Options{People: 600, Seed: 3}, demo.StoreBatch(st)); err != nil {
		t.Fatal(err)
	}
	persons0 := revisionsOf(t, st, sillok.KindPerson)
	opt := Options{Actor: sillok.Actor{User: "linker", Org: "demo-ohchr-seoul"}}
	rep, err := Run(ctx, st, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first run: %+v linked %d queued %d", rep.Stats, rep.Linked, rep.Queued)
	if rep.Linked == 0 || rep.Queued == 0 {
		t.Fatalf("first run linked %d and queued %d pairs: want some of both", rep.Linked, rep.Queued)
	}
	q, err := Queue(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != rep.Queued {
		t.Fatalf("queue holds %d pairs, the run queued %d", len(q), rep.Queued)
	}
	for i := 1; i < len(q); i++ {
		if q[i-1].Body.(*sillok.Link).Probability < q[i].Body.(*sillok.Link).Probability {
			t.Fatalf("queue not ordered by probability at %d", i)
		}
	}
	if lim, _ := Queue(ctx, st, 2); len(lim) != min(2, len(q)) {
		t.Errorf("queue with limit 2: %d items", len(lim))
	}

	// A rerun on unchanged data writes nothing.
	rep2, err := Run(ctx, st, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Linked+rep2.Queued+rep2.Withdrawn != 0 || rep2.Unchanged != rep.Linked+rep.Queued {
		t.Fatalf("rerun: linked %d queued %d withdrawn %d unchanged %d; want 0 0 0 %d", rep2.Linked, rep2.Queued, rep2.Withdrawn, rep2.Unchanged, rep.Linked+rep.Queued)
	}

	// The reviewer says the first queued pair is the same person and a
	// model-linked pair is not.
	qp := PairOf(q[0].Body.(*sillok.Link).A, q[0].Body.(*sillok.Link).B)
	if _, err := Decide(ctx, st, reviewer, qp.B, qp.A, sillok.LinkSame, "same scar, same village"); err != nil {
		t.Fatal(err)
	}
	var mp Pair
	for _, r := range linksOf(t, st) {
		if l := r.Body.(*sillok.Link); l.Decision == sillok.LinkSame && l.Method == MethodModel {
			mp = PairOf(l.A, l.B)
			break
		}
	}
	if mp.A == "" {
		t.Fatal("no model link to contest")
	}
	dr, err := Decide(ctx, st, reviewer, mp.A, mp.B, sillok.LinkDifferent, "different fathers' names")
	if err != nil {
		t.Fatal(err)
	}
	if cl := clusterOf(t, st); cl[qp.A] != cl[qp.B] || cl[mp.A] == cl[mp.B] {
		t.Errorf("clusters after review: queued pair together %v (want true), contested pair together %v (want false)", cl[qp.A] == cl[qp.B], cl[mp.A] == cl[mp.B])
	}

	// The next run respects both decisions and uses them as labels.
	rep3, err := Run(ctx, st, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rep3.Reviewed < 2 {
		t.Errorf("third run left %d reviewed pairs alone, want ≥ 2", rep3.Reviewed)
	}
	if _, l := linkOf(t, st, qp); l.Method != MethodReview || l.Decision != sillok.LinkSame || l.Note != "same scar, same village" {
		t.Errorf("reviewed pair after rerun: %+v", l)
	}
	if _, l := linkOf(t, st, mp); l.Method != MethodReview || l.Decision != sillok.LinkDifferent {
		t.Errorf("contested pair after rerun: %+v", l)
	}

	// Undo the contested decision: the model's same comes back, and the
	// pair is the model's again.
	u, err := Undo(ctx, st, reviewer, dr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l := u.Body.(*sillok.Link); l.Method != MethodModel || l.Decision != sillok.LinkSame || u.Rev != dr.Rev+1 {
		t.Errorf("after undo: rev %d %+v, want rev %d model same", u.Rev, l, dr.Rev+1)
	}
	if cl := clusterOf(t, st); cl[mp.A] != cl[mp.B] {
		t.Error("undone pair not clustered together again")
	}
	// Undoing the undo brings the decision back.
	u2, err := Undo(ctx, st, reviewer, dr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l := u2.Body.(*sillok.Link); l.Method != MethodReview || l.Decision != sillok.LinkDifferent {
		t.Errorf("after undoing the undo: %+v", l)
	}
	// A link with one revision has nothing to undo.
	created, err := Decide(ctx, st, reviewer, persons(t, st)[0], persons(t, st)[1], sillok.LinkUnsure, "")
	if err != nil {
		t.Fatal(err)
	}
	if created.Rev == 1 {
		if _, err := Undo(ctx, st, reviewer, created.ID); !errors.Is(err, ErrNothingToUndo) {
			t.Errorf("undo of a first revision: %v, want ErrNothingToUndo", err)
		}
	}
	if _, err := Decide(ctx, st, reviewer, qp.A, qp.B, "maybe", ""); !errors.Is(err, sillok.ErrInvalid) {
		t.Errorf("decision maybe: %v, want ErrInvalid", err)
	}

	// Person records were never touched.
	if persons1 := revisionsOf(t, st, sillok.KindPerson); persons1 != persons0 {
		t.Errorf("person revisions: %d before, %d after linkage", persons0, persons1)
	}
}

func persons(t *testing.T, st sillok.Store) []sillok.ID {
	t.Helper()
	p, err := st.List(context.Background(), sillok.Filter{Kind: sillok.KindPerson, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	return []sillok.ID{p.Records[0].ID, p.Records[1].ID}
}

func linksOf(t *testing.T, st sillok.Store) []*sillok.Record {
	t.Helper()
	var out []*sillok.Record
	if err := each(context.Background(), st, sillok.KindLink, func(r *sillok.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// revisionsOf sums the revision numbers of the live records of kind k.
func revisionsOf(t *testing.T, st sillok.Store, k sillok.Kind) int {
	t.Helper()
	n := 0
	if err := each(context.Background(), st, k, func(r *sillok.Record) error { n += r.Rev; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
