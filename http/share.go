package http

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/auth"
	"github.com/sillok/sillok/protect"
)

// Sharing, disclosure of sealed identities, and the admins' listing of
// disclosures.
//
// API:
//
//	GET  /api/v1/records/{id}/shares       the live shares of a record
//	POST /api/v1/records/{id}/shares       {"with","named","note"}: share it
//	                                       (unshare: DELETE /api/v1/records/{shr_id}?rev=N)
//	GET  /api/v1/records/{id}?purpose=…    the record with its sealed fields opened
//	                                       (a disclosure, recorded before decrypting)
//	GET  /api/v1/disclosures?since=DATE    the disclosures by the admin's organisation
//
// Web: /records/{id}/sharing, /records/{id}/disclose (a form asking for
// the purpose), /admin/disclosures.

// Opener opens sealed records, recording the disclosure first;
// *protect.Opener is one.
type Opener interface {
	Person(ctx context.Context, who sillok.Actor, purpose string, r *sillok.Record) (*protect.PersonFields, error)
	Source(ctx context.Context, who sillok.Actor, purpose string, r *sillok.Record) (*protect.SourceFields, error)
}

// DisclosureLister lists disclosures by users of org ("" for every
// organisation) since a time, oldest first; protect.DisclosureLog is one,
// and the custody log can be another.
type DisclosureLister interface {
	List(ctx context.Context, org string, since time.Time) ([]protect.Disclosure, error)
}

var _ Opener = (*protect.Opener)(nil)
var _ DisclosureLister = protect.DisclosureLog{}

// routeMux is the server's router, keeping the patterns it was given so
// that the authorisation test can require an entry for every route.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// Routes lists the patterns the server serves, in registration order.
func (s *Server) Routes() []string { return slices.Clone(s.mux.patterns) }

func (s *Server) authzRoutes() {
	m := s.mux
	m.HandleFunc("GET /api/v1/records/{id}/shares", s.handle(s.shares))
	m.HandleFunc("POST /api/v1/records/{id}/shares", s.handle(s.share))
	m.HandleFunc("GET /api/v1/disclosures", s.handle(s.listDisclosures))
	m.HandleFunc("GET /records/{id}/sharing", s.page(s.sharingPage))
	m.HandleFunc("POST /records/{id}/sharing", s.page(s.sharingPage))
	m.HandleFunc("GET /records/{id}/disclose", noStore(s.page(s.disclosePage)))
	m.HandleFunc("POST /records/{id}/disclose", noStore(s.page(s.disclosePage)))
	m.HandleFunc("GET /admin/disclosures", s.page(s.disclosuresPage))
}

// noStore keeps a response out of every cache (disclosed identities).
func noStore(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h(w, r)
	}
}

// decision is the policy's answer for the request's user about rec; the
// operator (no accounts) may do everything.
func (s *Server) decision(ctx context.Context, a auth.Action, rec *sillok.Record) (auth.Decision, error) {
	as, ok := s.store.(authzStore)
	if !ok {
		return auth.Decision{Effect: auth.Allow, Identities: true}, nil
	}
	return as.decide(ctx, a, rec.ID, rec.Org, rec.Level)
}

// mayShare is nil when the request's user may share rec.
func (s *Server) mayShare(ctx context.Context, rec *sillok.Record) error {
	d, err := s.decision(ctx, auth.ActionShare, rec)
	if err != nil {
		return err
	}
	return allow(d, rec.ID)
}

// sharesOf lists the live shares of a record, as the user may see them.
func (s *Server) sharesOf(ctx context.Context, id sillok.ID) ([]*sillok.Record, error) {
	out := []*sillok.Record{}
	err := sillok.Each(ctx, s.store, sillok.Filter{Kind: sillok.KindShare, RefTo: id}, func(r *sillok.Record) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

func (s *Server) shares(r *http.Request) (int, any, error) {
	rec, err := s.store.Get(r.Context(), sillok.ID(r.PathValue("id")))
	if err != nil {
		return 0, nil, err
	}
	if err := s.mayShare(r.Context(), rec); err != nil {
		return 0, nil, err
	}
	sh, err := s.sharesOf(r.Context(), rec.ID)
	return 0, map[string]any{"shares": sh}, err
}

type shareRequest struct {
	With  string   `json:"with"`
	Named []string `json:"named"`
	Note  string   `json:"note"`
}

func (s *Server) share(r *http.Request) (int, any, error) {
	var req shareRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	actor, err := s.actorFor(r)
	if err != nil {
		return 0, nil, err
	}
	rec, err := s.newShare(r.Context(), actor, sillok.ID(r.PathValue("id")), req)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, rec, nil
}

// newShare shares record id; the store checks that the user may.
func (s *Server) newShare(ctx context.Context, actor sillok.Actor, id sillok.ID, req shareRequest) (*sillok.Record, error) {
	target, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayShare(ctx, target); err != nil {
		return nil, err
	}
	if target.Kind == sillok.KindShare {
		return nil, badRequest("a share cannot be shared")
	}
	with := strings.TrimSpace(req.With)
	// A testimony goes to a partner only if its witness consented to
	// sharing with that partner (named users of the owner need no
	// consent: they are the owner).
	if src, ok := target.Body.(*sillok.Source); ok && with != target.Org && !src.Consent.Allows(sillok.UsePartners, with, time.Now()) {
		return nil, &sillok.FieldError{Record: id, Field: "consent", Reason: "the witness did not consent to sharing with this partner"}
	}
	rec := &sillok.Record{Kind: sillok.KindShare, Org: target.Org, Level: sillok.LevelInternal,
		Body: &sillok.Share{Record: id, With: with, Named: req.Named, Note: req.Note}}
	if err := s.store.Create(ctx, actor, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// disclosedRecord is a record with its sealed fields opened.
type disclosedRecord struct {
	*sillok.Record
	Disclosed any `json:"disclosed"`
}

func (s *Server) getDisclosed(r *http.Request, rec *sillok.Record) (int, any, error) {
	actor, err := s.actorFor(r)
	if err != nil {
		return 0, nil, err
	}
	f, err := s.disclose(r.Context(), actor, rec, r.URL.Query().Get("purpose"))
	if err != nil {
		return 0, nil, err
	}
	return 0, disclosedRecord{rec, f}, nil
}

// disclose opens rec's sealed fields for actor with purpose: the policy
// must allow the disclosure, and the opener records it before decrypting.
// Errors name the record, never what is sealed.
func (s *Server) disclose(ctx context.Context, actor sillok.Actor, rec *sillok.Record, purpose string) (any, error) {
	if s.opener == nil {
		return nil, &apiError{http.StatusNotFound, "not_found", "opening sealed records is not enabled", ""}
	}
	d, err := s.decision(ctx, auth.ActionDisclose, rec)
	if err != nil {
		return nil, err
	}
	if err := allow(d, rec.ID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(purpose) == "" {
		return nil, &apiError{http.StatusBadRequest, "bad_request", "a disclosure needs a stated purpose", "purpose"}
	}
	var f any
	switch b := rec.Body.(type) {
	case *sillok.Person:
		if b.Sealed != nil {
			f, err = s.opener.Person(ctx, actor, purpose, rec)
		}
	case *sillok.Source:
		if b.Sealed != nil {
			f, err = s.opener.Source(ctx, actor, purpose, rec)
		}
	}
	if err == nil && f == nil {
		return nil, badRequest("record %s has nothing sealed", rec.ID)
	}
	if errors.Is(err, protect.ErrNoPurpose) {
		return nil, &apiError{http.StatusBadRequest, "bad_request", "a disclosure needs a stated purpose", "purpose"}
	}
	if err != nil {
		s.log.Error("disclose", "record", rec.ID, "user", actor.User, "err", err)
		return nil, &apiError{http.StatusInternalServerError, "internal", "the record could not be opened", ""}
	}
	return f, nil
}

// disclosuresFor lists disclosures for the request's user: an admin sees
// those of their organisation's users; the operator (no accounts) all.
func (s *Server) disclosuresFor(ctx context.Context, since time.Time) ([]protect.Disclosure, error) {
	if s.disclosures == nil {
		return nil, &apiError{http.StatusNotFound, "not_found", "no disclosure log", ""}
	}
	org := ""
	if s.accounts != nil {
		a := accessOf(ctx)
		if a == nil || a.user.Role != auth.RoleAdmin {
			return nil, auth.ErrForbidden
		}
		org = a.user.Org
	}
	ds, err := s.disclosures.List(ctx, org, since)
	if ds == nil {
		ds = []protect.Disclosure{}
	}
	return ds, err
}

func parseSince(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return t, badRequest("since wants a date (2006-01-02) or an RFC 3339 time")
	}
	return t, nil
}

type disclosureJSON struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`
	Org     string    `json:"org"`
	Record  sillok.ID `json:"record"`
	Purpose string    `json:"purpose"`
}

func (s *Server) listDisclosures(r *http.Request) (int, any, error) {
	since, err := parseSince(r.URL.Query().Get("since"))
	if err != nil {
		return 0, nil, err
	}
	ds, err := s.disclosuresFor(r.Context(), since)
	if err != nil {
		return 0, nil, err
	}
	out := make([]disclosureJSON, len(ds))
	for i, d := range ds {
		out[i] = disclosureJSON(d)
	}
	return 0, map[string]any{"disclosures": out}, nil
}

// Web pages.

type shareView struct {
	ID    sillok.ID
	Rev   int
	With  string
	Named string
	Note  string
	By    string
	When  string
}

type sharingData struct {
	Record *sillok.Record
	Name   string
	Shares []shareView
	Error  string
	With   string
	Named  string
}

// webRecord reads the record of the page's path, as the user may see it.
func (s *Server) webRecord(ctx context.Context, p *page) (*sillok.Record, error) {
	id := sillok.ID(p.req.PathValue("id"))
	if !sillok.KindOf(id).Valid() {
		return nil, &webError{http.StatusNotFound, "error.not_found"}
	}
	return s.store.Get(ctx, id)
}

// formPost checks a form post: same origin, parsed.
func formPost(p *page) error {
	if !sameOrigin(p.req) {
		return &webError{http.StatusForbidden, "error.forbidden"}
	}
	if err := p.req.ParseForm(); err != nil {
		return &webError{http.StatusBadRequest, "error.bad_request"}
	}
	return nil
}

func (s *Server) sharingPage(ctx context.Context, p *page) (string, error) {
	rec, err := s.webRecord(ctx, p)
	if err != nil {
		return "", err
	}
	if !p.May(string(ActionShareRecords)) {
		return "", &webError{http.StatusForbidden, "error.forbidden"}
	}
	if err := s.mayShare(ctx, rec); err != nil {
		return "", err
	}
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	d := &sharingData{Record: rec, Name: displayName(p, terms, rec)}
	p.Title = p.T("share.title", d.Name)
	p.Data = d
	if p.req.Method == http.MethodPost {
		if err := formPost(p); err != nil {
			return "", err
		}
		actor := actorOf(p.User)
		switch p.req.PostFormValue("op") {
		case "share":
			d.With, d.Named = strings.TrimSpace(p.req.PostFormValue("with")), p.req.PostFormValue("named")
			_, err = s.newShare(ctx, actor, rec.ID, shareRequest{With: d.With, Named: strings.Fields(strings.ReplaceAll(d.Named, ",", " ")),
				Note: p.req.PostFormValue("note")})
		case "unshare":
			id := sillok.ID(p.req.PostFormValue("share"))
			var sh *sillok.Record
			if sh, err = s.store.Get(ctx, id); err == nil {
				if b, ok := sh.Body.(*sillok.Share); !ok || b.Record != rec.ID {
					return "", &webError{http.StatusBadRequest, "error.bad_request"}
				}
				_, err = s.store.Delete(ctx, actor, id, intAtoi(p.req.PostFormValue("rev"), sh.Rev), "unshared")
			}
		default:
			return "", &webError{http.StatusBadRequest, "error.bad_request"}
		}
		var fe *sillok.FieldError
		switch {
		case err == nil:
			return "", &redirect{"/records/" + string(rec.ID) + "/sharing"}
		case errors.As(err, &fe):
			d.Error = fe.Error() // names fields and IDs only
		default:
			return "", err
		}
	}
	shares, err := s.sharesOf(ctx, rec.ID)
	if err != nil {
		return "", err
	}
	for _, r := range shares {
		b := r.Body.(*sillok.Share)
		d.Shares = append(d.Shares, shareView{ID: r.ID, Rev: r.Rev, With: b.With, Named: strings.Join(b.Named, ", "), Note: b.Note,
			By: r.UpdatedBy, When: r.Updated.UTC().Format("2006-01-02 15:04")})
	}
	return "sharing", nil
}

type discloseData struct {
	Record  *sillok.Record
	Name    string
	Purpose string
	Error   string
	Person  *protect.PersonFields
	Source  *protect.SourceFields
}

// Sealed reports whether the page may offer to open r: it has sealed
// fields, an opener is configured and the user's role sees identities.
// The policy decides again, per record, when it is asked.
func (p *page) Sealed(r *sillok.Record) bool {
	if p.web.opener == nil || !p.May(string(ActionSeeIdentities)) {
		return false
	}
	switch b := r.Body.(type) {
	case *sillok.Person:
		return b.Sealed != nil
	case *sillok.Source:
		return b.Sealed != nil
	}
	return false
}

func (s *Server) disclosePage(ctx context.Context, p *page) (string, error) {
	rec, err := s.webRecord(ctx, p)
	if err != nil {
		return "", err
	}
	d, err := s.decision(ctx, auth.ActionDisclose, rec)
	if err != nil {
		return "", err
	}
	if err := allow(d, rec.ID); err != nil {
		return "", err
	}
	if !p.Sealed(rec) {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	dd := &discloseData{Record: rec, Name: displayName(p, terms, rec)}
	p.Title = p.T("disclose.title", dd.Name)
	p.Data = dd
	if p.req.Method != http.MethodPost {
		return "disclose", nil
	}
	if err := formPost(p); err != nil {
		return "", err
	}
	dd.Purpose = strings.TrimSpace(p.req.PostFormValue("purpose"))
	if dd.Purpose == "" {
		dd.Error = p.T("disclose.purpose_needed")
		return "disclose", nil
	}
	f, err := s.disclose(ctx, actorOf(p.User), rec, dd.Purpose)
	var ae *apiError
	if errors.As(err, &ae) && ae.status == http.StatusBadRequest {
		dd.Error = p.T("disclose.purpose_needed")
		return "disclose", nil
	}
	if err != nil {
		return "", err
	}
	switch v := f.(type) {
	case *protect.PersonFields:
		dd.Person = v
	case *protect.SourceFields:
		dd.Source = v
	}
	return "disclose", nil
}

type disclosuresData struct {
	Since string
	Rows  []disclosureJSON
}

func (s *Server) disclosuresPage(ctx context.Context, p *page) (string, error) {
	if !p.May(string(ActionListDisclosures)) {
		return "", &webError{http.StatusForbidden, "error.forbidden"}
	}
	p.Title = p.T("disclosures.title")
	p.Nav = "disclosures"
	since, err := parseSince(p.Param("since"))
	if err != nil {
		return "", &webError{http.StatusBadRequest, "error.bad_request"}
	}
	ds, err := s.disclosuresFor(ctx, since)
	if err != nil {
		return "", err
	}
	d := &disclosuresData{Since: p.Param("since")}
	// Newest first on the page.
	for i := len(ds) - 1; i >= 0; i-- {
		d.Rows = append(d.Rows, disclosureJSON(ds[i]))
	}
	p.Data = d
	return "disclosures", nil
}
