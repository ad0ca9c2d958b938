package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/fulltext"
)

// browseKinds are the kinds with a browse page, in menu order, with the
// attribute filters each list offers (attribute key → thesaurus; "" for a
// fixed set of values).
var browseKinds = []struct {
	Path    string
	Kind    sillok.Kind
	Filters []browseFilter
}{
	{"persons", sillok.KindPerson, []browseFilter{{"sex", ""}, {"role", "person_role"}}},
	{"units", sillok.KindUnit, []browseFilter{{"unit_type", "unit_type"}}},
	{"locations", sillok.KindLocation, []browseFilter{{"location_type", "location_type"}}},
	{"events", sillok.KindEvent, nil},
	{"acts", sillok.KindAct, []browseFilter{{"act_type", "act_type"}, {"status", "victim_status"}}},
	{"sources", sillok.KindSource, []browseFilter{{"source_type", "source_type"}}},
}

type browseFilter struct {
	Attr      string
	Thesaurus string
}

// displayName is the name a user sees for a record. For persons it is the
// one place that decides between the real name and a pseudonym: a user
// without need-to-know sees a pseudonym derived from the record ID.
func displayName(p *page, terms map[string]*sillok.Term, r *sillok.Record) string {
	switch b := r.Body.(type) {
	case *sillok.Person:
		// No names: the store withheld them (accounts: the policy said no
		// identities) or they are sealed.
		if !p.web.policy(p.User, ActionSeeIdentities) || len(b.Names) == 0 {
			if b.Pseudonym != "" {
				return b.Pseudonym
			}
			return pseudonym(p, r.ID)
		}
		return b.Label()
	case *sillok.Event:
		return b.Title.Get(p.Lang)
	case *sillok.Source:
		if l := b.Title.Get(p.Lang); l != "" {
			return l
		}
		return termLabel(terms, "source_type", b.Type, p.Lang)
	case *sillok.Act:
		return termLabel(terms, "act_type", b.Type, p.Lang)
	case *sillok.Involvement:
		return termLabel(terms, "involvement_degree", b.Degree, p.Lang)
	case *sillok.Information:
		return termLabel(terms, "source_connection", b.Connection, p.Lang)
	case *sillok.Relationship:
		return termLabel(terms, "relationship_type", b.Type, p.Lang)
	case *sillok.Term:
		return b.Labels.Get(p.Lang)
	}
	if l := r.Body.Label(); l != "" {
		return l
	}
	return string(r.ID)
}

// pseudonym is a stable stand-in for a protected person's name: the kind
// and the tail of the ID, which carries no identity.
func pseudonym(p *page, id sillok.ID) string {
	s := string(id)
	if len(s) > 6 {
		s = s[len(s)-6:]
	}
	return p.T("person.pseudonym", strings.ToUpper(s))
}

func kindPath(k sillok.Kind) string {
	for _, b := range browseKinds {
		if b.Kind == k {
			return b.Path
		}
	}
	return ""
}

type homeData struct {
	Kinds []navKind
}

type navKind struct {
	Path, Label string
}

func (s *Server) navKinds(p *page) []navKind {
	var ks []navKind
	for _, b := range browseKinds {
		ks = append(ks, navKind{b.Path, p.T("kinds." + b.Path)})
	}
	return ks
}

func (s *Server) home(ctx context.Context, p *page) (string, error) {
	p.Title = p.T("home.title")
	p.Nav = "home"
	p.Data = homeData{Kinds: s.navKinds(p)}
	return "home", nil
}

// row is one record in a list.
type row struct {
	ID      sillok.ID
	Label   string
	Details []string
	Deleted bool
}

type browseData struct {
	Path    string
	Kind    sillok.Kind
	Filters []filterView
	Rows    []row
	Next    string
	Org     string
}

type filterView struct {
	Attr    string
	Label   string
	Value   string
	Options []option
}

type option struct {
	Value, Label string
	Depth        int
}

const browsePageSize = 50

func (s *Server) browse(ctx context.Context, p *page) (string, error) {
	path := p.req.PathValue("kinds")
	i := -1
	for j, b := range browseKinds {
		if b.Path == path {
			i = j
		}
	}
	if i < 0 {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	bk := browseKinds[i]
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	q := p.req.URL.Query()
	f := sillok.Filter{Kind: bk.Kind, Limit: browsePageSize, After: sillok.ID(q.Get("after")), Org: q.Get("org")}
	d := browseData{Path: path, Kind: bk.Kind, Org: f.Org}
	// A thesaurus filter matches the term's narrower terms too: each
	// combination of codes is one listing, merged below.
	combos := [][]sillok.Attr{nil}
	for _, bf := range bk.Filters {
		v := q.Get(bf.Attr)
		fv := filterView{Attr: bf.Attr, Label: p.T("attr." + bf.Attr), Value: v}
		if bf.Thesaurus == "" {
			for _, sx := range []string{"female", "male", "other"} {
				fv.Options = append(fv.Options, option{sx, p.T("sex." + sx), 0})
			}
		} else {
			for _, t := range thesaurusTerms(terms, bf.Thesaurus) {
				fv.Options = append(fv.Options, option{t.Code, t.Labels.Get(p.Lang), t.Depth})
			}
		}
		d.Filters = append(d.Filters, fv)
		if v == "" {
			continue
		}
		codes := []string{v}
		if bf.Thesaurus != "" {
			codes = narrower(terms, bf.Thesaurus, v)
		}
		var next [][]sillok.Attr
		for _, c := range combos {
			for _, code := range codes {
				next = append(next, append(append([]sillok.Attr(nil), c...), sillok.Attr{Key: bf.Attr, Value: code}))
			}
		}
		if len(next) > 64 {
			return "", &webError{http.StatusBadRequest, "error.bad_request"}
		}
		combos = next
	}
	pg, err := listMerged(ctx, s.store, f, combos)
	if err != nil {
		return "", fmt.Errorf("list %s: %w", path, err)
	}
	refs := newRefCache(s.store, p, terms)
	for _, r := range pg.Records {
		d.Rows = append(d.Rows, row{ID: r.ID, Label: displayName(p, terms, r), Details: s.details(ctx, p, terms, refs, r)})
	}
	if pg.Next != "" {
		d.Next = withParam(p.req.URL, "after", string(pg.Next))
	}
	p.Title = p.T("kinds." + path)
	p.Nav = path
	p.Data = d
	return "browse", nil
}

// narrower returns code and the codes of every term under it.
func narrower(terms map[string]*sillok.Term, thesaurus, code string) []string {
	out := []string{code}
	for _, t := range thesaurusTerms(terms, thesaurus) {
		path := termPath(terms, thesaurus, t.Code)
		for _, c := range path[:len(path)-1] {
			if c == code {
				out = append(out, t.Code)
				break
			}
		}
	}
	return out
}

// listMerged lists the records matching f with any one of the attribute
// sets, a page in ID order: each set is listed from f.After and the
// smallest IDs kept, so that paging by the last ID shown stays exact.
func listMerged(ctx context.Context, st sillok.Reader, f sillok.Filter, sets [][]sillok.Attr) (*sillok.Page, error) {
	if len(sets) == 1 {
		f.Attrs = sets[0]
		return st.List(ctx, f)
	}
	seen := map[sillok.ID]bool{}
	var all []*sillok.Record
	more := false
	for _, attrs := range sets {
		g := f
		g.Attrs = attrs
		pg, err := st.List(ctx, g)
		if err != nil {
			return nil, err
		}
		more = more || pg.Next != ""
		for _, r := range pg.Records {
			if !seen[r.ID] {
				seen[r.ID] = true
				all = append(all, r)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	out := &sillok.Page{Records: all}
	if len(all) > f.Limit || len(all) == f.Limit && more {
		out.Records = all[:f.Limit]
		out.Next = all[f.Limit-1].ID
	}
	return out, nil
}

// details are the short facts a list shows next to a record's name.
func (s *Server) details(ctx context.Context, p *page, terms map[string]*sillok.Term, refs *refCache, r *sillok.Record) []string {
	var ds []string
	add := func(v string) {
		if v != "" {
			ds = append(ds, v)
		}
	}
	switch b := r.Body.(type) {
	case *sillok.Person:
		if b.Sex != "" {
			add(p.T("sex." + string(b.Sex)))
		}
		for _, ro := range b.Roles {
			add(termLabel(terms, "person_role", ro.Role, p.Lang))
		}
	case *sillok.Unit:
		add(termLabel(terms, "unit_type", b.Type, p.Lang))
	case *sillok.Location:
		add(termLabel(terms, "location_type", b.Type, p.Lang))
	case *sillok.Event:
		add(b.Date.String())
		if b.Location != "" {
			add(refs.label(ctx, b.Location))
		}
	case *sillok.Act:
		add(b.Date.String())
		add(refs.label(ctx, b.Victim))
	case *sillok.Source:
		add(b.Date.String())
		add(b.Place)
	case *sillok.Involvement:
		add(refs.label(ctx, b.Perpetrator))
	case *sillok.Information:
		add(refs.label(ctx, b.Source))
	case *sillok.Relationship:
		add(refs.label(ctx, b.From) + " → " + refs.label(ctx, b.To))
	}
	add(r.Org)
	return ds
}

// refCache resolves referenced records' labels once per request.
type refCache struct {
	st     sillok.Reader
	p      *page
	terms  map[string]*sillok.Term
	labels map[sillok.ID]string
}

func newRefCache(st sillok.Reader, p *page, terms map[string]*sillok.Term) *refCache {
	return &refCache{st, p, terms, map[sillok.ID]string{}}
}

func (c *refCache) label(ctx context.Context, id sillok.ID) string {
	if l, ok := c.labels[id]; ok {
		return l
	}
	l := string(id)
	if r, err := c.st.Get(ctx, id); err == nil {
		l = displayName(c.p, c.terms, r)
	}
	c.labels[id] = l
	return l
}

// field is one labelled fact of a record page.
type field struct {
	Key    string // the JSON field, to match the sources behind it
	Label  string
	Values []value
}

type value struct {
	Text string
	Href string
	Long bool // a transcript or description: shown as a block
}

type sourceView struct {
	Info        sillok.ID
	Source      sillok.ID
	SourceLabel string
	Field       string
	Connection  string
	Reliability string
}

type historyView struct {
	Rev       int
	Time      string
	Actor     string
	Org       string
	Note      string
	Tombstone bool
}

type recordData struct {
	Record  *sillok.Record
	Name    string
	Kind    string
	Fields  []field
	Linked  []linkedGroup
	Sources []sourceView
	History []historyView
	Consent *consentView // sources only
	// Custody lists the custody-log events (nil: no custody log).
	Custody    []custodyView
	HasCustody bool
}

type linkedGroup struct {
	Kind   string
	Rows   []row
	More   int  // records of this kind not shown
	Capped bool // the store returned its limit: there may be more still
}

// Record pages show at most linkedShown records per kind (a facility is
// linked to thousands of acts) out of linkedLimit fetched.
const (
	linkedShown = 50
	linkedLimit = 1000
)

func (s *Server) record(ctx context.Context, p *page) (string, error) {
	id := sillok.ID(p.req.PathValue("id"))
	if !sillok.KindOf(id).Valid() {
		return "", &webError{http.StatusNotFound, "error.not_found"}
	}
	r, err := s.store.Get(ctx, id)
	if err != nil {
		return "", err
	}
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	refs := newRefCache(s.store, p, terms)
	d := recordData{Record: r, Name: displayName(p, terms, r), Kind: p.T("kind." + string(r.Kind))}
	d.Fields = s.fields(ctx, p, terms, refs, r)
	if src, ok := r.Body.(*sillok.Source); ok {
		d.Consent = consentOf(p, terms, r, src)
	}
	linked, err := s.store.Linked(ctx, id, 1, linkedLimit)
	if err != nil {
		return "", fmt.Errorf("linked records of %s: %w", id, err)
	}
	groups := map[sillok.Kind]*linkedGroup{}
	for _, lr := range linked {
		if lr.ID == id {
			continue
		}
		if in, ok := lr.Body.(*sillok.Information); ok && in.Subject == id {
			d.Sources = append(d.Sources, sourceView{Info: lr.ID, Source: in.Source, SourceLabel: refs.label(ctx, in.Source),
				Field: in.Field, Connection: termLabel(terms, "source_connection", in.Connection, p.Lang),
				Reliability: termLabel(terms, "reliability", in.Reliability, p.Lang)})
		}
		g := groups[lr.Kind]
		if g == nil {
			g = &linkedGroup{Kind: p.T("kind." + string(lr.Kind)), Capped: len(linked) >= linkedLimit}
			groups[lr.Kind] = g
		}
		if len(g.Rows) >= linkedShown {
			g.More++
			continue
		}
		g.Rows = append(g.Rows, row{ID: lr.ID, Label: displayName(p, terms, lr), Details: s.details(ctx, p, terms, refs, lr)})
	}
	for _, k := range sillok.Kinds() {
		if g := groups[k]; g != nil {
			d.Linked = append(d.Linked, *g)
		}
	}
	// Mark the fields a source supports.
	for i := range d.Fields {
		for _, sv := range d.Sources {
			if sv.Field == d.Fields[i].Key {
				d.Fields[i].Values = append(d.Fields[i].Values, value{Text: "[" + sv.SourceLabel + "]", Href: "/records/" + string(sv.Source)})
			}
		}
	}
	hist, err := s.store.History(ctx, id)
	if err != nil {
		return "", fmt.Errorf("history of %s: %w", id, err)
	}
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		d.History = append(d.History, historyView{Rev: h.Rev, Time: h.Time.Format("2006-01-02 15:04 MST"), Actor: h.Actor, Org: h.ActorOrg, Note: h.Note, Tombstone: h.Tombstone})
	}
	if s.web.custody != nil {
		revs := map[string]int{}
		for _, h := range hist {
			revs[h.Hash] = h.Rev
		}
		if d.Custody, err = s.custodyFor(ctx, p, id, revs); err != nil {
			return "", err
		}
		d.HasCustody = true
	}
	p.Title = d.Name
	p.Nav = kindPath(r.Kind)
	p.Data = d
	return "record", nil
}

// fields lays out a record's body for its page, with term labels in the
// page language and references as links.
func (s *Server) fields(ctx context.Context, p *page, terms map[string]*sillok.Term, refs *refCache, r *sillok.Record) []field {
	var fs []field
	text := func(key, v string) {
		if v != "" {
			fs = append(fs, field{Key: key, Label: p.T("field." + key), Values: []value{{Text: v}}})
		}
	}
	long := func(key string, l sillok.Labels) {
		var vs []value
		for _, v := range []string{l.Ko, l.En} {
			if v != "" {
				vs = append(vs, value{Text: v, Long: true})
			}
		}
		if vs != nil {
			fs = append(fs, field{Key: key, Label: p.T("field." + key), Values: vs})
		}
	}
	ref := func(key string, id sillok.ID) {
		if id != "" {
			fs = append(fs, field{Key: key, Label: p.T("field." + key), Values: []value{{Text: refs.label(ctx, id), Href: "/records/" + string(id)}}})
		}
	}
	term := func(key, thesaurus, code string) {
		if code == "" {
			return
		}
		var parts []string
		for _, c := range termPath(terms, thesaurus, code) {
			parts = append(parts, termLabel(terms, thesaurus, c, p.Lang))
		}
		text(key, strings.Join(parts, " › "))
	}
	date := func(key string, d sillok.FuzzyDate) { text(key, d.String()) }
	period := func(key string, from, to sillok.FuzzyDate) string {
		if from.IsZero() && to.IsZero() {
			return ""
		}
		return from.String() + " – " + to.String()
	}
	names := func(ns []sillok.Name) {
		var vs []value
		for _, n := range ns {
			v := n.Value
			var tags []string
			for _, t := range []string{n.Type, n.Lang, n.System} {
				if t != "" {
					tags = append(tags, t)
				}
			}
			if len(tags) > 0 {
				v += " (" + strings.Join(tags, ", ") + ")"
			}
			vs = append(vs, value{Text: v})
		}
		fs = append(fs, field{Key: "names", Label: p.T("field.names"), Values: vs})
	}
	switch b := r.Body.(type) {
	case *sillok.Person:
		if p.web.policy(p.User, ActionSeeIdentities) && len(b.Names) > 0 {
			names(b.Names)
			date("birth", b.Birth)
		} else {
			text("names", displayName(p, terms, r))
		}
		if b.Sex != "" {
			text("sex", p.T("sex."+string(b.Sex)))
		}
		ref("origin", b.Origin)
		text("origin_text", b.OriginText)
		for _, ro := range b.Roles {
			v := termLabel(terms, "person_role", ro.Role, p.Lang)
			if pr := period("", ro.From, ro.To); pr != "" {
				v += " (" + pr + ")"
			}
			text("roles", v)
		}
		text("notes", b.Notes)
		text("external_ids", strings.Join(b.ExternalIDs, ", "))
	case *sillok.Unit:
		names(b.Names)
		term("type", "unit_type", b.Type)
		for _, up := range b.Parents {
			v := value{Text: refs.label(ctx, up.Parent), Href: "/records/" + string(up.Parent)}
			if pr := period("", up.From, up.To); pr != "" {
				v.Text += " (" + pr + ")"
			}
			fs = append(fs, field{Key: "parents", Label: p.T("field.parents"), Values: []value{v}})
		}
		text("notes", b.Notes)
	case *sillok.Position:
		ref("person", b.Person)
		ref("unit", b.Unit)
		text("title", b.Title)
		text("period", period("", b.From, b.To))
		text("notes", b.Notes)
	case *sillok.Location:
		names(b.Names)
		term("type", "location_type", b.Type)
		ref("parent", b.Parent)
		ref("operator", b.Operator)
		if b.Lat != nil && b.Lon != nil {
			text("coordinates", fmt.Sprintf("%.4f, %.4f", *b.Lat, *b.Lon))
		}
		text("notes", b.Notes)
	case *sillok.Event:
		long("title", b.Title)
		long("description", b.Description)
		date("date", b.Date)
		ref("location", b.Location)
		ref("parent", b.Parent)
	case *sillok.Act:
		ref("event", b.Event)
		ref("victim", b.Victim)
		term("type", "act_type", b.Type)
		date("date", b.Date)
		ref("location", b.Location)
		for _, c := range b.Consequences {
			term("consequences", "consequence", c)
		}
		term("status", "victim_status", b.Status)
		long("description", b.Description)
	case *sillok.Involvement:
		ref("act", b.Act)
		ref("perpetrator", b.Perpetrator)
		term("degree", "involvement_degree", b.Degree)
		text("notes", b.Notes)
	case *sillok.Source:
		term("type", "source_type", b.Type)
		long("title", b.Title)
		ref("interviewee", b.Interviewee)
		text("interviewer", b.Interviewer)
		date("date", b.Date)
		text("place", b.Place)
		text("languages", strings.Join(b.Languages, ", "))
		text("interpreter", b.Interpreter)
		long("transcript", b.Transcript)
		for _, h := range b.Evidence {
			text("evidence", h)
		}
	case *sillok.Information:
		ref("source", b.Source)
		ref("subject", b.Subject)
		text("field", b.Field)
		term("connection", "source_connection", b.Connection)
		term("reliability", "reliability", b.Reliability)
		text("notes", b.Notes)
	case *sillok.Relationship:
		ref("from", b.From)
		ref("to", b.To)
		term("type", "relationship_type", b.Type)
		text("period", period("", b.Start, b.End))
		text("notes", b.Notes)
	case *sillok.Term:
		text("thesaurus", b.Thesaurus)
		text("code", b.Code)
		term("parent", b.Thesaurus, b.Parent)
		long("labels", b.Labels)
	case *sillok.Link:
		ref("a", b.A)
		ref("b", b.B)
		text("decision", b.Decision)
		text("method", b.Method)
		text("probability", strconv.FormatFloat(b.Probability, 'f', 3, 64))
		text("notes", b.Note)
	}
	text("org", r.Org)
	text("level", p.T("level."+string(r.Level)))
	return mergeFields(fs)
}

// mergeFields joins consecutive fields with the same key (roles,
// consequences) into one row.
func mergeFields(fs []field) []field {
	var out []field
	for _, f := range fs {
		if n := len(out); n > 0 && out[n-1].Key == f.Key {
			out[n-1].Values = append(out[n-1].Values, f.Values...)
			continue
		}
		out = append(out, f)
	}
	return out
}

type searchData struct {
	Query   string
	Error   string
	Result  *fulltext.Result
	Hits    []hitView
	Facets  []facetView
	Prev    string
	Next    string
	Enabled bool
	From    int
	To      int
}

type hitView struct {
	ID      sillok.ID
	Kind    string
	Label   string
	Snippet []snippetPart
}

type snippetPart struct {
	Text string
	Hit  bool
}

type facetView struct {
	Name   string
	Label  string
	Values []facetValue
}

type facetValue struct {
	Label    string
	Count    int
	Href     string
	Selected bool
}

const searchPageSize = 20

func (s *Server) searchPage(ctx context.Context, p *page) (string, error) {
	p.Title = p.T("search.title")
	p.Nav = "search"
	q := p.req.URL.Query()
	d := searchData{Query: q.Get("q"), Enabled: s.index != nil}
	p.Data = &d
	if s.index == nil || strings.TrimSpace(d.Query) == "" {
		return "search", nil
	}
	req, err := SearchRequest(d.Query, q)
	if err != nil {
		d.Error = err.Error()
		return "search", nil
	}
	req.Limit = searchPageSize
	if !p.web.policy(p.User, ActionSeeIdentities) {
		// Without need-to-know, protected records are neither found nor
		// counted.
		req.Access = []fulltext.Grant{{Levels: []sillok.Level{sillok.LevelPublic, sillok.LevelInternal}}}
	}
	if err := s.searchAccess(ctx, &req); err != nil {
		return "", err
	}
	res, err := s.index.Search(ctx, s.store, req)
	if errors.Is(err, fulltext.ErrQuery) {
		d.Error = p.T("search.bad_query")
		return "search", nil
	}
	if err != nil {
		return "", fmt.Errorf("search: %w", err)
	}
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	d.Result = res
	for _, h := range res.Hits {
		hv := hitView{ID: h.Record.ID, Kind: p.T("kind." + string(h.Record.Kind)), Label: displayName(p, terms, h.Record)}
		// A snippet of a person record is its name: hidden without
		// need-to-know.
		if h.Record.Kind != sillok.KindPerson || p.web.policy(p.User, ActionSeeIdentities) {
			for _, f := range h.Snippet {
				hv.Snippet = append(hv.Snippet, snippetPart{f.Text, f.Hit})
			}
		}
		d.Hits = append(d.Hits, hv)
	}
	for _, name := range []string{"kind", "act_type", "sex", "org"} {
		counts := res.Facets[name]
		if len(counts) == 0 {
			continue
		}
		fv := facetView{Name: name, Label: p.T("facet." + name)}
		for v, n := range counts {
			label := v
			switch name {
			case "kind":
				label = p.T("kind." + v)
			case "act_type":
				label = termLabel(terms, "act_type", v, p.Lang)
			case "sex":
				label = p.T("sex." + v)
			}
			sel := false
			for _, cur := range q[name] {
				sel = sel || cur == v
			}
			href := p.URL(name, v)
			if sel {
				href = p.URL(name, "")
			}
			fv.Values = append(fv.Values, facetValue{Label: label, Count: n, Href: href, Selected: sel})
		}
		sort.Slice(fv.Values, func(i, j int) bool {
			a, b := fv.Values[i], fv.Values[j]
			return a.Count > b.Count || a.Count == b.Count && a.Label < b.Label
		})
		d.Facets = append(d.Facets, fv)
	}
	d.From, d.To = req.Offset+1, req.Offset+len(res.Hits)
	if req.Offset > 0 {
		d.Prev = withParam(p.req.URL, "offset", strconv.Itoa(max(0, req.Offset-searchPageSize)))
	}
	if req.Offset+len(res.Hits) < res.Total {
		d.Next = withParam(p.req.URL, "offset", strconv.Itoa(req.Offset+searchPageSize))
	}
	return "search", nil
}
