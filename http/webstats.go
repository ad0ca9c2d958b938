package http

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sillok/sillok"
)

// statistics are the counts of the statistics page, computed by one scan
// of the acts and victims and kept for Options.StatsTTL: at 100,000 people
// a scan takes longer than a page may.
type statistics struct {
	At       time.Time
	Acts     int
	Victims  int
	ByType   map[string]*tally // act type code, rolled up to its ancestors
	ByYear   map[int]*tally
	ByFacil  map[sillok.ID]*tally
	BySex    map[string]*tally
	facility map[sillok.ID]string // facility labels (Korean|English names)
	facilKo  map[sillok.ID]string
}

// tally counts acts and distinct victims.
type tally struct {
	Acts    int
	victims map[sillok.ID]struct{}
}

func (t *tally) add(victim sillok.ID) {
	t.Acts++
	if t.victims == nil {
		t.victims = map[sillok.ID]struct{}{}
	}
	t.victims[victim] = struct{}{}
}

func (t *tally) Victims() int { return len(t.victims) }

func bump[K comparable](m map[K]*tally, k K, victim sillok.ID) {
	t := m[k]
	if t == nil {
		t = &tally{}
		m[k] = t
	}
	t.add(victim)
}

// eachRecord lists every live record of a filter, a page at a time.
func eachRecord(ctx context.Context, st sillok.Reader, f sillok.Filter, fn func(*sillok.Record)) error {
	if err := sillok.Each(ctx, st, f, func(r *sillok.Record) error { fn(r); return nil }); err != nil {
		return fmt.Errorf("list %s records: %w", f.Kind, err)
	}
	return nil
}

func computeStatistics(ctx context.Context, st sillok.Reader, terms map[string]*sillok.Term) (*statistics, error) {
	s := &statistics{At: time.Now(), ByType: map[string]*tally{}, ByYear: map[int]*tally{},
		ByFacil: map[sillok.ID]*tally{}, BySex: map[string]*tally{}, facility: map[sillok.ID]string{}, facilKo: map[sillok.ID]string{}}
	detention := map[string]bool{}
	for _, t := range terms {
		if t.Thesaurus == "location_type" {
			path := termPath(terms, "location_type", t.Code)
			detention[t.Code] = len(path) > 0 && path[0] == "detention"
		}
	}
	if err := eachRecord(ctx, st, sillok.Filter{Kind: sillok.KindLocation}, func(r *sillok.Record) {
		l := r.Body.(*sillok.Location)
		if detention[l.Type] {
			s.facility[r.ID], s.facilKo[r.ID] = englishName(l.Names), l.Label()
		}
	}); err != nil {
		return nil, err
	}
	sex := map[sillok.ID]string{}
	for _, sx := range []sillok.Sex{sillok.SexFemale, sillok.SexMale, sillok.SexOther} {
		if err := eachRecord(ctx, st, sillok.Filter{Kind: sillok.KindPerson, Attrs: []sillok.Attr{{Key: "sex", Value: string(sx)}}},
			func(r *sillok.Record) { sex[r.ID] = string(sx) }); err != nil {
			return nil, err
		}
	}
	all := &tally{}
	err := eachRecord(ctx, st, sillok.Filter{Kind: sillok.KindAct}, func(r *sillok.Record) {
		a := r.Body.(*sillok.Act)
		all.add(a.Victim)
		for _, c := range termPath(terms, "act_type", a.Type) {
			bump(s.ByType, c, a.Victim)
		}
		if !a.Date.IsZero() {
			// An act dated by a range counts in the year it starts.
			bump(s.ByYear, a.Date.Lo.Year(), a.Victim)
		}
		if _, ok := s.facility[a.Location]; ok {
			bump(s.ByFacil, a.Location, a.Victim)
		}
		sx := sex[a.Victim]
		if sx == "" {
			sx = "unknown"
		}
		bump(s.BySex, sx, a.Victim)
	})
	if err != nil {
		return nil, err
	}
	s.Acts, s.Victims = all.Acts, all.Victims()
	return s, nil
}

func englishName(ns []sillok.Name) string {
	for _, n := range ns {
		if n.Lang == "en" || n.Script == "latin" {
			return n.Value
		}
	}
	if len(ns) > 0 {
		return ns[0].Value
	}
	return ""
}

// errStatsPending: the first computation of the statistics is running
// and did not finish within the wait.
var errStatsPending = errors.New("statistics are being computed")

// awaitFirst waits at most wait for a first background computation to
// finish (busy closed); pending is the error when it is still running.
// The statistics, estimates and review queue pages share it.
func awaitFirst(ctx context.Context, busy <-chan struct{}, wait time.Duration, pending error) error {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-busy:
		return nil
	case <-timer.C:
		return pending
	case <-ctx.Done():
		return ctx.Err()
	}
}

// statsFor returns the statistics. Every computation runs in the
// background, detached from the request: the first request waits for it at
// most wait (then errStatsPending, and the page asks the browser to come
// back); afterwards, statistics older than the TTL are served, stamped with
// their time, while one background scan refreshes them. At 100,000 people a
// scan takes seconds, longer than a page may.
func (w *web) statsFor(ctx context.Context, st sillok.Reader, log *slog.Logger, wait time.Duration) (*statistics, error) {
	w.mu.Lock()
	c, bgctx := w.statsCacheFor(ctx)
	s, busy := c.stats, c.statsBusy
	if busy == nil && (s == nil || time.Since(c.statsAt) >= w.statsTTL) {
		busy = make(chan struct{})
		c.statsBusy = busy
		go func() {
			bg, cancel := context.WithTimeout(bgctx, 30*time.Minute)
			defer cancel()
			if err := w.refreshStats(bg, c, st, busy); err != nil {
				log.Error("web: compute statistics", "err", err)
			}
		}()
	}
	w.mu.Unlock()
	if s != nil {
		return s, nil
	}
	if err := awaitFirst(ctx, busy, wait, errStatsPending); err != nil {
		return nil, err
	}
	w.mu.Lock()
	s, err := c.stats, c.statsErr
	w.mu.Unlock()
	if s == nil {
		return nil, fmt.Errorf("compute statistics: %w", err)
	}
	return s, nil
}

// statsCacheFor returns the statistics cache of the request's user and
// the context their background computation runs in (with the user, not
// the request's deadline). Statistics with accounts count only what the
// user may see, so each user has their own. Called with w.mu held.
func (w *web) statsCacheFor(ctx context.Context) (*statsCache, context.Context) {
	a := accessOf(ctx)
	if a == nil {
		return &w.statsCache, context.Background()
	}
	key := userKey(ctx)
	c := w.statsByUser[key]
	if c == nil {
		if w.statsByUser == nil {
			w.statsByUser = map[string]*statsCache{}
		}
		c = &statsCache{}
		w.statsByUser[key] = c
	}
	return c, context.WithValue(context.Background(), ctxKey{}, &access{user: a.user})
}

// refreshStats computes the statistics into c and, whatever the outcome,
// releases those waiting on busy. A failed first computation leaves no
// statistics, so the next request tries again.
func (w *web) refreshStats(ctx context.Context, c *statsCache, st sillok.Reader, busy chan struct{}) error {
	terms, err := w.termsFor(ctx, st)
	var s *statistics
	if err == nil {
		s, err = computeStatistics(ctx, st, terms)
	}
	w.mu.Lock()
	if err == nil {
		c.stats, c.statsAt = s, time.Now()
	}
	c.statsErr = err
	c.statsBusy = nil
	close(busy)
	w.mu.Unlock()
	return err
}

// statRow is one row of a statistics table and its chart.
type statRow struct {
	Label   string
	Depth   int
	Href    string
	Acts    string
	Victims string
	acts    int // for the chart; 0 when suppressed
}

type statTable struct {
	ID    string
	Title string
	Rows  []statRow
	Chart template.HTML
}

type statsData struct {
	Pending     bool // being computed: the page reloads itself
	Publication bool
	Threshold   int
	At          string
	Acts        string
	Victims     string
	Tables      []statTable
}

func (s *Server) statsPage(ctx context.Context, p *page) (string, error) {
	p.Title = p.T("stats.title")
	p.Nav = "stats"
	st, err := s.web.statsFor(ctx, s.store, s.log, s.web.statsWait)
	if errors.Is(err, errStatsPending) {
		p.Refresh = 10
		p.Data = statsData{Pending: true}
		return "stats", nil
	}
	if err != nil {
		return "", err
	}
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	// Users who may not see unpublished figures always get the
	// publication view.
	pub := p.Param("publication") == "1" || !p.web.policy(p.User, ActionUnpublished)
	th := s.web.small
	count := func(n int) (string, int) {
		if pub && n > 0 && n < th {
			return "<" + strconv.Itoa(th), 0
		}
		return strconv.Itoa(n), n
	}
	mk := func(label string, depth int, href string, t *tally) statRow {
		a, an := count(t.Acts)
		v, _ := count(t.Victims())
		return statRow{Label: label, Depth: depth, Href: href, Acts: a, Victims: v, acts: an}
	}
	d := statsData{Publication: pub, Threshold: th, At: st.At.UTC().Format("2006-01-02 15:04 MST")}
	d.Acts, _ = count(st.Acts)
	d.Victims, _ = count(st.Victims)

	var byType []statRow
	for _, t := range thesaurusTerms(terms, "act_type") {
		if tl := st.ByType[t.Code]; tl != nil {
			byType = append(byType, mk(t.Labels.Get(p.Lang), t.Depth, "/browse/acts?act_type="+t.Code, tl))
		}
	}
	d.Tables = append(d.Tables, statTable{ID: "type", Title: p.T("stats.by_type"), Rows: byType})

	var years []int
	for y := range st.ByYear {
		years = append(years, y)
	}
	sort.Ints(years)
	decades := map[int]*tally{}
	for _, y := range years {
		dt := decades[y/10*10]
		if dt == nil {
			dt = &tally{victims: map[sillok.ID]struct{}{}}
			decades[y/10*10] = dt
		}
		yt := st.ByYear[y]
		dt.Acts += yt.Acts
		for v := range yt.victims {
			dt.victims[v] = struct{}{}
		}
	}
	var byPeriod []statRow
	lastDecade := math.MinInt
	for _, y := range years {
		if dec := y / 10 * 10; dec != lastDecade {
			lastDecade = dec
			byPeriod = append(byPeriod, mk(p.T("stats.decade", dec), 0, "", decades[dec]))
		}
		byPeriod = append(byPeriod, mk(strconv.Itoa(y), 1, "", st.ByYear[y]))
	}
	d.Tables = append(d.Tables, statTable{ID: "period", Title: p.T("stats.by_period"), Rows: byPeriod})

	var facIDs []sillok.ID
	for id := range st.ByFacil {
		facIDs = append(facIDs, id)
	}
	sort.Slice(facIDs, func(i, j int) bool {
		a, b := st.ByFacil[facIDs[i]].Acts, st.ByFacil[facIDs[j]].Acts
		return a > b || a == b && facIDs[i] < facIDs[j]
	})
	var byFacil []statRow
	for _, id := range facIDs {
		name := st.facility[id]
		if p.Lang == "ko" {
			name = st.facilKo[id]
		}
		byFacil = append(byFacil, mk(name, 0, "/records/"+string(id), st.ByFacil[id]))
	}
	d.Tables = append(d.Tables, statTable{ID: "facility", Title: p.T("stats.by_facility"), Rows: byFacil})

	var bySex []statRow
	for _, sx := range []string{"female", "male", "other", "unknown"} {
		if t := st.BySex[sx]; t != nil {
			bySex = append(bySex, mk(p.T("sex."+sx), 0, "", t))
		}
	}
	d.Tables = append(d.Tables, statTable{ID: "sex", Title: p.T("stats.by_sex"), Rows: bySex})
	for i := range d.Tables {
		d.Tables[i].Chart = barChart(d.Tables[i].Title+" — "+p.T("stats.acts"), d.Tables[i].Rows, p.T("stats.suppressed"))
	}
	p.Data = d
	return "stats", nil
}

// barChart draws a horizontal bar chart of the rows' act counts as inline
// SVG. Suppressed counts get no bar, only their "<n" label.
func barChart(title string, rows []statRow, suppressed string) template.HTML {
	const (
		labelW = 260
		barW   = 380
		rowH   = 20
		top    = 8
	)
	maxV := 1
	for _, r := range rows {
		maxV = max(maxV, r.acts)
	}
	h := top*2 + rowH*len(rows)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(title), labelW+barW+70, h, labelW+barW+70, h)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	for i, r := range rows {
		y := top + i*rowH
		label := strings.Repeat("\u00a0\u00a0", r.Depth) + r.Label
		if len([]rune(label)) > 40 {
			label = string([]rune(label)[:39]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>`, labelW-6, y+14, html.EscapeString(label))
		w := 0
		if r.acts > 0 {
			w = max(1, r.acts*barW/maxV)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="bar depth%d"/>`, labelW, y+3, w, rowH-6, min(r.Depth, 2))
		}
		v := r.Acts
		if r.acts == 0 && r.Acts != "0" {
			v = r.Acts + " (" + suppressed + ")"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="chart-value">%s</text>`, labelW+w+4, y+14, html.EscapeString(v))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
