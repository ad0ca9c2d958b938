package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/blob/fsblob"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/protect"
)

// testSealer is an EvidenceSealer as cmd/sillok's serve wires one, over a
// folder of sealed blobs: the source's record key, SealBlob, then
// AttachEvidence.
type testSealer struct {
	st    *protect.Store
	dir   protect.BlobDir
	calls int
}

func (s *testSealer) SealEvidence(ctx context.Context, actor sillok.Actor, id sillok.ID, r io.Reader) (protect.BlobInfo, error) {
	s.calls++
	_, key, err := s.st.SourceKey(ctx, actor, id)
	if err != nil {
		return protect.BlobInfo{}, err
	}
	info, err := s.dir.Put(ctx, r, id, key)
	if err != nil {
		return protect.BlobInfo{}, err
	}
	_, err = s.st.AttachEvidence(ctx, actor, id, info)
	return info, err
}

// recordingAuditor keeps the disclosures made.
type recordingAuditor struct {
	mu sync.Mutex
	ds []protect.Disclosure
}

func (a *recordingAuditor) Disclosed(_ context.Context, d protect.Disclosure) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ds = append(a.ds, d)
	return nil
}

func (a *recordingAuditor) count(id sillok.ID, purpose string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, d := range a.ds {
		if d.Record == id && d.Purpose == purpose {
			n++
		}
	}
	return n
}

// upload posts files to a draft's evidence form and returns the response
// (after redirects) and its body.
func (c *webClient) upload(src string, files map[string][]byte, want int) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, b := range files {
		w, _ := mw.CreateFormFile("file", name)
		w.Write(b)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.ts.URL+"/intake/"+src+"/evidence", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		c.t.Fatalf("upload = %d, want %d\n%.2000s", res.StatusCode, want, stripTags(string(b)))
	}
	return res, string(b)
}

// TestIntakeSealed runs the intake on a sealing store (as cmd/sillok's
// serve wires it): steps saved one at a time keep each other's sealed
// fields; coming back to a step opens them with a recorded disclosure,
// or says they are kept; an uploaded file is sealed, and neither it nor
// its hash is stored in clear.
func TestIntakeSealed(t *testing.T) {
	ctx := context.Background()
	st, ix := demoRepo(t, 100)
	const org = "nkdb-demo"
	orgKey, err := protect.NewOrgKey(org)
	if err != nil {
		t.Fatal(err)
	}
	recovery, err := protect.NewOrgKey(protect.RecoveryHolder)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := protect.NewKeyring(recovery.Holder(), nil, orgKey)
	if err != nil {
		t.Fatal(err)
	}
	ix.Reveal = kr.RevealContext
	ps := protect.NewStore(st, nil, kr) // no Guard on the demo store: no pseudonym table
	clearBlobs, err := fsblob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sealer := &testSealer{st: ps, dir: protect.BlobDir(t.TempDir())}
	audit := &recordingAuditor{}
	opener := &protect.KeyringOpener{Keys: kr, Audit: audit}
	c := newWeb(t, ps, ix, sillokhttp.Options{Blobs: clearBlobs, Evidence: sealer, Opener: opener})
	path, _ := c.post("/intake", url.Values{"name": {"림철호"}, "sex": {"female"}, "level": {"confidential"}}, 200)
	src := strings.TrimSuffix(strings.TrimPrefix(path, "/intake/"), "/circumstances")
	if _, err := st.Get(ctx, sillok.ID(src)); err != nil {
		t.Fatalf("step 1 went to %s: %v", path, err)
	}
	open := func() *protect.SourceFields {
		t.Helper()
		return openSource(t, st, orgKey, sillok.ID(src))
	}
	c.post("/intake/"+src+"/circumstances", url.Values{"rev": {"1"}, "interviewer": {"Documenter Kim"}, "date": {"2019-05"}, "place": {"Hanawon dormitory 3"}}, 200)
	c.post("/intake/"+src+"/consent", url.Values{"rev": {"2"}, "uses": {"internal"}, "consent_given": {"2019-05-02"}}, 200)
	c.post("/intake/"+src+"/transcript", url.Values{"rev": {"3"}, "title_en": {"Testimony (Yodok)"}, "transcript_ko": {"요덕 수용소에서 보위부 취조 중 구타당했다."}}, 200)
	// The transcript step did not erase the circumstances, nor the other
	// way round.
	if f := open(); f.Interviewer != "Documenter Kim" || f.Place != "Hanawon dormitory 3" || f.Transcript.Ko == "" {
		t.Fatalf("after the transcript step the sealed fields are %+v", *f)
	}

	// Coming back: the fields show, opened by a recorded disclosure.
	for _, tc := range []struct{ step, want string }{
		{"circumstances", `value="Documenter Kim"`},
		{"transcript", "보위부 취조 중 구타당했다"},
	} {
		before := audit.count(sillok.ID(src), "intake draft")
		body := c.get("/intake/"+src+"/"+tc.step, "en", 200)
		if !strings.Contains(body, tc.want) || !strings.Contains(body, `id="sealed-opened"`) {
			t.Errorf("%s step does not show its sealed fields:\n%s", tc.step, stripTags(body))
		}
		if audit.count(sillok.ID(src), "intake draft") != before+1 {
			t.Errorf("%s step opened the draft without recording a disclosure", tc.step)
		}
	}
	// Saving the shown transcript changed keeps it.
	c.post("/intake/"+src+"/transcript", url.Values{"rev": {"4"}, "title_en": {"Testimony (Yodok)"}, "transcript_ko": {"요덕 수용소에서 보위부 취조 중 구타당했다. 두 번."}}, 200)
	if f := open(); f.Transcript.Ko != "요덕 수용소에서 보위부 취조 중 구타당했다. 두 번." || f.Interviewer != "Documenter Kim" {
		t.Fatalf("after editing the transcript: %+v", *f)
	}

	// Without an opener the page says the fields are kept, and saving
	// with them empty keeps them; without that notice, the step still
	// asks for a transcript.
	bare := newWeb(t, ps, ix, sillokhttp.Options{Blobs: clearBlobs, Evidence: sealer})
	body := bare.get("/intake/"+src+"/transcript", "en", 200)
	if !strings.Contains(body, `id="sealed-kept"`) || !strings.Contains(body, `name="sealed_kept"`) || strings.Contains(body, "보위부") {
		t.Errorf("transcript step without an opener:\n%s", stripTags(body))
	}
	_, body = bare.post("/intake/"+src+"/transcript", url.Values{"rev": {"5"}, "title_en": {"Testimony (Yodok)"}}, 200)
	if !strings.Contains(body, `id="transcript_ko-err"`) {
		t.Errorf("an empty transcript without the kept notice is accepted")
	}
	path, _ = bare.post("/intake/"+src+"/transcript", url.Values{"rev": {"5"}, "sealed_kept": {"1"}, "title_en": {"Testimony at Yodok"}}, 200)
	if path != "/intake/"+src+"/acts" {
		t.Fatalf("saving the kept transcript went to %s", path)
	}
	path, _ = bare.post("/intake/"+src+"/circumstances", url.Values{"rev": {"6"}, "sealed_kept": {"1"}, "date": {"2019-05"}, "interpreter": {"Interpreter Pak"}}, 200)
	if path != "/intake/"+src+"/consent" {
		t.Fatalf("saving the kept circumstances went to %s", path)
	}
	if f := open(); f.Transcript.Ko == "" || f.Interviewer != "Documenter Kim" || f.Place != "Hanawon dormitory 3" || f.Interpreter != "Interpreter Pak" {
		t.Fatalf("saving with kept fields empty erased some: %+v", *f)
	}

	// An uploaded photo is sealed: the documenter sees its SHA-256 once;
	// the clear blob store, the record and its history never hold it.
	photo := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00 sealed intake photo")
	sum := sha256.Sum256(photo)
	plain := hex.EncodeToString(sum[:])
	res, body := c.upload(src, map[string][]byte{"face of 림철호.jpg": photo}, 200)
	if res.Request.URL.Path != "/intake/"+src+"/acts" || strings.Contains(res.Request.URL.String(), plain) || res.Request.URL.Query().Get("receipt") == "" {
		t.Errorf("upload went to %s", res.Request.URL)
	}
	if !strings.Contains(body, `<code class="hash">`+plain+`</code>`) || !strings.Contains(body, "stored encrypted") {
		t.Errorf("the page after the upload does not show the photo's SHA-256:\n%s", stripTags(body))
	}
	if sealer.calls != 1 {
		t.Errorf("sealer called %d times, want 1", sealer.calls)
	}
	if n, err := blobCount(clearBlobs); err != nil || n != 0 {
		t.Errorf("%d files in the clear blob store (%v)", n, err)
	}
	rec, _ := st.Get(ctx, sillok.ID(src))
	sb := rec.Body.(*sillok.Source)
	if len(sb.Evidence) != 1 || sb.Evidence[0] == plain {
		t.Errorf("clear evidence list %v: want one ciphertext hash", sb.Evidence)
	}
	if f := open(); len(f.Evidence) != 1 || f.Evidence[0].PlainSHA256 != plain || f.Evidence[0].CipherSHA256 != sb.Evidence[0] || f.Transcript.Ko == "" {
		t.Errorf("sealed fields after the upload: %+v", *f)
	}
	h, _ := st.History(ctx, sillok.ID(src))
	for _, v := range h {
		if strings.Contains(v.Note, plain) || revisionHolds(t, v, plain) {
			t.Errorf("revision %d holds the photo's SHA-256", v.Rev)
		}
	}
	// The receipt shows the hash to its uploader only.
	other := newWeb(t, ps, ix, sillokhttp.Options{Viewer: fixedViewer{sillokhttp.User{Name: "doc2", Org: org, Role: sillokhttp.RoleDocumenter}},
		Blobs: clearBlobs, Evidence: sealer})
	if body := other.get("/intake/"+src+"/acts?"+res.Request.URL.RawQuery, "en", 200); strings.Contains(body, plain) {
		t.Errorf("another user sees the receipt")
	}

	// A sealed testimony on a server that cannot seal files: refused,
	// nothing stored.
	noSealer := newWeb(t, ps, ix, sillokhttp.Options{Blobs: clearBlobs})
	if body := noSealer.get("/intake/"+src+"/acts", "en", 200); strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Errorf("upload offered for a sealed testimony without a sealer")
	}
	noSealer.upload(src, map[string][]byte{"x.jpg": photo}, http.StatusConflict)
	if n, err := blobCount(clearBlobs); err != nil || n != 0 {
		t.Errorf("a file of a sealed testimony went into the clear blob store: %d (%v)", n, err)
	}

	// An internal testimony keeps the clear path: its file goes into the
	// blob store, its hash into the evidence list, the sealer unused.
	path, _ = c.post("/intake", url.Values{"name": {"Official Ri"}, "level": {"internal"}}, 200)
	internal := strings.TrimSuffix(strings.TrimPrefix(path, "/intake/"), "/circumstances")
	res, body = c.upload(internal, map[string][]byte{"order.pdf": []byte("%PDF-1.4 an order")}, 200)
	orderSum := sha256.Sum256([]byte("%PDF-1.4 an order"))
	if res.Request.URL.Query().Get("received") != hex.EncodeToString(orderSum[:]) || !strings.Contains(body, hex.EncodeToString(orderSum[:])) {
		t.Errorf("internal upload went to %s", res.Request.URL)
	}
	if n, _ := blobCount(clearBlobs); n != 1 || sealer.calls != 1 {
		t.Errorf("internal upload: %d clear blobs, sealer called %d times; want 1, 1", n, sealer.calls)
	}

	// The sealed testimony is found by a two-syllable Korean word of its
	// transcript.
	if body := c.get("/search?q="+url.QueryEscape("취조"), "en", 200); !strings.Contains(body, `href="/records/`+src+`"`) {
		t.Errorf("search 취조 does not find the sealed testimony")
	}
}

// openSource opens the sealed fields of draft id with the key, failing
// when anything protected is in clear.
func openSource(t *testing.T, st sillok.Reader, k *protect.OrgKey, id sillok.ID) *protect.SourceFields {
	t.Helper()
	rec, err := st.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	sb := rec.Body.(*sillok.Source)
	if sb.Sealed == nil || sb.Interviewer != "" || sb.Transcript != (sillok.Labels{}) {
		t.Fatalf("draft %s is not sealed", id)
	}
	f, err := k.OpenSource(rec.ID, sb)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// revisionHolds reports whether revision v, encoded, contains s.
func revisionHolds(t *testing.T, v *sillok.Revision, s string) bool {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}
