package linkage

import "testing"

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Date
		bad  bool
	}{
		{"1985-03-12", Date{1985, 3, 12}, false},
		{"19850312", Date{1985, 3, 12}, false},
		{"1985/3/12", Date{1985, 3, 12}, false},
		{"1985.03", Date{1985, 3, 0}, false},
		{"1985", Date{1985, 0, 0}, false},
		{"1985-??-??", Date{1985, 0, 0}, false},
		{"1985-00-00", Date{1985, 0, 0}, false},
		{" 2000-02-29 ", Date{2000, 2, 29}, false},
		{"1900-02-29", Date{}, true},
		{"1985-13", Date{}, true},
		{"1985-00-12", Date{}, true},
		{"85-03-12", Date{}, true},
		{"spring 2010", Date{}, true},
		{"", Date{}, true},
		{"0000", Date{}, true},
		{"1985-03-12-01", Date{}, true},
	} {
		got, err := ParseDate(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestCompareDates(t *testing.T) {
	d := func(s string) Date {
		v, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		a, b string
		want DateLevel
	}{
		{"1985-03-12", "1985-03-12", DateExact},
		{"1985-03-12", "1985-04-10", DateWithinDays},
		{"1985-12-20", "1986-01-10", DateWithinDays}, // across a year boundary
		{"1985-03-12", "1985-06-12", DateSameYear},
		{"1985", "1985-06-12", DateSameYear},
		{"1985-06", "1985-06", DateSameYear}, // partial dates are never exact
		{"1985-03-12", "1987-03-12", DateYearsApart},
		{"1985-03-12", "1995-03-12", DateDiffer},
	} {
		if got := CompareDates(d(tc.a), d(tc.b), 31, 2); got != tc.want {
			t.Errorf("CompareDates(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestPlaces(t *testing.T) {
	a := PlacePath("North Hamgyong / Hoeryong /  Jungbong-ri")
	b := PlacePath("north hamgyong/hoeryong")
	c := PlacePath("Ryanggang/Hyesan")
	if len(a) != 3 || a[2] != "jungbong-ri" {
		t.Fatalf("PlacePath = %q", a)
	}
	if got := CommonPlaceDepth(a, b); got != 2 {
		t.Errorf("depth(a, b) = %d, want 2", got)
	}
	if got := CommonPlaceDepth(a, c); got != 0 {
		t.Errorf("depth(a, c) = %d, want 0", got)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1985-03-12", "19850312", "1985", "1985-??", "2000-02-29", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Year < 1 || d.Month < 0 || d.Month > 12 || d.Day < 0 || d.Day > daysIn(d.Year, d.Month) || d.Month == 0 && d.Day != 0 {
			t.Fatalf("ParseDate(%q) = %+v: invalid date accepted", s, d)
		}
		if CompareDates(d, d, 0, 0) < DateSameYear {
			t.Fatalf("date %+v does not agree with itself", d)
		}
	})
}
