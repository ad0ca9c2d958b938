package http

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/mse"
)

// The web interface is server-rendered html/template with its templates,
// stylesheet, script and message catalogs embedded: documenters use it from
// a browser on an office network or a laptop with no internet and no
// JavaScript build chain. Every page works without the script.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed i18n/*.json
var catalogFS embed.FS

// Role is what a user may do in the repository.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleDocumenter Role = "documenter" // records testimonies
	RoleAnalyst    Role = "analyst"    // reviews linkage, runs statistics
	RoleViewer     Role = "viewer"     // reads
)

// User is the person signed in, as the web interface shows them.
type User struct {
	Name string
	Org  string
	Role Role
}

// Viewer tells the server who makes a request. Until accounts exist the
// server uses the operator (Options.Actor) as an admin.
type Viewer interface {
	Viewer(r *http.Request) (User, error)
}

// Action is something the interface may offer a user.
type Action string

const (
	ActionIntake        Action = "intake"         // record a testimony
	ActionSeeIdentities Action = "see_identities" // need-to-know: real names and birth dates
	ActionUnpublished   Action = "unpublished"    // statistics without small-count suppression
	ActionReview        Action = "review"         // decide linkage pairs (same, different, unsure) and undo decisions
)

// Policy reports whether user may do action. It is the one place the web
// interface asks: what it returns false for is not offered.
type Policy func(user User, action Action) bool

// DefaultPolicy is the interim policy until accounts and roles land: a
// viewer only reads, with pseudonyms and suppressed statistics.
func DefaultPolicy(u User, a Action) bool {
	switch u.Role {
	case RoleAdmin:
		return true
	case RoleDocumenter:
		return true
	case RoleAnalyst:
		return a != ActionIntake
	}
	return false
}

type operatorViewer struct{ actor sillok.Actor }

func (v operatorViewer) Viewer(*http.Request) (User, error) {
	return User{Name: v.actor.User, Org: v.actor.Org, Role: RoleAdmin}, nil
}

// catalog is one language's messages.
type catalog map[string]string

var langs = []string{"ko", "en"}

// web holds what the web pages share.
type web struct {
	pages    map[string]*template.Template
	catalogs map[string]catalog
	viewer   Viewer
	policy   Policy
	signIn   bool   // accounts are on: a session, a login page, a sign-out button
	opener   Opener // sealed records may be opened (Options.Opener)
	small    int
	statsTTL time.Duration

	mu          sync.Mutex
	terms       map[string]*sillok.Term // by thesaurus.code
	termsAt     time.Time
	termsByUser map[string]*termsCache
	statsCache  // without accounts: everyone's
	// statsByUser: with accounts, each user's statistics count what they
	// may see.
	statsByUser map[string]*statsCache
	statsWait   time.Duration

	estimates    estimateCache
	queue        queueCache
	estimateOpts mse.Options
	custody      CustodyLog // nil: record pages have no custody section
}

// statsCache is one set of statistics being kept fresh.
type statsCache struct {
	stats     *statistics
	statsAt   time.Time
	statsBusy chan struct{}
	statsErr  error // of the last computation
}

func newWeb(opts Options, actor sillok.Actor) (*web, error) {
	w := &web{viewer: opts.Viewer, policy: opts.Policy, opener: opts.Opener, small: opts.SmallCount, statsTTL: opts.StatsTTL,
		catalogs: map[string]catalog{}, pages: map[string]*template.Template{}, estimateOpts: opts.Estimate, custody: opts.Custody}
	_, w.signIn = w.viewer.(accountsViewer)
	if w.viewer == nil {
		w.viewer = operatorViewer{actor}
	}
	if w.policy == nil {
		w.policy = DefaultPolicy
		if opts.Accounts != nil {
			w.policy = accountsPolicy
		}
	}
	if w.small == 0 {
		w.small = 5
	}
	if w.statsTTL == 0 {
		w.statsTTL = time.Minute
	}
	w.statsWait = opts.StatsWait
	if w.statsWait == 0 {
		w.statsWait = 150 * time.Millisecond
	}
	for _, l := range langs {
		b, err := catalogFS.ReadFile("i18n/" + l + ".json")
		if err != nil {
			return nil, fmt.Errorf("read catalog %s: %w", l, err)
		}
		c := catalog{}
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("decode catalog %s: %w", l, err)
		}
		w.catalogs[l] = c
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", n, err)
		}
		w.pages[base] = t
	}
	return w, nil
}

func (s *Server) webRoutes() {
	m := s.mux
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(http.FileServerFS(static))))
	m.HandleFunc("GET /{$}", s.page(s.home))
	m.HandleFunc("GET /browse/{kinds}", s.page(s.browse))
	m.HandleFunc("GET /records/{id}", s.page(s.record))
	m.HandleFunc("GET /records/{id}/custody/{n}", s.custodyProof)
	m.HandleFunc("GET /search", s.page(s.searchPage))
	m.HandleFunc("GET /stats", s.page(s.statsPage))
	m.HandleFunc("GET /estimates", s.page(s.estimatePage))
	m.HandleFunc("GET /map", s.page(s.mapPage))
	s.intakeRoutes()
	s.reviewRoutes()
}

func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// templateFuncs are the few helpers templates need beyond page methods.
var templateFuncs = template.FuncMap{
	"list":   func(s ...string) []string { return s },
	"join":   strings.Join,
	"indent": func(depth int) string { return strings.Repeat("\u00a0\u00a0\u00a0", depth) },
	"field":  formField,
}

// inputView is one form input with its value and error, for the "input"
// template.
type inputView struct {
	Name, Label, Type, Value, Error string
}

func formField(d *intakeData, name, label, typ string) inputView {
	return inputView{Name: name, Label: label, Type: typ, Value: d.Val(name), Error: d.Errors[name]}
}

// page is what every template gets.
type page struct {
	Lang  string
	User  User
	Title string
	Nav   string // the navigation entry to mark current
	// Refresh, when set, asks the browser to reload the page after
	// this many seconds (statistics being computed).
	Refresh int
	Data    any
	req     *http.Request
	cat     catalog
	web     *web
}

// T translates key; args fill its %-verbs. A missing key shows as the key,
// which the catalog test catches.
func (p *page) T(key string, args ...any) string {
	m, ok := p.cat[key]
	if !ok {
		m = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// May reports whether the user may do action; the templates offer only
// what it allows.
func (p *page) May(action string) bool { return p.web.policy(p.User, Action(action)) }

// SignedIn reports whether users sign in (and so may sign out).
func (p *page) SignedIn() bool { return p.web.signIn }

// LangURL is the current page in another language.
func (p *page) LangURL(lang string) string { return withParam(p.req.URL, "lang", lang) }

// URL is the current page with one parameter changed ("" removes it) and
// the page offset reset.
func (p *page) URL(key, value string) string {
	u := *p.req.URL
	q := u.Query()
	q.Del("after")
	q.Del("offset")
	q.Del("lang")
	u.RawQuery = q.Encode()
	return withParam(&u, key, value)
}

// Param is a query parameter of the request.
func (p *page) Param(key string) string { return p.req.URL.Query().Get(key) }

func withParam(u *url.URL, key, value string) string {
	q := u.Query()
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	c := *u
	c.RawQuery = q.Encode()
	return c.RequestURI()
}

// language picks the page language: ?lang=, then the cookie, then
// Accept-Language, then English. ?lang= also sets the cookie.
func language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "ko" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "ko" || c.Value == "en") {
		return c.Value
	}
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			fmt.Sscanf(v, "%g", &q)
		}
		tag = strings.ToLower(tag)
		for _, l := range langs {
			if (tag == l || strings.HasPrefix(tag, l+"-")) && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// pageFunc fills a page for a template, or returns an error.
type pageFunc func(ctx context.Context, p *page) (template string, err error)

// webError is an error page with its status and message key.
type webError struct {
	status int
	Key    string
}

func (e *webError) Error() string { return e.Key }

// redirect ends a form post: the browser is sent on with 303 See Other,
// so that reloading does not post twice.
type redirect struct{ to string }

func (r *redirect) Error() string { return "redirect to " + r.to }

func (s *Server) page(fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := language(w, r)
		p := &page{Lang: lang, req: r, cat: s.web.catalogs[lang], web: s.web}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		w.Header().Set("Vary", "Cookie, Accept-Language")
		u, err := s.web.viewer.Viewer(r)
		if errors.Is(err, errSignIn) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if err != nil {
			s.log.Warn("web: no viewer", "path", r.URL.Path, "err", err)
			s.errorPage(w, p, &webError{http.StatusUnauthorized, "error.unauthorized"})
			return
		}
		p.User = u
		if s.accounts != nil {
			r = r.WithContext(withUser(r.Context(), u))
			p.req = r
		}
		name, err := fn(r.Context(), p)
		if rd, ok := err.(*redirect); ok {
			http.Redirect(w, r, rd.to, http.StatusSeeOther)
			return
		}
		if err != nil {
			s.errorPage(w, p, err)
			return
		}
		s.render(w, p, http.StatusOK, name)
	}
}

// errorPage maps store errors to a page. The detail of an internal error
// goes to the log only.
func (s *Server) errorPage(w http.ResponseWriter, p *page, err error) {
	we, ok := err.(*webError)
	if !ok {
		ae := toAPIError(err)
		switch {
		case ae.status == http.StatusNotFound || ae.status == http.StatusGone:
			we = &webError{http.StatusNotFound, "error.not_found"}
		case ae.status == http.StatusForbidden:
			we = &webError{http.StatusForbidden, "error.forbidden"}
		case ae.status < 500:
			we = &webError{ae.status, "error.bad_request"}
		default:
			s.log.Error("web request failed", "path", p.req.URL.Path, "err", err)
			we = &webError{http.StatusInternalServerError, "error.internal"}
		}
	}
	p.Title = p.T(we.Key)
	p.Data = we
	s.render(w, p, we.status, "error")
}

// render executes a page into a buffer first, so that a template error
// never reaches the browser half-written.
func (s *Server) render(w http.ResponseWriter, p *page, status int, name string) {
	var buf bytes.Buffer
	t := s.web.pages[name]
	if t == nil {
		s.log.Error("web: no template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, p); err != nil {
		s.log.Error("web: render", "template", name, "path", p.req.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// termsFor returns the thesaurus terms, cached for a short while: every
// page shows term labels, and terms change rarely.
func (w *web) termsFor(ctx context.Context, st sillok.Reader) (map[string]*sillok.Term, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if k := userKey(ctx); k != "" {
		// With accounts each user has the terms they may see.
		c := w.termsByUser[k]
		if c != nil && time.Since(c.at) < 30*time.Second {
			return c.terms, nil
		}
		terms, err := listTerms(ctx, st)
		if err != nil {
			return nil, err
		}
		if w.termsByUser == nil {
			w.termsByUser = map[string]*termsCache{}
		}
		w.termsByUser[k] = &termsCache{terms, time.Now()}
		return terms, nil
	}
	if w.terms != nil && time.Since(w.termsAt) < 30*time.Second {
		return w.terms, nil
	}
	terms, err := listTerms(ctx, st)
	if err != nil {
		return nil, err
	}
	w.terms, w.termsAt = terms, time.Now()
	return terms, nil
}

// termsCache is one user's thesaurus terms.
type termsCache struct {
	terms map[string]*sillok.Term
	at    time.Time
}

func listTerms(ctx context.Context, st sillok.Reader) (map[string]*sillok.Term, error) {
	terms := map[string]*sillok.Term{}
	f := sillok.Filter{Kind: sillok.KindTerm, Limit: 10000}
	for {
		pg, err := st.List(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("list thesaurus terms: %w", err)
		}
		for _, r := range pg.Records {
			t := r.Body.(*sillok.Term)
			terms[t.Thesaurus+"."+t.Code] = t
		}
		if pg.Next == "" {
			break
		}
		f.After = pg.Next
	}
	return terms, nil
}

// termLabel is a term's label in lang, or its code when the term is
// unknown.
func termLabel(terms map[string]*sillok.Term, thesaurus, code, lang string) string {
	if t := terms[thesaurus+"."+code]; t != nil {
		return t.Labels.Get(lang)
	}
	return code
}

// termPath is a term's ancestors' codes, root first, then the term.
func termPath(terms map[string]*sillok.Term, thesaurus, code string) []string {
	var path []string
	for c, n := code, 0; c != "" && n < 20; n++ {
		path = append(path, c)
		t := terms[thesaurus+"."+c]
		if t == nil {
			break
		}
		c = t.Parent
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}

// thesaurusTerms lists one thesaurus's terms in tree order with depths.
func thesaurusTerms(terms map[string]*sillok.Term, thesaurus string) []treeTerm {
	children := map[string][]*sillok.Term{}
	for _, t := range terms {
		if t.Thesaurus == thesaurus {
			children[t.Parent] = append(children[t.Parent], t)
		}
	}
	var out []treeTerm
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		cs := children[parent]
		sort.Slice(cs, func(i, j int) bool { return cs[i].Code < cs[j].Code })
		for _, c := range cs {
			out = append(out, treeTerm{c, depth})
			walk(c.Code, depth+1)
		}
	}
	walk("", 0)
	return out
}

type treeTerm struct {
	*sillok.Term
	Depth int
}
