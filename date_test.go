package sillok

import (
	"encoding/json"
	"errors"
	"sort"
	"testing"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, text, lo, hi string
		prec             Precision
		approx           bool
	}{
		{"", "", "0001-01-01", "0001-01-01", Unknown, false},
		{"2010", "2010", "2010-01-01", "2010-12-31", Year, false},
		{"2010-02", "2010-02", "2010-02-01", "2010-02-28", Month, false},
		{"2012-02-29", "2012-02-29", "2012-02-29", "2012-02-29", Day, false},
		{"~2010-03-15", "~2010-03-15", "2010-03-15", "2010-03-15", Day, true},
		{"2010-Spring", "2010-spring", "2010-03-01", "2010-05-31", Season, false},
		{"2009-winter", "2009-winter", "2009-12-01", "2010-02-28", Season, false},
		{"2009/2011-05", "2009/2011-05", "2009-01-01", "2011-05-31", Range, false},
		{" ~ 1997 / 1999 ", "~1997/1999", "1997-01-01", "1999-12-31", Range, true},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if d.String() != tt.text || d.Precision != tt.prec || d.Approx != tt.approx ||
			d.Lo.Format("2006-01-02") != tt.lo || d.Hi.Format("2006-01-02") != tt.hi {
			t.Errorf("ParseDate(%q) = %q %v %v %s..%s, want %q %v %v %s..%s", tt.in,
				d, d.Precision, d.Approx, d.Lo.Format("2006-01-02"), d.Hi.Format("2006-01-02"),
				tt.text, tt.prec, tt.approx, tt.lo, tt.hi)
		}
	}
}

func TestParseDateErrors(t *testing.T) {
	for _, in := range []string{"10", "2010-2", "2010-13", "2011-02-29", "2010-03-1", "x010", "2011/2010", "2010-03-15-01", "2010-fall"} {
		if _, err := ParseDate(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDate(%q) = %v, want ErrInvalid", in, err)
		}
	}
}

func TestDateSortAndOverlap(t *testing.T) {
	in := []string{"", "2010-03-15", "2010", "2009/2011", "2010-03", "2010-spring", "2008"}
	want := []string{"2008", "2009/2011", "2010", "2010-03", "2010-spring", "2010-03-15", ""}
	ds := make([]FuzzyDate, len(in))
	for i, s := range in {
		ds[i] = MustDate(s)
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Compare(ds[j]) < 0 })
	for i := range ds {
		if ds[i].String() != want[i] {
			t.Fatalf("sorted = %v, want %v", ds, want)
		}
	}
	if !MustDate("2010").Overlaps(MustDate("2010-03-15")) || MustDate("2010").Overlaps(MustDate("2011")) {
		t.Error("Overlaps wrong for year vs day")
	}
	if MustDate("").Overlaps(MustDate("2010")) {
		t.Error("unknown date must overlap nothing")
	}
}

func TestDateJSON(t *testing.T) {
	var p struct {
		D FuzzyDate `json:"d,omitzero"`
	}
	if err := json.Unmarshal([]byte(`{"d":"~2010-03"}`), &p); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	if string(b) != `{"d":"~2010-03"}` {
		t.Errorf("round trip = %s", b)
	}
	p.D = FuzzyDate{}
	if b, _ := json.Marshal(p); string(b) != `{}` {
		t.Errorf("unknown date not omitted: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"d":"2010-3"}`), &p); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad date accepted: %v", err)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2010", "~2010-03-15", "2009/2011-05", "2010-winter", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		// The canonical form parses back to the same date.
		d2, err := ParseDate(d.String())
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", d, s, err)
		}
		if d2.String() != d.String() || d2.Compare(d) != 0 || d2.Approx != d.Approx {
			t.Fatalf("round trip %q -> %q -> %q", s, d, d2)
		}
		if !d.IsZero() && d.Hi.Before(d.Lo) {
			t.Fatalf("%q: Hi before Lo", s)
		}
	})
}
