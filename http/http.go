// Package http serves Sillok's JSON API and its web interface with the
// standard library's router.
//
// API (all under /api/v1, JSON in and out):
//
//	GET    /records?kind=&org=&attr=KEY:VALUE&ref=ID&deleted=1&after=ID&limit=N
//	POST   /records                      {"kind","org","level","body"}
//	GET    /records/{id}
//	PUT    /records/{id}                 {"rev","body","note"}
//	DELETE /records/{id}?rev=N&note=…    (a tombstone revision; nothing is removed)
//	GET    /records/{id}/history
//	GET    /records/{id}/revisions/{rev}
//	GET    /records/{id}/linked?depth=N
//	GET    /{kinds}  POST /{kinds}       the same per kind: persons, units, positions,
//	                                     locations, events, acts, involvements, sources,
//	                                     information, relationships, terms
//	GET    /thesauri  GET /thesauri/{name}
//	GET    /search?q=…&kind=&act_type=&location=&sex=&org=&from=&to=&offset=&limit=
//	POST   /sources/{id}/consent/withdraw {"uses","partners","note"} (a revision; see webconsent.go)
//	GET    /records/{id}?purpose=…       the record with its sealed fields opened (recorded)
//	GET    /records/{id}/shares  POST /records/{id}/shares {"with","named","note"}
//	GET    /disclosures?since=DATE       admins: the disclosures by their organisation
//
// With Options.Accounts every request acts as its signed-in user and every
// record it reads or writes is decided by auth.Decide (see authz.go): a
// record the user may not see is answered as a missing one (404, the same
// body), one they may not change with 403 forbidden; persons are
// pseudonymised for users without identities.
//
// Errors are {"error":{"code","message","field"}} with the HTTP status of
// their kind: 400 bad request, 401 unauthenticated, 403 forbidden, 404
// not_found, 409 conflict, 410 deleted, 422 invalid.
//
// Web interface (HTML, Korean and English): / (home), /browse/{kinds}
// (persons, units, locations, events, acts, sources; filters and
// pagination), /records/{id} (fields, sources behind each fact, linked
// records, revision history, and with Options.Custody the record's
// custody-log entries, each proof at /records/{id}/custody/{n}), /search,
// /stats (?publication=1 suppresses small counts), /estimates (multiple
// systems estimates with intervals, ?method=lcmcr|loglinear, ?act_type=),
// /review (the linkage review queue; POST /review/decide and
// /review/undo), /map, /records/{id}/sharing, /records/{id}/disclose,
// /admin/disclosures, and /static/ for the stylesheet and script.
//
// Written by hand with html/template and the standard library: the
// interface must run from one binary on an offline laptop, so no web
// framework, no JavaScript build chain, no CDN and no tile server. Charts
// and the map are SVG drawn on the server (a few dozen lines each; a
// charting library would bring JavaScript or a raster toolchain). Who the
// user is comes from Options.Viewer and what they may do from
// Options.Policy, so that accounts (issue 4) plug in without touching the
// pages.
package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/auth"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/mse"
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger
	// Actor names who makes the changes requested. Until accounts exist it
	// is the operator who started the server.
	Actor sillok.Actor
	// Search is the repository's full-text index (nil: no search endpoint).
	Search *fulltext.Index
	// Accounts, when set, makes every request sign in (session cookie or
	// API token) and act as its user; nil serves everyone as Actor.
	Accounts *auth.Accounts
	// Viewer says who makes each web request; nil means the operator
	// (Actor) as an admin.
	Viewer Viewer
	// Policy decides what the web interface offers a user; nil means
	// DefaultPolicy.
	Policy Policy
	// SmallCount is the threshold below which statistics marked for
	// publication show "<n" instead of the count; 0 means 5.
	SmallCount int
	// Blobs stores evidence files uploaded through the intake; nil means
	// uploads are not offered.
	Blobs blob.Store
	// Evidence takes in the files uploaded to a testimony whose
	// identities are sealed (a sealed source, or a confidential or strict
	// one when set): encrypted under the source's record key, never in
	// clear. Set it whenever the store seals (cmd/sillok's serve does);
	// nil: such uploads are refused when the source is sealed.
	Evidence EvidenceSealer
	// StatsTTL is how long computed statistics are fresh; older ones
	// are shown (with their time) while a background scan refreshes them.
	// 0 means a minute.
	StatsTTL time.Duration
	// StatsWait is how long the first request for statistics waits for
	// their computation before showing a page that reloads itself; 0
	// means 150 ms.
	StatsWait time.Duration
	// Opener opens sealed persons and sources, on explicit request with a
	// stated purpose, for users who may see identities; it records the
	// disclosure before decrypting (protect.Opener). nil: not offered.
	Opener Opener
	// Disclosures lists the recorded disclosures for admins
	// (protect.DisclosureLog); nil: no listing.
	Disclosures DisclosureLister
	// Estimate configures the estimators of the estimation page (/estimates);
	// the page chooses the method, and a zero seed is 1, as in `sillok
	// estimate`. The zero value takes package mse's defaults.
	Estimate mse.Options
	// Custody, when set, shows each record's custody-log events on its
	// page with their inclusion proofs (see EvidenceCustody); nil hides
	// the section.
	Custody CustodyLog
}

// Server is the HTTP handler of a repository.
type Server struct {
	store sillok.Store
	log   *slog.Logger
	actor sillok.Actor
	index *fulltext.Index
	mux   *routeMux
	web   *web
	blobs blob.Store
	// accounts, when set, requires every request to be signed in.
	accounts    *auth.Accounts
	opener      Opener
	disclosures DisclosureLister
	evidence    EvidenceSealer
	receipts    receipts
}

// NewServer returns a handler serving store.
func NewServer(store sillok.Store, opts Options) *Server {
	s := &Server{store: store, log: opts.Logger, actor: opts.Actor, index: opts.Search, mux: &routeMux{ServeMux: http.NewServeMux()}, blobs: opts.Blobs,
		accounts: opts.Accounts, opener: opts.Opener, disclosures: opts.Disclosures, evidence: opts.Evidence}
	if opts.Accounts != nil {
		if opts.Viewer == nil {
			opts.Viewer = accountsViewer{opts.Accounts}
		}
		// Every read and write asks the policy for the request's user.
		s.store = authzStore{store}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	w, err := newWeb(opts, opts.Actor)
	if err != nil {
		// Templates and catalogs are embedded: a failure is a build defect.
		panic(fmt.Sprintf("sillok web interface: %v", err))
	}
	s.web = w
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// kindPaths maps the plural path segment to a kind.
var kindPaths = map[string]sillok.Kind{
	"persons": sillok.KindPerson, "units": sillok.KindUnit, "positions": sillok.KindPosition,
	"locations": sillok.KindLocation, "events": sillok.KindEvent, "acts": sillok.KindAct,
	"involvements": sillok.KindInvolvement, "sources": sillok.KindSource, "information": sillok.KindInformation,
	"relationships": sillok.KindRelationship, "terms": sillok.KindTerm,
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /api/v1/records", s.handle(s.list))
	m.HandleFunc("POST /api/v1/records", s.handle(s.create))
	m.HandleFunc("GET /api/v1/records/{id}", s.handle(s.get))
	m.HandleFunc("PUT /api/v1/records/{id}", s.handle(s.update))
	m.HandleFunc("DELETE /api/v1/records/{id}", s.handle(s.delete))
	m.HandleFunc("GET /api/v1/records/{id}/history", s.handle(s.history))
	m.HandleFunc("GET /api/v1/records/{id}/revisions/{rev}", s.handle(s.revision))
	m.HandleFunc("GET /api/v1/records/{id}/linked", s.handle(s.linked))
	m.HandleFunc("GET /api/v1/search", s.handle(s.search))
	if s.accounts != nil {
		m.HandleFunc("GET /login", s.loginPage)
		m.HandleFunc("POST /login", s.loginPage)
		m.HandleFunc("POST /logout", s.logout)
	}
	m.HandleFunc("GET /api/v1/thesauri", s.handle(s.thesauri))
	m.HandleFunc("GET /api/v1/thesauri/{name}", s.handle(s.thesaurus))
	m.HandleFunc("GET /api/v1/{kinds}", s.handle(s.list))
	m.HandleFunc("POST /api/v1/{kinds}", s.handle(s.create))
	m.HandleFunc("/api/", s.handle(func(r *http.Request) (int, any, error) {
		return 0, nil, &apiError{http.StatusNotFound, "not_found", "no such API endpoint", ""}
	}))
	s.webRoutes()
	s.authzRoutes()
}

// apiError is an error with its HTTP form.
type apiError struct {
	status  int
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, "bad_request", fmt.Sprintf(format, args...), ""}
}

// toAPIError maps store errors to HTTP. Store errors name IDs and fields,
// never protected values, so their text may be shown.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var fe *sillok.FieldError
	switch {
	case errors.Is(err, auth.ErrForbidden):
		return &apiError{http.StatusForbidden, "forbidden", "not allowed", ""}
	case errors.Is(err, auth.ErrUnauthenticated):
		return &apiError{http.StatusUnauthorized, "unauthenticated", "sign in or send an API token", ""}
	case errors.As(err, &fe):
		return &apiError{http.StatusUnprocessableEntity, "invalid", fe.Error(), fe.Field}
	case errors.Is(err, sillok.ErrNotFound):
		return &apiError{http.StatusNotFound, "not_found", err.Error(), ""}
	case errors.Is(err, sillok.ErrConflict):
		return &apiError{http.StatusConflict, "conflict", err.Error(), ""}
	case errors.Is(err, sillok.ErrDeleted):
		return &apiError{http.StatusGone, "deleted", err.Error(), ""}
	case errors.Is(err, sillok.ErrInvalid):
		return &apiError{http.StatusUnprocessableEntity, "invalid", err.Error(), ""}
	}
	return &apiError{http.StatusInternalServerError, "internal", "internal error", ""}
}

type handlerFunc func(r *http.Request) (status int, v any, err error)

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var (
			status int
			v      any
			err    error
		)
		var ar *http.Request
		if ar, err = s.authorised(r); err == nil {
			status, v, err = h(ar)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// Responses carry records, some with identities: no cache keeps them.
		w.Header().Set("Cache-Control", "no-store")
		if err != nil {
			ae := toAPIError(err)
			if ae.status >= 500 {
				// The detail goes to the log, not the client; store errors
				// carry IDs, not protected values.
				s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			w.WriteHeader(ae.status)
			json.NewEncoder(w).Encode(map[string]any{"error": ae})
			return
		}
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
	}
}

func pathKind(r *http.Request) (sillok.Kind, error) {
	p := r.PathValue("kinds")
	if p == "" {
		return "", nil
	}
	k, ok := kindPaths[p]
	if !ok {
		return "", &apiError{http.StatusNotFound, "not_found", "no such API endpoint", ""}
	}
	return k, nil
}

type listResponse struct {
	Records []*sillok.Record `json:"records"`
	Next    sillok.ID        `json:"next,omitempty"`
}

func (s *Server) list(r *http.Request) (int, any, error) {
	k, err := pathKind(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	f := sillok.Filter{Kind: k, Org: q.Get("org"), RefTo: sillok.ID(q.Get("ref")), After: sillok.ID(q.Get("after")),
		IncludeDeleted: q.Get("deleted") == "1" || q.Get("deleted") == "true"}
	if kk := q.Get("kind"); kk != "" {
		if k != "" && sillok.Kind(kk) != k {
			return 0, nil, badRequest("kind %q contradicts the path", kk)
		}
		f.Kind = sillok.Kind(kk)
		if !f.Kind.Valid() {
			return 0, nil, badRequest("unknown kind %q", kk)
		}
	}
	for _, a := range q["attr"] {
		key, val, ok := strings.Cut(a, ":")
		if !ok {
			return 0, nil, badRequest("attr wants KEY:VALUE")
		}
		f.Attrs = append(f.Attrs, sillok.Attr{Key: key, Value: val})
	}
	if l := q.Get("limit"); l != "" {
		if f.Limit, err = strconv.Atoi(l); err != nil || f.Limit < 1 {
			return 0, nil, badRequest("limit wants a positive number")
		}
	}
	p, err := s.store.List(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	if p.Records == nil {
		p.Records = []*sillok.Record{}
	}
	return 0, listResponse{p.Records, p.Next}, nil
}

type createRequest struct {
	Kind  sillok.Kind     `json:"kind"`
	Org   string          `json:"org"`
	Level sillok.Level    `json:"level"`
	ID    sillok.ID       `json:"id"`
	Body  json.RawMessage `json:"body"`
}

func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 32<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("bad JSON request: %v", err)
	}
	return nil
}

func (s *Server) create(r *http.Request) (int, any, error) {
	k, err := pathKind(r)
	if err != nil {
		return 0, nil, err
	}
	var req createRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if k != "" {
		if req.Kind != "" && req.Kind != k {
			return 0, nil, badRequest("kind %q contradicts the path", req.Kind)
		}
		req.Kind = k
	}
	body, err := sillok.DecodeBody(req.Kind, req.Body)
	if err != nil {
		return 0, nil, err
	}
	rec := &sillok.Record{ID: req.ID, Kind: req.Kind, Org: req.Org, Level: req.Level, Body: body}
	actor, err := s.actorFor(r)
	if err != nil {
		return 0, nil, err
	}
	if err := s.store.Create(r.Context(), actor, rec); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, rec, nil
}

func (s *Server) get(r *http.Request) (int, any, error) {
	rec, err := s.store.Get(r.Context(), sillok.ID(r.PathValue("id")))
	if err == nil && r.URL.Query().Has("purpose") {
		return s.getDisclosed(r, rec)
	}
	return 0, rec, err
}

type updateRequest struct {
	Rev  int             `json:"rev"`
	Body json.RawMessage `json:"body"`
	Note string          `json:"note"`
}

func (s *Server) update(r *http.Request) (int, any, error) {
	id := sillok.ID(r.PathValue("id"))
	var req updateRequest
	if err := decodeJSON(r, &req); err != nil {
		return 0, nil, err
	}
	if req.Rev < 1 {
		return 0, nil, badRequest("rev (the revision the change is based on) is required")
	}
	body, err := sillok.DecodeBody(sillok.KindOf(id), req.Body)
	if err != nil {
		return 0, nil, err
	}
	actor, err := s.actorFor(r)
	if err != nil {
		return 0, nil, err
	}
	rec, err := s.store.Update(r.Context(), actor, id, req.Rev, body, req.Note)
	return 0, rec, err
}

func (s *Server) delete(r *http.Request) (int, any, error) {
	rev, err := strconv.Atoi(r.URL.Query().Get("rev"))
	if err != nil || rev < 1 {
		return 0, nil, badRequest("rev (the revision the deletion is based on) is required")
	}
	actor, err := s.actorFor(r)
	if err != nil {
		return 0, nil, err
	}
	rec, err := s.store.Delete(r.Context(), actor, sillok.ID(r.PathValue("id")), rev, r.URL.Query().Get("note"))
	return 0, rec, err
}

func (s *Server) history(r *http.Request) (int, any, error) {
	h, err := s.store.History(r.Context(), sillok.ID(r.PathValue("id")))
	return 0, map[string]any{"revisions": h}, err
}

func (s *Server) revision(r *http.Request) (int, any, error) {
	rev, err := strconv.Atoi(r.PathValue("rev"))
	if err != nil {
		return 0, nil, badRequest("revision wants a number")
	}
	v, err := s.store.Revision(r.Context(), sillok.ID(r.PathValue("id")), rev)
	return 0, v, err
}

func (s *Server) linked(r *http.Request) (int, any, error) {
	depth := 1
	if d := r.URL.Query().Get("depth"); d != "" {
		var err error
		if depth, err = strconv.Atoi(d); err != nil || depth < 1 || depth > 4 {
			return 0, nil, badRequest("depth wants 1 to 4")
		}
	}
	id := sillok.ID(r.PathValue("id"))
	if _, err := s.store.Get(r.Context(), id); err != nil {
		return 0, nil, err
	}
	rs, err := s.store.Linked(r.Context(), id, depth, 0)
	if rs == nil {
		rs = []*sillok.Record{}
	}
	return 0, map[string]any{"records": rs}, err
}

// thesauri lists the thesaurus names with their term counts.
func (s *Server) thesauri(r *http.Request) (int, any, error) {
	counts := map[string]int{}
	err := s.eachTerm(r, "", func(t *sillok.Term) { counts[t.Thesaurus]++ })
	return 0, map[string]any{"thesauri": counts}, err
}

type termNode struct {
	sillok.Term
	Children []*termNode `json:"children,omitempty"`
}

// thesaurus returns one thesaurus as a tree.
func (s *Server) thesaurus(r *http.Request) (int, any, error) {
	name := r.PathValue("name")
	var all []*termNode
	byCode := map[string]*termNode{}
	if err := s.eachTerm(r, name, func(t *sillok.Term) {
		n := &termNode{Term: *t}
		all = append(all, n)
		byCode[t.Code] = n
	}); err != nil {
		return 0, nil, err
	}
	if len(all) == 0 {
		return 0, nil, &apiError{http.StatusNotFound, "not_found", "no thesaurus " + strconv.Quote(name), ""}
	}
	roots := []*termNode{}
	for _, n := range all {
		if p := byCode[n.Parent]; p != nil {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return 0, map[string]any{"thesaurus": name, "terms": roots}, nil
}

func (s *Server) eachTerm(r *http.Request, thesaurus string, fn func(*sillok.Term)) error {
	f := sillok.Filter{Kind: sillok.KindTerm, Limit: 10000}
	if thesaurus != "" {
		f.Attrs = []sillok.Attr{{Key: "thesaurus", Value: thesaurus}}
	}
	for {
		p, err := s.store.List(r.Context(), f)
		if err != nil {
			return err
		}
		for _, rec := range p.Records {
			fn(rec.Body.(*sillok.Term))
		}
		if p.Next == "" {
			return nil
		}
		f.After = p.Next
	}
}

// search runs a full-text search with filters and facets.
func (s *Server) search(r *http.Request) (int, any, error) {
	if s.index == nil {
		return 0, nil, &apiError{http.StatusNotFound, "not_found", "search is not enabled", ""}
	}
	q := r.URL.Query()
	req, err := SearchRequest(q.Get("q"), q)
	if err != nil {
		return 0, nil, err
	}
	if err := s.searchAccess(r.Context(), &req); err != nil {
		return 0, nil, err
	}
	res, err := s.index.Search(r.Context(), s.store, req)
	if errors.Is(err, fulltext.ErrQuery) {
		return 0, nil, badRequest("%v", err)
	}
	return 0, res, err
}

// SearchRequest builds a search from query parameters (also used by the
// CLI): kind (repeatable), act_type, location, sex, org, from, to (fuzzy
// dates), offset, limit.
func SearchRequest(query string, q map[string][]string) (fulltext.Request, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	req := fulltext.Request{Query: query, ActType: get("act_type"), Location: sillok.ID(get("location")),
		Sex: sillok.Sex(get("sex")), Org: get("org")}
	for _, k := range q["kind"] {
		if !sillok.Kind(k).Valid() {
			return req, badRequest("unknown kind %q", k)
		}
		req.Kinds = append(req.Kinds, sillok.Kind(k))
	}
	var err error
	if req.From, err = sillok.ParseDate(get("from")); err != nil {
		return req, badRequest("from: %v", err)
	}
	if req.To, err = sillok.ParseDate(get("to")); err != nil {
		return req, badRequest("to: %v", err)
	}
	for _, n := range []struct {
		key string
		v   *int
	}{{"offset", &req.Offset}, {"limit", &req.Limit}} {
		if s := get(n.key); s != "" {
			if *n.v, err = strconv.Atoi(s); err != nil || *n.v < 0 {
				return req, badRequest("%s wants a number", n.key)
			}
		}
	}
	if req.Limit > 100 {
		req.Limit = 100
	}
	return req, nil
}
