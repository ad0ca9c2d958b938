package mse

import (
	"context"
	"strings"
	"testing"
)

func TestEstimateChecks(t *testing.T) {
	three := []string{"a", "b", "c"}
	mk := func(lists []string, m map[Pattern]int) Table {
		tab, err := NewTable(lists, m)
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	for _, tc := range []struct {
		name         string
		tab          Table
		opt          Options
		notEstimable string // substring; "" means estimable
		flag         string // substring of some flag
	}{
		{"tiny stratum", mk(three, map[Pattern]int{1: 3, 3: 2}), Options{Method: MethodLoglinear, Model: "Mt"}, "fewer than 10 people", ""},
		{"two usable lists", mk(three, map[Pattern]int{1: 30, 2: 20, 3: 12}), Options{Method: MethodLoglinear, Model: "Mt"}, "fewer than 3 lists", "list c has no records"},
		{"no overlap", mk(three, map[Pattern]int{1: 30, 2: 20, 4: 12}), Options{Method: MethodDGA}, "overlap", ""},
		{"dependent pair", mk([]string{"a", "b"}, map[Pattern]int{1: 30, 2: 20, 3: 12}), Options{Method: MethodChapman, Dependent: [][2]string{{"a", "b"}}}, "not independent", "not independent"},
		{"chapman", mk([]string{"a", "b"}, map[Pattern]int{1: 781, 2: 254, 3: 167}), Options{Method: MethodChapman}, "", "assume the lists are independent"},
		{"dependent flagged", mk(three, map[Pattern]int{1: 30, 2: 20, 4: 12, 3: 5, 5: 6, 6: 4, 7: 2}), Options{Method: MethodLoglinear, Model: "Mt", Dependent: [][2]string{{"a", "c"}}}, "", "lists a and c are not independent"},
		{"small list", mk(three, map[Pattern]int{1: 30, 2: 20, 4: 2, 3: 5, 5: 1}), Options{Method: MethodLoglinear, Model: "Mt"}, "", "list c has fewer than 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Estimate(context.Background(), tc.tab, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if tc.notEstimable == "" {
				if r.NotEstimable != "" {
					t.Fatalf("not estimable: %s", r.NotEstimable)
				}
				if !(r.Estimate >= float64(tc.tab.Observed())) || !(r.Lower <= r.Estimate && r.Estimate <= r.Upper) {
					t.Errorf("estimate %v interval [%v, %v] inconsistent", r.Estimate, r.Lower, r.Upper)
				}
			} else if !strings.Contains(r.NotEstimable, tc.notEstimable) {
				t.Errorf("NotEstimable = %q, want it to mention %q", r.NotEstimable, tc.notEstimable)
			}
			if tc.flag != "" && !strings.Contains(strings.Join(r.Flags, "|"), tc.flag) {
				t.Errorf("flags %q do not mention %q", r.Flags, tc.flag)
			}
			if tc.notEstimable == "fewer than 10 people" && r.Observed != 0 {
				t.Errorf("small count %d not suppressed", r.Observed)
			}
		})
	}
}

func TestEstimateStrataCSV(t *testing.T) {
	in := `sex,period,A,B,C
f,1,1,0,0
f,1,1,1,0
m,1,0,1,1
`
	st, err := ReadCSV(context.Background(), strings.NewReader(in), ReadOptions{Strata: []string{"sex", "period"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].Name([]string{"sex", "period"}) != "sex=f,period=1" {
		t.Fatalf("strata %+v", st)
	}
	if got := st[0].Table.Observed(); got != 2 {
		t.Errorf("stratum f observed %d, want 2", got)
	}
	res, err := EstimateStrata(context.Background(), st, []string{"sex", "period"}, Options{Method: MethodLCMCR})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.NotEstimable == "" {
			t.Errorf("stratum %s of 1-2 people estimated", r.Stratum)
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"bad value", "A,B,freq\n1,2,3\n", `row 2, list "B"`},
		{"bad count", "A,B,freq\n1,0,x\n", `row 2, column "freq"`},
		{"observed nobody", "A,B,freq\n0,0,3\n", "row 2"},
		{"missing stratum", "A,B\n1,0\n", `no stratum column "s"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := ReadOptions{}
			if tc.name == "missing stratum" {
				opt.Strata = []string{"s"}
			}
			_, err := ReadCSV(context.Background(), strings.NewReader(tc.in), opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// FuzzReadCSV: any input either fails cleanly or yields tables whose
// counts are positive, patterns non-zero and within the lists.
func FuzzReadCSV(f *testing.F) {
	f.Add("A,B,freq\n1,0,3\n0,1,2\n1,1,1\n", "")
	f.Add("s,A,B\nx,1,0\ny,1,1\n", "s")
	f.Add("a,b,c,count\n1,1,1,0\n", "")
	f.Fuzz(func(t *testing.T, in, stratum string) {
		opt := ReadOptions{}
		if stratum != "" {
			opt.Strata = []string{stratum}
		}
		st, err := ReadCSV(context.Background(), strings.NewReader(in), opt)
		if err != nil {
			return
		}
		for _, s := range st {
			for _, c := range s.Table.Cells {
				if c.Count <= 0 || c.Pattern == 0 || c.Pattern>>uint(len(s.Table.Lists)) != 0 {
					t.Fatalf("bad cell %+v in %d lists", c, len(s.Table.Lists))
				}
			}
		}
	})
}

// FuzzParseModel: parsing never panics and parsed interactions name valid,
// distinct lists.
func FuzzParseModel(f *testing.F) {
	f.Add("Mt + a:b")
	f.Add("Mth-darroch + a:b:c")
	f.Add("M0")
	f.Fuzz(func(t *testing.T, s string) {
		lists := []string{"a", "b", "c"}
		m, err := ParseModel(s, lists)
		if err != nil {
			return
		}
		for _, in := range m.Interactions {
			if len(in) < 2 {
				t.Fatalf("interaction %v too small", in)
			}
			for j, i := range in {
				if i < 0 || i >= len(lists) || (j > 0 && in[j-1] >= i) {
					t.Fatalf("interaction %v invalid", in)
				}
			}
		}
	})
}

func FuzzReadFrequencies(f *testing.F) {
	f.Add("nbcap,freq\n1,1645\n2,183\n", 0)
	f.Add("nbcap,freq\n1,3\n", 6)
	f.Fuzz(func(t *testing.T, in string, occ int) {
		fr, err := ReadFrequencies(context.Background(), strings.NewReader(in), occ)
		if err != nil {
			return
		}
		if fr.Observed() <= 0 {
			t.Fatal("accepted frequencies with nobody observed")
		}
	})
}

func TestTabulate(t *testing.T) {
	recs := []Record{
		{On: []string{"a", "b"}, Strata: []string{"f"}},
		{On: []string{"b", "a"}, Strata: []string{"f"}},
		{On: []string{"c"}, Strata: []string{"m"}},
		{On: nil, Strata: []string{"m"}},
	}
	st, err := Tabulate(context.Background(), []string{"a", "b", "c"}, 1, recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 {
		t.Fatalf("%d strata, want 2", len(st))
	}
	if got := st[0].Table.Cells; len(got) != 1 || got[0] != (Cell{Pattern: 3, Count: 2}) {
		t.Errorf("stratum f cells %+v, want pattern 011 twice", got)
	}
	if got := st[1].Table.Cells; len(got) != 1 || got[0] != (Cell{Pattern: 4, Count: 1}) {
		t.Errorf("stratum m cells %+v, want pattern 100 once", got)
	}
	_, err = Tabulate(context.Background(), []string{"a"}, 1, []Record{{On: []string{"Kim Yong-hui"}, Strata: []string{"f"}}})
	if err == nil || strings.Contains(err.Error(), "Kim") {
		t.Errorf("unknown list: error %v must exist and not quote the record", err)
	}
}

func TestEstimateOptionErrors(t *testing.T) {
	tab, _ := NewTable([]string{"a", "b", "c"}, map[Pattern]int{1: 3})
	for _, opt := range []Options{
		{Method: "bogus"},
		{Method: MethodLCMCR, Level: 1.5},
		{Method: MethodChapman, Dependent: [][2]string{{"a", "zz"}}},
	} {
		// Options are checked before the data: even a tiny stratum errors.
		if _, err := Estimate(context.Background(), tab, opt); err == nil {
			t.Errorf("options %+v: want an error", opt)
		}
	}
}
