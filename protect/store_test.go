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
