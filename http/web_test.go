package http_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/fulltext"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// demoRepo is a SQLite repository with a full-text index holding the demo
// data set for people individuals. With $SILLOK_BENCH_DIR set, the
// repository is kept there as demo-<people>.db and reused by later runs
// (loading 100,000 people takes a quarter of an hour).
func demoRepo(tb testing.TB, people int) (*sqlstore.Store, *fulltext.Index) {
	tb.Helper()
	ctx := context.Background()
	ix := fulltext.New([]byte("web test blind key"))
	path, fresh := filepath.Join(tb.TempDir(), "demo.db"), true
	if _, bench := tb.(*testing.B); bench && os.Getenv("SILLOK_BENCH_DIR") != "" {
		dir := os.Getenv("SILLOK_BENCH_DIR")
		path = filepath.Join(dir, fmt.Sprintf("demo-%d.db", people))
		_, err := os.Stat(path)
		fresh = err != nil
	}
	st, err := sqlite.Open(ctx, path, sqlstore.Options{Hooks: []sqlstore.Hook{ix}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if fresh {
		if _, err := demo.GenerateBatched(ctx, demo.Options{People: people, Seed: 1}, demo.StoreBatch(st)); err != nil {
			tb.Fatal(err)
		}
	}
	return st, ix
}

// fixedViewer is a Viewer with a role chosen by the test.
type fixedViewer struct{ u sillokhttp.User }

func (v fixedViewer) Viewer(*http.Request) (sillokhttp.User, error) { return v.u, nil }

type webClient struct {
	t  *testing.T
	ts *httptest.Server
}

func newWeb(t *testing.T, st sillok.Store, ix *fulltext.Index, opts sillokhttp.Options) *webClient {
	opts.Search = ix
	if opts.StatsWait == 0 {
		// Tests want the figures, however slow the machine.
		opts.StatsWait = time.Minute
	}
	if opts.Actor.User == "" {
		opts.Actor = sillok.Actor{User: "operator", Org: "nkdb-demo"}
	}
	ts := httptest.NewServer(sillokhttp.NewServer(st, opts))
	t.Cleanup(ts.Close)
	return &webClient{t, ts}
}

// get fetches path with an optional Accept-Language and returns the body,
// failing on a status other than want or on a page that is not complete
// HTML.
func (c *webClient) get(path, acceptLang string, want int) string {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.ts.URL+path, nil)
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	body := string(b)
	if res.StatusCode != want {
		c.t.Fatalf("GET %s = %d, want %d\n%.2000s", path, res.StatusCode, want, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		c.t.Fatalf("GET %s: content type %q", path, ct)
	}
	if !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
		c.t.Fatalf("GET %s: page is cut short:\n%.2000s", path, body)
	}
	text := stripTags(body)
	for _, leak := range []string{"template:", "<no value>", "%!", "error calling"} {
		if strings.Contains(text, leak) {
			c.t.Errorf("GET %s: page shows %q:\n%s", path, leak, around(body, leak))
		}
	}
	if k := untranslated.FindString(text); k != "" {
		c.t.Errorf("GET %s: untranslated message %q:\n%s", path, k, around(body, k))
	}
	return body
}

// untranslated matches a message key shown as it is.
var untranslated = regexp.MustCompile(`\b(app|nav|kinds?|user|role|lang|error|home|search|facet|browse|attr|sex|pager|record|history|person|level|stats|map|field|review|estimate|custody)\.[a-z_]+\b`)

var tagRE = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return tagRE.ReplaceAllString(s, " ") }

func around(s, sub string) string {
	i := strings.Index(stripTags(s), sub)
	t := stripTags(s)
	return t[max(0, i-200):min(len(t), i+200)]
}

// firstID returns the first record link of kind prefix on a page.
func firstID(t *testing.T, body, prefix string) string {
	t.Helper()
	m := regexp.MustCompile(`href="/records/(` + prefix + `_[0-9a-z]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s record linked on the page", prefix)
	}
	return m[1]
}

func TestWebPages(t *testing.T) {
	st, ix := demoRepo(t, 200)
	c := newWeb(t, st, ix, sillokhttp.Options{})
	type check struct {
		path   string
		lang   string
		status int
		want   []string
	}
	persons := c.get("/browse/persons", "", 200)
	person := firstID(t, persons, "per")
	acts := c.get("/browse/acts", "", 200)
	act := firstID(t, acts, "act")
	facility := firstID(t, c.get("/browse/locations?location_type=kwanliso", "", 200), "loc")
	checks := []check{
		{"/", "en", 200, []string{"<html lang=\"en\"", "Sillok repository", "operator · nkdb-demo · administrator", `href="/?lang=ko"`}},
		{"/", "ko-KR,ko;q=0.9,en;q=0.5", 200, []string{"<html lang=\"ko\"", "실록 저장소", "관리자"}},
		{"/?lang=ko", "en", 200, []string{"<html lang=\"ko\"", "둘러보기"}},
		{"/browse/persons", "", 200, []string{"Persons", "<table", "per_"}},
		{"/browse/persons?sex=female", "", 200, []string{"female", `<option value="female" selected>`}},
		{"/browse/units", "ko", 200, []string{"기관 유형", "unt_"}},
		{"/browse/locations", "", 200, []string{"Place type", "loc_"}},
		{"/browse/locations?location_type=kwanliso", "ko", 200, []string{"정치범수용소 (관리소)"}},
		{"/browse/events", "", 200, []string{"evt_"}},
		{"/browse/acts?act_type=torture_interrogation", "", 200, []string{"act_", `<option value="torture_interrogation" selected>`}},
		{"/browse/sources", "", 200, []string{"src_", "Source type"}},
		{"/browse/nothing", "", 404, []string{"Not found"}},
		{"/records/" + person, "", 200, []string{"Names", "Revision history", "Linked records", "operator"}},
		{"/records/" + act, "", 200, []string{"Victim", "Sources behind this record", "Type"}},
		{"/records/" + act, "ko", 200, []string{"피해자", "이 기록의 출처"}},
		{"/records/" + facility, "", 200, []string{"Political prison camp (kwanliso)", "Coordinates"}},
		{"/records/per_doesnotexist", "", 404, []string{"Not found"}},
		{"/records/junk", "ko", 404, []string{"찾을 수 없음"}},
		{"/search", "", 200, []string{`name="q"`}},
		{"/search?q=" + urlq("요덕"), "ko", 200, []string{"<mark>", "결과", "기록 유형"}},
		{"/search?q=" + urlq("\"unbalanced"), "", 200, []string{"could not be understood"}},
		{"/search?q=Yodok&kind=source", "", 200, []string{"Record type"}},
		{"/stats", "", 200, []string{"By act type", "By period of the act", "By facility", "By victim&#39;s sex", "<svg", "Internal view"}},
		{"/stats?publication=1", "ko", 200, []string{"공표용 보기", "&lt;5", "행위 유형별"}},
		{"/map", "", 200, []string{"<svg", "Political prison camp (kwanliso)", "/records/loc_", "North Korea"}},
		{"/map", "ko", 200, []string{"북한", "중국"}},
	}
	for _, ck := range checks {
		t.Run(strings.ReplaceAll(ck.path+"@"+ck.lang, "/", "_"), func(t *testing.T) {
			lang := ck.lang
			if lang == "" {
				lang = "en"
			}
			body := (&webClient{t, c.ts}).get(ck.path, lang, ck.status)
			for _, w := range ck.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s (%s): no %q in\n%.3000s", ck.path, lang, w, stripTags(body))
				}
			}
		})
	}
}

func urlq(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, " ", "+"), "\"", "%22") }

// TestWebActSources checks that a record page lists the information
// records behind it and links their sources.
func TestWebActSources(t *testing.T) {
	ctx := context.Background()
	st, ix := demoRepo(t, 100)
	c := newWeb(t, st, ix, sillokhttp.Options{})
	pg, err := st.List(ctx, sillok.Filter{Kind: sillok.KindInformation, Limit: 1})
	if err != nil || len(pg.Records) == 0 {
		t.Fatalf("no information records: %v", err)
	}
	in := pg.Records[0].Body.(*sillok.Information)
	body := c.get("/records/"+string(in.Subject), "en", 200)
	if !strings.Contains(body, `href="/records/`+string(in.Source)+`"`) {
		t.Errorf("record %s does not link its source %s", in.Subject, in.Source)
	}
	if !strings.Contains(body, `href="/records/`+string(pg.Records[0].ID)+`"`) {
		t.Errorf("record %s does not link its information record", in.Subject)
	}
}

// TestWebLanguageCookie checks that ?lang= sticks through a cookie.
func TestWebLanguageCookie(t *testing.T) {
	st, ix := demoRepo(t, 100)
	c := newWeb(t, st, ix, sillokhttp.Options{})
	res, err := http.Get(c.ts.URL + "/?lang=ko")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var lang *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "lang" {
			lang = ck
		}
	}
	if lang == nil || lang.Value != "ko" {
		t.Fatalf("cookies %v: want lang=ko", res.Cookies())
	}
	req, _ := http.NewRequest("GET", c.ts.URL+"/stats", nil)
	req.Header.Set("Accept-Language", "en")
	req.AddCookie(lang)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `<html lang="ko"`) || !strings.Contains(string(b), "행위 유형별") {
		t.Errorf("cookie lang=ko ignored:\n%.500s", b)
	}
}

// TestWebViewer checks what a viewer without need-to-know sees: pseudonyms
// instead of names, suppressed statistics, no internal view.
func TestWebViewer(t *testing.T) {
	ctx := context.Background()
	st, ix := demoRepo(t, 100)
	admin := newWeb(t, st, ix, sillokhttp.Options{})
	viewer := newWeb(t, st, ix, sillokhttp.Options{Viewer: fixedViewer{sillokhttp.User{Name: "reader", Org: "tjwg-demo", Role: sillokhttp.RoleViewer}}})
	pg, err := st.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := pg.Records[0]
	name := p.Body.(*sillok.Person).Names[0].Value
	id := string(p.ID)
	if body := admin.get("/records/"+id, "en", 200); !strings.Contains(body, name) {
		t.Errorf("admin does not see the name of %s", id)
	}
	for _, path := range []string{"/records/" + id, "/browse/persons"} {
		body := viewer.get(path, "en", 200)
		if strings.Contains(body, name) {
			t.Errorf("viewer sees the name of %s on %s", id, path)
		}
		if !strings.Contains(body, "Person "+strings.ToUpper(id[len(id)-6:])) {
			t.Errorf("viewer gets no pseudonym on %s", path)
		}
	}
	body := viewer.get("/stats", "en", 200)
	if !strings.Contains(body, "Publication view") || strings.Contains(body, "Show internal view") {
		t.Errorf("viewer's statistics are not the publication view")
	}
	if !strings.Contains(body, "reader · tjwg-demo · viewer") {
		t.Errorf("viewer's identity not shown")
	}
}

// TestWebSmallCounts checks suppression against the unsuppressed view:
// every count below the threshold is hidden, every other one is the same.
func TestWebSmallCounts(t *testing.T) {
	st, ix := demoRepo(t, 100)
	c := newWeb(t, st, ix, sillokhttp.Options{SmallCount: 10})
	cell := regexp.MustCompile(`<td>([^<]*)</td>`)
	internal := cell.FindAllStringSubmatch(c.get("/stats", "en", 200), -1)
	pub := cell.FindAllStringSubmatch(c.get("/stats?publication=1", "en", 200), -1)
	if len(internal) != len(pub) || len(internal) == 0 {
		t.Fatalf("%d cells internal, %d published", len(internal), len(pub))
	}
	suppressed := 0
	for i := range internal {
		in, out := internal[i][1], pub[i][1]
		var n int
		if _, err := fmt.Sscan(in, &n); err != nil {
			t.Fatalf("cell %d: %q is not a number", i, in)
		}
		switch {
		case n > 0 && n < 10:
			suppressed++
			if out != "&lt;10" {
				t.Errorf("cell %d: %d published as %q", i, n, out)
			}
		case out != in:
			t.Errorf("cell %d: %s published as %q", i, in, out)
		}
	}
	if suppressed == 0 {
		t.Errorf("no count below 10 in the demo statistics: the test proves nothing")
	}
}

// TestCatalogs checks that both languages have the same messages.
func TestCatalogs(t *testing.T) {
	read := func(l string) map[string]string {
		b, err := os.ReadFile(filepath.Join("i18n", l+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		return m
	}
	en, ko := read("en"), read("ko")
	for k := range en {
		if _, ok := ko[k]; !ok {
			t.Errorf("ko lacks %q", k)
		}
	}
	for k := range ko {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
}

// TestWebGolden compares the home page and an error page, which depend on
// nothing random, with golden files (go test -run Golden -update).
func TestWebGolden(t *testing.T) {
	st, ix := demoRepo(t, 100)
	c := newWeb(t, st, ix, sillokhttp.Options{})
	for _, g := range []struct {
		name, path, lang string
		status           int
	}{
		{"home.en.html", "/", "en", 200},
		{"home.ko.html", "/", "ko", 200},
		{"notfound.ko.html", "/records/per_missing", "ko", 404},
	} {
		body := c.get(g.path, g.lang, g.status)
		file := filepath.Join("testdata", g.name)
		if *update {
			if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(want) {
			t.Errorf("%s differs from %s (go test -run Golden -update to accept):\n%s", g.path, file, body)
		}
	}
}

func TestStatic(t *testing.T) {
	st, ix := demoRepo(t, 100)
	c := newWeb(t, st, ix, sillokhttp.Options{})
	for path, want := range map[string]string{"/static/style.css": "text/css", "/static/app.js": "javascript"} {
		res, err := http.Get(c.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), want) {
			t.Errorf("GET %s = %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

// TestWebLinkedCap checks that a record linked to many others lists a
// page of each kind and says how many more there are.
func TestWebLinkedCap(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "cap.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	actor := sillok.Actor{User: "t", Org: "o"}
	lat, lon := 39.6, 126.9
	loc := &sillok.Record{Kind: sillok.KindLocation, Org: "o", Level: sillok.LevelInternal, Body: &sillok.Location{Names: []sillok.Name{{Value: "Camp 15"}}, Type: "kwanliso", Lat: &lat, Lon: &lon}}
	err = st.Batch(ctx, func(tx sillok.Tx) error {
		if err := tx.Create(ctx, actor, loc); err != nil {
			return err
		}
		ev := &sillok.Record{Kind: sillok.KindEvent, Org: "o", Level: sillok.LevelInternal, Body: &sillok.Event{Title: sillok.Labels{En: "Detention"}}}
		p := &sillok.Record{Kind: sillok.KindPerson, Org: "o", Level: sillok.LevelInternal, Body: &sillok.Person{Names: []sillok.Name{{Value: "X"}}}}
		for _, r := range []*sillok.Record{ev, p} {
			if err := tx.Create(ctx, actor, r); err != nil {
				return err
			}
		}
		for range 60 {
			a := &sillok.Record{Kind: sillok.KindAct, Org: "o", Level: sillok.LevelInternal, Body: &sillok.Act{Event: ev.ID, Victim: p.ID, Type: "forced_labour", Location: loc.ID}}
			if err := tx.Create(ctx, actor, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := newWeb(t, st, nil, sillokhttp.Options{})
	body := c.get("/records/"+string(loc.ID), "en", 200)
	if n := strings.Count(body, `href="/records/act_`); n != 50 {
		t.Errorf("%d acts listed, want 50", n)
	}
	if !strings.Contains(body, "and 10 more of this kind") {
		t.Errorf("no count of the acts not listed")
	}
	// The map shows it, the statistics count it.
	if body := c.get("/map", "en", 200); !strings.Contains(body, `href="/records/`+string(loc.ID)+`" class="marker kwanliso"`) {
		t.Errorf("map lacks the camp marker")
	}
	if body := c.get("/stats", "en", 200); !regexp.MustCompile(`Camp 15</a></th><td>60</td><td>1</td>`).MatchString(body) {
		t.Errorf("statistics do not count 60 acts against 1 victim at the camp:\n%s", stripTags(body))
	}
}

// TestWebBrowseNarrower pages through the acts of a broad type and checks
// that exactly the acts of it and its narrower types are listed, once.
func TestWebBrowseNarrower(t *testing.T) {
	ctx := context.Background()
	st, ix := demoRepo(t, 200)
	c := newWeb(t, st, ix, sillokhttp.Options{})
	narrow := map[string]bool{"torture": true, "torture_interrogation": true, "beating": true, "stress_position": true}
	want := map[string]bool{}
	f := sillok.Filter{Kind: sillok.KindAct, Limit: 10000}
	pg, err := st.List(ctx, f)
	if err != nil || pg.Next != "" {
		t.Fatalf("list acts: %v (next %q)", err, pg.Next)
	}
	for _, r := range pg.Records {
		if narrow[r.Body.(*sillok.Act).Type] {
			want[string(r.ID)] = true
		}
	}
	if len(want) <= browsePage {
		t.Fatalf("only %d torture acts in the demo: paging is not exercised", len(want))
	}
	got := map[string]bool{}
	link := regexp.MustCompile(`<td><a href="/records/(act_[0-9a-z]+)">`)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	path := "/browse/acts?act_type=torture"
	for pages := 0; path != ""; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		body := c.get(path, "en", 200)
		for _, m := range link.FindAllStringSubmatch(body, -1) {
			if got[m[1]] {
				t.Errorf("%s listed twice", m[1])
			}
			got[m[1]] = true
		}
		path = ""
		if m := next.FindStringSubmatch(body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s (torture) not listed", id)
		}
	}
	for id := range got {
		if !want[id] {
			t.Errorf("%s listed but not torture", id)
		}
	}
}

const browsePage = 50
