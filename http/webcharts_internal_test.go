package http

import (
	"strings"
	"testing"
)

func TestNiceCeil(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{0, 1}, {0.3, 0.5}, {1, 1}, {7, 10}, {12, 20}, {250, 500}, {1076, 2000}, {50000, 50000}, {50001, 100000},
	} {
		if got := niceCeil(tc.in); got != tc.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestWeightChart: evidence for a match is drawn right of zero, against
// it left, and a zero contribution has no bar.
func TestWeightChart(t *testing.T) {
	svg := string(weightChart("t <&>", "prior", -9, []partView{
		{Column: "surname", Bits: "+5.00", log2: 5},
		{Column: "given", Bits: "-6.00", log2: -6},
		{Column: "events", Bits: "+0.00", log2: 0},
	}))
	if n := strings.Count(svg, `class="bar for"`); n != 1 {
		t.Errorf("%d bars for, want 1", n)
	}
	if n := strings.Count(svg, `class="bar against"`); n != 2 { // the prior and given
		t.Errorf("%d bars against, want 2", n)
	}
	if strings.Contains(svg, "<&>") || !strings.Contains(svg, "t &lt;&amp;&gt;") {
		t.Errorf("title not escaped: %s", svg)
	}
}

// TestIntervalChart: an estimate gets a dot and its interval, an open
// interval no upper whisker, a stratum without an estimate nothing, and a
// suppressed documented count no mark.
func TestIntervalChart(t *testing.T) {
	svg := string(intervalChart("by sex", []estimateRow{
		{Stratum: "female", Observed: "180", Estimate: "411", Interval: "320 to 627", est: 411, lo: 320, hi: 627, obs: 180},
		{Stratum: "male", Observed: "<10", Estimate: "90", Interval: "40 to >900", est: 90, lo: 40, hi: 900, open: true},
		{Stratum: "unknown", Observed: "<10", NotEstimable: "fewer than 10 people observed"},
	}, "estimate", "documented"))
	for _, c := range []struct {
		what string
		n    int
	}{{`<circle`, 2}, {`class="observed"`, 1}, {`class="interval"`, 2*3 - 1}} {
		if got := strings.Count(svg, c.what); got != c.n {
			t.Errorf("%d × %s, want %d", got, c.what, c.n)
		}
	}
	if !strings.Contains(svg, ">unknown<") {
		t.Errorf("stratum without an estimate not labelled")
	}
}
