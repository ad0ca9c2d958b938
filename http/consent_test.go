package http_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sillok/sillok"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

func TestAPIConsentWithdraw(t *testing.T) {
	ts := newServer(t)
	p := call(t, ts, "POST", "/api/v1/persons", `{"body":{"names":[{"value":"림철"}]}}`, 201)
	src := call(t, ts, "POST", "/api/v1/sources", `{"body":{"type":"testimony","interviewee":"`+p["id"].(string)+`",
		"consent":{"uses":["internal","un_reporting","prosecution"],"given":"2024-01-10T00:00:00Z","recorded_by":"kim"}}}`, 201)
	id := src["id"].(string)
	// An unknown use is the store's field error.
	e := call(t, ts, "POST", "/api/v1/sources/"+id+"/consent/withdraw", `{"uses":["marketing"]}`, 422)
	if f := e["error"].(map[string]any)["field"]; f != "consent.withdrawals[0].uses[0]" {
		t.Errorf("unknown use: field %v", f)
	}
	call(t, ts, "POST", "/api/v1/sources/"+id+"/consent/withdraw", `{}`, 422)
	r := call(t, ts, "POST", "/api/v1/sources/"+id+"/consent/withdraw", `{"uses":["prosecution"],"note":"by letter"}`, 200)
	if r["rev"].(float64) != 2 || r["updated_by"] != "api" {
		t.Errorf("withdrawal revision %v", r)
	}
	w := r["body"].(map[string]any)["consent"].(map[string]any)["withdrawals"].([]any)[0].(map[string]any)
	if w["recorded_by"] != "api" || w["note"] != "by letter" || w["uses"].([]any)[0] != "prosecution" {
		t.Errorf("withdrawal %v", w)
	}
	h := call(t, ts, "GET", "/api/v1/records/"+id+"/history", "", 200)
	revs := h["revisions"].([]any)
	if last := revs[len(revs)-1].(map[string]any); last["note"] != "consent withdrawn: prosecution" || last["actor"] != "api" {
		t.Errorf("last revision %v", last)
	}
	// Nothing to withdraw from a source without consent; not a source.
	none := call(t, ts, "POST", "/api/v1/sources", `{"body":{"type":"document"}}`, 201)
	call(t, ts, "POST", "/api/v1/sources/"+none["id"].(string)+"/consent/withdraw", `{"uses":["prosecution"]}`, 422)
	call(t, ts, "POST", "/api/v1/sources/"+p["id"].(string)+"/consent/withdraw", `{"uses":["prosecution"]}`, 404)
}

func TestAPIConsentWithdrawForbidden(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	src := &sillok.Record{Body: &sillok.Source{Type: "document", Consent: &sillok.Consent{Uses: []string{"internal", "prosecution"},
		Given: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), RecordedBy: "kim"}}}
	if err := s.Create(ctx, sillok.Actor{User: "kim", Org: "org"}, src); err != nil {
		t.Fatal(err)
	}
	for _, role := range []sillokhttp.Role{sillokhttp.RoleAnalyst, sillokhttp.RoleViewer} {
		ts := httptest.NewServer(sillokhttp.NewServer(s, sillokhttp.Options{Actor: sillok.Actor{User: "api", Org: "org"},
			Viewer: fixedViewer{sillokhttp.User{Name: "x", Org: "org", Role: role}}}))
		call(t, ts, "POST", "/api/v1/sources/"+string(src.ID)+"/consent/withdraw", `{"uses":["prosecution"]}`, 403)
		// The page shows consent but offers no withdraw form.
		c := &webClient{t, ts}
		if body := c.get("/records/"+string(src.ID), "en", 200); !strings.Contains(body, `id="h-consent"`) || strings.Contains(body, "/consent/withdraw") {
			t.Errorf("%s: source page consent section or withdraw form wrong", role)
		}
		c.post("/records/"+string(src.ID)+"/consent/withdraw", map[string][]string{"uses": {"prosecution"}}, 403)
		ts.Close()
	}
	if r, _ := s.Get(ctx, src.ID); r.Rev != 1 {
		t.Errorf("source revised to %d by a role that may not", r.Rev)
	}
}
