package http

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/linkage/personlink"
)

// The linkage review queue: the pairs of person records the model was
// unsure about (personlink.Queue), side by side with what each comparison
// contributed to the match weight, and the reviewer's decision. Decisions
// and undos are personlink.Decide and personlink.Undo, the calls `sillok
// link decide` and `sillok link undo` make: a decision is a revision of the
// pair's link record and an undo another one, so nothing is lost.

func (s *Server) reviewRoutes() {
	m := s.mux
	m.HandleFunc("GET /review", s.page(s.reviewPage))
	m.HandleFunc("POST /review/decide", s.page(s.reviewDecide))
	m.HandleFunc("POST /review/undo", s.page(s.reviewUndo))
}

// queued is one link of the review queue, for ordering.
type queued struct {
	id   sillok.ID
	prob float64
}

// queueCache keeps the review queue in order: at 100,000 people it holds
// tens of thousands of links, too many to read and sort for every page.
// It is refreshed in the background after Options.StatsTTL, and patched at
// once by the decisions and undos made through this server.
type queueCache struct {
	mu     sync.Mutex
	items  []queued         // never changed in place: replaced
	recent []*sillok.Record // reviewers' decisions, newest first, at most recentShown
	at     time.Time
	gen    int // counts patches
	busy   bool
	done   chan struct{} // closed when the running load ends
	err    error         // of the last load
}

// recentShown decisions are listed under the queue, each with its undo.
const recentShown = 20

// uncertainty orders the queue: most uncertain first, the probability
// nearest one half. With the default thresholds (review from 0.2, link at
// 0.5) this is personlink.Queue's most-probable-first order.
func uncertainty(x, y queued) int {
	return cmp.Or(cmp.Compare(math.Abs(x.prob-0.5), math.Abs(y.prob-0.5)), cmp.Compare(x.id, y.id))
}

// loadQueue reads the queue and the latest reviewers' decisions. Both are
// attribute queries over every link record: seconds at 100,000 people.
func loadQueue(ctx context.Context, st sillok.Reader) ([]queued, []*sillok.Record, error) {
	q, err := personlink.Queue(ctx, st, 0)
	if err != nil {
		return nil, nil, err
	}
	items := make([]queued, len(q))
	for i, r := range q {
		items[i] = queued{r.ID, r.Body.(*sillok.Link).Probability}
	}
	slices.SortFunc(items, uncertainty)
	var rs []*sillok.Record
	err = sillok.Each(ctx, st, sillok.Filter{Kind: sillok.KindLink, Attrs: []sillok.Attr{{Key: "method", Value: personlink.MethodReview}}},
		func(r *sillok.Record) error { rs = append(rs, r); return nil })
	if err != nil {
		return nil, nil, fmt.Errorf("list review decisions: %w", err)
	}
	slices.SortStableFunc(rs, newestFirst)
	return items, rs[:min(recentShown, len(rs))], nil
}

func newestFirst(x, y *sillok.Record) int {
	return cmp.Or(y.Updated.Compare(x.Updated), cmp.Compare(x.ID, y.ID))
}

// errQueuePending: the first load of the queue is still running.
var errQueuePending = errors.New("the review queue is being loaded")

// reviewQueue returns the queue in review order and the latest decisions.
// Loads run in the background, as the statistics' computation does: the
// first request waits at most wait, and a queue older than
// Options.StatsTTL is served while a load refreshes it.
func (s *Server) reviewQueue(ctx context.Context, wait time.Duration) ([]queued, []*sillok.Record, error) {
	c := &s.web.queue
	c.mu.Lock()
	items, recent, at, gen := c.items, c.recent, c.at, c.gen
	if !c.busy && (items == nil || time.Since(at) >= s.web.statsTTL) {
		c.busy = true
		done := make(chan struct{})
		c.done = done
		go func() {
			bg, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			// The queue's order is shared by every user and loaded with no
			// user, so from the store behind the authorisation; each
			// request reads its pairs (and recent decisions) as its user
			// and sees only the pairs whose records it may see.
			fresh, rec, err := loadQueue(bg, s.rawStore())
			c.mu.Lock()
			defer c.mu.Unlock()
			c.busy, c.err = false, err
			close(done)
			if err != nil {
				s.log.Error("web: load the review queue", "err", err)
				return
			}
			if c.gen == gen { // not patched meanwhile
				c.items, c.recent, c.at = fresh, rec, time.Now()
			}
		}()
	}
	done := c.done
	c.mu.Unlock()
	if items != nil {
		return items, recent, nil
	}
	if err := awaitFirst(ctx, done, wait, errQueuePending); err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		return nil, nil, fmt.Errorf("load the review queue: %w", c.err)
	}
	return c.items, c.recent, nil
}

// patchQueue updates the cached queue after a decision or an undo on
// link r: in the queue exactly when it is the model's unsure.
func (s *Server) patchQueue(r *sillok.Record) {
	c := &s.web.queue
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		return
	}
	items := slices.DeleteFunc(slices.Clone(c.items), func(q queued) bool { return q.id == r.ID })
	recent := slices.DeleteFunc(slices.Clone(c.recent), func(q *sillok.Record) bool { return q.ID == r.ID })
	switch l := r.Body.(*sillok.Link); {
	case l.Method == personlink.MethodModel && l.Decision == sillok.LinkUnsure:
		it := queued{r.ID, l.Probability}
		i, _ := slices.BinarySearchFunc(items, it, uncertainty)
		items = slices.Insert(items, i, it)
	case l.Method == personlink.MethodReview:
		recent = slices.Insert(recent, 0, r)
		recent = recent[:min(recentShown, len(recent))]
	}
	c.items, c.recent = items, recent
	// A load begun before this change must not overwrite it.
	c.gen++
}

// reviewPageSize pairs are shown per page: each is two records side by
// side with a chart.
const reviewPageSize = 10

type reviewData struct {
	Pending bool // being loaded: the page reloads itself
	Total   int
	From    int
	To      int
	Pairs   []pairView
	Prev    string
	Next    string
	Recent  []decisionView
	Done    *decisionView // the decision just recorded, with its undo
	Error   string        // catalog key
	CanEdit bool
	Offset  int
}

// pairView is one pair of the queue.
type pairView struct {
	Link        sillok.ID
	A, B        sillok.ID
	Probability string
	Weight      string
	Rows        []pairRow
	Parts       []partView
	Chart       template.HTML
	Note        string // a note that is not the model's explanation
}

// pairRow is one field of the two records, aligned.
type pairRow struct {
	Label string
	A, B  string
	Same  bool // both have it and it reads the same
}

// partView is one comparison's contribution to the match weight.
type partView struct {
	Column string
	Level  string
	Bits   string
	log2   float64
}

// decisionView is a reviewer's decision with what undo would restore.
type decisionView struct {
	Link     sillok.ID
	A, B     sillok.ID
	Decision string
	Method   string
	Actor    string
	Time     string
	Note     string
	Rev      int
}

func (s *Server) reviewPage(ctx context.Context, p *page) (string, error) {
	p.Title = p.T("review.title")
	p.Nav = "review"
	d := &reviewData{CanEdit: p.May(string(ActionReview))}
	p.Data = d
	off, _ := strconv.Atoi(p.Param("offset"))
	off = max(0, off)
	d.Offset = off
	switch p.Param("error") {
	case "nothing_to_undo", "conflict", "invalid":
		d.Error = "review.err_" + p.Param("error")
	}
	q, recent, err := s.reviewQueue(ctx, s.web.statsWait)
	if errors.Is(err, errQueuePending) {
		p.Refresh = 5
		d.Pending = true
		return "review", nil
	}
	if err != nil {
		return "", err
	}
	d.Total = len(q)
	if off > len(q) {
		off = len(q) / reviewPageSize * reviewPageSize
	}
	end := min(len(q), off+reviewPageSize)
	d.From, d.To = off+1, end
	if off > 0 {
		d.Prev = withParam(p.req.URL, "offset", strconv.Itoa(max(0, off-reviewPageSize)))
	}
	if end < len(q) {
		d.Next = withParam(p.req.URL, "offset", strconv.Itoa(end))
	}
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	refs := newRefCache(s.store, p, terms)
	for _, it := range q[off:end] {
		// The cached order may be a minute old: each pair is read live,
		// and one decided meanwhile (on the command line) is left out.
		r, err := s.store.Get(ctx, it.id)
		if errors.Is(err, sillok.ErrNotFound) || errors.Is(err, sillok.ErrDeleted) {
			continue
		}
		if err != nil {
			return "", err
		}
		if l := r.Body.(*sillok.Link); l.Method != personlink.MethodModel || l.Decision != sillok.LinkUnsure {
			continue
		}
		pv, err := s.pairView(ctx, p, terms, refs, r)
		if errors.Is(err, sillok.ErrNotFound) {
			continue // a person the user may not see
		}
		if err != nil {
			return "", err
		}
		d.Pairs = append(d.Pairs, pv)
	}
	if id := sillok.ID(p.Param("done")); id != "" && sillok.KindOf(id) == sillok.KindLink {
		if r, err := s.store.Get(ctx, id); err == nil {
			dv := decisionOf(r)
			d.Done = &dv
		}
	}
	for _, r := range recent {
		if _, err := s.store.Get(ctx, r.ID); err != nil && !errors.Is(err, sillok.ErrDeleted) {
			continue // hidden from this user
		}
		d.Recent = append(d.Recent, decisionOf(r))
	}
	return "review", nil
}

func decisionOf(r *sillok.Record) decisionView {
	l := r.Body.(*sillok.Link)
	return decisionView{Link: r.ID, A: l.A, B: l.B, Decision: l.Decision, Method: l.Method, Actor: r.UpdatedBy,
		Time: r.Updated.UTC().Format("2006-01-02 15:04 MST"), Note: l.Note, Rev: r.Rev}
}

// pairView lays out two person records side by side. Names and birth dates
// are shown only to users with need-to-know, as on the record pages.
func (s *Server) pairView(ctx context.Context, p *page, terms map[string]*sillok.Term, refs *refCache, r *sillok.Record) (pairView, error) {
	l := r.Body.(*sillok.Link)
	pv := pairView{Link: r.ID, A: l.A, B: l.B, Probability: strconv.FormatFloat(l.Probability, 'f', 3, 64)}
	var recs [2]*sillok.Record
	for i, id := range []sillok.ID{l.A, l.B} {
		rec, err := s.store.Get(ctx, id)
		if err != nil && !errors.Is(err, sillok.ErrDeleted) {
			return pv, fmt.Errorf("review pair %s: %w", r.ID, err)
		}
		recs[i] = rec
	}
	cols := [2]map[string]string{personColumns(ctx, p, terms, refs, recs[0]), personColumns(ctx, p, terms, refs, recs[1])}
	for _, k := range []string{"names", "birth", "sex", "origin", "origin_text", "roles", "external_ids", "notes", "org", "level"} {
		a, b := cols[0][k], cols[1][k]
		if a == "" && b == "" {
			continue
		}
		pv.Rows = append(pv.Rows, pairRow{Label: p.T("field." + k), A: a, B: b, Same: a != "" && a == b})
	}
	if e, ok := personlink.ParseNote(l.Note); ok {
		pv.Weight = strconv.FormatFloat(e.Weight, 'f', 2, 64)
		for _, c := range e.Contributions {
			label := p.T("review.col." + c.Column)
			if strings.HasPrefix(label, "review.col.") {
				label = c.Column
			}
			pv.Parts = append(pv.Parts, partView{Column: label, Level: c.Label, Bits: fmt.Sprintf("%+.2f", c.Log2), log2: c.Log2})
		}
		pv.Chart = weightChart(p.T("review.chart", pv.A, pv.B), p.T("review.prior"), e.PriorLog2, pv.Parts)
	} else {
		pv.Note = l.Note
	}
	return pv, nil
}

// personColumns are a person record's fields as the review shows them, by
// field key. A deleted record shows nothing but its organisation.
func personColumns(ctx context.Context, p *page, terms map[string]*sillok.Term, refs *refCache, r *sillok.Record) map[string]string {
	m := map[string]string{}
	if r == nil {
		return m
	}
	m["org"] = r.Org
	m["level"] = p.T("level." + string(r.Level))
	b, ok := r.Body.(*sillok.Person)
	if !ok || r.Deleted {
		m["names"] = p.T("record.deleted")
		return m
	}
	if p.web.policy(p.User, ActionSeeIdentities) {
		var ns []string
		for _, n := range b.Names {
			v := n.Value
			if n.Type != "" {
				v += " (" + n.Type + ")"
			}
			ns = append(ns, v)
		}
		m["names"] = strings.Join(ns, " · ")
		if !b.Birth.IsZero() {
			m["birth"] = b.Birth.String()
		}
	} else {
		m["names"] = pseudonym(p, r.ID)
	}
	if b.Sex != "" {
		m["sex"] = p.T("sex." + string(b.Sex))
	}
	if b.Origin != "" {
		m["origin"] = refs.label(ctx, b.Origin)
	}
	m["origin_text"] = b.OriginText
	var roles []string
	for _, ro := range b.Roles {
		roles = append(roles, termLabel(terms, "person_role", ro.Role, p.Lang))
	}
	m["roles"] = strings.Join(roles, ", ")
	m["external_ids"] = strings.Join(b.ExternalIDs, ", ")
	m["notes"] = b.Notes
	return m
}

// weightChart draws the prior and each comparison's contribution (in
// bits) as bars left (against) or right (for) of zero.
func weightChart(title, prior string, priorLog2 float64, parts []partView) template.HTML {
	const (
		labelW = 150
		half   = 170
		rowH   = 18
		top    = 6
	)
	rows := append([]partView{{Column: prior, Bits: fmt.Sprintf("%+.2f", priorLog2), log2: priorLog2}}, parts...)
	maxV := 1.0
	for _, r := range rows {
		maxV = max(maxV, math.Abs(r.log2))
	}
	w, h := labelW+2*half+60, top*2+rowH*len(rows)
	zero := labelW + half
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart weights" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(title), w, h, w, h)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<line x1="%d" y1="0" x2="%d" y2="%d" class="axis"/>`, zero, zero, h)
	for i, r := range rows {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>`, labelW-6, y+13, html.EscapeString(r.Column))
		bw := int(math.Round(math.Abs(r.log2) / maxV * float64(half-40)))
		x, cls, tx, anchor := zero, "for", zero+bw+4, "start"
		if r.log2 < 0 {
			x, cls, tx, anchor = zero-bw, "against", zero-bw-4, "end"
		}
		if bw > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="bar %s"/>`, x, y+3, bw, rowH-6, cls)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="%s" class="chart-value">%s</text>`, tx, y+13, anchor, html.EscapeString(r.Bits))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// reviewAllowed refuses users the policy does not let decide, and
// cross-site posts.
func reviewAllowed(p *page) error {
	if !p.May(string(ActionReview)) {
		return &webError{http.StatusForbidden, "error.forbidden"}
	}
	if !sameOrigin(p.req) {
		return &webError{http.StatusForbidden, "error.forbidden"}
	}
	if err := p.req.ParseForm(); err != nil {
		return &webError{http.StatusBadRequest, "error.bad_request"}
	}
	return nil
}

// backToQueue is the queue page the form came from, with extra parameters.
func backToQueue(p *page, extra url.Values) string {
	q := url.Values{}
	if off, err := strconv.Atoi(p.req.PostFormValue("offset")); err == nil && off > 0 {
		q.Set("offset", strconv.Itoa(off))
	}
	for k, v := range extra {
		q[k] = v
	}
	if len(q) == 0 {
		return "/review"
	}
	return "/review?" + q.Encode()
}

// reviewError maps a failed decision or undo to the queue with a message;
// anything else is an error page.
func reviewError(p *page, err error) error {
	key := ""
	switch {
	case errors.Is(err, personlink.ErrNothingToUndo):
		key = "nothing_to_undo"
	case errors.Is(err, sillok.ErrConflict):
		key = "conflict"
	case errors.Is(err, sillok.ErrInvalid), errors.Is(err, sillok.ErrNotFound), errors.Is(err, sillok.ErrDeleted):
		key = "invalid"
	default:
		return err
	}
	return &redirect{backToQueue(p, url.Values{"error": {key}})}
}

func (s *Server) reviewDecide(ctx context.Context, p *page) (string, error) {
	if err := reviewAllowed(p); err != nil {
		return "", err
	}
	f := p.req.PostForm
	a, b := sillok.ID(f.Get("a")), sillok.ID(f.Get("b"))
	if sillok.KindOf(a) != sillok.KindPerson || sillok.KindOf(b) != sillok.KindPerson {
		return "", &webError{http.StatusBadRequest, "error.bad_request"}
	}
	r, err := personlink.Decide(ctx, s.store, actorOf(p.User), a, b, f.Get("decision"), strings.TrimSpace(f.Get("note")))
	if err != nil {
		return "", reviewError(p, err)
	}
	s.patchQueue(r)
	return "", &redirect{backToQueue(p, url.Values{"done": {string(r.ID)}})}
}

func (s *Server) reviewUndo(ctx context.Context, p *page) (string, error) {
	if err := reviewAllowed(p); err != nil {
		return "", err
	}
	r, err := personlink.Undo(ctx, s.store, actorOf(p.User), sillok.ID(p.req.PostForm.Get("link")))
	if err != nil {
		return "", reviewError(p, err)
	}
	s.patchQueue(r)
	return "", &redirect{backToQueue(p, url.Values{"undone": {string(r.ID)}})}
}
