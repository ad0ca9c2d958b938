package linkage

import (
	"strings"
	"testing"
)

func TestReadSettings(t *testing.T) {
	good := `{
	  "id_column": "id",
	  "comparisons": [
	    {"column": "name", "levels": [{"type": "name", "fold": "lower", "tf_weight": 1}, {"type": "jaro_winkler", "min": 0.9}]},
	    {"column": "dob", "levels": [{"type": "date_exact"}, {"type": "date_within_days", "max": 31}, {"type": "date_year"}, {"type": "date_years", "max": 2}]},
	    {"column": "place", "levels": [{"type": "place", "depth": 2}, {"type": "place", "depth": 1}]}
	  ],
	  "blocking": [["fold(name,lower)"], ["year(dob)", "prefix(place,3)"]]
	}`
	s, err := ReadSettings(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if s.LinkType != LinkAndDedupe || s.Lambda != 0.3 || *s.FixU != true || s.Thresholds.Link != 0.9 || s.Thresholds.Review != 0.5 {
		t.Errorf("defaults not filled: %+v", s)
	}
	if n := len(s.Comparisons[0].Levels); n != 3 || s.Comparisons[0].Levels[2].Type != "else" {
		t.Errorf("else level not appended: %+v", s.Comparisons[0].Levels)
	}
	for _, c := range s.Comparisons {
		var m, u float64
		for i, l := range c.Levels {
			m += l.M
			u += l.U
			if i > 0 && (l.M > c.Levels[i-1].M || l.U < c.Levels[i-1].U) {
				t.Errorf("%s: default m should fall and u rise over the levels: %+v", c.Column, c.Levels)
			}
		}
		if m < 0.999 || m > 1.001 || u < 0.999 || u > 1.001 {
			t.Errorf("%s: default m sums to %g, u to %g", c.Column, m, u)
		}
	}

	for _, tc := range []struct{ name, json, want string }{
		{"no id", `{"comparisons":[{"column":"a"}],"blocking":[["a"]]}`, "id_column"},
		{"unknown field", `{"id_column":"id","bogus":1}`, "bogus"},
		{"unknown level", `{"id_column":"id","comparisons":[{"column":"a","levels":[{"type":"soundex"}]}],"blocking":[["a"]]}`, "soundex"},
		{"no blocking", `{"id_column":"id","comparisons":[{"column":"a"}]}`, "blocking"},
		{"bad term", `{"id_column":"id","comparisons":[{"column":"a"}],"blocking":[["year(a"]]}`, "missing )"},
		{"tf on fuzzy", `{"id_column":"id","comparisons":[{"column":"a","levels":[{"type":"levenshtein","max":1,"tf_weight":0.5}]}],"blocking":[["a"]]}`, "tf_weight"},
		{"else first", `{"id_column":"id","comparisons":[{"column":"a","levels":[{"type":"else"},{"type":"exact"}]}],"blocking":[["a"]]}`, "last level"},
		{"m over 1", `{"id_column":"id","comparisons":[{"column":"a","levels":[{"type":"exact","m":0.8},{"type":"else","m":0.7}]}],"blocking":[["a"]]}`, "sum"},
		{"thresholds", `{"id_column":"id","comparisons":[{"column":"a"}],"blocking":[["a"]],"thresholds":{"link":0.5,"review":0.8}}`, "thresholds"},
	} {
		_, err := ReadSettings(strings.NewReader(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestParseTerm(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Term
		bad  bool
	}{
		{"surname", Term{Column: "surname"}, false},
		{"year(dob)", Term{Column: "dob", Transform: "year"}, false},
		{"prefix( name , 3 )", Term{Column: "name", Transform: "prefix", Arg: "3"}, false},
		{"fold(name,korean)", Term{Column: "name", Transform: "fold", Arg: "korean"}, false},
		{"lower(city)", Term{Column: "city", Transform: "lower"}, false},
		{"full(dob)", Term{Column: "dob", Transform: "full"}, false},
		{"place(origin,2)", Term{Column: "origin", Transform: "place", Arg: "2"}, false},
		{"place(origin)", Term{}, true},
		{"full(dob,1)", Term{}, true},
		{"prefix(name,0)", Term{}, true},
		{"prefix(name)", Term{}, true},
		{"soundex(name)", Term{}, true},
		{"year(dob", Term{}, true},
		{"a b", Term{}, true},
		{"", Term{}, true},
	} {
		got, err := ParseTerm(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseTerm(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestTermKey(t *testing.T) {
	for _, tc := range []struct{ term, in, want string }{
		{"full(d)", "1968-03-02", "1968-03-02"},
		{"full(d)", "1968-03", ""},
		{"full(d)", "1968", ""},
		{"full(d)", "bad", ""},
		{"place(p,2)", "North Hamgyong / Hoeryong / Jungbong-ri", "north hamgyong/hoeryong"},
		{"place(p,2)", "North Hamgyong", ""},
		{"year(d)", "1968-03", "1968"},
	} {
		term, err := ParseTerm(tc.term)
		if err != nil {
			t.Fatal(err)
		}
		f, err := termKey(term, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := f(tc.in); got != tc.want {
			t.Errorf("%s of %q = %q, want %q", tc.term, tc.in, got, tc.want)
		}
	}
}

func FuzzParseTerm(f *testing.F) {
	for _, s := range []string{"surname", "year(dob)", "prefix(name,3)", "fold(name,korean)", "lower(x)", "a(", ")"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		term, err := ParseTerm(s)
		if err != nil {
			return
		}
		again, err := ParseTerm(term.String())
		if err != nil || again != term {
			t.Fatalf("ParseTerm(%q) = %+v, but its String %q parses to %+v, %v", s, term, term.String(), again, err)
		}
	})
}

func FuzzReadSettings(f *testing.F) {
	f.Add(`{"id_column":"id","comparisons":[{"column":"a","levels":[{"type":"exact","tf_weight":0.5},{"type":"levenshtein","max":2}]}],"blocking":[["a"]]}`)
	f.Add(`{"id_column":"id","comparisons":[{"column":"d","levels":[{"type":"date_years","max":3}]}],"blocking":[["year(d)"]],"thresholds":{"link":0.99}}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, js string) {
		s, err := ReadSettings(strings.NewReader(js))
		if err != nil {
			return
		}
		// Accepted settings are complete and stable under a second check.
		if err := s.Check(); err != nil {
			t.Fatalf("accepted settings fail a second check: %v", err)
		}
		for _, c := range s.Comparisons {
			if len(c.Levels) > maxLevels || c.Levels[len(c.Levels)-1].Type != "else" {
				t.Fatalf("comparison %q: bad levels %+v", c.Column, c.Levels)
			}
			for _, l := range c.Levels {
				if l.M <= 0 || l.U <= 0 {
					t.Fatalf("comparison %q: level without starting m/u: %+v", c.Column, l)
				}
			}
		}
	})
}
