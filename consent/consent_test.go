package consent_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/consent"
	"github.com/sillok/sillok/jsonl"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

var (
	staff = sillok.Actor{User: "kim", Org: "org-a"}
	given = time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)
	now   = given.AddDate(2, 0, 0)
)

func open(t *testing.T) sillok.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func create(t *testing.T, s sillok.Store, b sillok.Body) sillok.ID {
	t.Helper()
	r := &sillok.Record{Level: sillok.LevelConfidential, Body: b}
	if err := s.Create(context.Background(), staff, r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func sealed() *sillok.Sealed {
	return &sillok.Sealed{V: sillok.SealedVersion, Keys: []sillok.WrappedKey{{Holder: "org-a", Wrapped: []byte{1}}}, CT: make([]byte, 48)}
}

// world is a small repository: two testimonies (one consenting to
// sharing with NKDB and to public use, sealed; one with no consent), the
// facts they support, and records nothing rests on.
type world struct {
	shared, secret             sillok.ID // sources
	witnessA, witnessB, victim sillok.ID // persons
	eventA, actA, eventB, actB sillok.ID
	infoA, infoB, infoBothA    sillok.ID
	unit, evA, evB             sillok.ID
}

func build(t *testing.T, s sillok.Store) world {
	var w world
	w.witnessA = create(t, s, &sillok.Person{Sealed: sealed(), Pseudonym: "V-1"})
	w.witnessB = create(t, s, &sillok.Person{Names: []sillok.Name{{Value: "박영철"}}})
	w.victim = create(t, s, &sillok.Person{Names: []sillok.Name{{Value: "리영희"}}})
	w.shared = create(t, s, &sillok.Source{Type: "testimony", Interviewee: w.witnessA, Sealed: sealed(),
		Consent: &sillok.Consent{Uses: []string{"internal", "partners", "public_pseudonym"}, Partners: []string{"NKDB"}, Given: given, RecordedBy: "kim"}})
	w.secret = create(t, s, &sillok.Source{Type: "testimony", Interviewee: w.witnessB})
	w.unit = create(t, s, &sillok.Unit{Names: []sillok.Name{{Value: "보위부"}}, Type: "state_security"})
	w.eventA = create(t, s, &sillok.Event{Title: sillok.Labels{En: "Arrest"}})
	w.actA = create(t, s, &sillok.Act{Event: w.eventA, Victim: w.witnessA, Type: "arbitrary_detention"})
	w.eventB = create(t, s, &sillok.Event{Title: sillok.Labels{En: "Beating"}})
	w.actB = create(t, s, &sillok.Act{Event: w.eventB, Victim: w.victim, Type: "torture"})
	w.infoA = create(t, s, &sillok.Information{Source: w.shared, Subject: w.actA, Connection: "victim"})
	w.infoBothA = create(t, s, &sillok.Information{Source: w.shared, Subject: w.eventB, Connection: "eyewitness"})
	w.infoB = create(t, s, &sillok.Information{Source: w.secret, Subject: w.actB, Connection: "eyewitness"})
	w.evA = create(t, s, &sillok.Evidence{SHA256: hash('a'), Size: 1, ReceivedBy: "kim", Received: given, Source: w.shared})
	w.evB = create(t, s, &sillok.Evidence{SHA256: hash('b'), Size: 1, ReceivedBy: "kim", Received: given, Source: w.secret})
	return w
}

func hash(c byte) string { return string(bytes.Repeat([]byte{c}, 64)) }

func TestPlanShare(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	w := build(t, s)
	tests := []struct {
		name     string
		purpose  string
		withheld []sillok.ID
	}{
		// The second testimony has no consent: it, its file, the
		// information citing it, the act resting only on it (and so
		// what cites the act) and its witness go; the event it shares
		// with the first testimony stays.
		// Evidence records never go out in a share.
		{"named partner", "partners:nkdb", []sillok.ID{w.secret, w.evA, w.evB, w.infoB, w.actB, w.witnessB}},
		// A partner not named: nothing of either testimony goes out, and
		// then neither what rests on them.
		{"other partner", "partners:Someone", []sillok.ID{w.secret, w.shared, w.evA, w.evB, w.infoA, w.infoB, w.infoBothA,
			w.actA, w.actB, w.eventB, w.witnessA, w.witnessB}},
		// Public: the first testimony and its witness are sealed; persons
		// in clear and all evidence metadata stay home.
		{"public", "public", []sillok.ID{w.secret, w.evA, w.evB, w.infoB, w.actB, w.witnessB, w.victim}},
		{"internal", "internal", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := consent.ParsePurpose(tc.purpose)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := consent.NewPlan(ctx, s, p, now)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tc.withheld)
			slices.Sort(want)
			if got := plan.WithheldIDs(); !slices.Equal(got, want) {
				t.Errorf("withheld %v\nwant     %v", got, want)
			}
			// The share imports on its own into an empty repository.
			var buf bytes.Buffer
			if _, err := jsonl.ExportWhere(ctx, s, &buf, func(id sillok.ID) bool { return !plan.Withheld(id) }); err != nil {
				t.Fatal(err)
			}
			if _, err := jsonl.Import(ctx, open(t), &buf); err != nil {
				t.Errorf("share for %s does not import: %v", tc.purpose, err)
			}
		})
	}
}

func TestPlanPublicNeedsSealedHistory(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	w := build(t, s)
	// The source was once in clear: its history would show it.
	rec, _ := s.Get(ctx, w.shared)
	b := *rec.Body.(*sillok.Source)
	b.Sealed = nil
	b.Transcript = sillok.Labels{Ko: "증언"}
	r2, err := s.Update(ctx, staff, w.shared, rec.Rev, &b, "edit")
	if err != nil {
		t.Fatal(err)
	}
	b.Sealed, b.Transcript = sealed(), sillok.Labels{}
	if _, err := s.Update(ctx, staff, w.shared, r2.Rev, &b, "sealed again"); err != nil {
		t.Fatal(err)
	}
	plan, err := consent.NewPlan(ctx, s, consent.Purpose{Use: sillok.UsePublicPseudonym}, now)
	if err != nil {
		t.Fatal(err)
	}
	if plan.SourceAllowed(w.shared) || !plan.Withheld(w.shared) {
		t.Error("a source with a revision in clear is allowed for public use")
	}
	plan, err = consent.NewPlan(ctx, s, consent.Purpose{Use: sillok.UsePartners, Partner: "NKDB"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.SourceAllowed(w.shared) {
		t.Error("sharing with a named partner needs no sealing")
	}
}

func TestPurposeString(t *testing.T) {
	for _, s := range []string{"internal", "prosecution", "un_reporting", "public", "partners:NKDB"} {
		p, err := consent.ParsePurpose(s)
		if err != nil {
			t.Fatal(err)
		}
		if p.String() != s {
			t.Errorf("ParsePurpose(%q).String() = %q", s, p)
		}
	}
}
