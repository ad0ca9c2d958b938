package linkage

import (
	"bytes"
	"context"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < min(len(gl), len(wl)); i++ {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("%s differs at line %d:\n got %s\nwant %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", path, len(gl), len(wl))
	}
}

// TestFake1000 links Splink's fake_1000 data set (251 persons, 2,031 true
// pairs) from a settings file, checks the quality against its cluster
// column and the output files against golden copies.
func TestFake1000(t *testing.T) {
	f, err := os.Open("testdata/fake_1000_settings.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ReadSettings(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := NewTable(append(s.Columns(), "cluster")...)
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open("testdata/fake_1000.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := tab.ReadCSV(in, "fake_1000.csv", s.IDColumn); err != nil {
		t.Fatal(err)
	}
	l, err := NewLinker(tab, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := l.Train(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Score(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	var tp, fp, nTrue int
	for i := 0; i < tab.Len(); i++ {
		for j := i + 1; j < tab.Len(); j++ {
			same := tab.Value(i, "cluster") == tab.Value(j, "cluster")
			if same {
				nTrue++
			}
			if res.Cluster[i] == res.Cluster[j] {
				if same {
					tp++
				} else {
					fp++
				}
			}
		}
	}
	precision, recall := float64(tp)/float64(tp+fp), float64(tp)/float64(nTrue)
	t.Logf("fake_1000: %d true pairs, %d candidate pairs, %d clusters, λ %.3g: precision %.4f recall %.4f", nTrue, res.Stats.CandidatePairs, res.Stats.Clusters, m.Lambda, precision, recall)
	if nTrue != 2031 {
		t.Errorf("%d true pairs, want 2031", nTrue)
	}
	if precision < 0.9 || recall < 0.85 {
		t.Errorf("precision %.4f recall %.4f: want ≥ 0.9 and ≥ 0.85", precision, recall)
	}
	var cl, pr bytes.Buffer
	if err := WriteClusters(&cl, tab, res); err != nil {
		t.Fatal(err)
	}
	if err := l.WritePairs(&pr, res); err != nil {
		t.Fatal(err)
	}
	golden(t, "fake_1000_clusters.golden.csv", cl.Bytes())
	golden(t, "fake_1000_pairs.golden.csv", pr.Bytes())
}
