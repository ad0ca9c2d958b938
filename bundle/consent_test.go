package bundle_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok/bundle"
)

func TestConsentNote(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	var idx []int64
	for _, it := range f.items[:2] {
		idx = append(idx, it.Events...)
	}
	proofs, _, signed, err := f.log.Prove(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	note := &bundle.ConsentNote{Purpose: "prosecution", Withheld: []string{"ev-0002", "src_x"}}
	x := bundle.Export{Items: f.items[:2], Events: proofs, Checkpoint: signed, Key: f.key, Consent: note}
	dir := filepath.Join(t.TempDir(), "b")
	if _, err := bundle.Write(ctx, dir, x, f.store); err != nil {
		t.Fatal(err)
	}
	r := verify(t, dir, bundle.Options{Key: f.key.VerifierKey})
	if !r.OK() {
		t.Fatalf("bundle with a consent note fails:\n%s", problems(r))
	}
	if r.Consent == nil || r.Consent.Purpose != "prosecution" || len(r.Consent.Withheld) != 2 {
		t.Errorf("report consent = %+v", r.Consent)
	}
	if !strings.Contains(r.String(), "purpose prosecution, 2 withheld for lack of consent") {
		t.Errorf("summary %q", r)
	}
	readme, _ := os.ReadFile(filepath.Join(dir, bundle.ReadmeFile))
	if !strings.Contains(string(readme), "2 selected item(s) were\nWITHHELD for lack of consent") {
		t.Errorf("README does not say items were withheld:\n%s", readme)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, bundle.ManifestFile))
	if !strings.Contains(string(manifest), "  "+bundle.ConsentFile+"\n") {
		t.Error("MANIFEST does not list the consent note")
	}

	// An item cannot be both in the bundle and withheld.
	x.Consent = &bundle.ConsentNote{Purpose: "prosecution", Withheld: []string{f.items[0].ID}}
	if _, err := bundle.Write(ctx, filepath.Join(t.TempDir(), "c"), x, f.store); err == nil {
		t.Error("Write accepted an item listed as withheld")
	}
	x.Consent = &bundle.ConsentNote{Purpose: "two\nlines"}
	if _, err := bundle.Write(ctx, filepath.Join(t.TempDir(), "d"), x, f.store); err == nil {
		t.Error("Write accepted a purpose of two lines")
	}
}

func TestParseConsent(t *testing.T) {
	for _, c := range []bundle.ConsentNote{
		{Purpose: "prosecution"},
		{Purpose: "partners:Transitional Justice Working Group", Withheld: []string{"evi_1", "evi_2", "src_3"}},
	} {
		got, err := bundle.ParseConsent(c.Text())
		if err != nil {
			t.Fatalf("ParseConsent(Text(%+v)): %v", c, err)
		}
		if got.Purpose != c.Purpose || strings.Join(got.Withheld, ",") != strings.Join(c.Withheld, ",") {
			t.Errorf("round trip %+v -> %+v", c, got)
		}
	}
	good := string(bundle.ConsentNote{Purpose: "un_reporting", Withheld: []string{"evi_1", "evi_2"}}.Text())
	for name, bad := range map[string]string{
		"empty":          "",
		"header":         strings.Replace(good, "v1", "v2", 1),
		"count too high": strings.Replace(good, "withheld: 2", "withheld: 3", 1),
		"count too low":  strings.Replace(good, "withheld: 2", "withheld: 1", 1),
		"count padded":   strings.Replace(good, "withheld: 2", "withheld: 02", 1),
		"unsorted":       strings.Replace(strings.Replace(good, "evi_1\n", "evi_9\n", 1), "evi_2\n", "evi_1\n", 1),
		"bad id":         strings.Replace(good, "evi_1\n", "../x\n", 1),
		"text changed":   strings.Replace(good, "The records", "Some records", 1),
		"no newline":     strings.TrimSuffix(good, "\n"),
		"huge count":     strings.Replace(good, "withheld: 2", "withheld: 99999999999", 1),
	} {
		if _, err := bundle.ParseConsent([]byte(bad)); err == nil {
			t.Errorf("%s: ParseConsent accepted %q", name, bad)
		}
	}
}

func FuzzParseConsent(f *testing.F) {
	f.Add(bundle.ConsentNote{Purpose: "prosecution", Withheld: []string{"evi_1", "src_2"}}.Text())
	f.Add(bundle.ConsentNote{Purpose: "public"}.Text())
	f.Add([]byte("sillok bundle consent v1\npurpose: x\nwithheld: 5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := bundle.ParseConsent(data)
		if err != nil {
			return
		}
		if string(c.Text()) != string(data) {
			t.Fatalf("accepted non-canonical note %q", data)
		}
	})
}
