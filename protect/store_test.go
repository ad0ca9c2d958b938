package protect

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

func TestSealingStore(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{Hooks: []sqlstore.Hook{Guard{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	a, rec := mustKey(t, "ngo-a"), mustKey(t, RecoveryHolder)
	kr, err := NewKeyring(rec.Holder(), nil, a)
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore(raw, raw.DB(), kr)
	actor := sillok.Actor{User: "doc1", Org: "ngo-a"}
	secret := "탁옥련화"

	newPerson := func(level sillok.Level) *sillok.Record {
		return &sillok.Record{Kind: sillok.KindPerson, Org: "ngo-a", Level: level, Body: &sillok.Person{
			Names: []sillok.Name{{Value: secret}}, Birth: sillok.MustDate("1971-08-23"), Sex: sillok.SexFemale}}
	}
	tests := []struct {
		name      string
		level     sillok.Level
		sealed    bool
		pseudonym string
		bare      bool // no kind and no org: the store's defaults
	}{
		{"confidential is sealed", sillok.LevelConfidential, true, "V-0001", false},
		{"strict is sealed", sillok.LevelStrict, true, "V-0002", false},
		{"internal passes through", sillok.LevelInternal, false, "", false},
		{"without kind and org", sillok.LevelConfidential, true, "V-0003", true},
	}
	var first sillok.ID
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newPerson(tc.level)
			if tc.bare {
				r.Kind, r.Org = "", ""
			}
			if err := st.Create(ctx, actor, r); err != nil {
				t.Fatal(err)
			}
			got, err := raw.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			p := got.Body.(*sillok.Person)
			if (p.Sealed != nil) != tc.sealed || p.Pseudonym != tc.pseudonym {
				t.Fatalf("sealed %v pseudonym %q; want %v %q", p.Sealed != nil, p.Pseudonym, tc.sealed, tc.pseudonym)
			}
			if !tc.sealed {
				return
			}
			if len(p.Names) != 0 || p.Birth.String() != "1971" {
				t.Fatalf("clear fields left: %d names, birth %s", len(p.Names), p.Birth)
			}
			rv, err := kr.Reveal(got.ID, p)
			if err != nil || rv.(*sillok.Person).Names[0].Value != secret {
				t.Fatalf("reveal: %v", err)
			}
			if first == "" {
				first = r.ID
			}
		})
	}

	// An edit with clear names reseals, keeping the pseudonym; the blind
	// index finds the new name.
	cur, _ := raw.Get(ctx, first)
	edited := &sillok.Person{Names: []sillok.Name{{Value: "편철룡수"}}, Sex: sillok.SexFemale}
	if _, err := st.Update(ctx, actor, first, cur.Rev, edited, "spelling"); err != nil {
		t.Fatal(err)
	}
	page, err := raw.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Attrs: []sillok.Attr{{Key: sillok.BlindIndexAttr, Value: kr.Sealer("ngo-a").Index.Name("편철룡수")}}})
	if err != nil || len(page.Records) != 1 || page.Records[0].Body.(*sillok.Person).Pseudonym != "V-0001" {
		t.Fatalf("after edit: %v, %d records", err, len(page.Records))
	}

	// A source's transcript is sealed, its clear evidence list kept.
	src := &sillok.Record{Kind: sillok.KindSource, Org: "ngo-a", Level: sillok.LevelStrict, Body: &sillok.Source{
		Type: "testimony", Interviewee: first, Interviewer: "doc1", Transcript: sillok.Labels{Ko: "제 이름은 " + secret + "입니다"},
		Evidence: []string{strings.Repeat("ab", 32)}}}
	if err := st.Batch(ctx, func(tx sillok.Tx) error { return tx.Create(ctx, actor, src) }); err != nil {
		t.Fatal(err)
	}
	got, _ := raw.Get(ctx, src.ID)
	sb := got.Body.(*sillok.Source)
	if sb.Sealed == nil || sb.Transcript.Ko != "" || sb.Interviewer != "" || len(sb.Evidence) != 1 {
		t.Fatalf("source not sealed as expected: %+v", sb.Evidence)
	}

	// No key for the organisation: the write fails, nothing in clear.
	other := newPerson(sillok.LevelConfidential)
	other.Org = "ngo-b"
	if err := st.Create(ctx, sillok.Actor{User: "x", Org: "ngo-b"}, other); !errors.Is(err, ErrNoOrgKey) {
		t.Fatalf("unknown organisation: %v", err)
	}
	// Bypassing the wrapper: Guard refuses.
	if err := raw.Create(ctx, actor, newPerson(sillok.LevelConfidential)); err == nil {
		t.Fatal("Guard let a clear confidential person through")
	}
	// A second process's allocation is seen: the numbers continue.
	st2 := NewStore(raw, raw.DB(), kr)
	r := newPerson(sillok.LevelConfidential)
	if err := st2.Create(ctx, actor, r); err != nil {
		t.Fatal(err)
	}
	if p := r.Body.(*sillok.Person); p.Pseudonym != "V-0004" {
		t.Fatalf("second store's pseudonym %q, want V-0004", p.Pseudonym)
	}
}

func TestRevealedAndKeyringOpener(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"), sqlstore.Options{Hooks: []sqlstore.Hook{Guard{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	a, rec := mustKey(t, "ngo-a"), mustKey(t, RecoveryHolder)
	kr, err := NewKeyring(rec.Holder(), nil, a)
	if err != nil {
		t.Fatal(err)
	}
	actor := sillok.Actor{User: "doc1", Org: "ngo-a"}
	r := &sillok.Record{Kind: sillok.KindPerson, Level: sillok.LevelConfidential, Body: &sillok.Person{Names: []sillok.Name{{Value: "탁옥련화"}}}}
	if err := NewStore(raw, raw.DB(), kr).Create(ctx, actor, r); err != nil {
		t.Fatal(err)
	}
	// A fresh keyring (nothing stashed) opens from the key.
	kr2, _ := NewKeyring(rec.Holder(), nil, a)
	page, err := (&Revealed{Store: raw, Keys: kr2}).List(ctx, sillok.Filter{Kind: sillok.KindPerson})
	if err != nil || len(page.Records) != 1 || page.Records[0].Body.(*sillok.Person).Names[0].Value != "탁옥련화" {
		t.Fatalf("revealed list: %v", err)
	}
	if got, _ := raw.Get(ctx, r.ID); len(got.Body.(*sillok.Person).Names) != 0 {
		t.Fatal("the store itself returned names")
	}
	audit := &countingAuditor{}
	op := &KeyringOpener{Keys: kr2, Audit: audit}
	cur, _ := raw.Get(ctx, r.ID)
	tests := []struct {
		who    sillok.Actor
		err    error
		audits int
	}{
		{sillok.Actor{User: "x", Org: "ngo-b"}, ErrNoOrgKey, 0},
		{actor, nil, 1},
	}
	for _, tc := range tests {
		_, err := op.Person(ctx, tc.who, "review", cur)
		if !errors.Is(err, tc.err) || audit.n != tc.audits {
			t.Errorf("%s: err %v, %d audits; want %v, %d", tc.who.Org, err, audit.n, tc.err, tc.audits)
		}
	}
}

type countingAuditor struct{ n int }

func (c *countingAuditor) Disclosed(context.Context, Disclosure) error { c.n++; return nil }

// A sealed source edited one step at a time (as the web intake does:
// circumstances, then the transcript) keeps what each step did not carry:
// an empty field never erases a sealed one.
func TestSealedSourceStepwiseUpdate(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"), sqlstore.Options{Hooks: []sqlstore.Hook{Guard{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	kr, err := NewKeyring(mustKey(t, RecoveryHolder).Holder(), nil, mustKey(t, "ngo-a"))
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore(raw, raw.DB(), kr)
	actor := sillok.Actor{User: "doc1", Org: "ngo-a"}
	pid := interviewee(t, st, actor)
	r := &sillok.Record{Kind: sillok.KindSource, Org: "ngo-a", Level: sillok.LevelConfidential, Body: &sillok.Source{Type: "testimony", Interviewee: pid}}
	if err := st.Create(ctx, actor, r); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		edit func(b *sillok.Source)
		want SourceFields
	}{
		{"circumstances", func(b *sillok.Source) { b.Interviewer, b.Place = "doc1", "Seoul" },
			SourceFields{Interviewer: "doc1", Place: "Seoul"}},
		{"transcript", func(b *sillok.Source) { b.Transcript = sillok.Labels{Ko: "보위부 취조"} },
			SourceFields{Interviewer: "doc1", Place: "Seoul", Transcript: sillok.Labels{Ko: "보위부 취조"}}},
		{"interpreter only", func(b *sillok.Source) { b.Interpreter = "int1" },
			SourceFields{Interviewer: "doc1", Place: "Seoul", Interpreter: "int1", Transcript: sillok.Labels{Ko: "보위부 취조"}}},
		{"replace place", func(b *sillok.Source) { b.Place = "Busan" },
			SourceFields{Interviewer: "doc1", Place: "Busan", Interpreter: "int1", Transcript: sillok.Labels{Ko: "보위부 취조"}}},
		{"title only (clear)", func(b *sillok.Source) { b.Title = sillok.Labels{En: "T"} },
			SourceFields{Interviewer: "doc1", Place: "Busan", Interpreter: "int1", Transcript: sillok.Labels{Ko: "보위부 취조"}}},
	}
	for _, tc := range steps {
		cur, err := raw.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		b := *cur.Body.(*sillok.Source)
		tc.edit(&b)
		if _, err := st.Update(ctx, actor, r.ID, cur.Rev, &b, tc.name); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, _ := raw.Get(ctx, r.ID)
		gb := got.Body.(*sillok.Source)
		if gb.Sealed == nil {
			t.Fatalf("%s: not sealed", tc.name)
		}
		f, err := kr.Key("ngo-a").OpenSource(r.ID, gb)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if f.Interviewer != tc.want.Interviewer || f.Place != tc.want.Place || f.Interpreter != tc.want.Interpreter || f.Transcript != tc.want.Transcript {
			t.Errorf("%s: sealed fields %+v, want %+v", tc.name, *f, tc.want)
		}
	}
}

// SourceKey seals a confidential draft that has nothing sealed yet, and
// returns the same key afterwards; public sources have none.
func TestSourceKey(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"), sqlstore.Options{Hooks: []sqlstore.Hook{Guard{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	kr, err := NewKeyring(mustKey(t, RecoveryHolder).Holder(), nil, mustKey(t, "ngo-a"))
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore(raw, raw.DB(), kr)
	actor := sillok.Actor{User: "doc1", Org: "ngo-a"}
	pid := interviewee(t, st, actor)
	tests := []struct {
		level   sillok.Level
		wantErr bool
	}{
		{sillok.LevelConfidential, false},
		{sillok.LevelStrict, false},
		{sillok.LevelPublic, true},
	}
	for _, tc := range tests {
		r := &sillok.Record{Kind: sillok.KindSource, Org: "ngo-a", Level: tc.level, Body: &sillok.Source{Type: "testimony", Interviewee: pid}}
		if err := st.Create(ctx, actor, r); err != nil {
			t.Fatal(err)
		}
		rec, key, err := st.SourceKey(ctx, actor, r.ID)
		if (err != nil) != tc.wantErr {
			t.Fatalf("%s: %v", tc.level, err)
		}
		if tc.wantErr {
			continue
		}
		sb := rec.Body.(*sillok.Source)
		if sb.Sealed == nil || rec.Rev != 2 {
			t.Fatalf("%s: rev %d, sealed %v", tc.level, rec.Rev, sb.Sealed != nil)
		}
		rec2, key2, err := st.SourceKey(ctx, actor, r.ID)
		if err != nil || rec2.Rev != 2 || *key2 != *key {
			t.Fatalf("%s: second call: %v, rev %d, same key %v", tc.level, err, rec2.Rev, *key2 == *key)
		}
	}
}

func interviewee(t *testing.T, st *Store, actor sillok.Actor) sillok.ID {
	t.Helper()
	p := &sillok.Record{Kind: sillok.KindPerson, Org: actor.Org, Level: sillok.LevelConfidential, Body: &sillok.Person{Names: []sillok.Name{{Value: "탁옥련화"}}}}
	if err := st.Create(context.Background(), actor, p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// An update of a sealed person that carries one clear field (notes, as an
// API client that read the record and adds a note sends it) keeps the
// sealed names, exact birth date and origin.
func TestSealedPersonPartialUpdate(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"), sqlstore.Options{Hooks: []sqlstore.Hook{Guard{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	orgKey := mustKey(t, "ngo-a")
	kr, err := NewKeyring(mustKey(t, RecoveryHolder).Holder(), nil, orgKey)
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore(raw, raw.DB(), kr)
	actor := sillok.Actor{User: "doc1", Org: "ngo-a"}
	r := &sillok.Record{Kind: sillok.KindPerson, Org: "ngo-a", Level: sillok.LevelConfidential, Body: &sillok.Person{
		Names: []sillok.Name{{Value: "탁옥련화"}}, Birth: sillok.MustDate("1971-08-23"), OriginText: "Musan-gun", Sex: sillok.SexFemale}}
	if err := st.Create(ctx, actor, r); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(p *sillok.Person)
		names string
		birth string
		notes string
	}{
		{"notes added", func(p *sillok.Person) { p.Notes = "met in 2019" }, "탁옥련화", "1971-08-23", "met in 2019"},
		{"birth corrected", func(p *sillok.Person) { p.Birth = sillok.MustDate("1971-09-02") }, "탁옥련화", "1971-09-02", "met in 2019"},
		{"name replaced", func(p *sillok.Person) { p.Names = []sillok.Name{{Value: "편철룡수"}} }, "편철룡수", "1971-09-02", "met in 2019"},
	}
	for _, tc := range tests {
		cur, err := raw.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		b := *cur.Body.(*sillok.Person)
		tc.edit(&b)
		if _, err := st.Update(ctx, actor, r.ID, cur.Rev, &b, tc.name); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, _ := raw.Get(ctx, r.ID)
		f, err := orgKey.OpenPerson(r.ID, got.Body.(*sillok.Person))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(f.Names) != 1 || f.Names[0].Value != tc.names || f.Birth.String() != tc.birth || f.Notes != tc.notes || f.OriginText != "Musan-gun" {
			t.Errorf("%s: sealed %d names, birth %s, notes %q, origin kept %v", tc.name, len(f.Names), f.Birth, f.Notes, f.OriginText == "Musan-gun")
		}
	}
}
