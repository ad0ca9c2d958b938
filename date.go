package sillok

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Precision says how much of a FuzzyDate is known.
type Precision uint8

const (
	Unknown Precision = iota // nothing known
	Year                     // "2010"
	Season                   // "2010-spring": three months
	Month                    // "2010-03"
	Day                      // "2010-03-15"
	Range                    // "2009/2011-05": between two dates of any precision
)

// FuzzyDate is a date as witnesses remember it: exact, estimated, month or
// year only, a season, a range, or unknown. Its text form is
//
//	""                 unknown
//	"2010" "2010-03" "2010-03-15"
//	"2010-spring"      (spring, summer, autumn, winter; winter runs Dec–Feb)
//	"2009/2011-05"     range, each end of any precision above
//	"~…"               any of the above, estimated
//
// Lo and Hi are the first and last days the date may denote; dates sort and
// compare by them.
type FuzzyDate struct {
	Lo, Hi    time.Time // zero when unknown
	Precision Precision
	Approx    bool
	text      string // canonical text
}

// ParseDate parses the text form of a FuzzyDate.
func ParseDate(s string) (FuzzyDate, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "?" || strings.EqualFold(s, "unknown") {
		return FuzzyDate{}, nil
	}
	var d FuzzyDate
	if strings.HasPrefix(s, "~") {
		d.Approx = true
		s = strings.TrimSpace(s[1:])
	}
	if a, b, ok := strings.Cut(s, "/"); ok {
		lo, err := parseSingle(strings.TrimSpace(a))
		if err != nil {
			return FuzzyDate{}, err
		}
		hi, err := parseSingle(strings.TrimSpace(b))
		if err != nil {
			return FuzzyDate{}, err
		}
		if hi.Hi.Before(lo.Lo) {
			return FuzzyDate{}, fmt.Errorf("date range %q ends before it starts: %w", s, ErrInvalid)
		}
		d.Lo, d.Hi, d.Precision = lo.Lo, hi.Hi, Range
		d.text = lo.text + "/" + hi.text
	} else {
		one, err := parseSingle(s)
		if err != nil {
			return FuzzyDate{}, err
		}
		d.Lo, d.Hi, d.Precision, d.text = one.Lo, one.Hi, one.Precision, one.text
	}
	if d.Approx {
		d.text = "~" + d.text
	}
	return d, nil
}

// MustDate is ParseDate for literals known to be valid; it panics otherwise.
func MustDate(s string) FuzzyDate {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var seasons = []struct {
	name  string
	month time.Month
}{{"spring", 3}, {"summer", 6}, {"autumn", 9}, {"winter", 12}}

func parseSingle(s string) (FuzzyDate, error) {
	bad := func(why string) (FuzzyDate, error) {
		return FuzzyDate{}, fmt.Errorf("date %q: %s: %w", s, why, ErrInvalid)
	}
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return bad("want YYYY, YYYY-MM, YYYY-MM-DD or YYYY-season")
	}
	year, err := strconv.Atoi(parts[0])
	if err != nil || year < 1000 {
		return bad("bad year")
	}
	if len(parts) == 1 {
		lo := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
		return FuzzyDate{Lo: lo, Hi: lo.AddDate(1, 0, -1), Precision: Year, text: parts[0]}, nil
	}
	for _, se := range seasons {
		if len(parts) == 2 && strings.EqualFold(parts[1], se.name) {
			lo := time.Date(year, se.month, 1, 0, 0, 0, 0, time.UTC)
			return FuzzyDate{Lo: lo, Hi: lo.AddDate(0, 3, -1), Precision: Season, text: parts[0] + "-" + se.name}, nil
		}
	}
	if len(parts[1]) != 2 {
		return bad("month must have two digits")
	}
	month, err := strconv.Atoi(parts[1])
	if err != nil || month < 1 || month > 12 {
		return bad("bad month")
	}
	lo := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
	if len(parts) == 2 {
		return FuzzyDate{Lo: lo, Hi: lo.AddDate(0, 1, -1), Precision: Month, text: s}, nil
	}
	if len(parts[2]) != 2 {
		return bad("day must have two digits")
	}
	day, err := strconv.Atoi(parts[2])
	if err != nil || day < 1 || day > 31 {
		return bad("bad day")
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Month() != time.Month(month) {
		return bad("no such day")
	}
	return FuzzyDate{Lo: t, Hi: t, Precision: Day, text: s}, nil
}

// String returns the canonical text form.
func (d FuzzyDate) String() string { return d.text }

// IsZero reports whether the date is unknown.
func (d FuzzyDate) IsZero() bool { return d.Precision == Unknown }

// Compare orders dates by earliest then latest possible day; unknown dates
// sort last. It returns -1, 0 or +1.
func (d FuzzyDate) Compare(o FuzzyDate) int {
	switch {
	case d.IsZero() && o.IsZero():
		return 0
	case d.IsZero():
		return 1
	case o.IsZero():
		return -1
	}
	if c := d.Lo.Compare(o.Lo); c != 0 {
		return c
	}
	return d.Hi.Compare(o.Hi)
}

// Overlaps reports whether the two dates may denote the same day. An unknown
// date overlaps nothing: it is no evidence either way.
func (d FuzzyDate) Overlaps(o FuzzyDate) bool {
	if d.IsZero() || o.IsZero() {
		return false
	}
	return !d.Hi.Before(o.Lo) && !o.Hi.Before(d.Lo)
}

// SortKey is a text key that sorts like Compare ("" for unknown).
func (d FuzzyDate) SortKey() string {
	if d.IsZero() {
		return ""
	}
	return d.Lo.Format("2006-01-02") + "/" + d.Hi.Format("2006-01-02")
}

// MarshalJSON encodes the text form.
func (d FuzzyDate) MarshalJSON() ([]byte, error) { return json.Marshal(d.text) }

// UnmarshalJSON decodes the text form.
func (d *FuzzyDate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: want a string: %w", err)
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalText and UnmarshalText let dates be used in CSV and flags.
func (d FuzzyDate) MarshalText() ([]byte, error) { return []byte(d.text), nil }

func (d *FuzzyDate) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
