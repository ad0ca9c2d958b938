package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/auth"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/korean"
	"github.com/sillok/sillok/postgres/pgtest"
)

// stolenWitness is a fictional protected person with distinctive values
// that must never reach the database, its WAL, the blob folder, the
// custody log or the logs.
type stolenWitness struct {
	hangul, romanized, alias, birth, origin string
}

var stolenWitnesses = []stolenWitness{
	{"탁옥련화", "Thak Ok-ryon-hwa", "꽃분이언니", "1971-08-23", "Musan-gun Chilsong-ri 3-ban"},
	{"편철룡수", "Phyon Chol-ryong-su", "Hyonnam Kkoma", "1983-11-05", "Onsong-gun Namyang-rodongjagu"},
}

func (w stolenWitness) transcript() string {
	return "My name is " + w.romanized + ". 제 이름은 " + w.hangul + "입니다. I lived in " + w.origin + " until the bowibu came."
}

// stolenNeedles are the byte strings a stolen copy must not hold: each
// protected value in NFC, NFD and lower case, the Hangul names'
// romanizations in every system, the photo's bytes and its SHA-256 in
// hex, base64 and raw.
func stolenNeedles(photos ...[]byte) map[string][]byte {
	n := map[string][]byte{}
	add := func(label, s string) {
		n[label+" (NFC)"] = []byte(norm.NFC.String(s))
		n[label+" (NFD)"] = []byte(norm.NFD.String(s))
		n[label+" (lower)"] = []byte(strings.ToLower(s))
	}
	w := intakeWitness
	add("intake name", w.hangul)
	for _, sys := range []korean.System{korean.RR, korean.MR, korean.DPRK} {
		add(fmt.Sprintf("intake name romanization %s", sys), korean.RomanizeName(w.hangul, sys))
	}
	add("intake birth", w.birth)
	add("intake interviewer", w.interviewer)
	add("intake place", w.place)
	for i, word := range strings.Fields(w.transcript) {
		add(fmt.Sprintf("intake transcript word %d", i), strings.Trim(word, "."))
	}
	for i, w := range stolenWitnesses {
		add(fmt.Sprintf("w%d hangul", i), w.hangul)
		add(fmt.Sprintf("w%d romanized", i), w.romanized)
		add(fmt.Sprintf("w%d alias", i), w.alias)
		add(fmt.Sprintf("w%d birth", i), w.birth)
		add(fmt.Sprintf("w%d birth compact", i), strings.ReplaceAll(w.birth, "-", ""))
		add(fmt.Sprintf("w%d origin", i), w.origin)
		for _, sys := range []korean.System{korean.RR, korean.MR, korean.DPRK} {
			add(fmt.Sprintf("w%d romanization %s", i, sys), korean.RomanizeName(w.hangul, sys))
		}
	}
	for i, photo := range photos {
		sum := sha256.Sum256(photo)
		l := fmt.Sprintf("photo %d", i)
		n[l+" head"] = photo[:48]
		n[l+" middle"] = photo[len(photo)/2 : len(photo)/2+48]
		n[l+" sha256 hex"] = []byte(hex.EncodeToString(sum[:]))
		n[l+" sha256 HEX"] = []byte(strings.ToUpper(hex.EncodeToString(sum[:])))
		n[l+" sha256 base64"] = []byte(base64.StdEncoding.EncodeToString(sum[:]))
		n[l+" sha256 base64url"] = []byte(base64.RawURLEncoding.EncodeToString(sum[:]))
		n[l+" sha256 raw"] = sum[:]
	}
	return n
}

// intakeWitness is a fictional witness recorded through the web intake,
// with a distinctive Hangul transcript.
var intakeWitness = struct {
	hangul, birth, interviewer, place, transcript, word string
}{
	hangul:      "변옥춘향",
	birth:       "1966-02-17",
	interviewer: "Researcher Yun Kkotnim",
	place:       "Hamhung-si Hoesang-guyok 7-ban",
	transcript:  "함흥 집결소에서 계호원이 저를 구둣발로 짓밟았습니다. 옥춘향이라고 불렀습니다.",
	word:        "계호", // two syllables: the search finds the testimony by it
}

// newPhoto is a fictional JPEG of random bytes.
func newPhoto(label string) []byte {
	photo := make([]byte, 96<<10)
	rand.Read(photo)
	copy(photo, "\xff\xd8\xff\xe0\x00\x10JFIF\x00 "+label)
	return photo
}

func scanFor(t *testing.T, where string, data []byte, ns map[string][]byte) {
	t.Helper()
	for label, needle := range ns {
		if len(needle) > 0 && bytes.Contains(data, needle) {
			t.Errorf("%s holds %s", where, label) // the label, never the value
		}
	}
}

// scanTree scans every file under dir; it returns how many it read and
// their concatenation.
func scanTree(t *testing.T, dir, phase string, ns map[string][]byte) (int, []byte) {
	t.Helper()
	n := 0
	var all []byte
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		all = append(all, b...)
		rel, _ := filepath.Rel(dir, path)
		scanFor(t, phase+" "+rel, b, ns)
		scanFor(t, phase+" the name of "+rel, []byte(filepath.Base(rel)), ns) // blobs are named by a hash
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, all
}

// product drives the product the way an operator does: CLI commands
// (run, with -v: debug logs) and the HTTP API of `sillok serve` (a server
// built as runServe builds it, logging at debug level), with every log
// line appended to logPath.
type product struct {
	t       *testing.T
	global  []string // --data DIR [--db URL]
	logPath string
}

func (p *product) cli(stdin string, args ...string) string {
	p.t.Helper()
	lf, err := os.OpenFile(p.logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	defer lf.Close()
	var out bytes.Buffer
	all := append(append([]string{"-v"}, p.global...), args...)
	if code := run(context.Background(), all, strings.NewReader(stdin), &out, lf); code != 0 {
		logs, _ := os.ReadFile(p.logPath)
		p.t.Fatalf("sillok %s: exit %d; log tail:\n%s", args[0], code, tail(logs, 600))
	}
	return out.String()
}

// serve opens the repository as runServe does and returns the server's
// URL and a function that stops it. With accounts, requests sign in as
// with serve; without, they act as the operator.
func (p *product) serve(dataDir, dbURL string, accounts bool) (string, func()) {
	p.t.Helper()
	ctx := context.Background()
	lf, err := os.OpenFile(p.logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	e := &env{dataDir: dataDir, dbURL: dbURL, stdin: strings.NewReader(""), stdout: lf, stderr: lf,
		log: slog.New(slog.NewTextHandler(lf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	repo, err := e.openRepo(ctx, "")
	if err != nil {
		p.t.Fatal(err)
	}
	var acc *auth.Accounts
	if accounts {
		if acc, err = e.accounts(ctx, repo.Store); err != nil {
			p.t.Fatal(err)
		}
	}
	srv := httptest.NewServer(sillokhttp.NewServer(e.writeStore(repo), e.serverOptions(repo, acc)))
	return srv.URL, func() { srv.Close(); repo.Close(); lf.Close() }
}

func (p *product) post(base, path string, v any) map[string]any {
	p.t.Helper()
	b, _ := json.Marshal(v)
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		p.t.Fatalf("POST %s: %s", path, resp.Status)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		p.t.Fatal(err)
	}
	return out
}

// stolenScenario records the witnesses through the product: the first by
// CSV import, the second through the API, a testimony of each through
// the API, and a photo of the first by `evidence add` to her testimony.
// Then it checks that the product still works for people with the keys:
// search finds them by name, show --purpose opens them. It returns the
// photo.
func stolenScenario(t *testing.T, p *product, dataDir, dbURL string) []byte {
	w0, w1 := stolenWitnesses[0], stolenWitnesses[1]
	work := t.TempDir()
	csv := "name_hangul,name_romanized,alias,sex,birth,origin_text,role\n" +
		w0.hangul + "," + w0.romanized + "," + w0.alias + ",여," + w0.birth + "," + w0.origin + ",witness\n"
	csvPath := filepath.Join(work, "people.csv")
	os.WriteFile(csvPath, []byte(csv), 0o600)
	out := p.cli("", "import", "--csv", "--kind", "person", "--level", "confidential", csvPath)
	if !strings.Contains(out, "imported 1 of 1") {
		t.Fatalf("import: %s", out)
	}
	var hits struct {
		Hits []struct {
			Record struct{ ID string } `json:"record"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(p.cli("", "search", "--json", "--kind", "person", w0.hangul)), &hits); err != nil || len(hits.Hits) != 1 {
		t.Fatalf("search by name after sealing: %v, %d hits", err, len(hits.Hits))
	}
	pid0 := string(hits.Hits[0].Record.ID)

	base, stop := p.serve(dataDir, dbURL, false)
	person := p.post(base, "/api/v1/persons", map[string]any{"org": "ngo-a", "level": "confidential", "body": map[string]any{
		"names": []map[string]string{{"value": w1.hangul, "script": "hangul"}, {"value": w1.romanized, "script": "latin"}, {"value": w1.alias}},
		"sex":   "male", "birth": w1.birth, "origin_text": w1.origin}})
	pid1 := person["id"].(string)
	var sids []string
	for i, pid := range []string{pid0, pid1} {
		src := p.post(base, "/api/v1/sources", map[string]any{"org": "ngo-a", "level": "strict", "body": map[string]any{
			"type": "testimony", "interviewee": pid, "interviewer": "doc1", "place": stolenWitnesses[i].origin,
			"date": "2019-05", "transcript": map[string]string{"en": stolenWitnesses[i].transcript()}}})
		sids = append(sids, src["id"].(string))
	}
	resp, err := http.Get(base + "/api/v1/search?q=" + url.QueryEscape("bowibu"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// The WAL holds the latest pages while the server runs.
	if dbURL == "" {
		scanTree(t, dataDir, "while serving", stolenNeedles(nil2(t)))
	}
	stop()

	photo := newPhoto("face of the witness")
	photoPath := filepath.Join(work, "face.jpg")
	os.WriteFile(photoPath, photo, 0o600)
	if out := p.cli("", "evidence", "add", "--source", sids[0], photoPath); !strings.Contains(out, "sealed") {
		t.Fatalf("evidence add did not seal: %s", out)
	}
	// Those with the key still find and open everything.
	if out := p.cli("", "search", "--kind", "source", "bowibu"); !strings.HasPrefix(out, "2 hits") {
		t.Fatalf("transcript search: %q", out)
	}
	var shown struct {
		Protected struct {
			Names []sillok.Name `json:"names"`
		} `json:"protected"`
	}
	if err := json.Unmarshal([]byte(p.cli("", "show", "--purpose", "stolen-database test", pid1)), &shown); err != nil ||
		len(shown.Protected.Names) == 0 || shown.Protected.Names[0].Value != w1.hangul {
		t.Fatalf("show --purpose: %v", err)
	}
	if out := p.cli("", "log", "verify"); !strings.HasPrefix(out, "ok") {
		t.Fatalf("log verify: %s", out)
	}
	return photo
}

// webSession is a browser signed in to a server: its session cookie on
// every request (set by hand: the cookie is Secure, and the test server
// is plain HTTP on 127.0.0.1, which browsers accept and Go's jar does not).
type webSession struct {
	t      *testing.T
	base   string
	cookie string
}

func (w *webSession) login(name, password string) {
	w.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(w.base+"/login", url.Values{"name": {name}, "password": {password}})
	if err != nil {
		w.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) == 0 {
		w.t.Fatalf("sign in: %s", res.Status)
	}
	for _, ck := range res.Cookies() {
		w.cookie += ck.Name + "=" + ck.Value + "; "
	}
}

// do sends a request (following redirects) and returns the final URL and
// the body; any status but 200 fails the test.
func (w *webSession) do(method, path, contentType string, body io.Reader) (*url.URL, string) {
	w.t.Helper()
	req, err := http.NewRequest(method, w.base+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Cookie", w.cookie)
	req.Header.Set("Accept-Language", "en")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		w.t.Fatalf("%s %s: %s", method, path, res.Status) // never the body: it may hold what is sealed
	}
	return res.Request.URL, string(b)
}

func (w *webSession) post(path string, form url.Values) (*url.URL, string) {
	w.t.Helper()
	return w.do("POST", path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// stolenIntake records a confidential testimony through the web intake
// of a server wired as serve wires it, signed in as a documenter: a new
// interviewee, the circumstances, consent, a distinctive Hangul
// transcript, and a photo. Coming back to the transcript step shows it (a
// recorded disclosure), the page after the upload shows the photo's
// SHA-256, and a two-syllable word of the transcript finds the testimony.
// The data directory is scanned while the server runs. It returns the
// photo.
func stolenIntake(t *testing.T, p *product, dataDir, dbURL string) []byte {
	const password = "intake test password 2026"
	p.cli(password+"\n", "user", "add", "--org", "ngo-a", "--role", "documenter", "--name", "doc1")
	base, stop := p.serve(dataDir, dbURL, true)
	defer stop()
	w := &webSession{t: t, base: base}
	w.login("doc1", password)
	iw := intakeWitness
	u, _ := w.post("/intake", url.Values{"name": {iw.hangul}, "sex": {"female"}, "birth": {iw.birth}, "level": {"confidential"}})
	src, ok := strings.CutSuffix(strings.TrimPrefix(u.Path, "/intake/"), "/circumstances")
	if !ok || !strings.HasPrefix(src, "src_") {
		t.Fatalf("intake step 1 went to %s", u.Path)
	}
	steps := []struct {
		step string
		form url.Values
		next string
	}{
		{"circumstances", url.Values{"rev": {"1"}, "interviewer": {iw.interviewer}, "date": {"2018-11"}, "place": {iw.place}, "languages": {"ko"}}, "consent"},
		{"consent", url.Values{"rev": {"2"}, "uses": {"internal", "prosecution"}, "consent_given": {"2018-11-20"}}, "transcript"},
		{"transcript", url.Values{"rev": {"3"}, "title_en": {"Testimony (Hamhung)"}, "transcript_ko": {iw.transcript}}, "acts"},
	}
	for _, st := range steps {
		if u, _ := w.post("/intake/"+src+"/"+st.step, st.form); u.Path != "/intake/"+src+"/"+st.next {
			t.Fatalf("intake step %s went to %s", st.step, u.Path)
		}
	}
	// Coming back, the documenter sees the transcript and the interviewer.
	if _, body := w.do("GET", "/intake/"+src+"/transcript", "", nil); !strings.Contains(body, iw.transcript) {
		t.Error("the transcript step does not show the sealed transcript")
	}
	if _, body := w.do("GET", "/intake/"+src+"/circumstances", "", nil); !strings.Contains(body, iw.interviewer) {
		t.Error("the circumstances step does not show the sealed interviewer")
	}
	photo := newPhoto("photo uploaded through the intake")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", iw.hangul+" face.jpg")
	fw.Write(photo)
	mw.Close()
	u, body := w.do("POST", "/intake/"+src+"/evidence", mw.FormDataContentType(), &buf)
	sum := sha256.Sum256(photo)
	if u.Path != "/intake/"+src+"/acts" || !strings.Contains(body, hex.EncodeToString(sum[:])) {
		t.Errorf("after the upload (at %s) the page does not show the photo's SHA-256", u.Path)
	}
	if _, body := w.do("GET", "/search?q="+url.QueryEscape(iw.word), "", nil); !strings.Contains(body, `href="/records/`+src+`"`) {
		t.Errorf("search %s does not find the testimony", iw.word)
	}
	if dbURL == "" {
		scanTree(t, dataDir, "while serving the intake", stolenNeedles(photo))
	}
	return photo
}

// nil2 is a placeholder photo for scans before the photo exists: random
// bytes no file holds.
func nil2(t *testing.T) []byte {
	b := make([]byte, 4096)
	rand.Read(b)
	return b
}

func setActor(t *testing.T) {
	t.Setenv("SILLOK_USER", "doc1")
	t.Setenv("SILLOK_ORG", "ngo-a")
	t.Setenv("SILLOK_KEYS", "")
	t.Setenv("SILLOK_LOG_KEY", "")
}

// TestStolenDatabaseSQLite is issue 4's Done-when on the embedded
// deployment: the database file and its WAL, the blob folder, the custody
// log and every log line hold none of the protected values.
func TestStolenDatabaseSQLite(t *testing.T) {
	setActor(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	p := &product{t: t, global: []string{"--data", data}, logPath: filepath.Join(dir, "server.log")}
	photo := stolenScenario(t, p, data, "")
	photo2 := stolenIntake(t, p, data, "")
	if out := p.cli("", "log", "verify"); !strings.HasPrefix(out, "ok") {
		t.Fatalf("log verify after the intake: %s", out)
	}
	ns := stolenNeedles(photo, photo2)
	n, all := scanTree(t, data, "closed", ns)
	if n < 8 {
		t.Fatalf("only %d files scanned", n)
	}
	logs, err := os.ReadFile(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	scanFor(t, "logs", logs, ns)
	// The scan sees clear data where there is some: it can fail.
	if !bytes.Contains(all, []byte("V-0001")) || !bytes.Contains(all, []byte("testimony")) || !bytes.Contains(logs, []byte("level=INFO")) {
		t.Fatal("the scan does not see clear data or debug logs: the test is broken")
	}
}

// TestStolenDatabasePostgres: the same through a PostgreSQL repository;
// pg_dump of its schema holds none of the protected values.
func TestStolenDatabasePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
		if len(matches) == 0 {
			t.Skip("pg_dump not installed")
		}
		pgDump = matches[len(matches)-1]
	}
	setActor(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	p := &product{t: t, global: []string{"--data", data, "--db", dsn}, logPath: filepath.Join(dir, "server.log")}
	photo := stolenScenario(t, p, data, dsn)
	photo2 := stolenIntake(t, p, data, dsn)
	u, _ := url.Parse(dsn)
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	dump, err := exec.Command(pgDump, "--dbname="+u.String(), "--schema="+schema, "--no-owner").Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	ns := stolenNeedles(photo, photo2)
	scanFor(t, "pg_dump", dump, ns)
	scanTree(t, data, "data directory", ns)
	logs, _ := os.ReadFile(p.logPath)
	scanFor(t, "logs", logs, ns)
	if !bytes.Contains(dump, []byte("V-0002")) || !bytes.Contains(dump, []byte("testimony")) {
		t.Fatal("the dump does not hold the clear data: the test is broken")
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
