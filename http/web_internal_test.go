package http

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// inside reports whether (x, y) is inside the polygon (even-odd rule).
func inside(poly [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		xi, yi := project(poly[i][0], poly[i][1])
		xj, yj := project(poly[j][0], poly[j][1])
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// TestMapOutline checks the hand-drawn outline against the demo's
// coordinates (taken from an atlas independently): every place is on land,
// and places in North Korea are south of the border line and places in
// China north of it.
func TestMapOutline(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.GenerateBatched(ctx, demo.Options{People: 100, Seed: 1}, demo.StoreBatch(st)); err != nil {
		t.Fatal(err)
	}
	// Where the border line is at a longitude: the latitude of the border
	// segment spanning it.
	borderLat := func(lon float64) (float64, bool) {
		for i := 1; i < len(border); i++ {
			a, b := border[i-1], border[i]
			if (a[1] <= lon) == (lon < b[1]) {
				return a[0] + (b[0]-a[0])*(lon-a[1])/(b[1]-a[1]), true
			}
		}
		return 0, false
	}
	var checked, china, north int
	err = eachRecord(ctx, st, sillok.Filter{Kind: sillok.KindLocation}, func(r *sillok.Record) {
		l := r.Body.(*sillok.Location)
		if l.Lat == nil {
			return
		}
		checked++
		x, y := project(*l.Lat, *l.Lon)
		// A place on the coast may sit a few kilometres out at sea in a
		// 40-point outline: accept one within 6 px (about 10 km).
		near := false
		for _, d := range [][2]float64{{0, 0}, {6, 0}, {-6, 0}, {0, 6}, {0, -6}} {
			near = near || inside(coast, x+d[0], y+d[1])
		}
		if !near {
			t.Errorf("%s (%s, %.2f, %.2f) is drawn at sea", r.ID, l.Type, *l.Lat, *l.Lon)
		}
		bl, ok := borderLat(*l.Lon)
		if !ok {
			return
		}
		switch {
		case l.Type == "china":
			china++
			if *l.Lat < bl-0.05 {
				t.Errorf("%s in China (%.2f, %.2f) is drawn south of the border (%.2f)", r.ID, *l.Lat, *l.Lon, bl)
			}
		case l.Type == "kwanliso" || l.Type == "kyohwaso" || l.Type == "province":
			north++
			if *l.Lat > bl+0.05 {
				t.Errorf("%s in North Korea (%.2f, %.2f) is drawn north of the border (%.2f)", r.ID, *l.Lat, *l.Lon, bl)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d places, %d in China, %d in the North", checked, china, north)
	if checked < 20 || china == 0 || north == 0 {
		t.Fatalf("checked %d places (%d in China, %d in the North): too few to mean anything", checked, china, north)
	}
}

func TestLanguage(t *testing.T) {
	for _, c := range []struct{ query, cookie, accept, want string }{
		{"", "", "", "en"},
		{"", "", "ko", "ko"},
		{"", "", "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"},
		{"", "", "en-US,en;q=0.9,ko;q=0.8", "en"},
		{"", "", "fr-FR,fr;q=0.9,ko;q=0.5", "ko"},
		{"", "", "en;q=0.2,ko;q=0.3", "ko"},
		{"", "ko", "en", "ko"},
		{"en", "ko", "ko", "en"},
		{"xx", "", "ko", "ko"},
		{"", "zz", "", "en"},
	} {
		r := httptest.NewRequest("GET", "/?lang="+c.query, nil)
		if c.cookie != "" {
			r.Header.Set("Cookie", "lang="+c.cookie)
		}
		r.Header.Set("Accept-Language", c.accept)
		if got := language(httptest.NewRecorder(), r); got != c.want {
			t.Errorf("lang=%q cookie=%q Accept-Language=%q: %s, want %s", c.query, c.cookie, c.accept, got, c.want)
		}
	}
}

// FuzzLanguage: any Accept-Language header yields a supported language.
func FuzzLanguage(f *testing.F) {
	for _, s := range []string{"", "ko", "ko-KR,ko;q=0.9,en;q=0.5", "en;q=abc", ";;,,q=", "ko;q=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", accept)
		if got := language(httptest.NewRecorder(), r); got != "ko" && got != "en" {
			t.Fatalf("Accept-Language %q: %q", accept, got)
		}
	})
}

func TestBarChartSuppression(t *testing.T) {
	svg := string(barChart("t", []statRow{{Label: "a", Acts: "12", acts: 12}, {Label: "b<", Acts: "<5", acts: 0}}, "suppressed"))
	for _, want := range []string{`width="380"`, "&lt;5 (suppressed)", "b&lt;", "<title>t</title>"} {
		if !contains(svg, want) {
			t.Errorf("chart lacks %q:\n%s", want, svg)
		}
	}
	if n := count(svg, "<rect"); n != 1 {
		t.Errorf("%d bars, want 1 (none for the suppressed count)", n)
	}
}

func contains(s, sub string) bool { return count(s, sub) > 0 }

func count(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}

// TestStatsRefresh: stale statistics are served while one background scan
// refreshes them, and the refreshed figures replace them.
func TestStatsRefresh(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	actor := sillok.Actor{User: "t", Org: "o"}
	ev := &sillok.Record{Kind: sillok.KindEvent, Org: "o", Level: sillok.LevelInternal, Body: &sillok.Event{Title: sillok.Labels{En: "E"}}}
	p := &sillok.Record{Kind: sillok.KindPerson, Org: "o", Level: sillok.LevelInternal, Body: &sillok.Person{Names: []sillok.Name{{Value: "X"}}, Sex: sillok.SexFemale}}
	for _, r := range []*sillok.Record{ev, p} {
		if err := st.Create(ctx, actor, r); err != nil {
			t.Fatal(err)
		}
	}
	addAct := func() {
		t.Helper()
		if err := st.Create(ctx, actor, &sillok.Record{Kind: sillok.KindAct, Org: "o", Level: sillok.LevelInternal,
			Body: &sillok.Act{Event: ev.ID, Victim: p.ID, Type: "beating", Date: sillok.MustDate("1998")}}); err != nil {
			t.Fatal(err)
		}
	}
	addAct()
	w, err := newWeb(Options{StatsTTL: time.Nanosecond}, actor)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	s1, err := w.statsFor(ctx, st, log, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Acts != 1 || s1.ByType["torture"].Acts != 1 || s1.ByYear[1998].Acts != 1 || s1.BySex["female"].Victims() != 1 {
		t.Fatalf("first statistics: %d acts, by type %v", s1.Acts, s1.ByType)
	}
	addAct()
	s2, err := w.statsFor(ctx, st, log, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if s2 != s1 {
		t.Fatalf("expired statistics not served while refreshing")
	}
	// The refresh runs in the background: wait for it if it has not
	// finished yet.
	w.mu.Lock()
	busy, s3 := w.statsBusy, w.stats
	w.mu.Unlock()
	if busy != nil {
		<-busy
		w.mu.Lock()
		s3 = w.stats
		w.mu.Unlock()
	}
	if s3 == s1 {
		t.Fatal("no refresh ran")
	}
	if s3.Acts != 2 || s3.Victims != 1 || s3.ByType["torture"].Acts != 2 {
		t.Errorf("refreshed statistics: %d acts of %d victims", s3.Acts, s3.Victims)
	}
}

// gatedStore blocks listings of acts until gate is closed: a statistics
// computation that cannot finish until the test lets it.
type gatedStore struct {
	sillok.Store
	gate chan struct{}
}

func (g gatedStore) List(ctx context.Context, f sillok.Filter) (*sillok.Page, error) {
	if f.Kind == sillok.KindAct {
		<-g.gate
	}
	return g.Store.List(ctx, f)
}

// TestStatsPending: a first computation that takes longer than the wait
// gives a page that reloads itself, and the figures once it is done.
func TestStatsPending(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g := gatedStore{st, make(chan struct{})}
	srv := NewServer(g, Options{StatsWait: time.Millisecond})
	get := func() string {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/stats?lang=en", nil))
		if rec.Code != 200 {
			t.Fatalf("GET /stats = %d", rec.Code)
		}
		return rec.Body.String()
	}
	body := get()
	if !contains(body, `<meta http-equiv="refresh" content="10">`) || !contains(body, "being computed") {
		t.Fatalf("pending page:\n%s", body)
	}
	srv.web.mu.Lock()
	busy := srv.web.statsBusy
	srv.web.mu.Unlock()
	close(g.gate)
	if busy != nil {
		<-busy
	}
	body = get()
	if contains(body, "http-equiv") || !contains(body, "By act type") {
		t.Fatalf("page after the computation:\n%s", body)
	}
}
