package http_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/evidence"
	"github.com/sillok/sillok/fulltext"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// evidenceRepo is a demo repository with a custody log, one evidence file
// filed under a source, and that source revised once.
func evidenceRepo(t *testing.T) (*evidence.Repo, *fulltext.Index, *sillok.Record, *sillok.Record) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	ix := fulltext.New([]byte("web test blind key"))
	open := func(ctx context.Context, opts sqlstore.Options) (*sqlstore.Store, error) {
		return sqlite.Open(ctx, filepath.Join(dir, "sillok.db"), opts)
	}
	repo, err := evidence.Open(ctx, evidence.Config{DataDir: dir}, open, sqlstore.Options{Hooks: []sqlstore.Hook{ix}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	if _, err := demo.GenerateBatched(ctx, demo.Options{People: 100, Seed: 1}, demo.StoreBatch(repo.Store)); err != nil {
		t.Fatal(err)
	}
	pg, err := repo.Store.List(ctx, sillok.Filter{Kind: sillok.KindSource, Limit: 1})
	if err != nil || len(pg.Records) == 0 {
		t.Fatalf("no source: %v", err)
	}
	src := pg.Records[0]
	actor := sillok.Actor{User: "archivist", Org: src.Org}
	ev, _, err := repo.Add(ctx, actor, strings.NewReader("fictional scanned letter"), evidence.Receipt{Source: src.ID, Channel: "courier", Org: src.Org})
	if err != nil {
		t.Fatal(err)
	}
	if src, err = repo.Store.Update(ctx, actor, src.ID, src.Rev, src.Body, "checked against the scan"); err != nil {
		t.Fatal(err)
	}
	return repo, ix, src, ev
}

func TestWebCustody(t *testing.T) {
	repo, ix, src, ev := evidenceRepo(t)
	c := newWeb(t, repo.Store, ix, sillokhttp.Options{Custody: sillokhttp.EvidenceCustody(repo.Custody)})
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Chain of custody", "Record created", "Record revised", "Record revised · revision 2", "Evidence received", string(ev.ID), "archivist@", "signed at size", "/records/" + string(src.ID) + "/custody/"}},
		{"ko", []string{"관리 연속성", "기록 생성", "기록 개정", "증거 접수", "내려받기"}},
	} {
		body := c.get("/records/"+string(src.ID), tc.lang, 200)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("record page (%s): no %q", tc.lang, w)
			}
		}
	}
	body := c.get("/records/"+string(src.ID), "en", 200)
	links := regexp.MustCompile(`href="(/records/`+string(src.ID)+`/custody/([0-9]+))"`).FindAllStringSubmatch(body, -1)
	// created and revised for the source; created and received for the file.
	if len(links) != 4 {
		t.Fatalf("%d custody entries on the source's page, want 4", len(links))
	}
	key, err := note.NewVerifier(repo.Custody.Key().VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		res, err := http.Get(c.ts.URL + l[1])
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("GET %s = %d (%s)", l[1], res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		var p sillokhttp.CustodyProof
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		// Checked as an outsider would: the key, the signed checkpoint,
		// the leaf and its path to the root.
		cp, err := custody.OpenCheckpoint([]byte(p.Checkpoint), key)
		if err != nil {
			t.Fatalf("proof %s: checkpoint: %v", l[2], err)
		}
		var rp tlog.RecordProof
		for _, h := range p.Proof {
			raw, err := base64.StdEncoding.DecodeString(h)
			if err != nil || len(raw) != tlog.HashSize {
				t.Fatalf("proof %s: bad hash %q", l[2], h)
			}
			rp = append(rp, tlog.Hash(raw))
		}
		if err := tlog.CheckRecord(rp, cp.Size, cp.Root, p.Index, tlog.RecordHash([]byte(p.Event))); err != nil {
			t.Errorf("proof %s does not verify: %v", l[2], err)
		}
		e, err := custody.ParseEvent([]byte(p.Event))
		if err != nil || (e.Record != string(src.ID) && e.Record != string(ev.ID)) || p.Format != sillokhttp.ProofFormat {
			t.Errorf("proof %s is of event %+v (%v)", l[2], e, err)
		}
	}
	// A proof of an event that is not the record's is not served.
	evPage := c.get("/records/"+string(ev.ID), "en", 200)
	if !strings.Contains(evPage, "Evidence received") {
		t.Errorf("evidence record page has no receipt")
	}
	for _, path := range []string{"/records/" + string(ev.ID) + "/custody/0", "/records/" + string(src.ID) + "/custody/999999", "/records/junk/custody/1"} {
		if res, err := http.Get(c.ts.URL + path); err != nil || res.StatusCode != 404 {
			t.Errorf("GET %s = %v, %v; want 404", path, res.StatusCode, err)
		}
	}
	// Events logged after the index was built are found too.
	if _, err := repo.Store.Update(context.Background(), sillok.Actor{User: "archivist", Org: src.Org}, src.ID, src.Rev, src.Body, "second check"); err != nil {
		t.Fatal(err)
	}
	if body := c.get("/records/"+string(src.ID), "en", 200); !strings.Contains(body, "Record revised · revision 3") {
		t.Errorf("a revision logged after the first page is not listed")
	}
	// Without a custody log the section is not there.
	plain := newWeb(t, repo.Store, ix, sillokhttp.Options{})
	if body := plain.get("/records/"+string(src.ID), "en", 200); strings.Contains(body, "Chain of custody") {
		t.Errorf("custody section shown without a custody log")
	}
}
