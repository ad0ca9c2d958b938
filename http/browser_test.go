package http_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/auth"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/blob/fsblob"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/korean"
	"github.com/sillok/sillok/mse"
	"github.com/sillok/sillok/protect"
)

// blobCount counts the blobs of a store.
func blobCount(s blob.Store) (int, error) {
	n := 0
	err := s.List(context.Background(), blob.Hash{}, func(blob.Info) error { n++; return nil })
	return n, err
}

// browser starts headless Chromium (Debian's chromium package, which
// .ci/run installs) or skips the test when it is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// A generous bound so that a hung browser fails the test instead of
	// the whole run; not a speed assertion.
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// screenshot saves the page as a test artifact (go test -artifacts keeps
// them).
func screenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o644)
	})
}

// run runs steps, failing the test with what was being done.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action returning a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

type css = chromedp.CSS

func TestBrowser(t *testing.T) {
	ctx := browser(t)
	st, ix := demoRepo(t, 100)
	blobs, err := fsblob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	acc, err := auth.Open(context.Background(), st.DB(), auth.Options{Argon2: auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a test password"
	if _, err := acc.FirstRunAdmin(context.Background(), "nkdb-demo", "operator", pw); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.AddUser(context.Background(), auth.NewUser{Org: "nkdb-demo", Name: "reader", Role: auth.RoleViewer, Password: pw}); err != nil {
		t.Fatal(err)
	}
	// Wired as cmd/sillok's serve wires a repository with keys: writes
	// through the sealing store, identities opened through an auditing
	// opener, the search index opening sealed records in the process,
	// evidence of sealed testimonies sealed on upload.
	orgKey, err := protect.NewOrgKey("nkdb-demo")
	if err != nil {
		t.Fatal(err)
	}
	recovery, err := protect.NewOrgKey(protect.RecoveryHolder)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := protect.NewKeyring(recovery.Holder(), korean.Key, orgKey)
	if err != nil {
		t.Fatal(err)
	}
	// The pseudonym and disclosure tables (Guard itself would refuse the
	// demo data, which is generated in clear).
	if err := (protect.Guard{}).Setup(context.Background(), st.DB(), "sqlite"); err != nil {
		t.Fatal(err)
	}
	ix.Reveal = kr.RevealContext
	sealing := protect.NewStore(st, st.DB(), kr)
	sealer := &testSealer{st: sealing, dir: protect.BlobDir(t.TempDir())}
	dlog := protect.DisclosureLog{DB: st.DB()}
	c := newWeb(t, sealing, ix, sillokhttp.Options{Blobs: blobs, Accounts: acc, Evidence: sealer,
		Opener: &protect.KeyringOpener{Keys: kr, Audit: dlog}, Disclosures: dlog})
	evidence := filepath.Join(t.TempDir(), "interview.txt")
	content := "녹음 파일 대신 쓴 면담 메모 (test evidence)\n"
	if err := os.WriteFile(evidence, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	wantHash := hex.EncodeToString(sum[:])

	// Sign in: the home page sends the browser to the sign-in form; then
	// name, organisation and role are shown.
	signIn := func(name string) {
		t.Helper()
		run(t, ctx, "sign in as "+name,
			chromedp.Navigate(c.ts.URL+"/?lang=en"),
			chromedp.WaitVisible(css("#login-name")),
			chromedp.SendKeys(css("#login-name"), name),
			chromedp.SendKeys(css("#login-password"), pw),
			screenshot(t, "login"),
			chromedp.Click(css(`form.login button[type="submit"]`)),
			chromedp.WaitVisible(css(".user")),
		)
	}
	signIn("operator")
	run(t, ctx, "open home", chromedp.Navigate(c.ts.URL+"/?lang=en"), chromedp.WaitVisible(css(".user")), screenshot(t, "home"))
	if user := get(t, ctx, "user", chromedp.Text(css(".user"))); !strings.Contains(user, "operator") || !strings.Contains(user, "administrator") {
		t.Errorf("signed-in user shown as %q", user)
	}
	run(t, ctx, "intake step 1",
		chromedp.Click(css(`a[href="/intake"]`)),
		chromedp.WaitVisible(css("#name")),
		chromedp.SendKeys(css("#name"), "림철호"),
		chromedp.SetValue(css("#sex"), "female"),
		chromedp.SendKeys(css("#birth"), "1975"),
		chromedp.Click(css(`form[method="post"][action="/intake"] button[type="submit"]`)),
	)
	run(t, ctx, "intake step 2",
		chromedp.WaitVisible(css("#interviewer")),
		chromedp.SendKeys(css("#interviewer"), "Documenter Kim"),
		chromedp.SendKeys(css("#date"), "2019-05"),
		chromedp.SendKeys(css("#place"), "Seoul"),
		chromedp.Click(css(`form[action$="/circumstances"] button`)),
	)
	run(t, ctx, "intake step 3: consent",
		chromedp.WaitVisible(css("#use-internal")),
		chromedp.Click(css("#use-internal")),
		chromedp.Click(css("#use-prosecution")),
		screenshot(t, "intake-consent"),
		chromedp.Click(css(`form[action$="/consent"] button`)),
	)
	run(t, ctx, "intake step 4",
		chromedp.WaitVisible(css("#transcript_ko")),
		chromedp.SendKeys(css("#title_en"), "Testimony of a woman held at Yodok"),
		chromedp.SendKeys(css("#transcript_ko"), "요덕 수용소에서 보위부 취조 중 구타당했다."),
		chromedp.Click(css(`form[action$="/transcript"] button`)),
	)
	run(t, ctx, "intake step 5: an act",
		chromedp.WaitVisible(css("#event_title")),
		chromedp.SendKeys(css("#event_title"), "Interrogation at Yodok"),
		chromedp.SetValue(css("#act_type"), "torture_interrogation"),
		chromedp.SendKeys(css("#act_date"), "2005"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[int](`document.querySelector('#location').selectedIndex = 1`)(ctx, tg)
			return err
		}),
		chromedp.Click(css(`form[action$="/acts"] button`)),
		chromedp.WaitVisible(css(`ul.linked a[href^="/records/act_"]`)),
	)
	run(t, ctx, "intake: evidence upload",
		chromedp.SetUploadFiles(css("#file"), []string{evidence}),
		chromedp.Click(css(`form[data-upload] button`)),
		chromedp.WaitVisible(css(".received code.hash")),
		screenshot(t, "intake"),
	)
	if hash := get(t, ctx, "hash", chromedp.Text(css(".received code.hash"))); hash != wantHash {
		t.Errorf("evidence hash shown %q, want %s", hash, wantHash)
	}
	// Back to the transcript step: the sealed transcript is shown again
	// (a recorded disclosure), not an empty field.
	run(t, ctx, "back to the transcript",
		chromedp.Click(css(`ol.steps a[href$="/transcript"]`)),
		chromedp.WaitVisible(css("#sealed-opened")),
		screenshot(t, "intake-transcript-again"),
	)
	if v := get(t, ctx, "transcript", chromedp.Value(css("#transcript_ko"))); !strings.Contains(v, "보위부 취조") {
		t.Errorf("the transcript step shows %q", v)
	}
	srcURL := get(t, ctx, "draft link", chromedp.AttributeValue(css(`p.muted a[href^="/records/src_"]`), "href"))
	srcRec, err := st.Get(context.Background(), sillok.ID(strings.TrimPrefix(srcURL.Value, "/records/")))
	if err != nil {
		t.Fatal(err)
	}
	if sb := srcRec.Body.(*sillok.Source); sb.Sealed == nil || sb.Transcript != (sillok.Labels{}) || sb.Interviewer != "" || len(sb.Evidence) != 1 || sb.Evidence[0] == wantHash {
		t.Errorf("the testimony is not stored sealed (evidence %v)", sb.Evidence)
	}
	if sealer.calls != 1 {
		t.Errorf("evidence sealed %d times, want 1", sealer.calls)
	}
	if n, err := blobCount(blobs); err != nil || n != 0 {
		t.Errorf("%d files in the clear blob store (%v)", n, err)
	}
	// Found by a two-syllable Korean search; the source page links the
	// interviewee, whose page shows the act.
	run(t, ctx, "search",
		chromedp.Navigate(c.ts.URL+"/search?q="+url.QueryEscape("취조")),
		chromedp.WaitVisible(css("ol.hits")),
		screenshot(t, "search"),
		chromedp.Click(css(`ol.hits a[href^="/records/src_"]`)),
		chromedp.WaitVisible(css(`dl.fields a[href^="/records/per_"]`)),
	)
	person := get(t, ctx, "interviewee link", chromedp.AttributeValue(css(`dl.fields a[href^="/records/per_"]`), "href"))
	run(t, ctx, "person page",
		chromedp.Navigate(c.ts.URL+person.Value),
		chromedp.WaitVisible(css(`ul.linked a[href^="/records/act_"]`)),
		screenshot(t, "person"),
	)
	if body := get(t, ctx, "person page text", chromedp.Text(css("main"))); !strings.Contains(body, "Torture during interrogation") {
		t.Errorf("person page does not show the act:\n%s", body)
	}
	// Switch language.
	run(t, ctx, "switch to Korean",
		chromedp.Click(css(`a[hreflang="ko"]`)),
		chromedp.WaitVisible(css(`strong[lang="ko"]`)),
		screenshot(t, "person-ko"),
	)
	lang := get(t, ctx, "html lang", chromedp.AttributeValue(css("html"), "lang"))
	if h := get(t, ctx, "history heading", chromedp.Text(css("h2#h-history"))); lang.Value != "ko" || h != "개정 이력" {
		t.Errorf("after the switch: lang %q, heading %q", lang.Value, h)
	}
	run(t, ctx, "other pages",
		chromedp.Navigate(c.ts.URL+"/browse/acts?act_type=torture"),
		chromedp.WaitVisible(css("table.list")),
		screenshot(t, "browse-ko"),
		chromedp.Navigate(c.ts.URL+"/stats?lang=en"),
		chromedp.WaitVisible(css("svg.chart")),
		screenshot(t, "stats"),
		chromedp.Navigate(c.ts.URL+"/map"),
		chromedp.WaitVisible(css("svg.map")),
		screenshot(t, "map"),
	)

	// Sign out; a viewer signs in, is not offered the intake and cannot
	// reach it.
	run(t, ctx, "sign out", chromedp.Click(css(`form.logout button`)), chromedp.WaitVisible(css("#login-name")))
	signIn("reader")
	v := c
	run(t, ctx, "viewer home", chromedp.Navigate(v.ts.URL+"/?lang=en"), chromedp.WaitVisible(css("header nav")))
	if nav := get(t, ctx, "viewer nav", chromedp.Text(css("header nav"))); strings.Contains(nav, "Record a testimony") {
		t.Errorf("viewer's navigation offers the intake: %q", nav)
	}
	run(t, ctx, "viewer intake", chromedp.Navigate(v.ts.URL+"/intake"), chromedp.WaitVisible(css("main h1")), screenshot(t, "viewer-intake"))
	if title := get(t, ctx, "viewer intake title", chromedp.Text(css("main h1"))); title != "Not allowed" {
		t.Errorf("viewer reached the intake: %q", title)
	}
}

// TestBrowserReview decides a pair in the linkage review queue with the
// keyboard and undoes it, and shows the estimation page (screenshots of
// both are artifacts).
func TestBrowserReview(t *testing.T) {
	ctx := browser(t)
	st, ix := linkedDemoRepo(t, 300)
	c := newWeb(t, st, ix, sillokhttp.Options{Estimate: mse.Options{LCMCR: quickLCMCR}})
	run(t, ctx, "review queue",
		chromedp.Navigate(c.ts.URL+"/review?lang=en"),
		chromedp.WaitVisible(css("article.pair svg.weights")),
		screenshot(t, "review"),
	)
	first := get(t, ctx, "first pair", chromedp.Text(css("article.pair h3")))
	// Keyboard only: the note field, then Tab to "Same person" and Enter.
	run(t, ctx, "decide with the keyboard",
		chromedp.Focus(css("#note-0")),
		chromedp.KeyEvent("seen the same arrest record"),
		chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css(`.notice form[action="/review/undo"] button`)),
		screenshot(t, "review-decided"),
	)
	if notice := get(t, ctx, "notice", chromedp.Text(css(".notice"))); !strings.Contains(notice, "Same person") {
		t.Errorf("after the decision the page says %q", notice)
	}
	if recent := get(t, ctx, "recent", chromedp.Text(css("#h-recent + table"))); !strings.Contains(recent, "seen the same arrest record") {
		t.Errorf("recent decisions do not show the note: %q", recent)
	}
	run(t, ctx, "undo",
		chromedp.Click(css(`.notice form[action="/review/undo"] button`)),
		chromedp.WaitVisible(css("p.notice")), // "Undone: …", on the page after the post
		screenshot(t, "review-undone"),
	)
	if again := get(t, ctx, "first pair after undo", chromedp.Text(css("article.pair h3"))); again != first {
		t.Errorf("after undo the first pair is %q, want %q back", again, first)
	}
	run(t, ctx, "estimates",
		chromedp.Navigate(c.ts.URL+"/stats"),
		chromedp.Click(css(`a[href="/estimates"]`)),
		chromedp.WaitVisible(css("svg.intervals")),
		screenshot(t, "estimates"),
		chromedp.Navigate(c.ts.URL+"/estimates?lang=ko&publication=1"),
		chromedp.WaitVisible(css("svg.intervals")),
		screenshot(t, "estimates-ko"),
	)
}
