package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/auth"
	"github.com/sillok/sillok/fulltext"
)

// Authorisation. With Options.Accounts the server's store is an
// authzStore: every read and write of a record, from the API and from
// every web page, asks auth.Decide for the user the request carries in its
// context. The pages and handlers need no checks of their own, and a page
// added later cannot forget one: a request without a user sees nothing.
//
//   - A record the user may not see is answered exactly as a record that
//     does not exist (the store's own "record … : not found"), by every
//     method: Get, History, Revision, a reference in a body being written,
//     a listing (left out, and never the ID of a hidden record as the next
//     page's cursor).
//   - A record the user sees but may not change: auth.ErrForbidden (403).
//   - Reads without Decision.Identities are redacted (redactBody).
//   - Shares (sillok.Share records) give auth.Meta its SharedWith and
//     Named; writing one is auth.ActionShare on the shared record. A share
//     belongs to the shared record's owner, at level internal. Each
//     request reads the shares naming its user's organisation or its user
//     (two attribute lookups), whatever it touches.
//   - Statistics, the map and the thesaurus labels are computed and cached
//     per user, so they count only what the user may see.
//
// What a user still learns about records they cannot see: a visible
// record's body names the IDs it refers to (pages show a hidden record's
// bare ID, as they do a missing one's); a search by a name kept in clear
// (public and internal persons) finds the person, shown by pseudonym, for
// users without identities, while blind-indexed names (confidential,
// strict) are confirmed against the record as the user reads it and find
// nothing; creating a record with a chosen ID a hidden record has fails
// as a conflict. Free text of events and acts (titles, descriptions) is
// not redacted: it must not name protected persons. A listing reads
// through the hidden records it skips (BenchmarkAuthzList).

// ctxKey keys the request's access in its context.
type ctxKey struct{}

// access is who makes a request and what has been shared with them,
// loaded once per request.
type access struct {
	user *auth.User
	once sync.Once
	err  error
	// shared: records shared with the user's organisation; named: records
	// whose shares name the user; each with the organisation the share
	// belongs to, which must be the record's owner.
	shared, named map[sillok.ID]string
}

// withUser returns ctx carrying u (the signed-in user) for the store.
func withUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, ctxKey{}, &access{user: &auth.User{Name: u.Name, Org: u.Org, Role: auth.Role(u.Role)}})
}

func accessOf(ctx context.Context) *access {
	a, _ := ctx.Value(ctxKey{}).(*access)
	return a
}

// load reads the shares that concern the user: two attribute lookups per
// request, whatever the request touches.
func (a *access) load(ctx context.Context, st sillok.Reader) error {
	a.once.Do(func() {
		a.shared, a.named = map[sillok.ID]string{}, map[sillok.ID]string{}
		for _, q := range []struct {
			attr sillok.Attr
			into map[sillok.ID]string
		}{{sillok.Attr{Key: "with", Value: a.user.Org}, a.shared}, {sillok.Attr{Key: "named", Value: a.user.Name}, a.named}} {
			err := sillok.Each(ctx, st, sillok.Filter{Kind: sillok.KindShare, Attrs: []sillok.Attr{q.attr}}, func(r *sillok.Record) error {
				sh := r.Body.(*sillok.Share)
				q.into[sh.Record] = r.Org
				return nil
			})
			if err != nil {
				a.err = fmt.Errorf("read shares: %w", err)
				return
			}
		}
	})
	return a.err
}

// meta is what the policy needs about a record, as far as it concerns
// this user: Decide only asks whether the user's organisation is among
// the partners and the user among the named.
func (a *access) meta(id sillok.ID, org string, level sillok.Level) *auth.Meta {
	m := &auth.Meta{Org: org, Level: level}
	// Only a share of the record's owner counts (the store cannot hold
	// another through this server, but an import could).
	if o, ok := a.shared[id]; ok && o == org {
		m.SharedWith = []string{a.user.Org}
	}
	if o, ok := a.named[id]; ok && o == org {
		m.Named = []string{a.user.Name}
	}
	return m
}

// notFound is the store's answer for a missing record, word for word.
func notFound(id sillok.ID) error { return fmt.Errorf("record %s: %w", id, sillok.ErrNotFound) }

// authzStore is a store as one user may use it.
type authzStore struct{ st sillok.Store }

// rawStore is the store behind the authorisation, for background jobs
// that serve every user (their results are filtered per request).
func (s *Server) rawStore() sillok.Store {
	if a, ok := s.store.(authzStore); ok {
		return a.st
	}
	return s.store
}

var _ sillok.Store = authzStore{}

// decide asks the policy about rec for the request's user. Without one
// (a request that did not sign in, a background job with no user) nothing
// is allowed.
func (s authzStore) decide(ctx context.Context, a auth.Action, id sillok.ID, org string, level sillok.Level) (auth.Decision, error) {
	ac := accessOf(ctx)
	if ac == nil {
		return auth.Decision{Effect: auth.Unauthenticated}, nil
	}
	if err := ac.load(ctx, s.st); err != nil {
		return auth.Decision{}, err
	}
	return auth.Decide(ac.user, a, ac.meta(id, org, level)), nil
}

// read returns rec as the user may see it, or nil when they may not see
// it at all.
func (s authzStore) read(ctx context.Context, rec *sillok.Record) (*sillok.Record, error) {
	d, err := s.decide(ctx, auth.ActionRead, rec.ID, rec.Org, rec.Level)
	if err != nil || d.Effect != auth.Allow {
		return nil, err
	}
	if d.Identities {
		return rec, nil
	}
	c := *rec
	c.Body = redactBody(rec.Body)
	return &c, nil
}

func (s authzStore) Get(ctx context.Context, id sillok.ID) (*sillok.Record, error) {
	rec, err := s.st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec, err = s.read(ctx, rec); err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, notFound(id)
	}
	return rec, nil
}

func (s authzStore) filter(ctx context.Context, recs []*sillok.Record) ([]*sillok.Record, error) {
	out := recs[:0:0]
	for _, r := range recs {
		v, err := s.read(ctx, r)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}

func (s authzStore) GetMany(ctx context.Context, ids []sillok.ID) ([]*sillok.Record, error) {
	recs, err := s.st.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.filter(ctx, recs)
}

// visible checks that the user may see record id; a record they may not
// see gives the error missing gives.
func (s authzStore) visible(ctx context.Context, id sillok.ID, missing error) (auth.Decision, error) {
	rec, err := s.st.Get(ctx, id)
	if err != nil {
		return auth.Decision{}, err
	}
	d, err := s.decide(ctx, auth.ActionRead, rec.ID, rec.Org, rec.Level)
	if err != nil {
		return d, err
	}
	if d.Effect != auth.Allow {
		return d, missing
	}
	return d, nil
}

func (s authzStore) Revision(ctx context.Context, id sillok.ID, rev int) (*sillok.Revision, error) {
	missing := fmt.Errorf("record %s revision %d: %w", id, rev, sillok.ErrNotFound)
	d, err := s.visible(ctx, id, missing)
	if errors.Is(err, sillok.ErrNotFound) {
		return nil, missing
	}
	if err != nil {
		return nil, err
	}
	v, err := s.st.Revision(ctx, id, rev)
	if err != nil {
		return nil, err
	}
	return redactRevision(v, d.Identities), nil
}

func (s authzStore) History(ctx context.Context, id sillok.ID) ([]*sillok.Revision, error) {
	d, err := s.visible(ctx, id, notFound(id))
	if err != nil {
		return nil, err
	}
	h, err := s.st.History(ctx, id)
	if err != nil {
		return nil, err
	}
	for i, v := range h {
		h[i] = redactRevision(v, d.Identities)
	}
	return h, nil
}

// List returns the visible records of f, a page at a time. It reads on
// past hidden records until the page is full, and its cursor is the last
// record returned, so that no hidden ID leaks as a cursor. A listing
// through many hidden records costs their reading; the org filter
// narrows it.
func (s authzStore) List(ctx context.Context, f sillok.Filter) (*sillok.Page, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 10000)
	out := &sillok.Page{}
	for {
		f.Limit = limit
		p, err := s.st.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for i, r := range p.Records {
			v, err := s.read(ctx, r)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue
			}
			out.Records = append(out.Records, v)
			if len(out.Records) == limit {
				if i < len(p.Records)-1 || p.Next != "" {
					out.Next = v.ID
				}
				return out, nil
			}
		}
		if p.Next == "" {
			return out, nil
		}
		f.After = p.Next
	}
}

// Linked returns the visible records linked to a visible id. Deeper than
// one step it walks one step at a time through visible records only, so
// that a hidden record does not connect what it links (a query per
// record on the way: deep walks are for the API, pages go one step).
func (s authzStore) Linked(ctx context.Context, id sillok.ID, depth, limit int) ([]*sillok.Record, error) {
	if _, err := s.visible(ctx, id, notFound(id)); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 10000
	}
	seen := map[sillok.ID]bool{id: true}
	var out []*sillok.Record
	frontier := []sillok.ID{id}
	for d := 0; d < depth && len(frontier) > 0 && len(out) < limit; d++ {
		var next []sillok.ID
		for _, n := range frontier {
			recs, err := s.st.Linked(ctx, n, 1, limit)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				if seen[r.ID] {
					continue
				}
				seen[r.ID] = true
				v, err := s.read(ctx, r)
				if err != nil {
					return nil, err
				}
				if v != nil {
					out = append(out, v)
					next = append(next, v.ID)
				}
			}
		}
		frontier = next
	}
	slices.SortFunc(out, func(a, b *sillok.Record) int { return strings.Compare(string(a.ID), string(b.ID)) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s authzStore) Revisions(ctx context.Context, fn func(*sillok.Revision) error) error {
	return s.st.Revisions(ctx, func(v *sillok.Revision) error {
		d, err := s.decide(ctx, auth.ActionRead, v.ID, v.Org, v.Level)
		if err != nil {
			return err
		}
		if d.Effect != auth.Allow {
			return nil
		}
		return fn(redactRevision(v, d.Identities))
	})
}

func (s authzStore) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	return s.Batch(ctx, func(tx sillok.Tx) error { return tx.Create(ctx, actor, r) })
}

func (s authzStore) Update(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, body sillok.Body, note string) (rec *sillok.Record, err error) {
	err = s.Batch(ctx, func(tx sillok.Tx) error {
		rec, err = tx.Update(ctx, actor, id, baseRev, body, note)
		return err
	})
	return rec, err
}

func (s authzStore) Delete(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, note string) (rec *sillok.Record, err error) {
	err = s.Batch(ctx, func(tx sillok.Tx) error {
		rec, err = tx.Delete(ctx, actor, id, baseRev, note)
		return err
	})
	return rec, err
}

func (s authzStore) Batch(ctx context.Context, fn func(tx sillok.Tx) error) error {
	return s.st.Batch(ctx, func(tx sillok.Tx) error { return fn(authzTx{s, tx}) })
}

func (s authzStore) Close() error { return s.st.Close() }

// authzTx checks each write of a batch.
type authzTx struct {
	s  authzStore
	tx sillok.Tx
}

func (t authzTx) Get(ctx context.Context, id sillok.ID) (*sillok.Record, error) {
	rec, err := t.tx.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec, err = t.s.read(ctx, rec); err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, notFound(id)
	}
	return rec, nil
}

// allow turns a decision into the error the caller gets.
func allow(d auth.Decision, id sillok.ID) error {
	if d.Effect == auth.NotFound {
		return notFound(id)
	}
	return d.Err()
}

// refs checks that every record body refers to is one the user sees; a
// hidden one is reported as the store reports a missing one.
func (t authzTx) refs(ctx context.Context, id sillok.ID, body sillok.Body) error {
	if body == nil {
		return nil
	}
	for _, ref := range body.Refs() {
		if ref.To == "" {
			continue
		}
		rec, err := t.tx.Get(ctx, ref.To)
		if err != nil {
			continue // the store reports it
		}
		d, err := t.s.decide(ctx, auth.ActionRead, rec.ID, rec.Org, rec.Level)
		if err != nil {
			return err
		}
		if d.Effect == auth.NotFound {
			return &sillok.FieldError{Record: id, Field: ref.Field, Reason: fmt.Sprintf("refers to %s, which does not exist", ref.To)}
		}
	}
	return nil
}

// share checks a share being written: the user must be allowed to share
// the record it points to. It returns that record.
func (t authzTx) share(ctx context.Context, id sillok.ID, body sillok.Body) (*sillok.Record, error) {
	sh, ok := body.(*sillok.Share)
	if !ok || sh.Record == "" {
		return nil, nil // the store rejects the body
	}
	target, err := t.tx.Get(ctx, sh.Record)
	if err != nil {
		return nil, nil // the store reports the missing reference
	}
	d, err := t.s.decide(ctx, auth.ActionShare, target.ID, target.Org, target.Level)
	if err != nil {
		return nil, err
	}
	if d.Effect == auth.NotFound {
		return nil, &sillok.FieldError{Record: id, Field: "record", Reason: fmt.Sprintf("refers to %s, which does not exist", sh.Record)}
	}
	return target, d.Err()
}

func (t authzTx) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	if r.Body != nil && r.Body.Kind() == sillok.KindShare {
		target, err := t.share(ctx, r.ID, r.Body)
		if err != nil {
			return err
		}
		if target != nil {
			// A share belongs to the shared record's owner, whoever
			// of its officers writes it.
			// Its level is internal: it names partners and accounts,
			// which the owner's staff may know and no one else.
			r.Org, r.Level = target.Org, sillok.LevelInternal
		}
	} else {
		// The store's defaults, so that the policy decides on what will
		// be stored.
		if r.Org == "" {
			r.Org = actor.Org
		}
		if r.Level == "" {
			r.Level = sillok.LevelInternal
		}
		d, err := t.s.decide(ctx, auth.ActionCreate, r.ID, r.Org, r.Level)
		if err != nil {
			return err
		}
		if err := d.Err(); err != nil {
			return err
		}
	}
	if r.ID == "" && r.Body != nil {
		// The ID the store would give, so that a refused reference reads
		// as the store's own error would.
		r.ID = sillok.NewID(r.Body.Kind())
	}
	if err := t.refs(ctx, r.ID, r.Body); err != nil {
		return err
	}
	return t.tx.Create(ctx, actor, r)
}

// write checks a change of record id: visible, then allowed (for a share,
// sharing the record it points to).
func (t authzTx) write(ctx context.Context, a auth.Action, id sillok.ID, body sillok.Body) error {
	cur, err := t.tx.Get(ctx, id)
	if err != nil {
		return err
	}
	d, err := t.s.decide(ctx, auth.ActionRead, cur.ID, cur.Org, cur.Level)
	if err != nil {
		return err
	}
	if d.Effect != auth.Allow {
		return allow(d, id)
	}
	if cur.Kind == sillok.KindShare {
		if body == nil {
			body = cur.Body
		}
		target, err := t.share(ctx, id, body)
		if err != nil {
			return err
		}
		if target != nil && target.Org != cur.Org {
			return &sillok.FieldError{Record: id, Field: "record", Reason: "a share cannot move to another organisation's record"}
		}
		return t.refs(ctx, id, body)
	}
	if d, err = t.s.decide(ctx, a, cur.ID, cur.Org, cur.Level); err != nil {
		return err
	}
	if err := allow(d, id); err != nil {
		return err
	}
	return t.refs(ctx, id, body)
}

func (t authzTx) Update(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, body sillok.Body, note string) (*sillok.Record, error) {
	if err := t.write(ctx, auth.ActionUpdate, id, body); err != nil {
		return nil, err
	}
	return t.tx.Update(ctx, actor, id, baseRev, body, note)
}

func (t authzTx) Delete(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, note string) (*sillok.Record, error) {
	if err := t.write(ctx, auth.ActionDelete, id, nil); err != nil {
		return nil, err
	}
	return t.tx.Delete(ctx, actor, id, baseRev, note)
}

// Import is for restoring exports from the command line, never a web
// user.
func (t authzTx) Import(ctx context.Context, rev *sillok.Revision) (bool, error) {
	return false, auth.ErrForbidden
}

// redactBody is what a user without identities (auth.Decision.Identities
// false: analysts, viewers, other organisations reading a public record)
// sees of a body. The same for every level, clear-named internal persons
// (officials, perpetrators) included: the policy, not the level, says who
// sees names. A person keeps what package protect keeps in clear (pseudonym,
// sex, birth year, roles, external IDs); names, exact birth date, origin,
// notes and the sealed part go. A source loses its interviewer, place,
// interpreter, transcript, evidence hashes and sealed part; an evidence
// record its file name and whom it came from; a relationship its
// free-text notes. Other kinds name no one and are shown whole.
func redactBody(b sillok.Body) sillok.Body {
	switch v := b.(type) {
	case *sillok.Person:
		return &sillok.Person{Sex: v.Sex, Birth: birthYear(v.Birth), Roles: v.Roles, ExternalIDs: v.ExternalIDs, Pseudonym: v.Pseudonym}
	case *sillok.Source:
		c := *v
		c.Interviewer, c.Place, c.Interpreter, c.Transcript = "", "", "", sillok.Labels{}
		c.Evidence, c.Sealed = nil, nil
		return &c
	case *sillok.Evidence:
		c := *v
		c.FileName, c.From = "", ""
		return &c
	case *sillok.Relationship:
		c := *v
		c.Notes = ""
		return &c
	}
	return b
}

// birthYear keeps a birth date's year when the date lies within one year.
func birthYear(d sillok.FuzzyDate) sillok.FuzzyDate {
	if d.IsZero() || d.Lo.Year() != d.Hi.Year() {
		return sillok.FuzzyDate{}
	}
	y, err := sillok.ParseDate(fmt.Sprint(d.Lo.Year()))
	if err != nil {
		return sillok.FuzzyDate{}
	}
	return y
}

// redactRevision redacts a stored revision's body. The hash stays that of
// the stored revision: a redacted view is not a revision.
func redactRevision(v *sillok.Revision, identities bool) *sillok.Revision {
	if identities || v.Tombstone || len(v.Body) == 0 {
		return v
	}
	b, err := sillok.DecodeBody(v.Kind, v.Body)
	c := *v
	if err != nil {
		c.Body = json.RawMessage("null") // never show what could not be redacted
		return &c
	}
	if c.Body, err = sillok.EncodeBody(redactBody(b)); err != nil {
		c.Body = json.RawMessage("null")
	}
	return &c
}

// grants are the full-text search's access grants for the request's user,
// the same rules as auth.Decide in SQL: public records and the system's;
// the user's organisation's internal (and, but for viewers, confidential)
// records and those shared with it; strict records the user is named on.
func (s authzStore) grants(ctx context.Context) ([]fulltext.Grant, error) {
	ac := accessOf(ctx)
	if ac == nil {
		return []fulltext.Grant{}, nil
	}
	if err := ac.load(ctx, s.st); err != nil {
		return nil, err
	}
	u := ac.user
	all := []sillok.Level{sillok.LevelPublic, sillok.LevelInternal, sillok.LevelConfidential, sillok.LevelStrict}
	gs := []fulltext.Grant{{Levels: []sillok.Level{sillok.LevelPublic}}, {Org: auth.SystemOrg, Levels: all}}
	member := []sillok.Level{sillok.LevelInternal}
	if u.Role != auth.RoleViewer {
		member = append(member, sillok.LevelConfidential)
	}
	shared := ownedBy(ac.shared)
	gs = append(gs, fulltext.Grant{Org: u.Org, Levels: member}, fulltext.Grant{Levels: member, IDs: shared})
	if u.Role != auth.RoleViewer {
		named := ownedBy(ac.named)
		var namedShared []sillok.ID
		for _, id := range named {
			if _, ok := ac.shared[id]; ok {
				namedShared = append(namedShared, id)
			}
		}
		strict := []sillok.Level{sillok.LevelStrict}
		gs = append(gs, fulltext.Grant{Org: u.Org, Levels: strict, IDs: append([]sillok.ID{}, named...)},
			fulltext.Grant{Levels: strict, IDs: append([]sillok.ID{}, namedShared...)})
	}
	return gs, nil
}

// ownedBy lists the IDs of m in order, never nil (an empty grant grants
// nothing). Hits are checked again by Decide when they are read.
func ownedBy(m map[sillok.ID]string) []sillok.ID {
	ids := slices.Sorted(maps.Keys(m))
	if ids == nil {
		ids = []sillok.ID{}
	}
	return ids
}

// authorised returns r carrying its signed-in user for the store, or the
// error of a request that did not sign in. Without accounts, r as it is.
func (s *Server) authorised(r *http.Request) (*http.Request, error) {
	if s.accounts == nil {
		return r, nil
	}
	u, err := s.web.viewer.Viewer(r)
	if err != nil {
		return nil, &apiError{http.StatusUnauthorized, "unauthenticated", "sign in or send an API token", ""}
	}
	return r.WithContext(withUser(r.Context(), u)), nil
}

// searchAccess limits a search to what the request's user may see.
func (s *Server) searchAccess(ctx context.Context, req *fulltext.Request) error {
	as, ok := s.store.(authzStore)
	if !ok {
		return nil
	}
	g, err := as.grants(ctx)
	req.Access = g
	return err
}

// RoleLegal is package auth's legal officer, as the web interface names
// roles.
const RoleLegal Role = "legal"

// Actions of the web interface beyond those of web.go.
const (
	ActionShareRecords    Action = "share"       // share and unshare records
	ActionListDisclosures Action = "disclosures" // list disclosures of identities
)

// accountsPolicy is what the web interface offers each role when users
// sign in (Options.Accounts without Options.Policy). It only decides what
// is offered: every record read or written is decided by auth.Decide.
func accountsPolicy(u User, a Action) bool {
	switch a {
	case ActionIntake:
		return u.Role == RoleAdmin || u.Role == RoleDocumenter
	case ActionSeeIdentities:
		return u.Role == RoleAdmin || u.Role == RoleDocumenter || u.Role == RoleLegal
	case ActionUnpublished:
		return u.Role != RoleViewer
	case ActionShareRecords:
		return u.Role == RoleAdmin || u.Role == RoleLegal
	case ActionListDisclosures:
		return u.Role == RoleAdmin
	case ActionReview:
		// A decision is a new link record: only those who may create
		// records (auth.Decide) decide; analysts read the queue through
		// the CLI's reports.
		return u.Role == RoleAdmin || u.Role == RoleDocumenter
	}
	return false
}

// userKey names the request's user for per-user caches; "" without
// accounts.
func userKey(ctx context.Context) string {
	a := accessOf(ctx)
	if a == nil {
		return ""
	}
	return a.user.Org + "\x00" + string(a.user.Role) + "\x00" + a.user.Name
}
