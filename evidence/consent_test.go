package evidence

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/bundle"
	"github.com/sillok/sillok/consent"
	"github.com/sillok/sillok/custody"
)

// testimony creates a witness and their testimony with consent c (nil:
// none recorded).
func testimony(t *testing.T, r *Repo, name string, c *sillok.Consent) *sillok.Record {
	t.Helper()
	ctx := context.Background()
	p := &sillok.Record{Level: sillok.LevelConfidential, Body: &sillok.Person{Names: []sillok.Name{{Value: name}}}}
	if err := r.Store.Create(ctx, staff, p); err != nil {
		t.Fatal(err)
	}
	s := &sillok.Record{Level: sillok.LevelConfidential, Body: &sillok.Source{Type: "testimony", Interviewee: p.ID, Consent: c}}
	if err := r.Store.Create(ctx, staff, s); err != nil {
		t.Fatal(err)
	}
	return s
}

func consentTo(uses ...string) *sillok.Consent {
	return &sillok.Consent{Uses: uses, Given: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), RecordedBy: "staff1"}
}

// TestExportConsent is the consent test: a testimony without
// prosecution consent is left out of a prosecution bundle, with a note in
// the bundle saying items were withheld for lack of consent; after a
// withdrawal the next bundle leaves out the testimony that had consented.
func TestExportConsent(t *testing.T) {
	ctx := context.Background()
	r := openRepo(t, t.TempDir())
	yes := testimony(t, r, "김순희", consentTo(sillok.UseInternal, sillok.UseProsecution))
	un := testimony(t, r, "박영철", consentTo(sillok.UseInternal, sillok.UseUNReporting))
	none := testimony(t, r, "최민수", nil)
	yesFile := mustAdd(t, r, "interview audio A", Receipt{Source: yes.ID, FileName: "kim-soon-hee.mp3"})
	yesRed := mustAdd(t, r, "interview audio A, redacted", Receipt{DerivedFrom: yesFile.ID, Operation: "redact"})
	mustAdd(t, r, "interview audio B", Receipt{Source: un.ID})
	mustAdd(t, r, "interview audio C", Receipt{Source: none.ID})
	loose := mustAdd(t, r, "a file of no source", Receipt{})
	// A file of the consenting testimony, listed by hash by the other one
	// too: both witnesses must consent.
	shared := mustAdd(t, r, "shared scan", Receipt{Source: yes.ID})
	cur, _ := r.Store.Get(ctx, un.ID)
	b := *cur.Body.(*sillok.Source)
	b.Evidence = []string{shared.Body.(*sillok.Evidence).SHA256}
	if _, err := r.Store.Update(ctx, staff, un.ID, cur.Rev, &b, "list scan"); err != nil {
		t.Fatal(err)
	}

	prosecution := consent.Purpose{Use: sillok.UseProsecution}
	export := func(name string, sel ...sillok.ID) (string, *bundle.Report) {
		t.Helper()
		out := filepath.Join(t.TempDir(), name)
		if _, err := r.Export(ctx, out, staff, sel, ExportOptions{For: prosecution, Purpose: "ICC OTP request"}); err != nil {
			t.Fatal(err)
		}
		rep, err := bundle.Verify(ctx, out, bundle.Options{Key: r.Custody.Key().VerifierKey})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("bundle %s fails offline: %v", name, rep.Problems)
		}
		return out, rep
	}
	items := func(dir string) []string {
		ents, _ := os.ReadDir(filepath.Join(dir, "items"))
		var ids []string
		for _, e := range ents {
			ids = append(ids, strings.TrimSuffix(e.Name(), ".json"))
		}
		return ids
	}

	out, rep := export("first", yes.ID, un.ID, none.ID, loose.ID)
	if got, want := items(out), []string{string(yesFile.ID), string(yesRed.ID)}; !slices.Equal(got, want) {
		t.Errorf("prosecution bundle holds %v, want %v", got, want)
	}
	wantWithheld := []string{string(un.ID), string(none.ID), string(shared.ID), string(loose.ID)}
	slices.Sort(wantWithheld)
	if rep.Consent == nil || rep.Consent.Purpose != "prosecution" || !slices.Equal(rep.Consent.Withheld, wantWithheld) {
		t.Errorf("consent note %+v, want withheld %v", rep.Consent, wantWithheld)
	}
	note, _ := os.ReadFile(filepath.Join(out, bundle.ConsentFile))
	readme, _ := os.ReadFile(filepath.Join(out, bundle.ReadmeFile))
	if !strings.Contains(string(readme), "4 selected item(s) were\nWITHHELD for lack of consent") {
		t.Errorf("README does not say 4 items were withheld")
	}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(p)
		for _, s := range []string{"김순희", "박영철", "최민수", "kim-soon-hee", "interview audio B", "interview audio C"} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		return nil
	})
	if !bytes.Contains(note, []byte(string(none.ID)+"\n")) {
		t.Errorf("consent note does not list %s:\n%s", none.ID, note)
	}
	es := events(t, r)
	if last := es[len(es)-1]; last.Kind != custody.Exported || last.Purpose != "prosecution: ICC OTP request" {
		t.Errorf("last event %+v, want the prosecution export", last)
	}

	// The witness withdraws prosecution consent: a revision of its own,
	// by the documenter who recorded it, logged in custody.
	lee := sillok.Actor{User: "lee", Org: "org-a"}
	before := len(eventsOf(events(t, r), yes.ID))
	rec, err := consent.Withdraw(ctx, r.Store, lee, yes.ID, []string{sillok.UseProsecution}, nil, "asked by phone", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := r.Store.History(ctx, yes.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Actor != "lee" || last.Rev != rec.Rev || !strings.Contains(last.Note, "consent withdrawn: prosecution") {
		t.Errorf("withdrawal revision %+v", last)
	}
	w := rec.Body.(*sillok.Source).Consent.Withdrawals
	if len(w) != 1 || w[0].RecordedBy != "lee" || w[0].Note != "asked by phone" || w[0].When.IsZero() {
		t.Errorf("withdrawal %+v", w)
	}
	if err := r.Custody.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if after := len(eventsOf(events(t, r), yes.ID)); after != before+1 {
		t.Errorf("custody events of the source: %d before the withdrawal, %d after", before, after)
	}
	out, rep = export("after", yes.ID)
	if got := items(out); len(got) != 0 {
		t.Errorf("bundle after the withdrawal holds %v", got)
	}
	if rep.Consent == nil || !slices.Contains(rep.Consent.Withheld, string(yes.ID)) {
		t.Errorf("consent note after the withdrawal %+v", rep.Consent)
	}
	// Judged before the withdrawal, the source was allowed: consent is not
	// retroactive, the bundle already handed over stands.
	plan, err := consent.NewPlan(ctx, r.Store, prosecution, w[0].When.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !plan.SourceAllowed(yes.ID) {
		t.Error("the withdrawal applies before its time")
	}
	// Internal bundles need no consent recorded.
	out = filepath.Join(t.TempDir(), "internal")
	if _, err := r.Export(ctx, out, staff, []sillok.ID{none.ID, loose.ID}, ExportOptions{For: consent.Purpose{Use: sillok.UseInternal}}); err != nil {
		t.Fatal(err)
	}
	if got := items(out); len(got) != 2 {
		t.Errorf("internal bundle holds %v, want the two files", got)
	}
	// Nothing to withdraw from where nothing was given; no purpose, no bundle.
	if _, err := consent.Withdraw(ctx, r.Store, lee, none.ID, []string{sillok.UseProsecution}, nil, "", time.Time{}); !errors.Is(err, consent.ErrNoConsent) {
		t.Errorf("withdrawal without consent = %v, want ErrNoConsent", err)
	}
	if _, err := r.Export(ctx, filepath.Join(t.TempDir(), "x"), staff, []sillok.ID{yes.ID}, ExportOptions{Purpose: "court"}); err == nil {
		t.Error("export without a consent purpose succeeded")
	}
	if _, err := r.Export(ctx, filepath.Join(t.TempDir(), "y"), staff, []sillok.ID{yes.ID}, ExportOptions{For: consent.Purpose{Use: "court"}}); err == nil {
		t.Error("export for an unknown use succeeded")
	}
	mustVerifyOK(t, r)
}

// TestExportPublic: public use goes out only pseudonymised: a sealed
// testimony of a sealed witness, consenting to public use, gives its
// redacted copies and never its originals.
func TestExportPublic(t *testing.T) {
	ctx := context.Background()
	r := openRepo(t, t.TempDir())
	sealed := &sillok.Sealed{V: sillok.SealedVersion, Keys: []sillok.WrappedKey{{Holder: "org-a", Wrapped: []byte{1}}}, CT: make([]byte, 48)}
	p := &sillok.Record{Level: sillok.LevelConfidential, Body: &sillok.Person{Sealed: sealed, Pseudonym: "V-0001"}}
	if err := r.Store.Create(ctx, staff, p); err != nil {
		t.Fatal(err)
	}
	pub := &sillok.Record{Level: sillok.LevelConfidential, Body: &sillok.Source{Type: "testimony", Interviewee: p.ID, Sealed: sealed,
		Consent: consentTo(sillok.UseInternal, sillok.UsePublicPseudonym)}}
	if err := r.Store.Create(ctx, staff, pub); err != nil {
		t.Fatal(err)
	}
	clear := testimony(t, r, "김순희", consentTo(sillok.UseInternal, sillok.UsePublicPseudonym))
	orig := mustAdd(t, r, "video", Receipt{Source: pub.ID})
	red := mustAdd(t, r, "video, faces blurred", Receipt{DerivedFrom: orig.ID, Operation: "redact"})
	mustAdd(t, r, "video, thumbnail", Receipt{DerivedFrom: orig.ID, Operation: "thumbnail"})
	mustAdd(t, r, "audio", Receipt{Source: clear.ID})
	out := filepath.Join(t.TempDir(), "public")
	sum, err := r.Export(ctx, out, staff, []sillok.ID{pub.ID, clear.ID}, ExportOptions{For: consent.Purpose{Use: sillok.UsePublicPseudonym}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Items != 1 || sum.Withheld != 3 {
		t.Errorf("public bundle: %d items, %d withheld; want the redacted copy, and the original, thumbnail and clear testimony withheld", sum.Items, sum.Withheld)
	}
	if _, err := os.Stat(filepath.Join(out, "items", string(red.ID)+".json")); err != nil {
		t.Errorf("the redacted copy is not in the public bundle: %v", err)
	}
	rep, err := bundle.Verify(ctx, out, bundle.Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("public bundle fails: %v %v", err, rep.Problems)
	}
	if rep.Consent.Purpose != "public" || !slices.Contains(rep.Consent.Withheld, string(clear.ID)) || !slices.Contains(rep.Consent.Withheld, string(orig.ID)) {
		t.Errorf("public bundle consent note %+v", rep.Consent)
	}
}
