package http_test

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/mse"
	"github.com/sillok/sillok/mse/repostrata"
)

// quickLCMCR keeps the sampler short: the test checks the page, not the
// estimator.
var quickLCMCR = mse.LCMCROptions{Burnin: 200, Samples: 200, Thin: 2}

func TestWebEstimates(t *testing.T) {
	ctx := context.Background()
	st, ix := linkedDemoRepo(t, 300)
	opts := mse.Options{LCMCR: quickLCMCR, MinObserved: 2}
	c := newWeb(t, st, ix, sillokhttp.Options{Estimate: opts, SmallCount: 10})
	for _, tc := range []struct {
		path, lang string
		want       []string
	}{
		{"/estimates", "en", []string{"Estimated number of victims", "Everyone", "By sex", "By decade of birth", "<svg", "Documented", "Latent-class model", "demo-nkdb"}},
		{"/estimates?method=loglinear", "ko", []string{"추정 피해자 수", "성별", "출생 연대별", "로그선형 모형", "<svg"}},
		{"/estimates?act_type=forced_labour", "en", []string{"By decade of the act"}},
		{"/stats", "en", []string{`href="/estimates"`}},
	} {
		body := c.get(tc.path, tc.lang, 200)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s (%s): no %q", tc.path, tc.lang, w)
			}
		}
	}
	c.get("/estimates?method=nonsense", "en", 400)
	c.get("/estimates?act_type=nonsense", "en", 400)

	// The figures are the CLI's: the same tables, the same estimator, the
	// same seed.
	ss, err := repostrata.Strata(ctx, st, repostrata.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := opts
	want.Method, want.Seed = mse.MethodLCMCR, 1
	rs, err := mse.EstimateStrata(ctx, ss, nil, want)
	if err != nil || rs[0].NotEstimable != "" {
		t.Fatalf("estimate: %v %s", err, rs[0].NotEstimable)
	}
	body := c.get("/estimates", "en", 200)
	row := regexp.MustCompile(`<th scope="row">everyone</th><td>([0-9]+)</td><td>([0-9]+)</td>`).FindStringSubmatch(body)
	if row == nil {
		t.Fatalf("no row for everyone:\n%s", stripTags(body))
	}
	if row[1] != strconv.Itoa(rs[0].Observed) || row[2] != strconv.FormatFloat(math.Round(rs[0].Estimate), 'f', 0, 64) {
		t.Errorf("page shows observed %s, estimate %s; CLI %d, %.1f", row[1], row[2], rs[0].Observed, rs[0].Estimate)
	}

	// Publication view: documented counts below the threshold hidden,
	// every other cell as in the internal view.
	cell := regexp.MustCompile(`<tr><th scope="row">[^<]*</th><td>([^<]*)</td>`)
	internal := cell.FindAllStringSubmatch(c.get("/estimates?method=loglinear", "en", 200), -1)
	pub := cell.FindAllStringSubmatch(c.get("/estimates?method=loglinear&publication=1", "en", 200), -1)
	if len(internal) != len(pub) || len(internal) == 0 {
		t.Fatalf("%d rows internal, %d published", len(internal), len(pub))
	}
	suppressed := 0
	for i := range internal {
		in, out := internal[i][1], pub[i][1]
		n, err := strconv.Atoi(in)
		switch {
		case err == nil && n < 10:
			suppressed++
			if out != "&lt;10" {
				t.Errorf("row %d: %d published as %q", i, n, out)
			}
		case out != in:
			t.Errorf("row %d: %s published as %q", i, in, out)
		}
	}
	if suppressed == 0 {
		t.Errorf("no stratum below 10 documented: the test proves nothing")
	}
	// A viewer always gets the publication view.
	viewer := newWeb(t, st, ix, sillokhttp.Options{Estimate: opts, SmallCount: 10, Viewer: fixedViewer{sillokhttp.User{Name: "reader", Org: "tjwg-demo", Role: sillokhttp.RoleViewer}}})
	if body := viewer.get("/estimates", "en", 200); !strings.Contains(body, "Publication view") {
		t.Errorf("viewer's estimates are not the publication view")
	}
}
