// Package storetest is the conformance suite every sillok.Store must pass
// (after Perkeep's storagetest): one set of behaviours, run against the
// SQLite and PostgreSQL backends alike.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sillok/sillok"
)

// Opener returns a fresh, empty store; it registers its own cleanup.
type Opener func(t *testing.T) sillok.Store

var (
	alice = sillok.Actor{User: "alice", Org: "org-a"}
	bob   = sillok.Actor{User: "bob", Org: "org-b"}
)

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"CreateGet", testCreateGet},
		{"Validation", testValidation},
		{"UpdateHistory", testUpdateHistory},
		{"Tombstone", testTombstone},
		{"ListFilters", testListFilters},
		{"Pagination", testPagination},
		{"Linked", testLinked},
		{"BatchRollback", testBatchRollback},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Import", testImport},
		{"Thesauri", testThesauri},
		{"LinksAreReversible", testLinks},
		{"Evidence", testEvidence},
		{"Loader", testLoader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

func person(name string, sex sillok.Sex) *sillok.Person {
	return &sillok.Person{Names: []sillok.Name{{Value: name, Script: "hangul"}}, Sex: sex,
		Birth: sillok.MustDate("1975"), Roles: []sillok.Role{{Role: "victim"}}}
}

func mustCreate(t *testing.T, s sillok.Store, a sillok.Actor, b sillok.Body) *sillok.Record {
	t.Helper()
	r := &sillok.Record{Body: b}
	if err := s.Create(context.Background(), a, r); err != nil {
		t.Fatalf("create %s: %v", b.Kind(), err)
	}
	return r
}

// scene builds a small who-did-what-to-whom graph.
type scene struct {
	victim, perp, unit, camp, event, act, inv, src, info *sillok.Record
}

func buildScene(t *testing.T, s sillok.Store) *scene {
	var sc scene
	sc.victim = mustCreate(t, s, alice, person("김영희", sillok.SexFemale))
	sc.perp = mustCreate(t, s, alice, &sillok.Person{Names: []sillok.Name{{Value: "박철수"}}, Sex: sillok.SexMale, Roles: []sillok.Role{{Role: "perpetrator"}}})
	sc.unit = mustCreate(t, s, alice, &sillok.Unit{Names: []sillok.Name{{Value: "온성군 보위부", Lang: "ko"}}, Type: "state_security"})
	sc.camp = mustCreate(t, s, alice, &sillok.Location{Names: []sillok.Name{{Value: "온성 구류장"}}, Type: "kuryujang", Operator: sc.unit.ID})
	sc.event = mustCreate(t, s, alice, &sillok.Event{Title: sillok.Labels{En: "Interrogation in Onsong", Ko: "온성 신문"}, Date: sillok.MustDate("2010-spring"), Location: sc.camp.ID})
	sc.act = mustCreate(t, s, alice, &sillok.Act{Event: sc.event.ID, Victim: sc.victim.ID, Type: "torture_interrogation", Date: sillok.MustDate("2010-04"), Status: "alive"})
	sc.inv = mustCreate(t, s, alice, &sillok.Involvement{Act: sc.act.ID, Perpetrator: sc.perp.ID, Degree: "carried_out"})
	sc.src = mustCreate(t, s, alice, &sillok.Source{Type: "testimony", Interviewee: sc.victim.ID, Date: sillok.MustDate("2015-06-01"), Transcript: sillok.Labels{Ko: "온성 보위부 구류장에서 고문을 당했습니다."}})
	sc.info = mustCreate(t, s, alice, &sillok.Information{Source: sc.src.ID, Subject: sc.act.ID, Connection: "victim", Reliability: "high"})
	return &sc
}

func testCreateGet(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	sc := buildScene(t, s)
	got, err := s.Get(ctx, sc.act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != sillok.KindAct || got.Rev != 1 || got.Org != "org-a" || got.Level != sillok.LevelInternal ||
		got.CreatedBy != "alice" || got.UpdatedBy != "alice" || got.Deleted {
		t.Errorf("Get = %+v", got)
	}
	if !got.Created.Equal(sc.act.Created) || got.Created.IsZero() {
		t.Errorf("created %v, want %v", got.Created, sc.act.Created)
	}
	if sillok.KindOf(got.ID) != sillok.KindAct {
		t.Errorf("ID %s has the wrong prefix", got.ID)
	}
	if !reflect.DeepEqual(bodyJSON(t, got.Body), bodyJSON(t, sc.act.Body)) {
		t.Errorf("body = %s, want %s", bodyJSON(t, got.Body), bodyJSON(t, sc.act.Body))
	}
	// Hangul survives.
	v, err := s.Get(ctx, sc.victim.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := v.Body.(*sillok.Person).Names[0].Value; n != "김영희" {
		t.Errorf("name = %q", n)
	}
	many, err := s.GetMany(ctx, []sillok.ID{sc.victim.ID, "per_doesnotexist", sc.act.ID, sc.event.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(many) != 3 || many[0].ID >= many[1].ID || many[1].ID >= many[2].ID {
		t.Errorf("GetMany = %d records, want 3 in ID order", len(many))
	}
	if _, err := s.Get(ctx, "per_doesnotexist"); !errors.Is(err, sillok.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	// A caller-chosen ID is kept; a taken one conflicts.
	r := &sillok.Record{ID: "per_fixed0000000000000", Body: person("이순자", sillok.SexFemale)}
	if err := s.Create(ctx, alice, r); err != nil {
		t.Fatal(err)
	}
	r2 := &sillok.Record{ID: r.ID, Body: person("이순자", sillok.SexFemale)}
	if err := s.Create(ctx, alice, r2); !errors.Is(err, sillok.ErrConflict) {
		t.Errorf("create with taken ID = %v, want ErrConflict", err)
	}
}

func bodyJSON(t *testing.T, b sillok.Body) string {
	t.Helper()
	j, err := sillok.EncodeBody(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(j)
}

func testValidation(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	sc := buildScene(t, s)
	tests := []struct {
		name  string
		rec   *sillok.Record
		field string
	}{
		{"no names", &sillok.Record{Body: &sillok.Person{}}, "names"},
		{"empty name", &sillok.Record{Body: &sillok.Person{Names: []sillok.Name{{Value: "a"}, {Value: " "}}}}, "names[1].value"},
		{"unknown act type", &sillok.Record{Body: &sillok.Act{Event: sc.event.ID, Victim: sc.victim.ID, Type: "no_such_type"}}, "type"},
		{"unknown role", &sillok.Record{Body: &sillok.Person{Names: []sillok.Name{{Value: "x"}}, Roles: []sillok.Role{{Role: "victim"}, {Role: "king"}}}}, "roles[1].role"},
		{"missing victim", &sillok.Record{Body: &sillok.Act{Event: sc.event.ID, Victim: "per_nobody", Type: "torture"}}, "victim"},
		{"victim is a unit", &sillok.Record{Body: &sillok.Act{Event: sc.event.ID, Victim: sillok.ID(sc.unit.ID), Type: "torture"}}, "victim"},
		{"wrong id prefix", &sillok.Record{ID: "evt_abc", Body: person("x", "")}, "id"},
		{"bad level", &sillok.Record{Level: "secretish", Body: person("x", "")}, "level"},
		{"kind mismatch", &sillok.Record{Kind: sillok.KindEvent, Body: person("x", "")}, "kind"},
	}
	for _, tt := range tests {
		err := s.Create(ctx, alice, tt.rec)
		var fe *sillok.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, sillok.ErrInvalid) {
			t.Errorf("%s: err = %v, want a FieldError", tt.name, err)
			continue
		}
		if fe.Field != tt.field {
			t.Errorf("%s: field = %q, want %q (%v)", tt.name, fe.Field, tt.field, err)
		}
	}
	if err := s.Create(ctx, sillok.Actor{}, &sillok.Record{Body: person("x", "")}); !errors.Is(err, sillok.ErrInvalid) {
		t.Errorf("create without actor = %v, want ErrInvalid", err)
	}
	// Nothing of the rejected records was stored.
	p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindPerson})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != 2 {
		t.Errorf("%d persons stored, want 2", len(p.Records))
	}
}

func testUpdateHistory(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	r := mustCreate(t, s, alice, person("리영희", sillok.SexFemale))
	b := person("리영희", sillok.SexFemale)
	b.Names = append(b.Names, sillok.Name{Value: "Ri Yong Hui", Script: "latin", System: "dprk"})
	got, err := s.Update(ctx, bob, r.ID, 1, b, "add romanized name")
	if err != nil {
		t.Fatal(err)
	}
	if got.Rev != 2 || got.UpdatedBy != "bob" || got.CreatedBy != "alice" || got.Org != "org-a" {
		t.Errorf("after update: %+v", got)
	}
	if _, err := s.Update(ctx, bob, r.ID, 1, b, "stale"); !errors.Is(err, sillok.ErrConflict) {
		t.Errorf("stale update = %v, want ErrConflict", err)
	}
	if _, err := s.Update(ctx, bob, "per_missing", 1, b, ""); !errors.Is(err, sillok.ErrNotFound) {
		t.Errorf("update missing = %v, want ErrNotFound", err)
	}
	if _, err := s.Update(ctx, bob, r.ID, 2, &sillok.Person{}, ""); !errors.Is(err, sillok.ErrInvalid) {
		t.Errorf("invalid update = %v, want ErrInvalid", err)
	}
	h, err := s.History(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Rev != 1 || h[1].Rev != 2 || h[1].Note != "add romanized name" || h[1].Actor != "bob" || h[1].ActorOrg != "org-b" {
		t.Fatalf("history = %+v", h)
	}
	for _, v := range h {
		if v.Hash != v.ComputeHash() {
			t.Errorf("revision %d: stored hash does not match content", v.Rev)
		}
	}
	if h[0].Hash == h[1].Hash {
		t.Error("two revisions share a hash")
	}
	v1, err := s.Revision(ctx, r.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(v1.Body) != string(h[0].Body) {
		t.Errorf("revision 1 body changed: %s", v1.Body)
	}
	if _, err := s.Revision(ctx, r.ID, 3); !errors.Is(err, sillok.ErrNotFound) {
		t.Errorf("Revision(3) = %v, want ErrNotFound", err)
	}
	if _, err := s.History(ctx, "per_missing"); !errors.Is(err, sillok.ErrNotFound) {
		t.Errorf("History(missing) = %v, want ErrNotFound", err)
	}
}

func testTombstone(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	sc := buildScene(t, s)
	if _, err := s.Delete(ctx, bob, sc.inv.ID, 2, "stale"); !errors.Is(err, sillok.ErrConflict) {
		t.Errorf("stale delete = %v, want ErrConflict", err)
	}
	d, err := s.Delete(ctx, bob, sc.inv.ID, 1, "entered twice")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Deleted || d.Rev != 2 {
		t.Errorf("deleted = %+v", d)
	}
	got, err := s.Get(ctx, sc.inv.ID)
	if err != nil || !got.Deleted || got.Body.(*sillok.Involvement).Perpetrator != sc.perp.ID {
		t.Fatalf("Get deleted = %+v, %v", got, err)
	}
	if _, err := s.Update(ctx, bob, sc.inv.ID, 2, sc.inv.Body, ""); !errors.Is(err, sillok.ErrDeleted) {
		t.Errorf("update deleted = %v, want ErrDeleted", err)
	}
	h, _ := s.History(ctx, sc.inv.ID)
	if len(h) != 2 || !h[1].Tombstone || h[1].Note != "entered twice" {
		t.Errorf("history = %+v", h)
	}
	p, _ := s.List(ctx, sillok.Filter{Kind: sillok.KindInvolvement})
	if len(p.Records) != 0 {
		t.Errorf("deleted record listed")
	}
	p, _ = s.List(ctx, sillok.Filter{Kind: sillok.KindInvolvement, IncludeDeleted: true})
	if len(p.Records) != 1 {
		t.Errorf("IncludeDeleted lists %d, want 1", len(p.Records))
	}
	// New references to a deleted record are refused.
	if err := s.Create(ctx, alice, &sillok.Record{Body: &sillok.Information{Source: sc.src.ID, Subject: sc.inv.ID, Connection: "victim"}}); !errors.Is(err, sillok.ErrInvalid) {
		t.Errorf("reference to deleted record = %v, want ErrInvalid", err)
	}
	linked, err := s.Linked(ctx, sc.act.ID, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range linked {
		if r.ID == sc.inv.ID {
			t.Error("Linked returns a deleted record")
		}
	}
}

func testListFilters(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	sc := buildScene(t, s)
	mustCreate(t, s, bob, person("최은희", sillok.SexFemale))
	mustCreate(t, s, bob, person("정민수", sillok.SexMale))
	tests := []struct {
		name string
		f    sillok.Filter
		want int
	}{
		{"persons", sillok.Filter{Kind: sillok.KindPerson}, 4},
		{"org-b persons", sillok.Filter{Kind: sillok.KindPerson, Org: "org-b"}, 2},
		{"women", sillok.Filter{Kind: sillok.KindPerson, Attrs: []sillok.Attr{{Key: "sex", Value: "female"}}}, 2},
		{"women of org-b", sillok.Filter{Org: "org-b", Attrs: []sillok.Attr{{Key: "sex", Value: "female"}}}, 1},
		{"victims born 1975", sillok.Filter{Attrs: []sillok.Attr{{Key: "role", Value: "victim"}, {Key: "birth_year", Value: "1975"}}}, 3},
		{"torture acts", sillok.Filter{Kind: sillok.KindAct, Attrs: []sillok.Attr{{Key: "act_type", Value: "torture_interrogation"}}}, 1},
		{"refers to victim", sillok.Filter{RefTo: sc.victim.ID}, 2}, // the act and the source
		{"acts referring to victim", sillok.Filter{Kind: sillok.KindAct, RefTo: sc.victim.ID}, 1},
		{"nothing", sillok.Filter{Kind: sillok.KindPerson, Attrs: []sillok.Attr{{Key: "sex", Value: "other"}}}, 0},
	}
	for _, tt := range tests {
		p, err := s.List(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(p.Records) != tt.want || p.Next != "" {
			t.Errorf("%s: %d records (next %q), want %d", tt.name, len(p.Records), p.Next, tt.want)
		}
	}
}

func testPagination(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	want := map[sillok.ID]bool{}
	err := s.Batch(ctx, func(tx sillok.Tx) error {
		for i := range 53 {
			r := &sillok.Record{Body: person(fmt.Sprintf("사람%d", i), "")}
			if err := tx.Create(ctx, alice, r); err != nil {
				return err
			}
			want[r.ID] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[sillok.ID]bool{}
	var after sillok.ID
	pages := 0
	for {
		p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindPerson, After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for i, r := range p.Records {
			if got[r.ID] {
				t.Fatalf("%s listed twice", r.ID)
			}
			if i > 0 && r.ID <= p.Records[i-1].ID {
				t.Fatalf("page not in ID order")
			}
			got[r.ID] = true
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	if len(got) != 53 || pages != 6 || !reflect.DeepEqual(got, want) {
		t.Errorf("paged %d records in %d pages, want 53 in 6", len(got), pages)
	}
}

func testLinked(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	sc := buildScene(t, s)
	ids := func(rs []*sillok.Record) map[sillok.ID]bool {
		m := map[sillok.ID]bool{}
		for _, r := range rs {
			m[r.ID] = true
		}
		return m
	}
	l1, err := s.Linked(ctx, sc.victim.ID, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (map[sillok.ID]bool{sc.act.ID: true, sc.src.ID: true}); !reflect.DeepEqual(ids(l1), want) {
		t.Errorf("depth 1 = %v, want %v", ids(l1), want)
	}
	l2, err := s.Linked(ctx, sc.victim.ID, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (map[sillok.ID]bool{sc.act.ID: true, sc.src.ID: true, sc.event.ID: true, sc.inv.ID: true, sc.info.ID: true}); !reflect.DeepEqual(ids(l2), want) {
		t.Errorf("depth 2 = %v, want %v", ids(l2), want)
	}
	// Another victim of the same event is not "linked" to this one: the
	// event is context, not a way into everyone it touches.
	other := mustCreate(t, s, alice, person("최은희", sillok.SexFemale))
	mustCreate(t, s, alice, &sillok.Act{Event: sc.event.ID, Victim: other.ID, Type: "beating"})
	l2, err = s.Linked(ctx, sc.victim.ID, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[sillok.ID]bool{sc.act.ID: true, sc.src.ID: true, sc.event.ID: true, sc.inv.ID: true, sc.info.ID: true,
		sc.perp.ID: true, sc.camp.ID: true}
	if !reflect.DeepEqual(ids(l2), want) {
		t.Errorf("depth 3 = %v, want %v", ids(l2), want)
	}
	for i := 1; i < len(l2); i++ {
		if l2[i].ID <= l2[i-1].ID {
			t.Error("Linked not in ID order")
		}
	}
}

func testBatchRollback(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	var ids []sillok.ID
	boom := errors.New("boom")
	err := s.Batch(ctx, func(tx sillok.Tx) error {
		for i := range 3 {
			r := &sillok.Record{Body: person(fmt.Sprintf("롤백%d", i), "")}
			if err := tx.Create(ctx, alice, r); err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		if _, err := tx.Get(ctx, ids[0]); err != nil {
			return fmt.Errorf("read own write: %w", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Batch = %v, want boom", err)
	}
	// An invalid record half-way rolls back the valid ones too.
	err = s.Batch(ctx, func(tx sillok.Tx) error {
		r := &sillok.Record{Body: person("유효", "")}
		if err := tx.Create(ctx, alice, r); err != nil {
			return err
		}
		ids = append(ids, r.ID)
		return tx.Create(ctx, alice, &sillok.Record{Body: &sillok.Person{}})
	})
	if !errors.Is(err, sillok.ErrInvalid) {
		t.Fatalf("Batch = %v, want ErrInvalid", err)
	}
	for _, id := range ids {
		if _, err := s.Get(ctx, id); !errors.Is(err, sillok.ErrNotFound) {
			t.Errorf("%s survived a rolled-back batch: %v", id, err)
		}
	}
	n := 0
	s.Revisions(ctx, func(v *sillok.Revision) error {
		if v.Kind == sillok.KindPerson {
			n++
		}
		return nil
	})
	if n != 0 {
		t.Errorf("%d person revisions after rollback", n)
	}
}

func testConcurrentWriters(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	target := mustCreate(t, s, alice, person("동시", ""))
	const writers = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		won      int
		conflict int
		errs     []error
	)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				if err := s.Create(ctx, alice, &sillok.Record{Body: person(fmt.Sprintf("작성자%d-%d", i, j), "")}); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
			_, err := s.Update(ctx, bob, target.ID, 1, person(fmt.Sprintf("동시%d", i), ""), "race")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, sillok.ErrConflict):
				conflict++
			default:
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if won != 1 || conflict != writers-1 {
		t.Errorf("%d updates won and %d conflicted, want 1 and %d", won, conflict, writers-1)
	}
	p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != writers*5+1 {
		t.Errorf("%d persons, want %d", len(p.Records), writers*5+1)
	}
	h, _ := s.History(ctx, target.ID)
	if len(h) != 2 {
		t.Errorf("history has %d revisions, want 2", len(h))
	}
}

func collect(t *testing.T, s sillok.Store) []*sillok.Revision {
	var vs []*sillok.Revision
	if err := s.Revisions(context.Background(), func(v *sillok.Revision) error { vs = append(vs, v); return nil }); err != nil {
		t.Fatal(err)
	}
	return vs
}

func testImport(t *testing.T, open Opener) {
	ctx := context.Background()
	src := open(t)
	sc := buildScene(t, src)
	if _, err := src.Update(ctx, bob, sc.victim.ID, 1, person("김영희", sillok.SexFemale), "same again"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Delete(ctx, bob, sc.info.ID, 1, "duplicate"); err != nil {
		t.Fatal(err)
	}
	vs := collect(t, src)
	dst := open(t)
	imported := 0
	err := dst.Batch(ctx, func(tx sillok.Tx) error {
		for _, v := range vs {
			ok, err := tx.Import(ctx, v)
			if err != nil {
				return err
			}
			if ok {
				imported++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := 9 + 2; imported != want {
		t.Errorf("imported %d revisions, want %d (the shipped thesauri are already there)", imported, want)
	}
	got := collect(t, dst)
	if !reflect.DeepEqual(got, vs) {
		t.Fatalf("imported revisions differ from the exported ones")
	}
	for _, id := range []sillok.ID{sc.victim.ID, sc.info.ID, sc.act.ID} {
		a, _ := src.Get(ctx, id)
		b, err := dst.Get(ctx, id)
		if err != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("record %s differs after import: %+v vs %+v (%v)", id, a, b, err)
		}
	}
	// Importing again changes nothing.
	err = dst.Batch(ctx, func(tx sillok.Tx) error {
		for _, v := range vs {
			if ok, err := tx.Import(ctx, v); err != nil || ok {
				return fmt.Errorf("re-import %s@%d: imported=%v err=%v", v.ID, v.Rev, ok, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	// Tampered, conflicting and gapped revisions are refused.
	last := *vs[len(vs)-1]
	tampered := last
	tampered.Note = "changed"
	conflicting := *findRev(vs, sc.act.ID, 1)
	conflicting.Note = "other"
	conflicting.Hash = conflicting.ComputeHash()
	gap := *findRev(vs, sc.act.ID, 1)
	gap.Rev = 3
	gap.Hash = gap.ComputeHash()
	for name, v := range map[string]*sillok.Revision{"tampered": &tampered, "conflicting": &conflicting, "gap": &gap} {
		err := dst.Batch(ctx, func(tx sillok.Tx) error { _, err := tx.Import(ctx, v); return err })
		if err == nil {
			t.Errorf("%s revision imported", name)
		}
	}
}

func findRev(vs []*sillok.Revision, id sillok.ID, rev int) *sillok.Revision {
	for _, v := range vs {
		if v.ID == id && v.Rev == rev {
			return v
		}
	}
	panic("no such revision")
}

func testThesauri(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	r, err := s.Get(ctx, sillok.TermID("act_type", "public_execution"))
	if err != nil {
		t.Fatal(err)
	}
	term := r.Body.(*sillok.Term)
	if term.Parent != "execution" || term.Labels.Ko != "공개처형" || r.CreatedBy != "system" {
		t.Errorf("term = %+v", term)
	}
	sh, _ := sillok.ShippedThesauri()
	p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindTerm, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != len(sh.Terms) {
		t.Errorf("%d terms stored, %d shipped", len(p.Records), len(sh.Terms))
	}
	// An admin extends a thesaurus like any record; children need a parent.
	if err := s.Create(ctx, alice, &sillok.Record{ID: sillok.TermID("act_type", "water_torture"),
		Body: &sillok.Term{Thesaurus: "act_type", Code: "water_torture", Parent: "torture", Labels: sillok.Labels{En: "Water torture", Ko: "물고문"}}}); err != nil {
		t.Fatal(err)
	}
	err = s.Create(ctx, alice, &sillok.Record{ID: sillok.TermID("act_type", "orphan"),
		Body: &sillok.Term{Thesaurus: "act_type", Code: "orphan", Parent: "nope", Labels: sillok.Labels{En: "x", Ko: "x"}}})
	if !errors.Is(err, sillok.ErrInvalid) {
		t.Errorf("term with unknown parent = %v, want ErrInvalid", err)
	}
	// The shipped revisions are identical in every repository.
	s2 := open(t)
	a, b := collect(t, s), collect(t, s2)
	for i := range b {
		if a[i].Hash != b[i].Hash && a[i].ID == b[i].ID {
			t.Fatalf("shipped term %s differs between repositories", a[i].ID)
		}
	}
}

func testLinks(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := mustCreate(t, s, alice, person("리영희", sillok.SexFemale))
	b := mustCreate(t, s, bob, person("이영희", sillok.SexFemale))
	lo, hi := a.ID, b.ID
	if hi < lo {
		lo, hi = hi, lo
	}
	if err := s.Create(ctx, alice, &sillok.Record{Body: &sillok.Link{A: hi, B: lo, Decision: "same", Method: "review"}}); !errors.Is(err, sillok.ErrInvalid) {
		t.Errorf("link in the wrong order = %v, want ErrInvalid", err)
	}
	l := mustCreate(t, s, alice, &sillok.Link{A: lo, B: hi, Decision: sillok.LinkSame, Method: "model", Probability: 0.97})
	same := func() int {
		p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindLink, Attrs: []sillok.Attr{{Key: "decision", Value: "same"}}})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Records)
	}
	if same() != 1 {
		t.Fatal("link not listed")
	}
	// A reviewer undoes the merge: a new revision, the persons untouched.
	if _, err := s.Update(ctx, bob, l.ID, 1, &sillok.Link{A: lo, B: hi, Decision: sillok.LinkDifferent, Method: "review", Note: "different fathers' names"}, "review"); err != nil {
		t.Fatal(err)
	}
	if same() != 0 {
		t.Error("undone link still listed as same")
	}
	for _, p := range []*sillok.Record{a, b} {
		got, _ := s.Get(ctx, p.ID)
		if got.Rev != 1 {
			t.Errorf("linking changed person %s", p.ID)
		}
	}
	h, _ := s.History(ctx, l.ID)
	if len(h) != 2 {
		t.Errorf("link history has %d revisions", len(h))
	}
}

// testEvidence: evidence records keep their receipt metadata, are found by
// hash, point at their source and at the original of a derived copy.
func testEvidence(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	sc := buildScene(t, s)
	const h1 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	const h2 = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
	recv := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	orig := mustCreate(t, s, alice, &sillok.Evidence{SHA256: h1, Size: 4, MediaType: "text/plain", FileName: "interview.txt",
		ReceivedBy: "alice", From: "courier", Received: recv, Channel: "in person", Source: sc.src.ID})
	if sillok.KindOf(orig.ID) != sillok.KindEvidence || !strings.HasPrefix(string(orig.ID), "evi_") {
		t.Errorf("evidence ID %s", orig.ID)
	}
	got, err := s.Get(ctx, orig.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bodyJSON(t, got.Body) != bodyJSON(t, orig.Body) {
		t.Errorf("body = %s, want %s", bodyJSON(t, got.Body), bodyJSON(t, orig.Body))
	}
	if !got.Body.(*sillok.Evidence).Received.Equal(recv) {
		t.Errorf("received %v", got.Body.(*sillok.Evidence).Received)
	}
	red := mustCreate(t, s, alice, &sillok.Evidence{SHA256: h2, Size: 4, ReceivedBy: "alice", Received: recv,
		DerivedFrom: orig.ID, Operation: "redact"})
	p, err := s.List(ctx, sillok.Filter{Kind: sillok.KindEvidence, Attrs: []sillok.Attr{{Key: "sha256", Value: h1}}})
	if err != nil || len(p.Records) != 1 || p.Records[0].ID != orig.ID {
		t.Errorf("list by sha256: %v %v", p, err)
	}
	p, err = s.List(ctx, sillok.Filter{Kind: sillok.KindEvidence, RefTo: orig.ID})
	if err != nil || len(p.Records) != 1 || p.Records[0].ID != red.ID {
		t.Errorf("derived copies of the original: %v %v", p, err)
	}
	p, err = s.List(ctx, sillok.Filter{Kind: sillok.KindEvidence, RefTo: sc.src.ID})
	if err != nil || len(p.Records) != 1 || p.Records[0].ID != orig.ID {
		t.Errorf("evidence of the source: %v %v", p, err)
	}
	for name, b := range map[string]*sillok.Evidence{
		"upper-case hash":     {SHA256: strings.ToUpper(h1), ReceivedBy: "a", Received: recv},
		"no receiver":         {SHA256: h1, Received: recv},
		"no time":             {SHA256: h1, ReceivedBy: "a"},
		"operation alone":     {SHA256: h1, ReceivedBy: "a", Received: recv, Operation: "ocr"},
		"source not a source": {SHA256: h1, ReceivedBy: "a", Received: recv, Source: sc.act.ID},
	} {
		if err := s.Create(ctx, alice, &sillok.Record{Body: b}); !errors.Is(err, sillok.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
