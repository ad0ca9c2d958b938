package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/sqlstore"
)

// loaderStore is a store with a bulk loader (sqlstore.Store).
type loaderStore interface {
	sillok.Store
	NewLoader(ctx context.Context, size int) *sqlstore.Loader
}

// testLoader checks that records created through a Loader (in batches
// smaller than the input, so several transactions, with references
// within and across batches) are stored exactly as Create stores them,
// and that its errors are those of Create, with earlier batches kept.
func testLoader(t *testing.T, open Opener) {
	ctx := context.Background()
	want, got := open(t), open(t)
	ls, ok := got.(loaderStore)
	if !ok {
		t.Skipf("%T has no Loader", got)
	}
	// The same records, with fixed IDs, both ways.
	bodies := func() []*sillok.Record {
		var rs []*sillok.Record
		id := func(k sillok.Kind, i int) sillok.ID {
			var b [10]byte
			b[0], b[9] = byte(i>>8), byte(i)
			return sillok.IDFromBytes(k, b)
		}
		unit := &sillok.Record{ID: id(sillok.KindUnit, 0), Body: &sillok.Unit{Names: []sillok.Name{{Value: "보위부", Lang: "ko"}}, Type: "state_security"}}
		rs = append(rs, unit)
		for i := 1; i <= 25; i++ {
			p := &sillok.Record{ID: id(sillok.KindPerson, i), Level: sillok.LevelConfidential, Body: person(fmt.Sprintf("김영%d", i), sillok.SexFemale)}
			pos := &sillok.Record{ID: id(sillok.KindPosition, i), Body: &sillok.Position{Person: p.ID, Unit: unit.ID, Title: "guard"}}
			rs = append(rs, p, pos)
		}
		return rs
	}
	for _, r := range bodies() {
		if err := want.Create(ctx, alice, r); err != nil {
			t.Fatal(err)
		}
	}
	ld := ls.NewLoader(ctx, 7)
	recs := bodies()
	for _, r := range recs {
		if err := ld.Create(ctx, alice, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := ld.Close(); err != nil {
		t.Fatal(err)
	}
	if r := recs[len(recs)-1]; r.Rev != 1 || r.Created.IsZero() || r.CreatedBy != "alice" {
		t.Errorf("loaded record = rev %d, created %v by %q", r.Rev, r.Created, r.CreatedBy)
	}
	wv, gv := collect(t, want), collect(t, got)
	if len(wv) != len(gv) {
		t.Fatalf("loader stored %d revisions, Create %d", len(gv), len(wv))
	}
	for i := range wv {
		w, g := *wv[i], *gv[i]
		if g.Hash != g.ComputeHash() || g.Time.IsZero() {
			t.Errorf("%s: hash %s does not match its content", g.ID, g.Hash)
		}
		w.Time, w.Hash, g.Hash = g.Time, "", ""
		if fmt.Sprint(w) != fmt.Sprint(g) {
			t.Errorf("revision %d: loader stored %+v, Create %+v", i, g, w)
		}
	}
	// Derived rows: filters and links see loaded records as created ones.
	for _, s := range []sillok.Store{want, got} {
		p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Attrs: []sillok.Attr{{Key: "role", Value: "victim"}}, Limit: 100})
		if err != nil || len(p.Records) != 25 {
			t.Errorf("%T: List victims = %d, %v; want 25", s, len(p.Records), err)
		}
		l, err := s.Linked(ctx, recs[0].ID, 1, 0)
		if err != nil || len(l) != 25 {
			t.Errorf("%T: Linked(unit) = %d, %v; want the 25 positions", s, len(l), err)
		}
	}

	// Errors: a bad reference in the second batch fails it and what
	// follows; the first batch stays.
	s := open(t).(loaderStore)
	ld = s.NewLoader(ctx, 2)
	var ids []sillok.ID
	for i := range 6 {
		var b sillok.Body = person(fmt.Sprintf("이%d", i), "")
		if i == 3 {
			b = &sillok.Position{Person: "per_doesnotexist", Unit: "uni_doesnotexist"}
		}
		r := &sillok.Record{Body: b}
		if err := ld.Create(ctx, alice, r); err != nil {
			break // the error may surface early
		}
		ids = append(ids, r.ID)
	}
	if err := ld.Close(); !errors.Is(err, sillok.ErrInvalid) {
		t.Fatalf("loader with a dangling reference: Close = %v, want ErrInvalid", err)
	}
	if _, err := s.Get(ctx, ids[0]); err != nil {
		t.Errorf("first batch lost: %v", err)
	}
	if _, err := s.Get(ctx, ids[2]); !errors.Is(err, sillok.ErrNotFound) {
		t.Errorf("record of the failed batch stored: %v", err)
	}
	// A taken ID conflicts, as with Create.
	ld = s.NewLoader(ctx, 0)
	if err := ld.Create(ctx, alice, &sillok.Record{ID: ids[0], Body: person("박", "")}); err != nil {
		t.Fatal(err)
	}
	if err := ld.Close(); !errors.Is(err, sillok.ErrConflict) {
		t.Errorf("loader with a taken ID: Close = %v, want ErrConflict", err)
	}
}
