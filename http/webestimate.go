package http

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/mse"
	"github.com/sillok/sillok/mse/repostrata"
)

// The estimation page shows multiple systems estimates of how many people
// there were (package mse over package repostrata's tables: linked persons
// as individuals, organisations as lists), as `sillok estimate
// --repository` computes them, with their intervals as a table and a chart
// per stratification. An estimate takes seconds to minutes (a scan of every
// person and link, then the sampler), so, like the statistics, results are
// computed in the background and kept for Options.StatsTTL.

// estimateMethods are the estimators the page offers: the CLI's default
// (LCMCR, HRDAG's standard) and the log-linear model search.
var estimateMethods = []mse.Method{mse.MethodLCMCR, mse.MethodLoglinear}

// estimateKey names one computation: a method and an act type.
type estimateKey struct {
	method  mse.Method
	actType string
}

// estimates are the results of one computation.
type estimates struct {
	At       time.Time
	Analyses []analysis
}

// analysis is one stratification's results.
type analysis struct {
	Strata  []string // repostrata stratum names; none: everyone
	Results []mse.StratumResult
}

type estimateEntry struct {
	res  *estimates
	at   time.Time
	busy chan struct{}
	err  error
}

// estimateCache holds computed estimates by key.
type estimateCache struct {
	mu      sync.Mutex
	entries map[estimateKey]*estimateEntry
}

// maxEstimateKeys bounds the cache: act types are a thesaurus's codes.
const maxEstimateKeys = 64

// errEstimatePending: the first computation is still running.
var errEstimatePending = errors.New("estimates are being computed")

// estimatesFor returns the estimates for key, as statsFor does: computed
// in the background, the first request waiting at most wait, stale results
// served while a refresh runs.
func (s *Server) estimatesFor(ctx context.Context, key estimateKey, wait time.Duration) (*estimates, error) {
	c := &s.web.estimates
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[estimateKey]*estimateEntry{}
	}
	e := c.entries[key]
	if e == nil {
		if len(c.entries) >= maxEstimateKeys {
			c.mu.Unlock()
			return nil, &webError{400, "error.bad_request"}
		}
		e = &estimateEntry{}
		c.entries[key] = e
	}
	res, busy := e.res, e.busy
	if busy == nil && (res == nil || time.Since(e.at) >= s.web.statsTTL) {
		busy = make(chan struct{})
		e.busy = busy
		go s.refreshEstimates(key, e, busy, s.log)
	}
	c.mu.Unlock()
	if res != nil {
		return res, nil
	}
	if err := awaitFirst(ctx, busy, wait, errEstimatePending); err != nil {
		return nil, err
	}
	c.mu.Lock()
	res, err := e.res, e.err
	c.mu.Unlock()
	if res == nil {
		return nil, fmt.Errorf("compute estimates: %w", err)
	}
	return res, nil
}

func (s *Server) refreshEstimates(key estimateKey, e *estimateEntry, busy chan struct{}, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	// Estimation pools every organisation's lists (that is what makes it
	// multiple systems estimation), so it reads the store behind the
	// authorisation; with accounts the page then always suppresses small
	// counts, which could otherwise point at records a user may not see.
	res, err := computeEstimates(ctx, s.rawStore(), key, s.web.estimateOpts)
	if err != nil {
		log.Error("web: compute estimates", "method", key.method, "act_type", key.actType, "err", err)
	}
	c := &s.web.estimates
	c.mu.Lock()
	if err == nil {
		e.res, e.at = res, time.Now()
	}
	e.err, e.busy = err, nil
	close(busy)
	c.mu.Unlock()
}

// computeEstimates runs the estimator over everyone, by sex, by birth
// decade and, for an act type, by the decade of the act.
func computeEstimates(ctx context.Context, st sillok.Reader, key estimateKey, base mse.Options) (*estimates, error) {
	opt := base
	opt.Method = key.method
	if opt.Seed == 0 {
		opt.Seed = 1 // the CLI's default: the same figures as `sillok estimate`
	}
	groups := [][]string{nil, {repostrata.Sex}, {repostrata.BirthDecade}}
	if key.actType != "" {
		groups = append(groups, []string{repostrata.Period})
	}
	res := &estimates{At: time.Now()}
	for _, g := range groups {
		ss, err := repostrata.Strata(ctx, st, repostrata.Options{Strata: g, ActType: key.actType})
		if err != nil {
			return nil, err
		}
		rs, err := mse.EstimateStrata(ctx, ss, g, opt)
		if err != nil {
			return nil, fmt.Errorf("estimate by %v: %w", g, err)
		}
		res.Analyses = append(res.Analyses, analysis{Strata: g, Results: rs})
	}
	return res, nil
}

type estimateData struct {
	Pending     bool
	Publication bool
	Threshold   int
	MinObserved int
	At          string
	Method      string
	ActType     string
	Methods     []option
	ActTypes    []option
	Tables      []estimateTable
}

type estimateTable struct {
	ID    string
	Title string
	Rows  []estimateRow
	Notes []string
	Chart template.HTML
}

type estimateRow struct {
	Stratum      string
	Observed     string
	Estimate     string
	Interval     string
	Lists        string
	NotEstimable string
	// For the chart; zero when there is nothing to draw.
	est, lo, hi, obs float64
	open             bool
}

func (s *Server) estimatePage(ctx context.Context, p *page) (string, error) {
	p.Title = p.T("estimate.title")
	p.Nav = "stats"
	method := mse.Method(p.Param("method"))
	if method == "" {
		method = mse.MethodLCMCR
	}
	known := false
	d := estimateData{Method: string(method), ActType: p.Param("act_type")}
	for _, m := range estimateMethods {
		known = known || m == method
		d.Methods = append(d.Methods, option{string(m), p.T("estimate.method." + string(m)), 0})
	}
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	if d.ActType != "" && terms["act_type."+d.ActType] == nil || !known {
		return "", &webError{400, "error.bad_request"}
	}
	for _, t := range thesaurusTerms(terms, "act_type") {
		d.ActTypes = append(d.ActTypes, option{t.Code, t.Labels.Get(p.Lang), t.Depth})
	}
	res, err := s.estimatesFor(ctx, estimateKey{method, d.ActType}, s.web.statsWait)
	if errors.Is(err, errEstimatePending) {
		p.Refresh = 10
		d.Pending = true
		p.Data = d
		return "estimate", nil
	}
	if err != nil {
		return "", err
	}
	pub := p.Param("publication") == "1" || !p.web.policy(p.User, ActionUnpublished) || p.web.signIn
	th := s.web.small
	minObs := s.web.estimateOpts.MinObserved
	if minObs == 0 {
		minObs = 10
	}
	d.Publication, d.Threshold, d.MinObserved = pub, th, minObs
	d.At = res.At.UTC().Format("2006-01-02 15:04 MST")
	for _, a := range res.Analyses {
		id, title := "all", p.T("estimate.all")
		if len(a.Strata) > 0 {
			id = strings.Join(a.Strata, "-")
			title = p.T("estimate.by." + id)
		}
		tb := estimateTable{ID: id, Title: title}
		for _, r := range a.Results {
			row := estimateRow{Stratum: strataLabel(p, terms, a.Strata, r.Stratum), Lists: strings.Join(r.Lists, ", ")}
			switch {
			case r.Observed == 0:
				// mse withholds counts below its minimum.
				row.Observed = "<" + strconv.Itoa(minObs)
			case pub && r.Observed < th:
				row.Observed = "<" + strconv.Itoa(th)
			default:
				row.Observed = strconv.Itoa(r.Observed)
				row.obs = float64(r.Observed)
			}
			if r.NotEstimable != "" {
				row.NotEstimable = r.NotEstimable
				tb.Rows = append(tb.Rows, row)
				continue
			}
			row.Estimate = strconv.FormatFloat(math.Round(r.Estimate), 'f', 0, 64)
			upper := strconv.FormatFloat(math.Round(r.Upper), 'f', 0, 64)
			if r.UpperOpen {
				upper = ">" + upper
			}
			row.Interval = p.T("estimate.interval", strconv.FormatFloat(math.Round(r.Lower), 'f', 0, 64), upper)
			row.est, row.lo, row.hi, row.open = r.Estimate, r.Lower, r.Upper, r.UpperOpen
			tb.Rows = append(tb.Rows, row)
			note := p.T("estimate.note_interval", row.Stratum, 100*r.Level, r.Interval)
			if r.Model != "" {
				note = p.T("estimate.note_model", row.Stratum, r.Model, 100*r.Level, r.Interval)
			}
			tb.Notes = append(tb.Notes, note)
			for _, f := range r.Flags {
				tb.Notes = append(tb.Notes, row.Stratum+": "+f)
			}
		}
		tb.Chart = intervalChart(title, tb.Rows, p.T("estimate.legend_estimate"), p.T("estimate.legend_observed"))
		d.Tables = append(d.Tables, tb)
	}
	p.Data = d
	return "estimate", nil
}

// strataLabel shows a stratum's values in the page language.
func strataLabel(p *page, terms map[string]*sillok.Term, strata []string, key string) string {
	if len(strata) == 0 {
		return p.T("estimate.everyone")
	}
	// mse names a stratum "name=value,name=value".
	var out []string
	for _, part := range strings.Split(key, ",") {
		name, v, ok := strings.Cut(part, "=")
		if !ok {
			out = append(out, part)
			continue
		}
		switch {
		case v == "unknown":
			v = p.T("estimate.unknown")
		case name == repostrata.Sex:
			v = p.T("sex." + v)
		case strings.HasSuffix(v, "0s"):
			if y, err := strconv.Atoi(strings.TrimSuffix(v, "s")); err == nil {
				v = p.T("stats.decade", y)
			}
		}
		out = append(out, v)
	}
	return strings.Join(out, ", ")
}

// intervalChart draws each stratum's estimate as a dot on its interval,
// with the number documented (observed) as a tick: how far the estimate
// lies beyond what the lists hold is the chart's point. Strata without an
// estimate get their row label only.
func intervalChart(title string, rows []estimateRow, estLabel, obsLabel string) template.HTML {
	const (
		labelW = 200
		plotW  = 420
		rowH   = 24
		top    = 8
		axisH  = 36
	)
	maxV := 1.0
	for _, r := range rows {
		maxV = max(maxV, r.hi, r.est, r.obs)
	}
	maxV = niceCeil(maxV)
	x := func(v float64) int { return labelW + int(math.Round(v/maxV*plotW)) }
	h := top + rowH*len(rows) + axisH
	w := labelW + plotW + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart intervals" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(title), w, h, w, h)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	base := top + rowH*len(rows)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, labelW, base, labelW+plotW, base)
	for i := 0; i <= 4; i++ {
		v := maxV * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, x(v), base, x(v), base+4)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" class="chart-value">%s</text>`, x(v), base+16, strconv.FormatFloat(v, 'f', -1, 64))
	}
	for i, r := range rows {
		y := top + i*rowH + rowH/2
		label := r.Stratum
		if len([]rune(label)) > 30 {
			label = string([]rune(label)[:29]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>`, labelW-6, y+4, html.EscapeString(label))
		if r.Estimate == "" {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="interval"/>`, x(r.lo), y, x(r.hi), y)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="interval"/>`, x(r.lo), y-5, x(r.lo), y+5)
		if !r.open {
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="interval"/>`, x(r.hi), y-5, x(r.hi), y+5)
		}
		if r.obs > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="4" height="14" class="observed"><title>%s</title></rect>`, x(r.obs)-2, y-7, html.EscapeString(obsLabel+" "+r.Observed))
		}
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="5" class="bar estimate"><title>%s</title></circle>`, x(r.est), y, html.EscapeString(estLabel+" "+r.Estimate+" ("+r.Interval+")"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, for the axis.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
