package korean

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/names.golden")

// TestGolden runs every function that gives a name's key or spelling over
// testdata/names.txt and compares with testdata/names.golden. Run with
// -update after an intended change, and review the diff: keys are stored
// by other packages.
func TestGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/names.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString("# name\tKey\tKeyVariants\tSyllableKeys\tFoldInitialSound\tRR\tMR\tMRPlain\tDPRK\n")
	sc := bufio.NewScanner(bytes.NewReader(in))
	for sc.Scan() {
		n := sc.Text()
		if n == "" || strings.HasPrefix(n, "#") {
			continue
		}
		fmt.Fprintf(&out, "%s\t%s\t%s\t%s\t%s", n, Key(n), strings.Join(KeyVariants(n), ","),
			strings.Join(SyllableKeys(n), "."), FoldInitialSound(n))
		for _, sys := range []System{RR, MR, MRPlain, DPRK} {
			fmt.Fprintf(&out, "\t%s", RomanizeName(n, sys))
		}
		out.WriteByte('\n')
	}
	const golden = "testdata/names.golden"
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		gl, wl := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("names.golden line %d:\n got %q\nwant %q", i+1, g, w)
			}
		}
	}
}
