package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/auth"
	"github.com/sillok/sillok/fulltext"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/protect"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// The authorisation matrix: every route the server has × every role ×
// the owning organisation (org-a), another (org-b) and a partner the
// records are shared with (org-c) × records at every level, clear and
// sealed. Expected answers come from auth.Decide (whose own matrix is in
// package auth): this test proves that every route asks it, answers a
// hidden record exactly as a missing one, and redacts identities.

const (
	orgOwn, orgOther, orgShared = "org-a", "org-b", "org-c"
	azPassword                  = "correct horse battery"
)

var azLevels = []sillok.Level{sillok.LevelPublic, sillok.LevelInternal, sillok.LevelConfidential, sillok.LevelStrict}

type azUser struct {
	name, org string
	role      auth.Role
	token     string
}

func (u azUser) auth() *auth.User { return &auth.User{Name: u.name, Org: u.org, Role: u.role} }

// syncBuffer collects the server's logs from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// azTarget is a record of the matrix with its secrets.
type azTarget struct {
	rec    *sillok.Record
	meta   *auth.Meta
	secret string // a protected value in the record (a name); "" for none in clear
	sealed string // the sealed name, for sealed persons
	pseudo string // the person's pseudonym
}

type azFixture struct {
	t      testing.TB
	ctx    context.Context
	st     *sqlstore.Store
	srv    *sillokhttp.Server
	ts     *httptest.Server
	users  []azUser
	byName map[string]azUser
	sealer *protect.Sealer
	logs   *syncBuffer
	n      int
	// bodies of every refusal and error, checked for protected values.
	errBodies []string
	// Fixed targets by level: a clear person, a sealed person, an act.
	clear, sealed, acts map[sillok.Level]*azTarget
	event               *sillok.Record
}

var fixtureActor = sillok.Actor{User: "fixture", Org: orgOwn}

func newAzFixture(t testing.TB) *azFixture {
	ctx := context.Background()
	ix := fulltext.New([]byte("k"))
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{Hooks: []sqlstore.Hook{ix}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	acc, err := auth.Open(ctx, st.DB(), auth.Options{Argon2: auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}})
	if err != nil {
		t.Fatal(err)
	}
	f := &azFixture{t: t, ctx: ctx, st: st, byName: map[string]azUser{}, logs: &syncBuffer{},
		clear: map[sillok.Level]*azTarget{}, sealed: map[sillok.Level]*azTarget{}, acts: map[sillok.Level]*azTarget{}}
	for _, org := range []string{orgOwn, orgOther, orgShared} {
		if err := acc.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		for _, role := range auth.Roles() {
			u := azUser{name: string(role) + "-" + org[len(org)-1:], org: org, role: role}
			if _, err := acc.AddUser(ctx, auth.NewUser{Org: org, Name: u.name, Role: role, Password: azPassword}); err != nil {
				t.Fatal(err)
			}
			if u.token, _, err = acc.NewAPIToken(ctx, u.name, "matrix", time.Hour); err != nil {
				t.Fatal(err)
			}
			f.users = append(f.users, u)
			f.byName[u.name] = u
		}
	}
	key, err := protect.NewOrgKey(orgOwn)
	if err != nil {
		t.Fatal(err)
	}
	recovery, err := protect.NewOrgKey(protect.RecoveryHolder)
	if err != nil {
		t.Fatal(err)
	}
	if f.sealer, err = protect.NewSealer(key, recovery.Holder(), nil); err != nil {
		t.Fatal(err)
	}
	dlog := protect.DisclosureLog{DB: st.DB()}
	if err := dlog.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	f.srv = sillokhttp.NewServer(st, sillokhttp.Options{Accounts: acc, Search: ix, Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
		Opener: &protect.Opener{Key: key, Audit: dlog}, Disclosures: dlog, StatsWait: 10 * time.Second})
	f.ts = httptest.NewServer(f.srv)
	t.Cleanup(f.ts.Close)

	f.event = &sillok.Record{Level: sillok.LevelPublic, Body: &sillok.Event{Title: sillok.Labels{En: "matrix event"}}}
	f.create(f.event)
	for _, l := range azLevels {
		f.clear[l] = f.person(l, false)
		f.sealed[l] = f.person(l, true)
		act := &sillok.Record{Level: l, Body: &sillok.Act{Event: f.event.ID, Victim: f.clear[l].rec.ID, Type: "beating"}}
		f.create(act)
		f.acts[l] = &azTarget{rec: act, meta: f.share(act)}
	}
	return f
}

func (f *azFixture) create(r *sillok.Record) {
	f.t.Helper()
	if err := f.st.Create(f.ctx, fixtureActor, r); err != nil {
		f.t.Fatal(err)
	}
}

// share shares r with org-c and, for a strict record, names the org-c
// users and the org-a users but the analyst and the viewer. It returns
// the record's full Meta.
func (f *azFixture) share(r *sillok.Record) *auth.Meta {
	f.t.Helper()
	m := &auth.Meta{Org: r.Org, Level: r.Level, SharedWith: []string{orgShared}}
	sh := &sillok.Share{Record: r.ID, With: orgShared}
	if r.Level == sillok.LevelStrict {
		for _, u := range f.users {
			if u.org == orgShared {
				sh.Named = append(sh.Named, u.name)
			}
		}
		own := &sillok.Share{Record: r.ID, With: orgOwn}
		for _, u := range f.users {
			if u.org == orgOwn && u.role != auth.RoleAnalyst && u.role != auth.RoleViewer {
				own.Named = append(own.Named, u.name)
			}
		}
		f.create(&sillok.Record{Level: sillok.LevelInternal, Body: own})
		m.SharedWith = append(m.SharedWith, orgOwn)
		m.Named = append(append(m.Named, sh.Named...), own.Named...)
	}
	f.create(&sillok.Record{Level: sillok.LevelInternal, Body: sh})
	return m
}

// person makes a shared person of org-a at level l, with a clear or a
// sealed name.
func (f *azFixture) person(l sillok.Level, sealed bool) *azTarget {
	f.t.Helper()
	f.n++
	// Letters only: the search tokeniser splits digits off.
	name := "zqsecret" + strings.Map(func(r rune) rune { return 'a' + r - '0' }, fmt.Sprintf("%04d", f.n))
	p := &sillok.Person{Names: []sillok.Name{{Value: name}}, Birth: sillok.MustDate("1961-03-05"), Notes: "zqsecretnote",
		Pseudonym: fmt.Sprintf("V-%04d", f.n), Sex: sillok.SexFemale}
	r := &sillok.Record{ID: sillok.NewID(sillok.KindPerson), Level: l, Body: p}
	tg := &azTarget{rec: r, secret: name, pseudo: p.Pseudonym}
	if sealed {
		body, _, err := f.sealer.SealPerson(r.ID, p, p.Pseudonym, protect.PersonFields{})
		if err != nil {
			f.t.Fatal(err)
		}
		r.Body, tg.secret, tg.sealed = body, "", name
	}
	f.create(r)
	tg.meta = f.share(r)
	return tg
}

// source makes a shared testimony of org-a at level l whose witness
// consented to internal use and prosecution.
func (f *azFixture) source(l sillok.Level) *azTarget {
	f.t.Helper()
	src := &sillok.Source{Type: "testimony", Title: sillok.Labels{En: "matrix testimony"}, Interviewee: f.clear[l].rec.ID,
		Consent: &sillok.Consent{Uses: []string{sillok.UseInternal, sillok.UseProsecution},
			Given: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC), RecordedBy: "matrix"}}
	r := &sillok.Record{ID: sillok.NewID(sillok.KindSource), Level: l, Body: src}
	f.create(r)
	return &azTarget{rec: r, meta: f.share(r)}
}

// fresh is a new shared clear person, for requests that change it.
func (f *azFixture) fresh(l sillok.Level) *azTarget { return f.person(l, false) }

// do sends a request as u (an API token works for pages too).
func (f *azFixture) do(u azUser, method, path, body string) (int, string) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("Accept-Language", "en")
	if method == http.MethodPost && !strings.HasPrefix(path, "/api/") {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode >= 400 {
		f.errBodies = append(f.errBodies, string(b))
	}
	return res.StatusCode, string(b)
}

// expect is the status the policy calls for: 404 for a record the user
// may not see, 403 for one they see but may not act on, ok otherwise.
func expect(u azUser, a auth.Action, m *auth.Meta, ok int) int {
	if auth.Decide(u.auth(), auth.ActionRead, m).Effect != auth.Allow {
		return http.StatusNotFound
	}
	if auth.Decide(u.auth(), a, m).Effect != auth.Allow {
		return http.StatusForbidden
	}
	return ok
}

func identities(u azUser, m *auth.Meta) bool {
	d := auth.Decide(u.auth(), auth.ActionRead, m)
	return d.Effect == auth.Allow && d.Identities
}

// newID matches the ID a record being created gets.
var newID = regexp.MustCompile(`act_[0-9a-z]{16}`)

// missingID is an ID of the same kind as id that no record has.
func missingID(id sillok.ID) sillok.ID {
	return sillok.ID(sillok.KindOf(id).Prefix() + "_0000000000000000")
}

// azCase is one request of the matrix.
type azCase struct {
	method, path, body string
	id                 sillok.ID // the record in the path, for the missing-record comparison
	want               int
	secret             string // must appear in a 2xx body exactly when show
	show               bool
}

func (f *azFixture) check(t *testing.T, u azUser, c azCase) {
	t.Helper()
	status, body := f.do(u, c.method, c.path, c.body)
	if status != c.want {
		t.Errorf("%s %s %s as %s: %d, want %d: %.200s", c.method, c.path, c.body, u.name, status, c.want, body)
		return
	}
	if status < 300 && c.secret != "" && strings.Contains(body, c.secret) != c.show {
		t.Errorf("%s %s as %s: protected value shown = %v, want %v", c.method, c.path, u.name, !c.show, c.show)
	}
	if status == http.StatusNotFound && c.id != "" {
		// A hidden record is answered word for word as a missing one.
		m := missingID(c.id)
		_, mbody := f.do(u, c.method, strings.ReplaceAll(c.path, string(c.id), string(m)), c.body)
		if strings.ReplaceAll(body, string(c.id), "ID") != strings.ReplaceAll(mbody, string(m), "ID") {
			t.Errorf("%s %s as %s: hidden record answered\n%.300s\nbut a missing one\n%.300s", c.method, c.path, u.name, body, mbody)
		}
	}
}

// personJSON is a person body as the API takes it.
func personJSON(name string) string {
	return `{"names":[{"value":"` + name + `"}],"sex":"male"}`
}

// listed returns the records of an API listing.
func listed(t *testing.T, body string) map[sillok.ID]string {
	var res struct {
		Records []json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatalf("listing: %v: %.200s", err, body)
	}
	out := map[sillok.ID]string{}
	for _, r := range res.Records {
		var h struct{ ID sillok.ID }
		json.Unmarshal(r, &h)
		out[h.ID] = string(r)
	}
	return out
}

func (f *azFixture) targets() []*azTarget {
	var ts []*azTarget
	for _, l := range azLevels {
		ts = append(ts, f.clear[l], f.sealed[l])
	}
	return ts
}

// checkListing: a listing holds exactly the visible targets, each with
// its identity only for those who may see it.
func (f *azFixture) checkListing(t *testing.T, u azUser, path string) {
	t.Helper()
	status, body := f.do(u, "GET", path, "")
	if status != 200 {
		t.Errorf("GET %s as %s: %d", path, u.name, status)
		return
	}
	got := listed(t, body)
	for _, tg := range f.targets() {
		rec, ok := got[tg.rec.ID]
		if vis := auth.Decide(u.auth(), auth.ActionRead, tg.meta).Effect == auth.Allow; ok != vis {
			t.Errorf("GET %s as %s: %s (%s) listed = %v", path, u.name, tg.rec.ID, tg.rec.Level, ok)
		}
		if ok && tg.secret != "" && strings.Contains(rec, tg.secret) != identities(u, tg.meta) {
			t.Errorf("GET %s as %s: %s identity shown = %v", path, u.name, tg.rec.ID, !identities(u, tg.meta))
		}
	}
}

// checkPage: a page shows a target's ID exactly when the user may see it
// and its name exactly when they may see identities.
func (f *azFixture) checkPage(t *testing.T, u azUser, path string, tgs []*azTarget) {
	f.checkPageQ(t, u, path, tgs, false)
}

// checkPageQ is checkPage for a page that echoes a query: the query
// being the name, only the ID is checked.
func (f *azFixture) checkPageQ(t *testing.T, u azUser, path string, tgs []*azTarget, echoes bool) {
	t.Helper()
	status, body := f.do(u, "GET", path, "")
	if status != 200 {
		t.Errorf("GET %s as %s: %d", path, u.name, status)
		return
	}
	for _, tg := range tgs {
		vis := auth.Decide(u.auth(), auth.ActionRead, tg.meta).Effect == auth.Allow
		if strings.Contains(body, string(tg.rec.ID)) != vis {
			t.Errorf("GET %s as %s: %s (%s) shown = %v", path, u.name, tg.rec.ID, tg.rec.Level, !vis)
		}
		if !echoes && tg.secret != "" && strings.Contains(body, tg.secret) != (vis && identities(u, tg.meta)) {
			t.Errorf("GET %s as %s: %s identity shown = %v", path, u.name, tg.rec.ID, !identities(u, tg.meta))
		}
	}
}

// azRoutes is the matrix: one entry per route pattern, run for every
// user. A route without an entry fails TestAuthorisationMatrix.
func azRoutes() map[string]func(t *testing.T, f *azFixture, u azUser) {
	read := func(suffix string, secret bool) func(t *testing.T, f *azFixture, u azUser) {
		return func(t *testing.T, f *azFixture, u azUser) {
			for _, tg := range f.targets() {
				c := azCase{method: "GET", path: "/api/v1/records/" + string(tg.rec.ID) + suffix, id: tg.rec.ID,
					want: expect(u, auth.ActionRead, tg.meta, 200)}
				if secret {
					c.secret, c.show = tg.secret, identities(u, tg.meta)
				}
				f.check(t, u, c)
			}
		}
	}
	return map[string]func(t *testing.T, f *azFixture, u azUser){
		"GET /api/v1/records": func(t *testing.T, f *azFixture, u azUser) {
			f.checkListing(t, u, "/api/v1/records?kind=person&limit=10000")
			f.checkListing(t, u, "/api/v1/records?kind=person&deleted=1&limit=10000")
		},
		"GET /api/v1/{kinds}": func(t *testing.T, f *azFixture, u azUser) {
			f.checkListing(t, u, "/api/v1/persons?limit=10000")
			// Paging never hands out a hidden ID as the cursor.
			status, body := f.do(u, "GET", "/api/v1/persons?limit=1", "")
			var p struct{ Next sillok.ID }
			json.Unmarshal([]byte(body), &p)
			if status != 200 {
				t.Errorf("page as %s: %d", u.name, status)
			}
			for _, tg := range f.targets() {
				if p.Next == tg.rec.ID && auth.Decide(u.auth(), auth.ActionRead, tg.meta).Effect != auth.Allow {
					t.Errorf("as %s: next page cursor is the hidden %s", u.name, tg.rec.ID)
				}
			}
		},
		"GET /api/v1/records/{id}": func(t *testing.T, f *azFixture, u azUser) {
			read("", true)(t, f, u)
			// Without identities a person is its pseudonym.
			for _, tg := range f.targets() {
				if identities(u, tg.meta) || auth.Decide(u.auth(), auth.ActionRead, tg.meta).Effect != auth.Allow {
					continue
				}
				_, body := f.do(u, "GET", "/api/v1/records/"+string(tg.rec.ID), "")
				var rec struct{ Body map[string]any }
				json.Unmarshal([]byte(body), &rec)
				if rec.Body["pseudonym"] != tg.pseudo || rec.Body["names"] != nil || rec.Body["sealed"] != nil || rec.Body["notes"] != nil ||
					rec.Body["birth"] != "1961" || rec.Body["sex"] != "female" {
					t.Errorf("as %s, %s (%s) reads %v", u.name, tg.rec.ID, tg.rec.Level, rec.Body)
				}
				_, page := f.do(u, "GET", "/records/"+string(tg.rec.ID), "")
				if !strings.Contains(page, tg.pseudo) {
					t.Errorf("as %s, the page of %s does not show its pseudonym", u.name, tg.rec.ID)
				}
			}
			// With a purpose, a sealed person opens for those who may
			// disclose, and the disclosure is on record.
			for _, l := range azLevels {
				tg := f.sealed[l]
				f.check(t, u, azCase{method: "GET", path: "/api/v1/records/" + string(tg.rec.ID) + "?purpose=matrix+check", id: tg.rec.ID,
					want: expect(u, auth.ActionDisclose, tg.meta, 200), secret: tg.sealed, show: true})
			}
		},
		"GET /api/v1/records/{id}/history":         read("/history", true),
		"GET /api/v1/records/{id}/revisions/{rev}": read("/revisions/1", true),
		"GET /api/v1/records/{id}/linked":          read("/linked", false),
		"PUT /api/v1/records/{id}": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				tg := f.clear[l]
				cur, err := f.st.Get(f.ctx, tg.rec.ID)
				if err != nil {
					t.Fatal(err)
				}
				body := fmt.Sprintf(`{"rev":%d,"body":%s,"note":"matrix"}`, cur.Rev, personJSON(tg.secret))
				f.check(t, u, azCase{method: "PUT", path: "/api/v1/records/" + string(tg.rec.ID), body: body, id: tg.rec.ID,
					want: expect(u, auth.ActionUpdate, tg.meta, 200)})
			}
		},
		"DELETE /api/v1/records/{id}": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				tg := f.fresh(l)
				f.check(t, u, azCase{method: "DELETE", path: "/api/v1/records/" + string(tg.rec.ID) + "?rev=1&note=matrix", id: tg.rec.ID,
					want: expect(u, auth.ActionDelete, tg.meta, 200)})
			}
		},
		"POST /api/v1/records": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				m := &auth.Meta{Org: orgOwn, Level: l}
				want := http.StatusForbidden
				if auth.Decide(u.auth(), auth.ActionCreate, m).Effect == auth.Allow {
					want = http.StatusCreated
				}
				f.check(t, u, azCase{method: "POST", path: "/api/v1/records",
					body: fmt.Sprintf(`{"kind":"person","org":%q,"level":%q,"body":%s}`, orgOwn, l, personJSON("new person")), want: want})
			}
		},
		"POST /api/v1/{kinds}": func(t *testing.T, f *azFixture, u azUser) {
			// Their own organisation by default; referring to a hidden
			// record is refused as referring to a missing one.
			want := http.StatusForbidden
			if u.role == auth.RoleAdmin || u.role == auth.RoleDocumenter {
				want = http.StatusCreated
			}
			f.check(t, u, azCase{method: "POST", path: "/api/v1/persons", body: `{"body":` + personJSON("new person") + `}`, want: want})
			if want != http.StatusCreated {
				return
			}
			for _, l := range azLevels {
				tg := f.clear[l]
				act := func(victim sillok.ID) string {
					return fmt.Sprintf(`{"level":"internal","body":{"event":%q,"victim":%q,"type":"beating"}}`, f.event.ID, victim)
				}
				status, body := f.do(u, "POST", "/api/v1/acts", act(tg.rec.ID))
				_, mbody := f.do(u, "POST", "/api/v1/acts", act(missingID(tg.rec.ID)))
				vis := auth.Decide(u.auth(), auth.ActionRead, tg.meta).Effect == auth.Allow
				switch {
				case vis && status != http.StatusCreated:
					t.Errorf("as %s: act on visible %s: %d %s", u.name, tg.rec.ID, status, body)
				case !vis && newID.ReplaceAllString(strings.ReplaceAll(body, string(tg.rec.ID), "ID"), "NEW") !=
					newID.ReplaceAllString(strings.ReplaceAll(mbody, string(missingID(tg.rec.ID)), "ID"), "NEW"):
					t.Errorf("as %s: act on hidden %s: %d %s; on a missing one: %s", u.name, tg.rec.ID, status, body, mbody)
				}
			}
		},
		"GET /api/v1/search": func(t *testing.T, f *azFixture, u azUser) {
			for _, tg := range f.targets() {
				if tg.secret == "" {
					continue
				}
				status, body := f.do(u, "GET", "/api/v1/search?q="+tg.secret, "")
				var res fulltext.Result
				json.Unmarshal([]byte(body), &res)
				vis := auth.Decide(u.auth(), auth.ActionRead, tg.meta).Effect == auth.Allow
				found := false
				for _, h := range res.Hits {
					found = found || h.Record.ID == tg.rec.ID
					// Every hit and every count is of a visible record.
					for _, o := range f.targets() {
						if h.Record.ID == o.rec.ID && auth.Decide(u.auth(), auth.ActionRead, o.meta).Effect != auth.Allow {
							t.Errorf("search as %s finds the hidden %s", u.name, o.rec.ID)
						}
					}
				}
				// A blind-indexed (confidential, strict) name is confirmed
				// against the record as the user reads it: without
				// identities, a name finds nothing.
				want := vis && (identities(u, tg.meta) || !fulltext.Blind(tg.rec.Level))
				if status != 200 || found != want || len(res.Hits) != res.Total {
					t.Errorf("search %s (%s) as %s: %d, %d hits, found %v, want %v", tg.rec.ID, tg.rec.Level, u.name, status, res.Total, found, want)
				}
				if strings.Contains(body, tg.secret) != (vis && identities(u, tg.meta)) {
					t.Errorf("search %s as %s: identity shown = %v", tg.rec.ID, u.name, !identities(u, tg.meta))
				}
			}
		},
		"GET /api/v1/thesauri": func(t *testing.T, f *azFixture, u azUser) {
			f.check(t, u, azCase{method: "GET", path: "/api/v1/thesauri", want: 200})
		},
		"GET /api/v1/thesauri/{name}": func(t *testing.T, f *azFixture, u azUser) {
			f.check(t, u, azCase{method: "GET", path: "/api/v1/thesauri/act_type", want: 200})
		},
		"/api/": func(t *testing.T, f *azFixture, u azUser) {
			f.check(t, u, azCase{method: "GET", path: "/api/v2/nothing", want: 404})
		},
		"GET /api/v1/records/{id}/shares": func(t *testing.T, f *azFixture, u azUser) {
			for _, tg := range f.targets() {
				f.check(t, u, azCase{method: "GET", path: "/api/v1/records/" + string(tg.rec.ID) + "/shares", id: tg.rec.ID,
					want: expect(u, auth.ActionShare, tg.meta, 200)})
			}
		},
		"POST /api/v1/records/{id}/shares": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				tg := f.fresh(l)
				f.check(t, u, azCase{method: "POST", path: "/api/v1/records/" + string(tg.rec.ID) + "/shares", id: tg.rec.ID,
					body: `{"with":"org-b"}`, want: expect(u, auth.ActionShare, tg.meta, 201)})
			}
		},
		"GET /api/v1/disclosures": func(t *testing.T, f *azFixture, u azUser) {
			want := http.StatusForbidden
			if u.role == auth.RoleAdmin {
				want = 200
			}
			f.check(t, u, azCase{method: "GET", path: "/api/v1/disclosures", want: want})
		},

		// Web pages.
		"GET /{$}": func(t *testing.T, f *azFixture, u azUser) {
			f.check(t, u, azCase{method: "GET", path: "/", want: 200})
		},
		"GET /static/": func(t *testing.T, f *azFixture, u azUser) {
			f.check(t, u, azCase{method: "GET", path: "/static/style.css", want: 200})
		},
		"GET /browse/{kinds}": func(t *testing.T, f *azFixture, u azUser) {
			f.checkPage(t, u, "/browse/persons", f.targets())
		},
		"GET /records/{id}": func(t *testing.T, f *azFixture, u azUser) {
			for _, tg := range append(f.targets(), f.acts[sillok.LevelInternal]) {
				f.check(t, u, azCase{method: "GET", path: "/records/" + string(tg.rec.ID), id: tg.rec.ID,
					want: expect(u, auth.ActionRead, tg.meta, 200), secret: tg.secret, show: identities(u, tg.meta)})
			}
			// The event's page links the acts the user may see.
			var acts []*azTarget
			for _, l := range azLevels {
				acts = append(acts, f.acts[l])
			}
			f.checkPage(t, u, "/records/"+string(f.event.ID), acts)
		},
		"GET /search": func(t *testing.T, f *azFixture, u azUser) {
			for _, tg := range f.targets() {
				if tg.secret != "" && (identities(u, tg.meta) || !fulltext.Blind(tg.rec.Level)) {
					f.checkPageQ(t, u, "/search?q="+tg.secret, []*azTarget{tg}, true)
				}
			}
		},
		"GET /stats": func(t *testing.T, f *azFixture, u azUser) {
			status, body := f.do(u, "GET", "/stats", "")
			n := 0
			for _, l := range azLevels {
				if auth.Decide(u.auth(), auth.ActionRead, f.acts[l].meta).Effect == auth.Allow {
					n++
				}
			}
			want := fmt.Sprintf("%d acts against", n)
			if u.role == auth.RoleViewer && n > 0 {
				want = "&lt;5 acts against" // publication view
			}
			if status != 200 || !strings.Contains(body, want) {
				t.Errorf("stats as %s: %d, want %q in %s", u.name, status, want, around(body, "acts against"))
			}
		},
		"GET /map": func(t *testing.T, f *azFixture, u azUser) {
			f.check(t, u, azCase{method: "GET", path: "/map", want: 200})
		},
		"GET /records/{id}/sharing": func(t *testing.T, f *azFixture, u azUser) {
			for _, tg := range f.targets() {
				f.check(t, u, azCase{method: "GET", path: "/records/" + string(tg.rec.ID) + "/sharing", id: tg.rec.ID,
					want: expect(u, auth.ActionShare, tg.meta, 200)})
			}
		},
		"POST /records/{id}/sharing": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				tg := f.fresh(l)
				f.check(t, u, azCase{method: "POST", path: "/records/" + string(tg.rec.ID) + "/sharing", id: tg.rec.ID,
					body: "op=share&with=org-b", want: expect(u, auth.ActionShare, tg.meta, http.StatusSeeOther)})
			}
		},
		"POST /api/v1/sources/{id}/consent/withdraw": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				tg := f.source(l)
				f.check(t, u, azCase{method: "POST", path: "/api/v1/sources/" + string(tg.rec.ID) + "/consent/withdraw", id: tg.rec.ID,
					body: `{"uses":["prosecution"],"note":"matrix"}`, want: expect(u, auth.ActionUpdate, tg.meta, 200)})
			}
		},
		"POST /records/{id}/consent/withdraw": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				tg := f.source(l)
				f.check(t, u, azCase{method: "POST", path: "/records/" + string(tg.rec.ID) + "/consent/withdraw", id: tg.rec.ID,
					body: "uses=prosecution&note=matrix", want: expect(u, auth.ActionUpdate, tg.meta, http.StatusSeeOther)})
			}
		},
		"GET /review": func(t *testing.T, f *azFixture, u azUser) {
			// Everyone may read the queue (pseudonymised as elsewhere); the
			// buttons are for reviewers.
			f.check(t, u, azCase{method: "GET", path: "/review", want: 200})
		},
		"POST /review/decide": func(t *testing.T, f *azFixture, u azUser) {
			// Hidden and missing persons both come back to the queue with
			// the same message.
			for _, l := range azLevels {
				a, b := f.fresh(l), f.fresh(l)
				f.check(t, u, azCase{method: "POST", path: "/review/decide", body: "decision=same&a=" + string(a.rec.ID) + "&b=" + string(b.rec.ID),
					want: reviewStatus(u, http.StatusSeeOther)})
			}
		},
		"POST /review/undo": func(t *testing.T, f *azFixture, u azUser) {
			f.check(t, u, azCase{method: "POST", path: "/review/undo", body: "link=lnk_0000000000000000", want: reviewStatus(u, http.StatusSeeOther)})
		},
		"GET /estimates": func(t *testing.T, f *azFixture, u azUser) {
			f.check(t, u, azCase{method: "GET", path: "/estimates", want: 200})
		},
		"GET /records/{id}/custody/{n}": func(t *testing.T, f *azFixture, u azUser) {
			// No custody log in the fixture: every proof is missing, and a
			// hidden record's answer equals a missing one's.
			for _, tg := range f.targets() {
				f.check(t, u, azCase{method: "GET", path: "/records/" + string(tg.rec.ID) + "/custody/0", id: tg.rec.ID, want: 404})
			}
		},
		"GET /records/{id}/disclose": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				tg := f.sealed[l]
				f.check(t, u, azCase{method: "GET", path: "/records/" + string(tg.rec.ID) + "/disclose", id: tg.rec.ID,
					want: expect(u, auth.ActionDisclose, tg.meta, 200), secret: tg.sealed, show: false})
			}
		},
		"POST /records/{id}/disclose": func(t *testing.T, f *azFixture, u azUser) {
			for _, l := range azLevels {
				tg := f.sealed[l]
				f.check(t, u, azCase{method: "POST", path: "/records/" + string(tg.rec.ID) + "/disclose", id: tg.rec.ID,
					body: "purpose=matrix+check", want: expect(u, auth.ActionDisclose, tg.meta, 200), secret: tg.sealed, show: true})
			}
		},
		"GET /admin/disclosures": func(t *testing.T, f *azFixture, u azUser) {
			want := http.StatusForbidden
			if u.role == auth.RoleAdmin {
				want = 200
			}
			f.check(t, u, azCase{method: "GET", path: "/admin/disclosures", want: want})
		},
		"GET /intake": func(t *testing.T, f *azFixture, u azUser) {
			want := http.StatusForbidden
			if u.role == auth.RoleAdmin || u.role == auth.RoleDocumenter {
				want = 200
			}
			f.check(t, u, azCase{method: "GET", path: "/intake", want: want})
		},
		// The intake's other steps read and write through the same
		// authorising store as everything else (TestIntakeOtherOrg);
		// sign-in has its own test (TestSignIn).
		"POST /intake":               nil,
		"GET /intake/{id}/{step}":    nil,
		"POST /intake/{id}/{step}":   nil,
		"POST /intake/{id}/evidence": nil,
		"GET /login":                 nil,
		"POST /login":                nil,
		"POST /logout":               nil,
	}
}

// TestAuthorisationMatrix runs every route × every user against records
// of every level, clear and sealed, owned, hidden and shared.
func TestAuthorisationMatrix(t *testing.T) {
	f := newAzFixture(t)
	routes := azRoutes()
	patterns := f.srv.Routes()
	for _, p := range patterns {
		if _, ok := routes[p]; !ok {
			t.Errorf("route %q has no entry in the authorisation matrix", p)
		}
	}
	for p := range routes {
		if !slices.Contains(patterns, p) {
			t.Errorf("matrix entry %q is no route", p)
		}
	}
	sort.Strings(patterns)
	for _, p := range patterns {
		fn := routes[p]
		if fn == nil {
			continue
		}
		t.Run(p, func(t *testing.T) {
			for _, u := range f.users {
				fn(t, f, u)
			}
		})
	}
	// Admins list their organisation's disclosures, and only those.
	_, body := f.do(f.byName["admin-a"], "GET", "/api/v1/disclosures", "")
	var ds struct {
		Disclosures []struct{ User, Org, Purpose string }
	}
	json.Unmarshal([]byte(body), &ds)
	users := map[string]bool{}
	for _, d := range ds.Disclosures {
		users[d.User] = true
		if d.Org != orgOwn || d.Purpose != "matrix check" {
			t.Errorf("admin of %s lists %+v", orgOwn, d)
		}
	}
	for _, want := range []string{"admin-a", "documenter-a", "legal-a"} {
		if !users[want] {
			t.Errorf("disclosures by %s not listed: %v", want, users)
		}
	}
	if _, body := f.do(f.byName["admin-a"], "GET", "/admin/disclosures", ""); !strings.Contains(body, "matrix check") {
		t.Errorf("disclosures page lists nothing")
	}
	// No protected value reaches a log line or an error body.
	secret := regexp.MustCompile(`zqsecret|1961-03-05`)
	if m := secret.FindString(f.logs.String()); m != "" {
		t.Errorf("log carries a protected value: %s", around(f.logs.String(), m))
	}
	for _, b := range f.errBodies {
		if m := secret.FindString(b); m != "" {
			t.Errorf("error body carries a protected value: %s", around(b, m))
		}
	}
	if len(f.errBodies) == 0 {
		t.Errorf("no refusals: the matrix proves nothing")
	}
}

// TestSharingLifecycle: sharing opens a record to a partner, unsharing
// (a tombstone of the share) closes it again, and the history keeps both.
func TestSharingLifecycle(t *testing.T) {
	f := newAzFixture(t)
	tg := f.person(sillok.LevelInternal, false)
	b := f.byName["documenter-b"]
	path := "/api/v1/records/" + string(tg.rec.ID)
	if status, _ := f.do(b, "GET", path, ""); status != 404 {
		t.Fatalf("before sharing: %d", status)
	}
	// A documenter may not share, a legal officer may.
	if status, _ := f.do(f.byName["documenter-a"], "POST", path+"/shares", `{"with":"org-b"}`); status != 403 {
		t.Errorf("documenter shares: %d", status)
	}
	status, body := f.do(f.byName["legal-a"], "POST", path+"/shares", `{"with":"org-b"}`)
	if status != 201 {
		t.Fatalf("share: %d %s", status, body)
	}
	var sh struct {
		ID  sillok.ID `json:"id"`
		Org string    `json:"org"`
	}
	if err := json.Unmarshal([]byte(body), &sh); err != nil || sh.Org != orgOwn {
		t.Fatalf("share record %s: %v", body, err)
	}
	if status, body := f.do(b, "GET", path, ""); status != 200 || !strings.Contains(body, tg.secret) {
		t.Errorf("shared, documenter of org-b: %d", status)
	}
	if status, _ := f.do(b, "PUT", path, fmt.Sprintf(`{"rev":1,"body":%s}`, personJSON("x"))); status != 403 {
		t.Errorf("partner updates: %d", status)
	}
	if status, _ := f.do(b, "GET", "/api/v1/records/"+string(sh.ID), ""); status != 404 {
		t.Errorf("partner reads the share record: %d", status)
	}
	// The web form unshares.
	if status, body := f.do(f.byName["admin-a"], "POST", "/records/"+string(tg.rec.ID)+"/sharing",
		url.Values{"op": {"unshare"}, "share": {string(sh.ID)}, "rev": {"1"}}.Encode()); status != 303 {
		t.Fatalf("unshare: %d %s", status, body)
	}
	if status, _ := f.do(b, "GET", path, ""); status != 404 {
		t.Errorf("after unsharing: %d", status)
	}
	if status, body := f.do(f.byName["admin-a"], "GET", "/api/v1/records/"+string(sh.ID)+"/history", ""); status != 200 || !strings.Contains(body, `"tombstone":true`) {
		t.Errorf("share history: %d %s", status, body)
	}
	// Record pages offer sharing and opening a sealed identity to whom
	// may do it.
	sealed := f.sealed[sillok.LevelInternal].rec.ID
	for _, c := range []struct {
		user            string
		share, disclose bool
	}{{"admin-a", true, true}, {"legal-a", true, true}, {"documenter-a", false, true}, {"analyst-a", false, false}, {"viewer-c", false, false}} {
		_, page := f.do(f.byName[c.user], "GET", "/records/"+string(sealed), "")
		if strings.Contains(page, "/records/"+string(sealed)+"/sharing") != c.share || strings.Contains(page, "/records/"+string(sealed)+"/disclose") != c.disclose {
			t.Errorf("record page as %s: sharing offered %v, disclosure offered %v", c.user, !c.share, !c.disclose)
		}
	}
}

// TestIntakeOtherOrg: the intake's steps read and write through the
// authorising store: another organisation's testimony is missing to its
// documenters, and a partner it is shared with reads it but cannot write.
func TestIntakeOtherOrg(t *testing.T) {
	f := newAzFixture(t)
	who := f.clear[sillok.LevelInternal].rec
	src := &sillok.Record{Level: sillok.LevelInternal, Body: &sillok.Source{Type: "testimony", Interviewee: who.ID, Interviewer: "zqsecretinterviewer"}}
	f.create(src)
	f.share(src) // with org-c
	path := "/intake/" + string(src.ID) + "/circumstances"
	missing := "/intake/" + string(missingID(src.ID)) + "/circumstances"
	post := url.Values{"interviewer": {"someone"}, "date": {"2020"}, "rev": {"1"}}.Encode()
	for _, c := range []struct {
		user              string
		getWant, postWant int
	}{
		{"documenter-a", 200, http.StatusSeeOther},
		{"documenter-b", 404, 404},
		{"documenter-c", 200, 403},
	} {
		u := f.byName[c.user]
		status, body := f.do(u, "GET", path, "")
		if status != c.getWant {
			t.Errorf("GET as %s: %d, want %d", c.user, status, c.getWant)
		}
		if status == 404 {
			if _, mbody := f.do(u, "GET", missing, ""); strings.ReplaceAll(body, string(src.ID), "ID") != strings.ReplaceAll(mbody, string(missingID(src.ID)), "ID") {
				t.Errorf("as %s: hidden testimony answered unlike a missing one", c.user)
			}
		}
		if c.user == "documenter-a" {
			continue // writes last
		}
		if status, _ := f.do(u, "POST", path, post); status != c.postWant {
			t.Errorf("POST as %s: %d, want %d", c.user, status, c.postWant)
		}
	}
	if cur, err := f.st.Get(f.ctx, src.ID); err != nil || cur.Rev != 1 {
		t.Fatalf("testimony changed by another organisation: %v %v", cur, err)
	}
	if status, body := f.do(f.byName["documenter-a"], "POST", path, post); status != http.StatusSeeOther {
		t.Errorf("POST by the owner: %d %.300s", status, body)
	}
	if strings.Contains(f.logs.String(), "zqsecret") {
		t.Errorf("log carries a protected value")
	}
}

// BenchmarkAuthzList lists persons through the authorising store: as the
// owner (every record visible) and as another organisation (every record
// read and refused).
func BenchmarkAuthzList(b *testing.B) {
	f := newAzFixture(b)
	n := 1000 // $SILLOK_BENCH_PEOPLE persons, hidden from another organisation
	if v, err := strconv.Atoi(os.Getenv("SILLOK_BENCH_PEOPLE")); err == nil {
		n = v
	}
	for i := range n {
		f.create(&sillok.Record{Level: sillok.LevelInternal, Body: &sillok.Person{Names: []sillok.Name{{Value: fmt.Sprint("bench ", i)}}}})
	}
	b.Run("operator", func(b *testing.B) {
		// The same listing without accounts, for comparison.
		h := sillokhttp.NewServer(f.st, sillokhttp.Options{Actor: fixtureActor})
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/persons?limit=100", nil))
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	})
	for _, name := range []string{"analyst-a", "analyst-b"} {
		b.Run(name, func(b *testing.B) {
			u := f.byName[name]
			for b.Loop() {
				if status, _ := f.do(u, "GET", "/api/v1/persons?limit=100", ""); status != 200 {
					b.Fatal(status)
				}
			}
		})
	}
}

// TestLinkedThroughHidden: a deep walk of linked records does not pass
// through a record the user may not see.
func TestLinkedThroughHidden(t *testing.T) {
	f := newAzFixture(t)
	far := &sillok.Record{Level: sillok.LevelPublic, Body: &sillok.Person{Names: []sillok.Name{{Value: "public person"}}}}
	f.create(far)
	hidden := &sillok.Record{Level: sillok.LevelInternal, Body: &sillok.Act{Event: f.event.ID, Victim: far.ID, Type: "beating"}}
	f.create(hidden) // not shared
	for _, c := range []struct {
		user string
		want bool
	}{{"analyst-a", true}, {"analyst-b", false}, {"analyst-c", false}} {
		status, body := f.do(f.byName[c.user], "GET", "/api/v1/records/"+string(f.event.ID)+"/linked?depth=2", "")
		if status != 200 || strings.Contains(body, string(far.ID)) != c.want || strings.Contains(body, string(hidden.ID)) != c.want {
			t.Errorf("as %s: %d, reaches %s = %v", c.user, status, far.ID, !c.want)
		}
		// One step from the person itself is another matter: visible
		// to all, its hidden act is left out.
		_, body = f.do(f.byName[c.user], "GET", "/api/v1/records/"+string(far.ID)+"/linked", "")
		if strings.Contains(body, string(hidden.ID)) != c.want {
			t.Errorf("as %s: the hidden act linked = %v", c.user, !c.want)
		}
	}
}

// A testimony is shared with a partner only with the witness's consent
// to sharing with that partner.
func TestShareNeedsConsent(t *testing.T) {
	f := newAzFixture(t)
	legal := f.byName["legal-a"]
	tg := f.source(sillok.LevelInternal) // consent: internal, prosecution
	path := "/api/v1/records/" + string(tg.rec.ID) + "/shares"
	if status, body := f.do(legal, "POST", path, `{"with":"org-b"}`); status != 422 || !strings.Contains(body, "consent") {
		t.Errorf("share without consent: %d %s", status, body)
	}
	src := *tg.rec.Body.(*sillok.Source)
	c := *src.Consent
	c.Uses, c.Partners = append(c.Uses, sillok.UsePartners), []string{"org-b"}
	src.Consent = &c
	if _, err := f.st.Update(f.ctx, fixtureActor, tg.rec.ID, 1, &src, "partners consented"); err != nil {
		t.Fatal(err)
	}
	if status, body := f.do(legal, "POST", path, `{"with":"org-b"}`); status != 201 {
		t.Errorf("share with consent: %d %s", status, body)
	}
	if status, body := f.do(legal, "POST", path, `{"with":"org-d"}`); status != 422 {
		t.Errorf("share with a partner not named in the consent: %d %s", status, body)
	}
}

// reviewStatus: only admins and documenters decide linkage pairs.
func reviewStatus(u azUser, ok int) int {
	if u.role == auth.RoleAdmin || u.role == auth.RoleDocumenter {
		return ok
	}
	return http.StatusForbidden
}
