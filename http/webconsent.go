package http

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/consent"
)

// Consent on the web: the intake's consent step (webintake.go), the
// consent section of a source's page with a withdraw form for those who
// record testimonies, and the API's withdrawal endpoint:
//
//	POST /api/v1/sources/{id}/consent/withdraw  {"uses":[…],"partners":[…],"note":"…"}
//
// A withdrawal is its own revision of the source, by the signed-in user,
// at the time it is made.

// consentView is a source's consent as its page shows it.
type consentView struct {
	Recorded   bool
	Uses       []consentUseView
	Partners   []string
	Given      string
	RecordedBy string
	Withdrawn  []withdrawalView
	// Withdrawable are the uses still allowed, offered by the withdraw
	// form (nil when the user may not withdraw).
	Withdrawable []option
	Rev          int
}

type consentUseView struct {
	Label   string
	Allowed bool // now, after withdrawals
}

type withdrawalView struct {
	When, Uses, RecordedBy, Note string
	Partners                     []string
}

// consentOf lays out src's consent for its page.
func consentOf(p *page, terms map[string]*sillok.Term, rec *sillok.Record, src *sillok.Source) *consentView {
	v := &consentView{Rev: rec.Rev}
	c := src.Consent
	now := time.Now()
	label := func(u string) string { return termLabel(terms, "consent_use", u, p.Lang) }
	if c != nil {
		v.Recorded, v.Partners, v.RecordedBy = true, c.Partners, c.RecordedBy
		v.Given = c.Given.Format("2006-01-02")
		for _, u := range c.Uses {
			allowed := c.Allows(u, "", now)
			if u == sillok.UsePartners {
				allowed = slices.ContainsFunc(c.Partners, func(org string) bool { return c.Allows(u, org, now) })
			}
			v.Uses = append(v.Uses, consentUseView{label(u), allowed})
			if allowed {
				v.Withdrawable = append(v.Withdrawable, option{Value: u, Label: label(u)})
			}
		}
		for _, w := range c.Withdrawals {
			var uses []string
			for _, u := range w.Uses {
				uses = append(uses, label(u))
			}
			v.Withdrawn = append(v.Withdrawn, withdrawalView{When: w.When.Format("2006-01-02 15:04 MST"), Uses: strings.Join(uses, ", "),
				RecordedBy: w.RecordedBy, Note: w.Note, Partners: w.Partners})
		}
	}
	if !p.May(string(ActionIntake)) || rec.Deleted {
		v.Withdrawable = nil
	}
	return v
}

// consentWithdrawPage takes the withdraw form of a source's page.
func (s *Server) consentWithdrawPage(ctx context.Context, p *page) (string, error) {
	id := sillok.ID(p.req.PathValue("id"))
	if sillok.KindOf(id) != sillok.KindSource {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	// Look the source up first, as the user: a hidden source answers
	// as a missing one, whoever asks; only then does the role count.
	if _, err := s.store.Get(ctx, id); err != nil {
		return "", err
	}
	if err := intakeAllowed(p); err != nil {
		return "", err
	}
	uses := p.req.Form["uses"]
	if len(uses) == 0 {
		return "", &webError{http.StatusUnprocessableEntity, "consent.err_withdraw"}
	}
	_, err := consent.Withdraw(ctx, s.store, actorOf(p.User), id, uses, splitList(p.req.Form.Get("partners")), p.req.Form.Get("note"), time.Time{})
	var fe *sillok.FieldError
	switch {
	case errors.Is(err, consent.ErrNoConsent), errors.As(err, &fe):
		return "", &webError{http.StatusUnprocessableEntity, "consent.err_withdraw"}
	case err != nil:
		return "", err
	}
	return "", &redirect{"/records/" + string(id) + "#h-consent"}
}

type withdrawRequest struct {
	Uses     []string `json:"uses"`
	Partners []string `json:"partners"`
	Note     string   `json:"note"`
}

// apiConsentWithdraw appends a withdrawal to a source's consent; the
// caller must be allowed to record testimonies.
func (s *Server) apiConsentWithdraw(r *http.Request) (int, any, error) {
	actor, err := s.actorFor(r)
	if err != nil {
		return 0, nil, err
	}
	id := sillok.ID(r.PathValue("id"))
	if sillok.KindOf(id) != sillok.KindSource {
		return 0, nil, &apiError{http.StatusNotFound, "not_found", "no such source", ""}
	}
	// As on the page: existence (as the user sees it) before the role.
	if _, err := s.store.Get(r.Context(), id); err != nil {
		return 0, nil, err
	}
	u, err := s.web.viewer.Viewer(r)
	if err != nil || !s.web.policy(u, ActionIntake) {
		return 0, nil, &apiError{http.StatusForbidden, "forbidden", "recording consent needs a documenter or admin", ""}
	}
	var req withdrawRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if len(req.Uses) == 0 {
		return 0, nil, &apiError{http.StatusUnprocessableEntity, "invalid", "name the uses withdrawn", "uses"}
	}
	rec, err := consent.Withdraw(r.Context(), s.store, actor, id, req.Uses, req.Partners, req.Note, time.Time{})
	if errors.Is(err, consent.ErrNoConsent) {
		return 0, nil, &apiError{http.StatusUnprocessableEntity, "invalid", err.Error(), "consent"}
	}
	return 0, rec, err
}

// splitList reads a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
