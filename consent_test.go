package sillok_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sillok/sillok"
)

func TestConsentAllows(t *testing.T) {
	given := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	withdrawn := given.AddDate(1, 0, 0)
	c := &sillok.Consent{
		Uses:       []string{sillok.UseInternal, sillok.UsePartners, sillok.UseUNReporting, sillok.UseProsecution},
		Partners:   []string{"NKDB", "Transitional Justice Working Group"},
		Given:      given,
		RecordedBy: "kim",
		Withdrawals: []sillok.ConsentWithdrawal{
			{When: withdrawn, Uses: []string{sillok.UseProsecution}, RecordedBy: "lee"},
			{When: withdrawn.AddDate(0, 1, 0), Uses: []string{sillok.UsePartners}, Partners: []string{"nkdb"}, RecordedBy: "lee"},
		},
	}
	before, after := given.Add(-time.Second), withdrawn.AddDate(1, 0, 0)
	tests := []struct {
		name         string
		c            *sillok.Consent
		use, partner string
		at           time.Time
		want         bool
	}{
		{"no consent: internal", nil, sillok.UseInternal, "", after, true},
		{"no consent: prosecution", nil, sillok.UseProsecution, "", after, false},
		{"no consent: public", nil, sillok.UsePublicPseudonym, "", after, false},
		{"before given: internal", c, sillok.UseInternal, "", before, true},
		{"before given: prosecution", c, sillok.UseProsecution, "", before, false},
		{"given: prosecution", c, sillok.UseProsecution, "", given, true},
		{"given: un", c, sillok.UseUNReporting, "", after, true},
		{"not given: public", c, sillok.UsePublicPseudonym, "", given, false},
		{"withdrawn at its time", c, sillok.UseProsecution, "", withdrawn, false},
		{"withdrawn just before its time", c, sillok.UseProsecution, "", withdrawn.Add(-time.Nanosecond), true},
		{"withdrawn later", c, sillok.UseProsecution, "", after, false},
		{"named partner", c, sillok.UsePartners, "Transitional Justice Working Group", after, true},
		{"named partner, other case and space", c, sillok.UsePartners, " transitional justice working group ", after, true},
		{"partner withdrawn for one partner", c, sillok.UsePartners, "NKDB", after, false},
		{"partner before its withdrawal", c, sillok.UsePartners, "NKDB", withdrawn, true},
		{"unnamed partner", c, sillok.UsePartners, "Someone Else", given, false},
		{"partner use without a partner", c, sillok.UsePartners, "", given, false},
		{"unknown use", c, "marketing", "", given, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Allows(tc.use, tc.partner, tc.at); got != tc.want {
				t.Errorf("Allows(%q, %q, %v) = %v, want %v", tc.use, tc.partner, tc.at, got, tc.want)
			}
		})
	}
	// Withdrawing every partner at once.
	all := c.Withdraw(sillok.ConsentWithdrawal{When: after, Uses: []string{sillok.UsePartners}, RecordedBy: "lee"})
	if all.Allows(sillok.UsePartners, "Transitional Justice Working Group", after) {
		t.Error("a withdrawal without named partners left a partner allowed")
	}
	if len(c.Withdrawals) != 2 || len(all.Withdrawals) != 3 {
		t.Errorf("Withdraw changed the original: %d, %d withdrawals", len(c.Withdrawals), len(all.Withdrawals))
	}
}

func TestConsentValidate(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	ok := func() *sillok.Consent {
		return &sillok.Consent{Uses: []string{"internal", "partners"}, Partners: []string{"NKDB"}, Given: t0, RecordedBy: "kim",
			Withdrawals: []sillok.ConsentWithdrawal{{When: t0.Add(time.Hour), Uses: []string{"partners"}, RecordedBy: "kim"}}}
	}
	tests := []struct {
		name  string
		edit  func(c *sillok.Consent)
		field string // "" means valid
	}{
		{"valid", func(c *sillok.Consent) {}, ""},
		{"no uses", func(c *sillok.Consent) { c.Uses = nil }, "consent.uses"},
		{"bad code", func(c *sillok.Consent) { c.Uses[1] = "Partners!" }, "consent.uses[1]"},
		{"repeated use", func(c *sillok.Consent) { c.Uses[1] = "internal" }, "consent.uses[1]"},
		{"partners unnamed", func(c *sillok.Consent) { c.Partners = nil }, "consent.partners"},
		{"empty partner", func(c *sillok.Consent) { c.Partners = []string{" "} }, "consent.partners[0]"},
		{"no date", func(c *sillok.Consent) { c.Given = time.Time{} }, "consent.given"},
		{"no recorder", func(c *sillok.Consent) { c.RecordedBy = "" }, "consent.recorded_by"},
		{"withdrawal before given", func(c *sillok.Consent) { c.Withdrawals[0].When = t0.Add(-time.Hour) }, "consent.withdrawals[0].when"},
		{"withdrawal without uses", func(c *sillok.Consent) { c.Withdrawals[0].Uses = nil }, "consent.withdrawals[0].uses"},
		{"withdrawal without recorder", func(c *sillok.Consent) { c.Withdrawals[0].RecordedBy = "" }, "consent.withdrawals[0].recorded_by"},
		{"withdrawals out of order", func(c *sillok.Consent) {
			c.Withdrawals = append(c.Withdrawals, sillok.ConsentWithdrawal{When: t0, Uses: []string{"internal"}, RecordedBy: "kim"})
		}, "consent.withdrawals[1].when"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.edit(c)
			err := (&sillok.Source{Type: "document", Consent: c}).Validate()
			var fe *sillok.FieldError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tc.field != "" && !errors.As(err, &fe):
				t.Fatalf("Validate = %v, want a field error on %s", err, tc.field)
			case tc.field != "" && fe.Field != tc.field:
				t.Errorf("Validate names field %s, want %s", fe.Field, tc.field)
			}
		})
	}
	src := &sillok.Source{Type: "document", Consent: ok()}
	n := 0
	for _, tr := range src.Terms() {
		if tr.Thesaurus == "consent_use" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("source lists %d consent_use codes, want 3", n)
	}
}

func TestParseUse(t *testing.T) {
	tests := []struct {
		in, use, partner string
		ok               bool
	}{
		{"prosecution", sillok.UseProsecution, "", true},
		{" un_reporting ", sillok.UseUNReporting, "", true},
		{"internal", sillok.UseInternal, "", true},
		{"public", sillok.UsePublicPseudonym, "", true},
		{"public_pseudonym", sillok.UsePublicPseudonym, "", true},
		{"partners:NKDB", sillok.UsePartners, "NKDB", true},
		{"partners: Citizens' Alliance ", sillok.UsePartners, "Citizens' Alliance", true},
		{"partners", "", "", false},
		{"partners:", "", "", false},
		{"prosecutor", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range tests {
		use, partner, err := sillok.ParseUse(tc.in)
		if (err == nil) != tc.ok || use != tc.use || partner != tc.partner {
			t.Errorf("ParseUse(%q) = %q, %q, %v; want %q, %q, ok %v", tc.in, use, partner, err, tc.use, tc.partner, tc.ok)
		}
		if err != nil && !errors.Is(err, sillok.ErrInvalid) {
			t.Errorf("ParseUse(%q) error %v does not wrap ErrInvalid", tc.in, err)
		}
	}
}

func FuzzParseUse(f *testing.F) {
	for _, s := range []string{"prosecution", "partners:NKDB", "public", "partners:", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		use, partner, err := sillok.ParseUse(s)
		if err != nil {
			return
		}
		known := false
		for _, u := range sillok.ConsentUses() {
			known = known || u == use
		}
		if !known {
			t.Fatalf("ParseUse(%q) = unknown use %q", s, use)
		}
		if (use == sillok.UsePartners) != (partner != "") {
			t.Fatalf("ParseUse(%q) = %q with partner %q", s, use, partner)
		}
	})
}
