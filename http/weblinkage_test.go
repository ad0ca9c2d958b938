package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/fulltext"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/linkage/personlink"
	"github.com/sillok/sillok/sqlstore"
)

// linkedDemoRepo is a demo repository whose persons the linkage model has
// run over, so that it has a review queue.
func linkedDemoRepo(t *testing.T, people int) (*sqlstore.Store, *fulltext.Index) {
	t.Helper()
	st, ix := demoRepo(t, people)
	rep, err := personlink.Run(context.Background(), st, personlink.Options{Actor: sillok.Actor{User: "linker", Org: "nkdb-demo"}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Queued == 0 {
		t.Fatalf("the demo data gave no pair to review: the test proves nothing (%+v)", rep)
	}
	return st, ix
}

func TestWebReview(t *testing.T) {
	ctx := context.Background()
	st, ix := linkedDemoRepo(t, 300)
	q, err := personlink.Queue(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	admin := newWeb(t, st, ix, sillokhttp.Options{})
	first := q[0].Body.(*sillok.Link)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Linkage review queue", "Same person", "Different people", "Unsure", "What each comparison contributed", "Family name", "match probability", `action="/review/decide"`, "<svg", string(first.A)}},
		{"ko", []string{"기록 연계 검토 대기열", "같은 사람", "다른 사람", "판단 보류", "비교 항목별 기여도", "일치 확률"}},
	} {
		body := admin.get("/review", tc.lang, 200)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET /review (%s): no %q", tc.lang, w)
			}
		}
	}
	// A viewer sees the queue with pseudonyms, and no buttons; a post is
	// refused.
	viewer := newWeb(t, st, ix, sillokhttp.Options{Viewer: fixedViewer{sillokhttp.User{Name: "reader", Org: "tjwg-demo", Role: sillokhttp.RoleViewer}}})
	body := viewer.get("/review", "en", 200)
	if strings.Contains(body, `action="/review/decide"`) || strings.Contains(body, `href="/review"`) {
		t.Errorf("viewer is offered review decisions")
	}
	pa, err := st.Get(ctx, first.A)
	if err != nil {
		t.Fatal(err)
	}
	if name := pa.Body.(*sillok.Person).Names[0].Value; strings.Contains(body, name) {
		t.Errorf("viewer sees the name of %s on the review page", first.A)
	}
	viewer.post("/review/decide", url.Values{"a": {string(first.A)}, "b": {string(first.B)}, "decision": {"same"}}, 403)
	if r, _ := st.Get(ctx, q[0].ID); r.Rev != q[0].Rev {
		t.Fatalf("a viewer's post changed link %s", q[0].ID)
	}
}

// TestWebReviewDecide checks that a decision through the web form writes
// the link revision `sillok link decide` (personlink.Decide) writes, and
// that undo restores the model's decision.
func TestWebReviewDecide(t *testing.T) {
	ctx := context.Background()
	st, ix := linkedDemoRepo(t, 300)
	q, err := personlink.Queue(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	user := sillokhttp.User{Name: "analyst1", Org: "nkdb-demo", Role: sillokhttp.RoleAnalyst}
	c := newWeb(t, st, ix, sillokhttp.Options{Viewer: fixedViewer{user}})
	link, l := q[0], q[0].Body.(*sillok.Link)
	for _, decision := range []string{"same", "different", "unsure"} {
		t.Run(decision, func(t *testing.T) {
			before, err := st.Get(ctx, link.ID)
			if err != nil {
				t.Fatal(err)
			}
			note := "web review: " + decision
			path, body := c.post("/review/decide", url.Values{"a": {string(l.B)}, "b": {string(l.A)}, "decision": {decision}, "note": {note}, "offset": {"0"}}, 200)
			if path != "/review" || !strings.Contains(body, "Recorded:") || !strings.Contains(body, "Undo") {
				t.Fatalf("decision went to %s:\n%.2000s", path, stripTags(body))
			}
			web, err := st.Get(ctx, link.ID)
			if err != nil {
				t.Fatal(err)
			}
			if web.Rev != before.Rev+1 || web.UpdatedBy != "analyst1" {
				t.Fatalf("web decision: rev %d by %s, want rev %d by analyst1", web.Rev, web.UpdatedBy, before.Rev+1)
			}
			// Undo through the web: back to the model's unsure.
			c.post("/review/undo", url.Values{"link": {string(link.ID)}}, 200)
			undone, err := st.Get(ctx, link.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(undone.Body, before.Body) {
				t.Fatalf("undo: %+v, want %+v", undone.Body, before.Body)
			}
			if again, _ := personlink.Queue(ctx, st, 0); !containsID(again, link.ID) {
				t.Fatalf("undone link %s is not back in the queue", link.ID)
			}
			if body := c.get("/review", "en", 200); !strings.Contains(body, `name="a" value="`+string(l.A)+`"`) {
				t.Fatalf("undone link %s is not back on the review page", link.ID)
			}
			// The library call the CLI makes, on the same pair.
			cli, err := personlink.Decide(ctx, st, sillok.Actor{User: "analyst1", Org: "nkdb-demo"}, l.A, l.B, decision, note)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cli.Body, web.Body) || cli.Level != web.Level || cli.Org != web.Org {
				t.Errorf("web wrote %s, CLI writes %s", mustJSON(web.Body), mustJSON(cli.Body))
			}
			h, err := st.History(ctx, link.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(h); h[n-1].Note != h[n-3].Note || h[n-1].Actor != h[n-3].Actor || h[n-1].Hash == "" {
				t.Errorf("web revision note %q by %s, CLI %q by %s", h[n-3].Note, h[n-3].Actor, h[n-1].Note, h[n-1].Actor)
			}
			// Leave the pair in the queue for the next decision.
			if _, err := personlink.Undo(ctx, st, sillok.Actor{User: "analyst1", Org: "nkdb-demo"}, link.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
	// An undo with nothing to undo says so on the queue.
	fresh, err := personlink.Decide(ctx, st, sillok.Actor{User: "analyst1", Org: "nkdb-demo"}, q[1].Body.(*sillok.Link).A, pick(t, ctx, st, q[1].Body.(*sillok.Link).A), "different", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, body := c.post("/review/undo", url.Values{"link": {string(fresh.ID)}}, 200); !strings.Contains(body, "no earlier decision") {
		t.Errorf("undo of a first decision: no message")
	}
	// A decision made on the command line meanwhile takes the pair off
	// the page at once, though the server's queue order is cached.
	pair := `name="a" value="` + string(l.A) + `"`
	if body := c.get("/review", "en", 200); !strings.Contains(body, pair) {
		t.Fatalf("pair %s not on the review page", pair)
	}
	if _, err := personlink.Decide(ctx, st, sillok.Actor{User: "cli", Org: "nkdb-demo"}, l.A, l.B, "different", ""); err != nil {
		t.Fatal(err)
	}
	if body := c.get("/review", "en", 200); strings.Contains(body, pair) {
		t.Errorf("pair %s decided on the command line is still offered", pair)
	}
	// Cross-site posts are refused.
	req := url.Values{"a": {string(l.A)}, "b": {string(l.B)}, "decision": {"same"}}
	c.postOrigin("/review/decide", req, "http://evil.example", 403)
}

// pick returns a live person other than id with no link to it yet.
func pick(t *testing.T, ctx context.Context, st sillok.Reader, id sillok.ID) sillok.ID {
	t.Helper()
	pg, err := st.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pg.Records {
		if r.ID == id {
			continue
		}
		if l, err := personlink.FindLink(ctx, st, id, r.ID); err == nil && l == nil {
			return r.ID
		}
	}
	t.Fatal("no unlinked person")
	return ""
}

func containsID(rs []*sillok.Record, id sillok.ID) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// postOrigin posts a form as a page of origin would, and checks the status.
func (c *webClient) postOrigin(path string, form url.Values, origin string, want int) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != want {
		c.t.Fatalf("POST %s from %s = %d, want %d", path, origin, res.StatusCode, want)
	}
}

// TestWebReviewPending: while the queue is first loaded the page says so
// and reloads itself; then it shows the queue.
func TestWebReviewPending(t *testing.T) {
	st, ix := linkedDemoRepo(t, 300)
	c := newWeb(t, st, ix, sillokhttp.Options{StatsWait: time.Nanosecond})
	body := c.get("/review", "en", 200)
	if !strings.Contains(body, "being loaded") || !strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("first request: no pending page:\n%s", stripTags(body))
	}
	// A generous bound for a slow machine: not a speed assertion.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		body = c.get("/review", "en", 200)
		if strings.Contains(body, `action="/review/decide"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue never loaded:\n%s", stripTags(body))
		}
	}
}
