package personlink

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/linkage"
)

// builderSink feeds a demo run's locations, persons and acts to a Builder.
type builderSink struct{ b *Builder }

func (s builderSink) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	switch r.Kind {
	case sillok.KindLocation:
		s.b.AddLocation(r)
	case sillok.KindPerson:
		return s.b.AddPerson(r)
	case sillok.KindAct:
		return s.b.AddAct(r)
	}
	return nil
}

// demoTable generates a demo data set and returns its person rows and the
// demo's truth (person key) per row.
func demoTable(t testing.TB, people int, seed uint64) (*Builder, []string) {
	t.Helper()
	var truth bytes.Buffer
	b := NewBuilder()
	if _, err := demo.Generate(context.Background(), demo.Options{People: people, Seed: seed, Truth: &truth}, builderSink{b}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&truth).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	key := make(map[string]string, len(rows))
	for _, r := range rows {
		key[r[0]] = r[1]
	}
	tr := make([]string, b.Len())
	for i, id := range b.IDs() {
		if tr[i] = key[string(id)]; tr[i] == "" {
			t.Fatalf("person %s has no truth row", id)
		}
	}
	return b, tr
}

// TestDemoQuality links demo persons with the default settings and checks
// the pairwise precision and recall of the clusters against the demo's
// truth. Figures with seed 1: 3,000 people (4,251 person records): precision
// 0.968, recall 0.963.
func TestDemoQuality(t *testing.T) {
	b, truth := demoTable(t, 3000, 1)
	res, err := linkage.Link(context.Background(), b.Table(), DefaultSettings(), linkage.Options{Folds: Folds()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, err := linkage.Evaluate(res.Cluster, truth)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d person records, %d candidate pairs, %d true pairs, %d predicted, %d correct: precision %.4f, recall %.4f",
		b.Len(), res.Stats.CandidatePairs, q.TruePairs, q.PredictedPairs, q.Correct, q.Precision, q.Recall)
	if q.Precision < 0.95 || q.Recall < 0.95 {
		t.Errorf("precision %.4f, recall %.4f: want both ≥ 0.95", q.Precision, q.Recall)
	}
}

func TestDefaultSettings(t *testing.T) {
	s := DefaultSettings()
	cols := map[string]bool{}
	for _, c := range Columns() {
		cols[c] = true
	}
	for _, c := range s.Columns() {
		if !cols[c] {
			t.Errorf("default settings read column %q, which person rows do not have", c)
		}
	}
	if _, err := linkage.ReadSettings(bytes.NewReader(DefaultSettingsJSON())); err != nil {
		t.Errorf("DefaultSettingsJSON: %v", err)
	}
}
