package sillok

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The uses a witness can consent to (codes of the thesaurus consent_use).
// Allows knows these codes; terms an admin adds below them are kept as
// data but grant nothing by themselves.
const (
	UseInternal        = "internal"         // internal documentation by the owning organisation
	UsePartners        = "partners"         // sharing with the partner organisations named in Consent.Partners
	UseUNReporting     = "un_reporting"     // reporting to UN mechanisms
	UseProsecution     = "prosecution"      // evidence for a prosecution (court, prosecutor)
	UsePublicPseudonym = "public_pseudonym" // public use, under a pseudonym only
)

// ConsentUses lists the known uses in the order forms show them.
func ConsentUses() []string {
	return []string{UseInternal, UsePartners, UseUNReporting, UseProsecution, UsePublicPseudonym}
}

// Consent is the informed consent recorded for a source: which uses the
// witness (or whoever gave a document) agreed to, when, recorded by whom,
// and every later withdrawal. It stays in clear, even on a sealed source,
// because it names no one: exports and bundles enforce it without keys.
// Its free text (withdrawal notes) must therefore name no one either.
//
// A source without a Consent allows internal documentation only.
// Changing consent is a revision of the source like any other edit; a
// withdrawal is appended, never replaces what was given, so the history
// shows what was allowed when.
type Consent struct {
	Uses        []string            `json:"uses"`               // thesaurus consent_use
	Partners    []string            `json:"partners,omitempty"` // named partner organisations, for the partners use
	Given       time.Time           `json:"given"`              // when the consent was given
	RecordedBy  string              `json:"recorded_by"`        // the staff account that recorded it
	Withdrawals []ConsentWithdrawal `json:"withdrawals,omitempty"`
}

// ConsentWithdrawal withdraws uses from a given time on. Use before that
// time stays as it was: a bundle already handed over is not recalled, but
// nothing new is exported for a withdrawn use.
type ConsentWithdrawal struct {
	When time.Time `json:"when"`
	Uses []string  `json:"uses"` // thesaurus consent_use
	// Partners, with the partners use, withdraws sharing with these
	// partners only; empty withdraws it from every partner.
	Partners   []string `json:"partners,omitempty"`
	RecordedBy string   `json:"recorded_by"`
	Note       string   `json:"note,omitempty"` // why, as told; must name no one
}

// Allows reports whether the consent allows use (one of the Use
// constants) at time at; partner names the partner organisation for
// UsePartners and is ignored otherwise. A nil consent allows only
// UseInternal. Before the consent was given, only internal documentation
// is allowed; a withdrawal takes effect at its time. Partner names compare
// case-insensitively, ignoring surrounding space.
func (c *Consent) Allows(use, partner string, at time.Time) bool {
	if c == nil || at.Before(c.Given) {
		return use == UseInternal
	}
	if !slices.Contains(c.Uses, use) {
		return false
	}
	if use == UsePartners && !containsFold(c.Partners, partner) {
		return false
	}
	for _, w := range c.Withdrawals {
		if at.Before(w.When) || !slices.Contains(w.Uses, use) {
			continue
		}
		if use == UsePartners && len(w.Partners) > 0 && !containsFold(w.Partners, partner) {
			continue
		}
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}

// Withdraw returns a copy of c with w appended (c itself is not changed).
func (c *Consent) Withdraw(w ConsentWithdrawal) *Consent {
	n := *c
	n.Withdrawals = append(slices.Clip(c.Withdrawals), w)
	return &n
}

// validate checks the consent; field is its path in the record.
func (c *Consent) validate(field string) error {
	if err := validateUses(field+".uses", c.Uses); err != nil {
		return err
	}
	if slices.Contains(c.Uses, UsePartners) && len(c.Partners) == 0 {
		return fieldErr(field+".partners", "the partners use needs at least one named partner")
	}
	for i, p := range c.Partners {
		if strings.TrimSpace(p) == "" {
			return fieldErr(fmt.Sprintf("%s.partners[%d]", field, i), "empty")
		}
	}
	if c.Given.IsZero() {
		return fieldErr(field+".given", "empty: when was the consent given?")
	}
	if strings.TrimSpace(c.RecordedBy) == "" {
		return fieldErr(field+".recorded_by", "empty")
	}
	for i, w := range c.Withdrawals {
		f := fmt.Sprintf("%s.withdrawals[%d]", field, i)
		if w.When.IsZero() {
			return fieldErr(f+".when", "empty")
		}
		if w.When.Before(c.Given) {
			return fieldErr(f+".when", "before the consent was given")
		}
		if i > 0 && w.When.Before(c.Withdrawals[i-1].When) {
			return fieldErr(f+".when", "before the previous withdrawal; withdrawals are appended in time order")
		}
		if err := validateUses(f+".uses", w.Uses); err != nil {
			return err
		}
		for j, p := range w.Partners {
			if strings.TrimSpace(p) == "" {
				return fieldErr(fmt.Sprintf("%s.partners[%d]", f, j), "empty")
			}
		}
		if strings.TrimSpace(w.RecordedBy) == "" {
			return fieldErr(f+".recorded_by", "empty")
		}
	}
	return nil
}

func validateUses(field string, uses []string) error {
	if len(uses) == 0 {
		return fieldErr(field, "name at least one use")
	}
	for i, u := range uses {
		if !isCode(u) {
			return fieldErr(fmt.Sprintf("%s[%d]", field, i), "want a consent_use code")
		}
		if slices.Contains(uses[:i], u) {
			return fieldErr(fmt.Sprintf("%s[%d]", field, i), "repeated")
		}
	}
	return nil
}

// terms lists the consent's thesaurus codes for the store to check.
func (c *Consent) terms(field string) []TermRef {
	var ts []TermRef
	for i, u := range c.Uses {
		ts = append(ts, TermRef{fmt.Sprintf("%s.uses[%d]", field, i), "consent_use", u})
	}
	for i, w := range c.Withdrawals {
		for j, u := range w.Uses {
			ts = append(ts, TermRef{fmt.Sprintf("%s.withdrawals[%d].uses[%d]", field, i, j), "consent_use", u})
		}
	}
	return ts
}

// ParseUse reads an export purpose: internal, prosecution, un_reporting,
// public (public use under pseudonym; public_pseudonym is accepted too) or
// partners:ORG. It returns the use and, for partners, the partner.
func ParseUse(s string) (use, partner string, err error) {
	s = strings.TrimSpace(s)
	if org, ok := strings.CutPrefix(s, UsePartners+":"); ok {
		org = strings.TrimSpace(org)
		if org == "" {
			return "", "", fmt.Errorf("purpose %s: name the partner (partners:ORG): %w", UsePartners, ErrInvalid)
		}
		return UsePartners, org, nil
	}
	switch s {
	case "public":
		return UsePublicPseudonym, "", nil
	case UseInternal, UseUNReporting, UseProsecution, UsePublicPseudonym:
		return s, "", nil
	case UsePartners:
		return "", "", fmt.Errorf("purpose %s: name the partner (partners:ORG): %w", UsePartners, ErrInvalid)
	}
	return "", "", fmt.Errorf("purpose %.40q: want internal, prosecution, un_reporting, public or partners:ORG: %w", s, ErrInvalid)
}
