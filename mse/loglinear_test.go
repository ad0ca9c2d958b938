package mse

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func readTestTable(t testing.TB, name string) Table {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := ReadCSV(context.Background(), f, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 {
		t.Fatalf("%s: %d strata, want 1", name, len(st))
	}
	return st[0].Table
}

// near asserts |got - want| < tol, the tolerance being half a unit of the
// last printed digit of the published figure.
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) < tol) {
		t.Errorf("%s = %.6f, want %v (±%v)", what, got, want, tol)
	}
}

func TestTwoListSeber(t *testing.T) {
	tab := readTestTable(t, "seber.csv")
	lp, err := LincolnPetersen(tab)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Lincoln-Petersen N", lp.N, 2389.9, 0.05)
	near(t, "Lincoln-Petersen SE", lp.SE, 130.4, 0.05)
	ch, err := Chapman(tab)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Chapman N", ch.N, 2382.8, 0.05)
	near(t, "Chapman SE", ch.SE, 129.1, 0.05)
	// The Mt log-linear model on two lists is Lincoln-Petersen.
	mt, err := FitLoglinear(tab, Model{Time: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Mt N", mt.N, 2389.9, 0.05)
	near(t, "Mt SE", mt.SE, 130.4, 0.05)
	near(t, "Mt AIC", mt.AIC, 28.831, 0.0005)
	m0, err := FitLoglinear(tab, Model{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "M0 N", m0.N, 2805.6, 0.05)
	near(t, "M0 SE", m0.SE, 164.1, 0.05)
	near(t, "M0 deviance", m0.Deviance, 281.334, 0.0005)
	near(t, "M0 AIC", m0.AIC, 308.166, 0.0005)
}

func TestTwoListNoOverlap(t *testing.T) {
	tab, _ := NewTable([]string{"a", "b"}, map[Pattern]int{1: 10, 2: 5})
	if _, err := LincolnPetersen(tab); err == nil {
		t.Error("Lincoln-Petersen without overlap: want an error")
	}
	ch, err := Chapman(tab)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Chapman N without overlap", ch.N, 11*6-1, 1e-9)
}

func TestRcaptureHare(t *testing.T) {
	tab := readTestTable(t, "hare.csv")
	for _, tc := range []struct {
		model string
		n, se float64
		dev   float64 // < 0: not published here
		df    int
		aic   float64
	}{
		{"M0", 75.4, 3.5, 68.516, 61, 154.707},
		{"Mt", 75.1, 3.4, 58.314, 56, 154.505},
		{"Mh-chao", 79.8, 6.4, 58.023, 58, 150.214},
		{"Mh-poisson2", 81.5, 5.7, 59.107, 60, 147.298},
		{"Mh-darroch", 90.4, 11.6, 61.600, 60, 149.791},
		{"Mh-gamma3.5", 100.6, 21.7, 62.771, 60, 150.961},
		{"Mth-chao", 79.6, 6.3, 47.115, 52, 151.305},
		{"Mth-poisson2", 81.1, 5.6, 48.137, 55, 146.327},
		{"Mth-darroch", 90.5, 11.7, 50.706, 55, 148.896},
		{"Mth-gamma3.5", 101.6, 22.4, 51.956, 55, 150.147},
	} {
		t.Run(tc.model, func(t *testing.T) {
			m, err := ParseModel(tc.model, tab.Lists)
			if err != nil {
				t.Fatal(err)
			}
			f, err := FitLoglinear(tab, m)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "N", f.N, tc.n, 0.05)
			near(t, "SE", f.SE, tc.se, 0.05)
			near(t, "deviance", f.Deviance, tc.dev, 0.0005)
			if f.DF != tc.df {
				t.Errorf("df = %d, want %d", f.DF, tc.df)
			}
			near(t, "AIC", f.AIC, tc.aic, 0.0005)
			if !f.Converged {
				t.Error("not converged")
			}
		})
	}
}

func TestRcaptureIllegalImmigrants(t *testing.T) {
	f, err := os.Open("testdata/ill.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fr, err := ReadFrequencies(context.Background(), f, 0)
	if err != nil {
		t.Fatal(err)
	}
	m0, err := FitFrequencies(fr, Model{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "M0 N", m0.N, 7079.9, 0.05)
	near(t, "M0 SE", m0.SE, 365.8, 0.05)
	near(t, "M0 deviance", m0.Deviance, 61.811, 0.0005)
	near(t, "M0 AIC", m0.AIC, 95.971, 0.0005)
	lb, err := FitFrequencies(fr, Model{Hetero: HeteroChao})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Chao LB N", lb.N, 9273.5, 0.05)
	near(t, "Chao LB SE", lb.SE, 662.6, 0.05)
	near(t, "Chao LB deviance", lb.Deviance, 1.534, 0.0005)
	near(t, "Chao LB AIC", lb.AIC, 41.695, 0.0005)
	if lb.DF != 1 {
		t.Errorf("Chao LB df = %d, want 1", lb.DF)
	}
	ci, err := ProfileCIFrequencies(context.Background(), fr, Model{Hetero: HeteroChao}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Chao LB profile N", ci.N, 9267.5, 0.05)
	near(t, "Chao LB profile lower", ci.Lower, 8088.2, 0.05)
	near(t, "Chao LB profile upper", ci.Upper, 10704, 0.5)
	for _, tc := range []struct {
		h               Hetero
		n, se, dev, aic float64
	}{
		{HeteroPoisson2, 8617.6, 537.3, 26.341, 62.502},
		{HeteroDarroch, 15562.1, 1808.5, 7.277, 43.438},
		{HeteroGamma35, 29058.3, 5496.8, 3.661, 39.822},
	} {
		f, err := FitFrequencies(fr, Model{Hetero: tc.h})
		if err != nil {
			t.Fatal(err)
		}
		name := heteroNames[tc.h]
		near(t, name+" N", f.N, tc.n, 0.05)
		near(t, name+" SE", f.SE, tc.se, 0.05)
		near(t, name+" deviance", f.Deviance, tc.dev, 0.0005)
		near(t, name+" AIC", f.AIC, tc.aic, 0.0005)
		if f.DF != 3 {
			t.Errorf("%s df = %d, want 3", name, f.DF)
		}
	}
}

func TestRcaptureProfileHare(t *testing.T) {
	tab := readTestTable(t, "hare.csv")
	ci, err := ProfileCI(context.Background(), tab, Model{Time: true, Hetero: HeteroPoisson2}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Mth Poisson2 profile N", ci.N, 80.1, 0.05)
	near(t, "lower", ci.Lower, 71.8, 0.05)
	near(t, "upper", ci.Upper, 93.8, 0.05)
}

func TestRcaptureHIV(t *testing.T) {
	tab := readTestTable(t, "hiv.csv")
	m, err := ParseModel("Mt + l1:l2", tab.Lists)
	if err != nil {
		t.Fatal(err)
	}
	f, err := FitLoglinear(tab, m)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "N", f.N, 12318.5, 0.05)
	near(t, "SE", f.SE, 1188.7, 0.05)
	near(t, "deviance", f.Deviance, 7.614, 0.0005)
	if f.DF != 9 {
		t.Errorf("df = %d, want 9", f.DF)
	}
	near(t, "AIC", f.AIC, 86.65, 0.005)
	ci, err := ProfileCI(context.Background(), tab, m, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "profile N", ci.N, 12308, 0.5)
	near(t, "profile lower", ci.Lower, 10266, 0.5)
	near(t, "profile upper", ci.Upper, 14992.3, 0.05)

	// All two-way interactions: the published Poisson fit and interval.
	m2, err := ParseModel("Mt+l1:l2+l1:l3+l1:l4+l2:l3+l2:l4+l3:l4", tab.Lists)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := FitLoglinear(tab, m2)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "two-way N", f2.N, 23443.5, 0.05)
	near(t, "two-way SE", f2.SE, 9594.9, 0.05)
	near(t, "two-way AIC", f2.AIC, 92.073, 0.0005)
}
