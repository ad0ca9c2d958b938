package http_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/fulltext"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

func newServer(t *testing.T) *httptest.Server {
	ix := fulltext.New([]byte("key"))
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{Hooks: []sqlstore.Hook{ix}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ts := httptest.NewServer(sillokhttp.NewServer(s, sillokhttp.Options{Actor: sillok.Actor{User: "api", Org: "org"}, Search: ix}))
	t.Cleanup(ts.Close)
	return ts
}

func call(t *testing.T, ts *httptest.Server, method, path, body string, wantStatus int) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, b, wantStatus)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: content type %q", method, path, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
	return m
}

func TestAPI(t *testing.T) {
	ts := newServer(t)
	p := call(t, ts, "POST", "/api/v1/persons", `{"body":{"names":[{"value":"림철"}],"sex":"male"}}`, 201)
	id := p["id"].(string)
	if !strings.HasPrefix(id, "per_") || p["rev"].(float64) != 1 || p["created_by"] != "api" {
		t.Fatalf("created %v", p)
	}
	got := call(t, ts, "GET", "/api/v1/records/"+id, "", 200)
	if got["body"].(map[string]any)["names"].([]any)[0].(map[string]any)["value"] != "림철" {
		t.Errorf("get = %v", got)
	}
	up := call(t, ts, "PUT", "/api/v1/records/"+id, `{"rev":1,"body":{"names":[{"value":"림철"},{"value":"Rim Chol"}],"sex":"male"},"note":"romanized"}`, 200)
	if up["rev"].(float64) != 2 {
		t.Errorf("update = %v", up)
	}
	e := call(t, ts, "PUT", "/api/v1/records/"+id, `{"rev":1,"body":{"names":[{"value":"x"}]}}`, 409)
	if e["error"].(map[string]any)["code"] != "conflict" {
		t.Errorf("stale update error = %v", e)
	}
	e = call(t, ts, "POST", "/api/v1/acts", `{"body":{"event":"evt_x","victim":"`+id+`","type":"torture"}}`, 422)
	if f := e["error"].(map[string]any)["field"]; f != "event" {
		t.Errorf("invalid act names field %v", f)
	}
	call(t, ts, "POST", "/api/v1/persons", `{"body":{"names":[{"value":"x"}]},"extra":1}`, 400)
	call(t, ts, "POST", "/api/v1/persons", `{"body":{"names":[{"value":"x"}],"shoe_size":9}}`, 422)
	call(t, ts, "GET", "/api/v1/records/per_missing", "", 404)
	call(t, ts, "GET", "/api/v1/nonsense", "", 404)
	call(t, ts, "GET", "/api/v1/persons?attr=sex:male", "", 200)
	l := call(t, ts, "GET", "/api/v1/persons?attr=sex:female", "", 200)
	if n := len(l["records"].([]any)); n != 0 {
		t.Errorf("female filter returned %d", n)
	}
	l = call(t, ts, "GET", "/api/v1/records?kind=person&attr=sex:male", "", 200)
	if n := len(l["records"].([]any)); n != 1 {
		t.Errorf("male filter returned %d", n)
	}
	call(t, ts, "DELETE", "/api/v1/records/"+id+"?rev=1", "", 409)
	d := call(t, ts, "DELETE", "/api/v1/records/"+id+"?rev=2&note=duplicate", "", 200)
	if d["deleted"] != true {
		t.Errorf("delete = %v", d)
	}
	h := call(t, ts, "GET", "/api/v1/records/"+id+"/history", "", 200)
	revs := h["revisions"].([]any)
	if len(revs) != 3 || revs[2].(map[string]any)["note"] != "duplicate" || revs[2].(map[string]any)["tombstone"] != true {
		t.Errorf("history = %v", h)
	}
	call(t, ts, "GET", "/api/v1/records/"+id+"/revisions/1", "", 200)
	call(t, ts, "PUT", "/api/v1/records/"+id, `{"rev":3,"body":{"names":[{"value":"x"}]}}`, 410)
	th := call(t, ts, "GET", "/api/v1/thesauri/act_type", "", 200)
	found := false
	for _, n := range th["terms"].([]any) {
		m := n.(map[string]any)
		if m["code"] == "murder" {
			for _, c := range m["children"].([]any) {
				if c.(map[string]any)["code"] == "execution" {
					found = true
				}
			}
		}
	}
	if !found {
		t.Error("act_type tree lacks murder > execution")
	}
	call(t, ts, "GET", "/api/v1/thesauri/nope", "", 404)
}

func TestSearchAPI(t *testing.T) {
	ts := newServer(t)
	call(t, ts, "POST", "/api/v1/events", `{"body":{"title":{"ko":"요덕 수용소에서 공개처형"},"date":"2003"}}`, 201)
	call(t, ts, "POST", "/api/v1/events", `{"body":{"title":{"en":"Arrest in Hyesan"},"date":"2010"}}`, 201)
	r := call(t, ts, "GET", "/api/v1/search?q=%EC%88%98%EC%9A%A9%EC%86%8C", "", 200) // 수용소
	if r["total"].(float64) != 1 {
		t.Errorf("search = %v", r)
	}
	r = call(t, ts, "GET", "/api/v1/search?q=arrest&from=2009&to=2011&kind=event", "", 200)
	if r["total"].(float64) != 1 || r["facets"].(map[string]any)["kind"].(map[string]any)["event"].(float64) != 1 {
		t.Errorf("filtered search = %v", r)
	}
	r = call(t, ts, "GET", "/api/v1/search?q=arrest&from=2011", "", 200)
	if r["total"].(float64) != 0 {
		t.Errorf("date filter ignored: %v", r)
	}
	call(t, ts, "GET", "/api/v1/search?q=(", "", 400)
	call(t, ts, "GET", "/api/v1/search?q=x&kind=ghost", "", 400)
}
