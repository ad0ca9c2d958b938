package mse

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestWriteTextGolden estimates three strata of one CSV (the HIV table, a
// tiny stratum, a stratum with two usable lists) with searched log-linear
// models and compares the printed table with testdata/estimate.golden.
func TestWriteTextGolden(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("group,l1,l2,l3,l4,count\n")
	for _, c := range readTestTable(t, "hiv.csv").Cells {
		csv.WriteString("hiv")
		for i := 0; i < 4; i++ {
			if c.Pattern.Has(i) {
				csv.WriteString(",1")
			} else {
				csv.WriteString(",0")
			}
		}
		csv.WriteString("," + strconv.Itoa(c.Count) + "\n")
	}
	csv.WriteString("tiny,1,0,0,0,3\ntiny,1,1,0,0,2\n")
	csv.WriteString("twolists,1,0,0,0,30\ntwolists,1,1,0,0,20\ntwolists,0,1,0,0,25\n")
	st, err := ReadCSV(context.Background(), strings.NewReader(csv.String()), ReadOptions{Strata: []string{"group"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := EstimateStrata(context.Background(), st, []string{"group"}, Options{Method: MethodLoglinear})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteText(&out, res, 10); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "estimate.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("output differs from %s (run with -update to accept):\n%s", golden, out.String())
	}
}
