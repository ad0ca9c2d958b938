package linkage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var testFolds = map[string]func(string) string{"korean": fakeFold}

// TestLinkGenerated links synthetic persons with planted duplicates and
// checks pairwise precision and recall against the generator's truth.
func TestLinkGenerated(t *testing.T) {
	recs := generate(4000, 7)
	tab, err := genTable(recs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Link(context.Background(), tab, genSettings(), Options{Folds: testFolds}, nil)
	if err != nil {
		t.Fatal(err)
	}
	truth := map[int][]int{}
	for i, r := range recs {
		truth[r.person] = append(truth[r.person], i)
	}
	nTrue := 0
	for _, rs := range truth {
		nTrue += len(rs) * (len(rs) - 1) / 2
	}
	// Pairwise quality of the clusters.
	byCluster := map[int32][]int{}
	for i, c := range res.Cluster {
		byCluster[c] = append(byCluster[c], i)
	}
	tp, fp := 0, 0
	for _, rs := range byCluster {
		for x := range rs {
			for _, y := range rs[x+1:] {
				if recs[rs[x]].person == recs[y].person {
					tp++
				} else {
					fp++
				}
			}
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(nTrue)
	t.Logf("%d records, %d true pairs, %d candidate pairs, λ %.3g: precision %.4f recall %.4f", len(recs), nTrue, res.Stats.CandidatePairs, res.Model.Lambda, precision, recall)
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("precision %.4f, recall %.4f: want both ≥ 0.95", precision, recall)
	}
	truthIDs := make([]string, len(recs))
	for i, r := range recs {
		truthIDs[i] = fmt.Sprint(r.person)
	}
	if q, err := Evaluate(res.Cluster, truthIDs); err != nil || q.Correct != int64(tp) || q.PredictedPairs != int64(tp+fp) || q.TruePairs != int64(nTrue) {
		t.Errorf("Evaluate = %+v, %v; counted %d correct of %d predicted, %d true", q, err, tp, tp+fp, nTrue)
	}
	if res.Stats.Clusters != len(byCluster) {
		t.Errorf("Stats.Clusters = %d, counted %d", res.Stats.Clusters, len(byCluster))
	}
	// Cluster ids are numbered in order of first record.
	next := int32(0)
	for _, c := range res.Cluster {
		if c > next {
			t.Fatalf("cluster %d appears before cluster %d", c, next)
		}
		if c == next {
			next++
		}
	}
}

func TestNameLevelFold(t *testing.T) {
	tab, err := TableOf([]Record{
		{Source: "a", ID: "1", Fields: map[string]string{"name": "리영희", "g": "x"}},
		{Source: "b", ID: "2", Fields: map[string]string{"name": "이영희", "g": "x"}},
		{Source: "b", ID: "3", Fields: map[string]string{"name": "이영하", "g": "x"}},
		{Source: "b", ID: "4", Fields: map[string]string{"name": "박철수", "g": "x"}},
		{Source: "b", ID: "5", Fields: map[string]string{"g": "x"}},
	}, "name", "g")
	if err != nil {
		t.Fatal(err)
	}
	s := &Settings{
		IDColumn: "id",
		Comparisons: []Comparison{{Column: "name", Levels: []Level{
			{Type: "exact"}, {Type: "name", Fold: "korean"}, {Type: "name", Fold: "korean", Min: 0.7},
		}}},
		Blocking:     [][]string{{"g"}},
		USamplePairs: -1,
	}
	if _, err := NewLinker(tab, s, Options{}); err == nil || !strings.Contains(err.Error(), `no fold named "korean"`) {
		t.Fatalf("missing fold: error %v", err)
	}
	l, err := NewLinker(tab, s, Options{Folds: testFolds})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		a, b int32
		want uint8
	}{
		{0, 1, 1},         // 리영희 / 이영희: same after folding
		{0, 2, 2},         // 리영희 / 이영하: folded Jaro–Winkler 0.8
		{0, 3, 3},         // else
		{1, 1, 0},         // exact
		{0, 4, nullLevel}, // null
	} {
		if got := l.comps[0].gamma(tc.a, tc.b); got != tc.want {
			t.Errorf("level(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestNameAnyLevel checks the level for several names per record: any
// folded alternative of one record against any of the other.
func TestNameAnyLevel(t *testing.T) {
	tab, err := TableOf([]Record{
		{Source: "a", ID: "1", Fields: map[string]string{"name": "리영희|김순옥", "g": "x"}},
		{Source: "b", ID: "2", Fields: map[string]string{"name": "박철수|이영희", "g": "x"}},
		{Source: "b", ID: "3", Fields: map[string]string{"name": "이영하", "g": "x"}},
		{Source: "b", ID: "4", Fields: map[string]string{"name": "박철수", "g": "x"}},
		{Source: "b", ID: "5", Fields: map[string]string{"name": "|", "g": "x"}},
		{Source: "b", ID: "6", Fields: map[string]string{"g": "x"}},
	}, "name", "g")
	if err != nil {
		t.Fatal(err)
	}
	s := &Settings{
		IDColumn: "id",
		Comparisons: []Comparison{{Column: "name", Levels: []Level{
			{Type: "name_any", Fold: "korean"}, {Type: "name_any", Fold: "korean", Min: 0.7},
		}}},
		Blocking:     [][]string{{"g"}},
		USamplePairs: -1,
	}
	l, err := NewLinker(tab, s, Options{Folds: testFolds})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		a, b int32
		want uint8
	}{
		{0, 1, 0},         // 리영희 (first) / 이영희 (second): same after folding
		{1, 3, 0},         // 박철수 in both
		{0, 2, 1},         // 리영희 / 이영하: folded Jaro–Winkler 0.8
		{0, 3, 2},         // nothing alike: else
		{0, 4, 2},         // no non-empty alternative: agrees with nothing
		{0, 5, nullLevel}, // null
	} {
		if got := l.comps[0].gamma(tc.a, tc.b); got != tc.want {
			t.Errorf("level(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestNameAnyTermFrequency checks the term-frequency key of a name_any
// level: the most frequent alternative two records share, with its share
// of the records that have any.
func TestNameAnyTermFrequency(t *testing.T) {
	tab, err := TableOf([]Record{
		{Source: "a", ID: "1", Fields: map[string]string{"n": "x|y"}},
		{Source: "a", ID: "2", Fields: map[string]string{"n": "x|y"}},
		{Source: "a", ID: "3", Fields: map[string]string{"n": "x"}},
		{Source: "a", ID: "4", Fields: map[string]string{"n": "z"}},
	}, "n")
	if err != nil {
		t.Fatal(err)
	}
	s := &Settings{IDColumn: "id", Comparisons: []Comparison{{Column: "n", Levels: []Level{{Type: "name_any", Fold: "id", TFWeight: 1}}}},
		Blocking: [][]string{{"n"}}, USamplePairs: -1}
	l, err := NewLinker(tab, s, Options{Folds: map[string]func(string) string{"id": func(s string) string { return s }}})
	if err != nil {
		t.Fatal(err)
	}
	cc := l.comps[0]
	key := func(i, j int32) string {
		k := cc.tfPair(cc.codes[i], cc.codes[j])
		if k == 0 {
			return ""
		}
		return string(l.prep["n"].alts["id"].runes[k])
	}
	// x is on 3 of 4 records, y on 2: records 1 and 2 share both, and x
	// counts.
	if k := key(0, 1); k != "x" || cc.tfFreq[cc.tfPair(cc.codes[0], cc.codes[1])] != 0.75 {
		t.Errorf("shared key of x|y and x|y: %q", k)
	}
	if k := key(0, 3); k != "" {
		t.Errorf("shared key of x|y and z: %q, want none", k)
	}
}

func TestTermFrequency(t *testing.T) {
	var recs []Record
	for i := 0; i < 10; i++ {
		name := "김영희"
		if i >= 8 {
			name = "탁보배"
		}
		recs = append(recs, Record{Source: "s", ID: fmt.Sprint(i), Fields: map[string]string{"name": name, "g": "x"}})
	}
	tab, err := TableOf(recs, "name", "g")
	if err != nil {
		t.Fatal(err)
	}
	s := &Settings{
		IDColumn:     "id",
		Comparisons:  []Comparison{{Column: "name", Levels: []Level{{Type: "exact", M: 0.9, U: 0.1, TFWeight: 1}, {Type: "else", M: 0.1, U: 0.9}}}},
		Blocking:     [][]string{{"g"}},
		USamplePairs: -1,
	}
	l, err := NewLinker(tab, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	common, err := l.Explain(l.Start(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	rare, err := l.Explain(l.Start(), 8, 9)
	if err != nil {
		t.Fatal(err)
	}
	// (u / tf)^1: 0.1/0.8 for the common name, 0.1/0.2 for the rare one.
	if got := common.Contributions[0].TFBF; math.Abs(got-0.125) > 1e-12 {
		t.Errorf("common name TF factor %g, want 0.125", got)
	}
	if got := rare.Contributions[0].TFBF; math.Abs(got-0.5) > 1e-12 {
		t.Errorf("rare name TF factor %g, want 0.5", got)
	}
	if rare.Weight <= common.Weight {
		t.Errorf("rare name weight %g not above common %g", rare.Weight, common.Weight)
	}
}

func TestLabels(t *testing.T) {
	recs := []Record{
		{Source: "a", ID: "1", Fields: map[string]string{"name": "김영희", "dob": "1970-01-01"}},
		{Source: "a", ID: "2", Fields: map[string]string{"name": "김영희", "dob": "1970-01-01"}},
		{Source: "a", ID: "3", Fields: map[string]string{"name": "박철수", "dob": "1950-05-05"}},
		{Source: "a", ID: "4", Fields: map[string]string{"name": "최민", "dob": "1990-09-09"}},
	}
	tab, err := TableOf(recs, "name", "dob")
	if err != nil {
		t.Fatal(err)
	}
	s := &Settings{
		IDColumn: "id",
		Comparisons: []Comparison{
			{Column: "name", Levels: []Level{{Type: "exact", M: 0.9, U: 0.01}}},
			{Column: "dob", Levels: []Level{{Type: "date_exact", M: 0.9, U: 0.01}}},
		},
		Blocking:     [][]string{{"name"}, {"dob"}},
		USamplePairs: -1,
		Lambda:       0.1,
	}
	l, err := NewLinker(tab, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := l.Score(ctx, l.Start(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cluster[0] != res.Cluster[1] || res.Cluster[2] == res.Cluster[3] {
		t.Fatalf("unlabelled clusters %v: want 1 and 2 together, 3 and 4 apart", res.Cluster)
	}
	labels := []Label{
		{A: Ref{"a", "1"}, B: Ref{"a", "2"}, Decision: Different, Note: "different mothers"},
		{A: Ref{"a", "3"}, B: Ref{"a", "4"}, Decision: Same, Note: "new name in the South"},
	}
	res, err = l.Score(ctx, l.Start(), labels)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cluster[0] == res.Cluster[1] || res.Cluster[2] != res.Cluster[3] {
		t.Errorf("labelled clusters %v: want 1 and 2 apart, 3 and 4 together", res.Cluster)
	}
	if res.Best[2] != 1 || res.Best[0] != 0 {
		t.Errorf("best probabilities %v: want labels to set them", res.Best)
	}
	bad := []Label{{A: Ref{"a", "1"}, B: Ref{"a", "9"}, Decision: Same}}
	if _, err := l.Score(ctx, l.Start(), bad); err == nil || !strings.Contains(err.Error(), "not among the records") {
		t.Errorf("unknown record in label: error %v", err)
	}
}

func TestCluster(t *testing.T) {
	pairs := []Pair{{A: 1, B: 4, Prob: 0.95}, {A: 4, B: 2, Prob: 0.99}, {A: 0, B: 3, Prob: 0.5}, {A: 5, B: 3, Prob: 0.91}}
	got, n := cluster(6, pairs, 0.9, nil)
	want := []int32{0, 1, 1, 2, 1, 2}
	if n != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cluster = %v (%d), want %v (3)", got, n, want)
	}
	// 1 and 2 must stay apart: the weaker edge 1–4 gives way to 4–2.
	got, n = cluster(6, pairs, 0.9, [][2]int32{{1, 2}})
	want = []int32{0, 1, 2, 3, 2, 3}
	if n != 4 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cluster with cannot-link = %v (%d), want %v (4)", got, n, want)
	}
}

func TestLinkErrors(t *testing.T) {
	tab, _ := TableOf([]Record{{Source: "a", ID: "1", Fields: map[string]string{"x": "v"}}}, "x")
	s := &Settings{IDColumn: "id", Comparisons: []Comparison{{Column: "y"}}, Blocking: [][]string{{"x"}}}
	if _, err := NewLinker(tab, s, Options{}); err == nil || !strings.Contains(err.Error(), `no column "y"`) {
		t.Errorf("unknown column: error %v", err)
	}
	s = &Settings{IDColumn: "id", LinkType: LinkOnly, Comparisons: []Comparison{{Column: "x"}}, Blocking: [][]string{{"x"}}}
	if _, err := NewLinker(tab, s, Options{}); err == nil || !strings.Contains(err.Error(), "two sources") {
		t.Errorf("link_only with one source: error %v", err)
	}
	recs := generate(500, 1)
	tab, _ = genTable(recs)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Link(ctx, tab, genSettings(), Options{Folds: testFolds}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled link: error %v, want context.Canceled", err)
	}
}

func TestLinkTiny(t *testing.T) {
	// Two records that no rule pairs: no candidate pairs, two clusters.
	tab, _ := TableOf([]Record{
		{Source: "a", ID: "1", Fields: map[string]string{"name": "김영희"}},
		{Source: "a", ID: "2", Fields: map[string]string{"name": "박철수"}},
	}, "name")
	s := &Settings{IDColumn: "id", Comparisons: []Comparison{{Column: "name"}}, Blocking: [][]string{{"name"}}}
	res, err := Link(context.Background(), tab, s, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.CandidatePairs != 0 || res.Stats.Clusters != 2 || math.IsNaN(res.Model.Lambda) || res.Best[0] != 0 {
		t.Errorf("tiny link: %+v, λ %g, best %v", res.Stats, res.Model.Lambda, res.Best)
	}
}

func TestEvaluate(t *testing.T) {
	// Entities: a={0,1,2}, b={3,4}, c={5}. Clusters: {0,1}, {2,3,4}, {5}.
	q, err := Evaluate([]int32{0, 0, 1, 1, 1, 2}, []string{"a", "a", "a", "b", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	// True pairs: 3 + 1 = 4. Predicted: 1 + 3 = 4. Correct: (0,1) and (3,4).
	if q.TruePairs != 4 || q.PredictedPairs != 4 || q.Correct != 2 || q.Precision != 0.5 || q.Recall != 0.5 || q.F1 != 0.5 {
		t.Errorf("Evaluate = %+v", q)
	}
	if _, err := Evaluate([]int32{0}, nil); err == nil {
		t.Error("length mismatch accepted")
	}
}

// TestTrainingPaths checks that training from the compared candidates (the
// default) and training by comparing each training rule's pairs afresh
// (explicit training rules) give the same model, with and without labels.
func TestTrainingPaths(t *testing.T) {
	recs := generate(3000, 3)
	tab, err := genTable(recs)
	if err != nil {
		t.Fatal(err)
	}
	labels := []Label{
		{A: Ref{"demo", "0"}, B: Ref{"demo", "1"}, Decision: Same},
		{A: Ref{"demo", "2"}, B: Ref{"demo", "3"}, Decision: Different},
	}
	for _, lbs := range [][]Label{nil, labels} {
		var models []*Model
		for _, explicit := range []bool{false, true} {
			s := genSettings()
			if explicit {
				s.Training = s.Blocking
			}
			l, err := NewLinker(tab, s, Options{Folds: testFolds})
			if err != nil {
				t.Fatal(err)
			}
			m, err := l.Train(context.Background(), lbs)
			if err != nil {
				t.Fatal(err)
			}
			models = append(models, m)
		}
		a, b := models[0], models[1]
		if math.Abs(a.Lambda-b.Lambda) > 1e-12*a.Lambda {
			t.Errorf("labels %d: λ %g vs %g", len(lbs), a.Lambda, b.Lambda)
		}
		for c := range a.Comparisons {
			for g := range a.Comparisons[c].Levels {
				x, y := a.Comparisons[c].Levels[g], b.Comparisons[c].Levels[g]
				if math.Abs(x.M-y.M) > 1e-9 || x.U != y.U {
					t.Errorf("labels %d: %s level %d: m %g vs %g, u %g vs %g", len(lbs), a.Comparisons[c].Column, g, x.M, y.M, x.U, y.U)
				}
			}
		}
		for k := range a.Sessions {
			if a.Sessions[k].Pairs != b.Sessions[k].Pairs {
				t.Errorf("labels %d: session %d: %d pairs vs %d", len(lbs), k, a.Sessions[k].Pairs, b.Sessions[k].Pairs)
			}
		}
	}
}

func TestPairSampler(t *testing.T) {
	tab, _ := NewTable("x")
	// One record in source a against 999 in b: every draw must cross.
	tab.Add("a", "0", "v")
	for i := 1; i < 1000; i++ {
		tab.Add("b", fmt.Sprint(i), "v")
	}
	tab.Add("c", "1000", "v")
	ps := newPairSampler(tab, true)
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[string]int{}
	for k := 0; k < 20000; k++ {
		i, j := ps.draw(rng)
		if tab.source[i] == tab.source[j] {
			t.Fatalf("link_only draw %d, %d within one source", i, j)
		}
		a, b := tab.Source(int(i)), tab.Source(int(j))
		if a > b {
			a, b = b, a
		}
		seen[a+b]++
	}
	// Cross pairs: a–b 999, b–c 999, a–c 1: about half each of a–b and b–c.
	if seen["ab"] < 9000 || seen["bc"] < 9000 || seen["ac"] > 20 {
		t.Errorf("draws by source pair %v: want a–b and b–c about even, a–c rare", seen)
	}
	ps = newPairSampler(tab, false)
	for k := 0; k < 1000; k++ {
		if i, j := ps.draw(rng); i == j {
			t.Fatalf("dedupe draw pairs record %d with itself", i)
		}
	}
}
