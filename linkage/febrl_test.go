package linkage

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// febrlTable loads FEBRL files (one source per file) and returns each
// record's true entity, from rec_id (rec-<entity>-org or rec-<entity>-dup-<k>).
func febrlTable(t testing.TB, files ...string) (*Table, []string) {
	t.Helper()
	var tab *Table
	var entity []string
	for _, f := range files {
		hdr, rows := readCSV(t, "testdata/febrl/"+f+".csv")
		if tab == nil {
			var err error
			if tab, err = NewTable(hdr[1:]...); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range rows {
			if err := tab.Add(f, r[0], r[1:]...); err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(r[0], "-")
			entity = append(entity, parts[1])
		}
	}
	return tab, entity
}

// febrlDeterministic is the recordlinkage documentation's classic pipeline:
// block on given_name; given_name exact, surname Jaro–Winkler ≥ 0.85,
// date_of_birth, suburb and state exact, address_1 normalised Levenshtein ≥
// 0.85; each feature scores 1 at its first level, 0 otherwise (a missing
// value too).
func febrlDeterministic(linkType string) *Settings {
	lv := func(col string, l Level) Comparison { return Comparison{Column: col, Levels: []Level{l}} }
	return &Settings{
		IDColumn: "rec_id",
		LinkType: linkType,
		Comparisons: []Comparison{
			lv("given_name", Level{Type: "exact"}),
			lv("surname", Level{Type: "jaro_winkler", Min: 0.85}),
			lv("date_of_birth", Level{Type: "exact"}),
			lv("suburb", Level{Type: "exact"}),
			lv("state", Level{Type: "exact"}),
			lv("address_1", Level{Type: "levenshtein_sim", Min: 0.85}),
		},
		Blocking:     [][]string{{"given_name"}},
		USamplePairs: -1,
	}
}

// deterministicLinks runs the pipeline and returns the histogram of feature
// sums and the linked pairs (sum > 3).
func deterministicLinks(t testing.TB, tab *Table, linkType string) (hist map[int]int, links [][2]int32, candidates int64) {
	l, err := NewLinker(tab, febrlDeterministic(linkType), Options{})
	if err != nil {
		t.Fatal(err)
	}
	hist = map[int]int{}
	var found [][][2]int32
	found = make([][][2]int32, l.opt.Workers)
	hists := make([]map[int]int, l.opt.Workers)
	for w := range hists {
		hists[w] = map[int]int{}
	}
	err = forEachPair(context.Background(), l.blocking, 0, true, tab.source, linkType == LinkOnly, l.opt.Workers, func(w int, i, j int32) {
		sum := 0
		for _, c := range l.comps {
			if c.gamma(i, j) == 0 {
				sum++
			}
		}
		hists[w][sum]++
		if sum > 3 {
			found[w] = append(found[w], [2]int32{i, j})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for w := range hists {
		for k, v := range hists[w] {
			hist[k] += v
			candidates += int64(v)
		}
		links = append(links, found[w]...)
	}
	return hist, links, candidates
}

// truePairs counts the true pairs the link type allows.
func truePairs(tab *Table, entity []string, linkOnly bool) int {
	by := map[string][]int{}
	for i, e := range entity {
		by[e] = append(by[e], i)
	}
	n := 0
	for _, rs := range by {
		for x := range rs {
			for _, y := range rs[x+1:] {
				if !linkOnly || tab.source[rs[x]] != tab.source[y] {
					n++
				}
			}
		}
	}
	return n
}

type quality struct {
	tp, fp, fn            int
	precision, recall, f1 float64
}

func (q quality) String() string {
	return fmt.Sprintf("TP %d FP %d FN %d precision %.4f recall %.4f F1 %.4f", q.tp, q.fp, q.fn, q.precision, q.recall, q.f1)
}

func score(pairs [][2]int32, entity []string, nTrue int) quality {
	var q quality
	for _, p := range pairs {
		if entity[p[0]] == entity[p[1]] {
			q.tp++
		} else {
			q.fp++
		}
	}
	q.fn = nTrue - q.tp
	if q.tp+q.fp > 0 {
		q.precision = float64(q.tp) / float64(q.tp+q.fp)
	}
	if nTrue > 0 {
		q.recall = float64(q.tp) / float64(nTrue)
	}
	if q.precision+q.recall > 0 {
		q.f1 = 2 * q.precision * q.recall / (q.precision + q.recall)
	}
	return q
}

func TestFEBRLDeterministic(t *testing.T) {
	for _, tc := range []struct {
		files    []string
		linkType string
		pairs    int64
		hist     map[int]int
		links    int
	}{
		{[]string{"dataset4a", "dataset4b"}, LinkOnly, 77249, map[int]int{6: 1566, 5: 1332, 4: 343, 3: 146, 2: 16427, 1: 57435}, 3241},
		{[]string{"dataset1"}, DedupeOnly, 2082, map[int]int{6: 142, 5: 145, 4: 30, 3: 9, 2: 376, 1: 1380}, 317},
	} {
		t.Run(tc.files[0], func(t *testing.T) {
			tab, entity := febrlTable(t, tc.files...)
			hist, links, n := deterministicLinks(t, tab, tc.linkType)
			if n != tc.pairs {
				t.Errorf("candidate pairs = %d, want %d", n, tc.pairs)
			}
			for k, v := range tc.hist {
				if hist[k] != v {
					t.Errorf("pairs with sum %d = %d, want %d", k, hist[k], v)
				}
			}
			if len(links) != tc.links {
				t.Errorf("links = %d, want %d", len(links), tc.links)
			}
			q := score(links, entity, truePairs(tab, entity, tc.linkType == LinkOnly))
			if q.fp != 0 {
				t.Errorf("%d false links, want 0", q.fp)
			}
			t.Logf("deterministic %s: %v", tc.files[0], q)
		})
	}
}

// febrlProbabilistic is this package's model for FEBRL: graded string levels
// on every identifying column, blocking on any one of several columns.
func febrlProbabilistic(linkType string) *Settings {
	graded := func(col string, typ string, hi, lo float64) Comparison {
		c := Comparison{Column: col, Levels: []Level{{Type: "exact"}}}
		for _, v := range []float64{hi, lo} {
			if v == 0 {
				continue
			}
			l := Level{Type: typ}
			if typ == "damerau" || typ == "levenshtein" {
				l.Max = v
			} else {
				l.Min = v
			}
			c.Levels = append(c.Levels, l)
		}
		return c
	}
	return &Settings{
		IDColumn: "rec_id",
		LinkType: linkType,
		Comparisons: []Comparison{
			graded("given_name", "jaro_winkler", 0.9, 0.7),
			graded("surname", "jaro_winkler", 0.9, 0.7),
			graded("date_of_birth", "damerau", 1, 2),
			graded("soc_sec_id", "damerau", 1, 2),
			graded("address_1", "levenshtein_sim", 0.85, 0.6),
			graded("suburb", "jaro_winkler", 0.9, 0),
			graded("postcode", "damerau", 1, 0),
			graded("street_number", "damerau", 1, 0),
			graded("state", "jaro_winkler", 0, 0),
		},
		Blocking: [][]string{
			{"given_name"}, {"surname"}, {"date_of_birth"}, {"soc_sec_id"}, {"postcode", "street_number"},
		},
		Thresholds:   Thresholds{Link: 0.9, Review: 0.5},
		USamplePairs: 200_000,
	}
}

func TestFEBRLProbabilistic(t *testing.T) {
	if testing.Short() {
		t.Skip("FEBRL probabilistic linkage skipped in short mode")
	}
	for _, tc := range []struct {
		files    []string
		linkType string
	}{
		{[]string{"dataset4a", "dataset4b"}, LinkOnly},
		{[]string{"dataset3"}, DedupeOnly},
	} {
		t.Run(tc.files[0], func(t *testing.T) {
			tab, entity := febrlTable(t, tc.files...)
			nTrue := truePairs(tab, entity, tc.linkType == LinkOnly)
			_, links, _ := deterministicLinks(t, tab, tc.linkType)
			det := score(links, entity, nTrue)
			res, err := Link(context.Background(), tab, febrlProbabilistic(tc.linkType), Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var pl [][2]int32
			for _, p := range res.Pairs {
				if p.Prob >= 0.9 {
					pl = append(pl, [2]int32{p.A, p.B})
				}
			}
			prob := score(pl, entity, nTrue)
			t.Logf("%s: %d candidate pairs, λ %.3g", tc.files[0], res.Stats.CandidatePairs, res.Model.Lambda)
			t.Logf("deterministic: %v", det)
			t.Logf("probabilistic: %v", prob)
			if prob.f1 <= det.f1 {
				t.Errorf("probabilistic F1 %.4f does not beat deterministic %.4f", prob.f1, det.f1)
			}
		})
	}
}
