package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/blob/fsblob"
	sillokhttp "github.com/sillok/sillok/http"
)

// post submits a form and returns the final URL path (after redirects)
// and the body.
func (c *webClient) post(path string, form url.Values, want int) (string, string) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("POST %s = %d, want %d\n%.3000s", path, res.StatusCode, want, stripTags(string(b)))
	}
	return res.Request.URL.Path, string(b)
}

func TestIntake(t *testing.T) {
	ctx := context.Background()
	st, ix := demoRepo(t, 100)
	c := newWeb(t, st, ix, sillokhttp.Options{})
	facility := firstID(t, c.get("/browse/locations?location_type=kwanliso", "en", 200), "loc")

	// Step 1 with no name: shown again with the error and what was typed.
	path, body := c.post("/intake", url.Values{"name": {" "}, "sex": {"female"}, "birth": {"1975"}, "level": {"confidential"}}, 200)
	if path != "/intake" || !strings.Contains(body, `id="name-err"`) || !strings.Contains(body, `<option value="female" selected>`) || !strings.Contains(body, `value="1975"`) {
		t.Fatalf("step 1 error page lost the input or the error:\n%s", stripTags(body))
	}
	path, _ = c.post("/intake", url.Values{"name": {"림철호"}, "sex": {"female"}, "birth": {"1975"}, "level": {"confidential"}}, 200)
	m := regexp.MustCompile(`^/intake/(src_[0-9a-z]+)/circumstances$`).FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("step 1 went to %s", path)
	}
	src := m[1]
	rec, err := st.Get(ctx, sillok.ID(src))
	if err != nil {
		t.Fatal(err)
	}
	person := rec.Body.(*sillok.Source).Interviewee
	if p, err := st.Get(ctx, person); err != nil || p.Body.(*sillok.Person).Names[0].Value != "림철호" || p.Level != sillok.LevelConfidential {
		t.Fatalf("interviewee %s: %v %+v", person, err, p)
	}

	// The new person is found by name on the first step (a confidential
	// record: the blind index).
	if body := c.get("/intake?find="+url.QueryEscape("림철호"), "en", 200); !strings.Contains(body, `value="`+string(person)+`"`) {
		t.Errorf("find by name does not offer %s:\n%s", person, stripTags(body))
	}

	// Step 2 with a bad date keeps the interviewer typed.
	_, body = c.post("/intake/"+src+"/circumstances", url.Values{"rev": {"1"}, "interviewer": {"Documenter Kim"}, "date": {"2019-13"}}, 200)
	if !strings.Contains(body, `id="date-err"`) || !strings.Contains(body, `value="Documenter Kim"`) || !strings.Contains(body, `value="2019-13"`) {
		t.Fatalf("step 2 error page lost the input or the error:\n%s", stripTags(body))
	}
	path, _ = c.post("/intake/"+src+"/circumstances", url.Values{"rev": {"1"}, "interviewer": {"Documenter Kim"}, "date": {"2019-05"}, "place": {"Seoul"}, "languages": {"ko"}}, 200)
	if path != "/intake/"+src+"/consent" {
		t.Fatalf("step 2 went to %s", path)
	}
	// Step 3, consent: the form offers every use, today's date, and says
	// who records it.
	body = c.get("/intake/"+src+"/consent", "en", 200)
	for _, want := range []string{`name="uses" value="prosecution"`, `name="uses" value="public_pseudonym"`, "Reporting to the UN",
		`value="` + time.Now().UTC().Format("2006-01-02") + `"`, "Recorded by operator"} {
		if !strings.Contains(body, want) {
			t.Errorf("consent step lacks %q", want)
		}
	}
	// Partners ticked but not named, and a bad date: shown again with
	// everything ticked and typed.
	_, body = c.post("/intake/"+src+"/consent", url.Values{"rev": {"2"}, "uses": {"internal", "partners", "prosecution"}, "consent_given": {"2019-05-02"}}, 200)
	if !strings.Contains(body, `id="partners-err"`) || !strings.Contains(body, `value="prosecution" checked`) || !strings.Contains(body, `value="partners" checked`) || !strings.Contains(body, `value="2019-05-02"`) {
		t.Fatalf("consent step error page lost the input or the error:\n%s", stripTags(body))
	}
	_, body = c.post("/intake/"+src+"/consent", url.Values{"rev": {"2"}, "uses": {"internal", "partners"}, "partners": {"NKDB"}, "consent_given": {"2019-5-2"}}, 200)
	if !strings.Contains(body, `id="consent_given-err"`) || !strings.Contains(body, `value="NKDB"`) {
		t.Fatalf("consent step date error page lost the input or the error:\n%s", stripTags(body))
	}
	_, body = c.post("/intake/"+src+"/consent", url.Values{"rev": {"2"}}, 200)
	if !strings.Contains(body, `id="uses-err"`) {
		t.Fatalf("consent step without a use is accepted:\n%s", stripTags(body))
	}
	path, _ = c.post("/intake/"+src+"/consent", url.Values{"rev": {"2"}, "uses": {"internal", "partners", "prosecution"}, "partners": {"NKDB, TJWG"}, "consent_given": {"2019-05-02"}}, 200)
	if path != "/intake/"+src+"/transcript" {
		t.Fatalf("consent step went to %s", path)
	}
	rec, _ = st.Get(ctx, sillok.ID(src))
	if c := rec.Body.(*sillok.Source).Consent; c == nil || !slices.Equal(c.Uses, []string{"internal", "partners", "prosecution"}) ||
		!slices.Equal(c.Partners, []string{"NKDB", "TJWG"}) || c.Given.Format("2006-01-02") != "2019-05-02" || c.RecordedBy != "operator" {
		t.Fatalf("consent stored %+v", c)
	}
	// Going back to the step shows what was saved.
	if body := c.get("/intake/"+src+"/consent", "en", 200); !strings.Contains(body, `value="prosecution" checked`) || strings.Contains(body, `value="un_reporting" checked`) || !strings.Contains(body, `value="NKDB, TJWG"`) {
		t.Errorf("consent step does not show the saved consent")
	}
	path, _ = c.post("/intake/"+src+"/transcript", url.Values{"rev": {"3"}, "title_en": {"Testimony of a woman held at Yodok"}, "transcript_ko": {"요덕 수용소에서 보위부 취조 중 구타당했다."}}, 200)
	if path != "/intake/"+src+"/acts" {
		t.Fatalf("step 3 went to %s", path)
	}
	// Step 4 with no act type: the store's field error is shown next to it.
	_, body = c.post("/intake/"+src+"/acts", url.Values{"event_title": {"Interrogation at Yodok"}, "victim": {string(person)}, "act_date": {"2005"}, "location": {facility}, "connection": {"victim"}}, 200)
	if !strings.Contains(body, `id="act_type-err"`) || !strings.Contains(body, `value="Interrogation at Yodok"`) {
		t.Fatalf("step 4 error page lost the input or the error:\n%s", stripTags(body))
	}
	path, body = c.post("/intake/"+src+"/acts", url.Values{"event_title": {"Interrogation at Yodok"}, "victim": {string(person)}, "act_type": {"torture_interrogation"},
		"act_date": {"2005"}, "location": {facility}, "connection": {"victim"}}, 200)
	if path != "/intake/"+src+"/acts" || !strings.Contains(body, "Torture during interrogation") {
		t.Fatalf("step 4 went to %s:\n%s", path, stripTags(body))
	}
	act := firstID(t, body, "act")
	a, err := st.Get(ctx, sillok.ID(act))
	if err != nil {
		t.Fatal(err)
	}
	if ab := a.Body.(*sillok.Act); ab.Victim != person || ab.Location != sillok.ID(facility) || ab.Date.String() != "2005" {
		t.Errorf("act %+v", ab)
	}
	infos, err := st.List(ctx, sillok.Filter{Kind: sillok.KindInformation, RefTo: sillok.ID(src)})
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[sillok.Kind]int{}
	for _, r := range infos.Records {
		subjects[sillok.KindOf(r.Body.(*sillok.Information).Subject)]++
	}
	if subjects[sillok.KindAct] != 1 || subjects[sillok.KindEvent] != 1 {
		t.Errorf("testimony supports %v, want one act and one event", subjects)
	}
	path, _ = c.post("/intake/"+src+"/acts", url.Values{"done": {"1"}}, 200)
	if path != "/records/"+src {
		t.Errorf("finish went to %s", path)
	}
	h, _ := st.History(ctx, sillok.ID(src))
	if len(h) != 4 {
		t.Errorf("draft has %d revisions, want 4 (one per saved step)", len(h))
	}
	// The source page shows the consent, and a documenter withdraws
	// prosecution: a revision of its own, by the signed-in user.
	body = c.get("/records/"+src, "en", 200)
	for _, want := range []string{`id="h-consent"`, "Prosecution", "NKDB, TJWG", "2019-05-02", `action="/records/` + src + `/consent/withdraw"`} {
		if !strings.Contains(body, want) {
			t.Errorf("source page lacks %q", want)
		}
	}
	if _, body := c.post("/records/"+src+"/consent/withdraw", url.Values{"note": {"no use ticked"}}, 422); !strings.Contains(body, "Tick at least one use") {
		t.Errorf("withdrawal without a use: %s", stripTags(body))
	}
	path, body = c.post("/records/"+src+"/consent/withdraw", url.Values{"uses": {"prosecution"}, "note": {"asked at follow-up"}}, 200)
	if path != "/records/"+src || !strings.Contains(body, "asked at follow-up") || !strings.Contains(body, "withdrawn") {
		t.Errorf("withdrawal went to %s:\n%s", path, stripTags(body))
	}
	h, _ = st.History(ctx, sillok.ID(src))
	if last := h[len(h)-1]; last.Actor != "operator" || last.Note != "consent withdrawn: prosecution" {
		t.Errorf("withdrawal revision %+v", last)
	}
	rec, _ = st.Get(ctx, sillok.ID(src))
	if c := rec.Body.(*sillok.Source).Consent; c.Allows(sillok.UseProsecution, "", time.Now()) || !c.Allows(sillok.UsePartners, "TJWG", time.Now()) {
		t.Errorf("after the withdrawal: %+v", c)
	}
	// The act shows on the victim's page, with the testimony behind it.
	if body := c.get("/records/"+string(person), "en", 200); !strings.Contains(body, `href="/records/`+act+`"`) {
		t.Errorf("person page does not show act %s", act)
	}
	if body := c.get("/records/"+act, "en", 200); !strings.Contains(body, `href="/records/`+src+`"`) || !strings.Contains(body, "Testimony of a woman held at Yodok") {
		t.Errorf("act page does not show its source")
	}
	// Found by a two-syllable Korean search of the transcript.
	if body := c.get("/search?q="+url.QueryEscape("취조"), "en", 200); !strings.Contains(body, `href="/records/`+src+`"`) {
		t.Errorf("search 취조 does not find the testimony:\n%s", stripTags(body))
	}
}

func TestIntakeForbidden(t *testing.T) {
	st, ix := demoRepo(t, 100)
	viewer := newWeb(t, st, ix, sillokhttp.Options{Viewer: fixedViewer{sillokhttp.User{Name: "reader", Org: "x", Role: sillokhttp.RoleViewer}}})
	if body := viewer.get("/", "en", 200); strings.Contains(body, `href="/intake"`) {
		t.Errorf("a viewer is offered the intake")
	}
	viewer.get("/intake", "en", 403)
	viewer.post("/intake", url.Values{"name": {"x"}, "level": {"confidential"}}, 403)
	analyst := newWeb(t, st, ix, sillokhttp.Options{Viewer: fixedViewer{sillokhttp.User{Name: "an", Org: "x", Role: sillokhttp.RoleAnalyst}}})
	analyst.get("/intake", "en", 403)
	doc := newWeb(t, st, ix, sillokhttp.Options{Viewer: fixedViewer{sillokhttp.User{Name: "doc", Org: "x", Role: sillokhttp.RoleDocumenter}}})
	if body := doc.get("/", "en", 200); !strings.Contains(body, `href="/intake"`) {
		t.Errorf("a documenter is not offered the intake")
	}
	// A cross-site post is refused.
	req, _ := http.NewRequest("POST", doc.ts.URL+"/intake", strings.NewReader("name=x&level=confidential"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("cross-site post = %d, want 403", res.StatusCode)
	}
}

func TestIntakeEvidence(t *testing.T) {
	ctx := context.Background()
	st, ix := demoRepo(t, 100)
	blobs, err := fsblob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := newWeb(t, st, ix, sillokhttp.Options{Blobs: blobs})
	path, _ := c.post("/intake", url.Values{"name": {"Anonymous"}, "level": {"strict"}}, 200)
	src := strings.TrimSuffix(strings.TrimPrefix(path, "/intake/"), "/circumstances")
	if body := c.get("/intake/"+src+"/acts", "en", 200); !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Fatalf("no upload form")
	}
	files := map[string]string{"interview.wav": "RIFF fake audio", "sketch.jpg": "\xff\xd8 fake jpeg"}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	var want []string
	for _, name := range []string{"interview.wav", "sketch.jpg"} {
		w, _ := mw.CreateFormFile("file", name)
		io.WriteString(w, files[name])
		sum := sha256.Sum256([]byte(files[name]))
		want = append(want, hex.EncodeToString(sum[:]))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.ts.URL+"/intake/"+src+"/evidence", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Request.URL.Path != "/intake/"+src+"/acts" {
		t.Fatalf("upload = %d at %s", res.StatusCode, res.Request.URL)
	}
	for _, h := range want {
		if !strings.Contains(string(b), `<code class="hash">`+h+`</code>`) {
			t.Errorf("hash %s not shown after upload", h)
		}
		hh, _ := blob.ParseHash(h)
		if ok, err := blobs.Has(ctx, hh); !ok || err != nil {
			t.Errorf("blob %s not stored: %v", h, err)
		}
	}
	rec, err := st.Get(ctx, sillok.ID(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Body.(*sillok.Source).Evidence; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("source evidence %v, want %v", got, want)
	}
	if h, _ := st.History(ctx, sillok.ID(src)); !strings.Contains(h[len(h)-1].Note, want[0]) {
		t.Errorf("history note %q does not name the hash", h[len(h)-1].Note)
	}

	// Without a blob store there is no upload.
	c2 := newWeb(t, st, ix, sillokhttp.Options{})
	if body := c2.get("/intake/"+src+"/acts", "en", 200); strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Errorf("upload form offered without a blob store")
	}
}
