package linkage

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
)

// readCSV reads a test CSV file into a header and rows.
func readCSV(t testing.TB, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows[0], rows[1:]
}

// splinkTable loads Splink 2's EM test data (empty strings are nulls; first
// names keep their trailing space).
func splinkTable(t testing.TB) *Table {
	t.Helper()
	hdr, rows := readCSV(t, "testdata/fake_1000_from_splink_demos.csv")
	tab, err := NewTable(hdr[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := tab.Add("fake_1000", r[0], r[1:]...); err != nil {
			t.Fatal(err)
		}
	}
	return tab
}

// splinkSettings is Splink's tests/basic_settings.py as stated in the
// testdata README.
func splinkSettings(fixU bool) *Settings {
	two := func(col string) Comparison {
		return Comparison{Column: col, Levels: []Level{{Type: "exact", M: 0.9, U: 0.1}, {Type: "else", M: 0.1, U: 0.9}}}
	}
	return &Settings{
		IDColumn: "unique_id",
		LinkType: DedupeOnly,
		Comparisons: []Comparison{
			{Column: "first_name", Levels: []Level{
				{Type: "exact", M: 0.7, U: 0.1, TFWeight: 0.6},
				{Type: "levenshtein", Max: 2, M: 0.2, U: 0.1},
				{Type: "else", M: 0.1, U: 0.8},
			}},
			two("surname"), two("dob"), two("city"), two("email"),
		},
		Blocking:      [][]string{{"surname"}},
		Lambda:        0.3,
		MaxIterations: 2,
		Tolerance:     1e-300,
		FixU:          &fixU,
		USamplePairs:  -1,
	}
}

func TestSplinkEM(t *testing.T) {
	for _, tc := range []struct {
		name string
		fixU bool
	}{{"fixed_u", true}, {"no_fix", false}} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLinker(splinkTable(t), splinkSettings(tc.fixU), Options{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := l.Train(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			s := m.Sessions[0]
			if s.Pairs != 3167 {
				t.Errorf("blocked pairs = %d, want 3167", s.Pairs)
			}
			if len(s.LeftOut) != 1 || s.LeftOut[0] != "surname" {
				t.Errorf("left out %v, want [surname]", s.LeftOut)
			}
			_, lam := readCSV(t, "testdata/splink2_proportion_of_matches_history_"+tc.name+".csv")
			if len(s.History) != len(lam) {
				t.Fatalf("%d iterations in history, want %d", len(s.History), len(lam))
			}
			for _, r := range lam {
				want, _ := strconv.ParseFloat(r[0], 64)
				it, _ := strconv.Atoi(r[1])
				if got := s.History[it].Lambda; math.Abs(got-want) > 1e-9 {
					t.Errorf("iteration %d: λ = %.17g, want %.17g", it, got, want)
				}
			}
			hdr, rows := readCSV(t, "testdata/splink2_m_u_history_"+tc.name+".csv")
			col := map[string]int{}
			for i, h := range hdr {
				col[h] = i
			}
			cidx := map[string]int{}
			for i, c := range l.s.Comparisons {
				cidx[c.Column] = i
			}
			checked := 0
			for _, r := range rows {
				c := cidx[r[col["column_name"]]]
				nl, _ := strconv.Atoi(r[col["num_levels"]])
				gi, _ := strconv.Atoi(r[col["gamma_index"]])
				it, _ := strconv.Atoi(r[col["iteration"]])
				wm, _ := strconv.ParseFloat(r[col["m_probability"]], 64)
				wu, _ := strconv.ParseFloat(r[col["u_probability"]], 64)
				g := nl - 1 - gi // Splink counts levels up from else; we count down from the strongest
				p := s.History[it]
				if math.Abs(p.M[c][g]-wm) > 1e-9 || math.Abs(p.U[c][g]-wu) > 1e-9 {
					t.Errorf("%s level %d iteration %d: m, u = %.17g, %.17g; want %.17g, %.17g", r[col["column_name"]], gi, it, p.M[c][g], p.U[c][g], wm, wu)
				}
				checked++
			}
			if checked != 27 {
				t.Errorf("checked %d m/u rows, want 27", checked)
			}
		})
	}
}

func TestSplinkScoredPair(t *testing.T) {
	tab := splinkTable(t)
	l, err := NewLinker(tab, splinkSettings(true), Options{})
	if err != nil {
		t.Fatal(err)
	}
	hdr, rows := readCSV(t, "testdata/splink2_479_vs_481.csv")
	want := map[string]float64{}
	for i, h := range hdr {
		if v, err := strconv.ParseFloat(rows[0][i], 64); err == nil {
			want[h] = v
		}
	}
	idx := map[string]int{}
	for i := 0; i < tab.Len(); i++ {
		idx[tab.ID(i)] = i
	}
	// The recorded pair has no surname comparison (Splink 2's settings did
	// not compare it): score with the model less that comparison.
	s := splinkSettings(true)
	s.Comparisons = append(s.Comparisons[:1], s.Comparisons[2:]...)
	l, err = NewLinker(tab, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := l.Explain(l.Start(), idx["479"], idx["481"])
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got float64) {
		t.Helper()
		if math.Abs(got-want[name]) > 1e-12 {
			t.Errorf("%s = %.17g, want %.17g", name, got, want[name])
		}
	}
	check("match_weight", e.Weight)
	check("match_probability", e.Prob)
	check("bf_gamma_first_name", e.Contributions[0].BF)
	check("bf_tf_adj_first_name", e.Contributions[0].TFBF)
	check("bf_gamma_dob", e.Contributions[1].BF)
	check("bf_gamma_city", e.Contributions[2].BF)
	check("bf_gamma_email", e.Contributions[3].BF)
	var sum float64
	for _, c := range e.Contributions {
		sum += c.Log2
	}
	if math.Abs(e.PriorLog2+sum-e.Weight) > 1e-12 {
		t.Errorf("contributions %g + prior %g do not add up to the weight %g", sum, e.PriorLog2, e.Weight)
	}
}
