package http_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sillok/sillok"
	sillokhttp "github.com/sillok/sillok/http"
)

// BenchmarkPages renders every page of the web interface on a demo
// repository of $SILLOK_BENCH_PEOPLE individuals (default 2,000) and
// reports the server-side time per page in ms (handler to last byte, no
// network):
//
//	go test ./http -run - -bench Pages -benchtime 20x
//	SILLOK_BENCH_PEOPLE=100000 go test ./http -run - -bench Pages -benchtime 20x -timeout 1h
//
// The repository is linked once (personlink.Run) for the review queue, and
// every page is served with a custody log holding an event per record, so
// that record pages show their custody section. "estimates" serves
// computed estimates (log-linear; the computation, like the statistics',
// runs in the background).
//
// Statistics are computed in the background and cached (Options.StatsTTL):
// "stats" is the page as served; "stats-first" the first request of a fresh
// server, which starts the computation and waits for it at most
// Options.StatsWait (150 ms) before answering with a page that reloads
// itself; "stats-compute" a fresh server's first request waiting for the
// whole computation (the scan of every act and victim).
func BenchmarkPages(b *testing.B) {
	people := 2000
	if v, err := strconv.Atoi(os.Getenv("SILLOK_BENCH_PEOPLE")); err == nil {
		people = v
	}
	ctx := context.Background()
	start := time.Now()
	st, ix := demoRepo(b, people)
	b.Logf("demo repository of %d people loaded in %v", people, time.Since(start).Round(time.Second))
	// The untimed first request of each page waits for the statistics,
	// so that "stats" measures the page a running server serves.
	benchLinks(b, st)
	cust := benchCustody(b, st, people)
	h := sillokhttp.NewServer(st, sillokhttp.Options{Actor: sillok.Actor{User: "bench", Org: "nkdb-demo"}, Search: ix, StatsWait: time.Hour, Custody: cust})
	first := func(k sillok.Kind) string {
		// A record from the middle of the first thousand, not the
		// special first one.
		pg, err := st.List(ctx, sillok.Filter{Kind: k, Limit: 1000})
		if err != nil || len(pg.Records) == 0 {
			b.Fatalf("no %s record: %v", k, err)
		}
		return string(pg.Records[len(pg.Records)/2].ID)
	}
	camp, err := st.List(ctx, sillok.Filter{Kind: sillok.KindLocation, Attrs: []sillok.Attr{{Key: "location_type", Value: "kwanliso"}}, Limit: 1})
	if err != nil || len(camp.Records) == 0 {
		b.Fatalf("no kwanliso: %v", err)
	}
	src := first(sillok.KindSource)
	pages := []struct {
		name, path string
		h          http.Handler
	}{
		{"home", "/", h},
		{"persons", "/browse/persons", h},
		{"persons-female-page2", "/browse/persons?sex=female&after=" + first(sillok.KindPerson), h},
		{"units", "/browse/units", h},
		{"locations", "/browse/locations?location_type=kwanliso", h},
		{"events", "/browse/events", h},
		{"acts", "/browse/acts?act_type=forced_labour", h},
		{"sources", "/browse/sources", h},
		{"person", "/records/" + first(sillok.KindPerson), h},
		{"act", "/records/" + first(sillok.KindAct), h},
		{"event", "/records/" + first(sillok.KindEvent), h},
		{"source", "/records/" + src, h},
		{"facility", "/records/" + string(camp.Records[0].ID), h},
		{"unit", "/records/" + first(sillok.KindUnit), h},
		{"search-ko", "/search?q=%EC%9A%94%EB%8D%95", h}, // 요덕
		{"search-en-facet", "/search?q=Hoeryong&kind=event", h},
		{"stats", "/stats", h},
		{"stats-publication", "/stats?publication=1&lang=ko", h},
		{"map", "/map", h},
		{"intake-find", "/intake?find=%EA%B9%80%EC%98%81", h}, // 김영
		{"intake-acts", "/intake/" + src + "/acts", h},
		{"intake-consent", "/intake/" + src + "/consent", h},
		{"sharing", "/records/" + first(sillok.KindPerson) + "/sharing", h},
		{"review", "/review", h},
		{"review-page3", "/review?offset=20&lang=ko", h},
		{"estimates", "/estimates", h}, // LCMCR, the default
		{"estimates-loglinear", "/estimates?method=loglinear", h},
		{"estimates-publication", "/estimates?method=loglinear&act_type=forced_labour&publication=1", h},
		{"person-custody", "/records/" + first(sillok.KindPerson), h}, // the person page with its custody section
		// Last: each leaves a computation running in the background.
		{"stats-compute", "/stats", nil}, // a new server each time, waiting for the figures
		{"stats-first", "/stats", nil},   // a new server each time: nothing cached
	}
	firsts := map[string]time.Duration{}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			// One request outside the timing fills the caches a running
			// server would have warm (thesaurus terms, statistics).
			fresh := func() http.Handler {
				opts := sillokhttp.Options{Search: ix}
				if p.name == "stats-compute" {
					opts.StatsWait = time.Hour
				}
				return sillokhttp.NewServer(st, opts)
			}
			h := p.h
			if h == nil {
				h = fresh()
			}
			t0 := time.Now()
			serve(b, h, p.path)
			// What the first request after start-up took (it fills the
			// caches, and for estimates waits for their computation);
			// the testing package calls this function more than once.
			if _, ok := firsts[p.name]; !ok {
				firsts[p.name] = time.Since(t0)
			}
			b.ResetTimer()
			var total time.Duration
			for range b.N {
				if p.h == nil {
					h = fresh()
				}
				t0 := time.Now()
				serve(b, h, p.path)
				total += time.Since(t0)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/page")
			b.ReportMetric(float64(firsts[p.name].Microseconds())/1000, "first-ms")
		})
	}
}

func serve(b *testing.B, h http.Handler, path string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != 200 {
		body, _ := io.ReadAll(rec.Body)
		b.Fatalf("GET %s = %d\n%.1000s", path, rec.Code, body)
	}
}
