package linkage

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Date is a partial calendar date, as witnesses remember them: the year is
// always known; Month and Day are 0 when unknown.
type Date struct {
	Year, Month, Day int
}

// ParseDate reads YYYY, YYYY-MM, YYYY-MM-DD (separators '-', '/' or '.') or
// YYYYMMDD. A month or day written as 0, 00 or ?? counts as unknown. Its
// errors do not quote the input, which may be a witness's birth date.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	var parts []string
	if len(s) == 8 && isDigits(s) {
		parts = []string{s[:4], s[4:6], s[6:]}
	} else {
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	}
	if len(parts) == 0 || len(parts) > 3 || len(parts[0]) != 4 || !isDigits(parts[0]) {
		return Date{}, errors.New("date: want YYYY, YYYY-MM or YYYY-MM-DD")
	}
	var d Date
	d.Year, _ = strconv.Atoi(parts[0])
	if d.Year == 0 {
		return Date{}, errors.New("date: year 0")
	}
	field := func(p string, hi int, what string) (int, error) {
		if p == "?" || p == "??" {
			return 0, nil
		}
		if len(p) > 2 || !isDigits(p) {
			return 0, fmt.Errorf("date: bad %s", what)
		}
		v, _ := strconv.Atoi(p)
		if v > hi {
			return 0, fmt.Errorf("date: %s out of range", what)
		}
		return v, nil
	}
	var err error
	if len(parts) > 1 {
		if d.Month, err = field(parts[1], 12, "month"); err != nil {
			return Date{}, err
		}
	}
	if len(parts) > 2 {
		if d.Day, err = field(parts[2], 31, "day"); err != nil {
			return Date{}, err
		}
		if d.Month == 0 && d.Day != 0 {
			return Date{}, errors.New("date: day without month")
		}
		if d.Day > daysIn(d.Year, d.Month) {
			return Date{}, errors.New("date: day out of range")
		}
	}
	return d, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Full reports whether year, month and day are all known.
func (d Date) Full() bool { return d.Month != 0 && d.Day != 0 }

// dayNumber counts days from a fixed epoch (proleptic Gregorian), for
// differences between full dates.
func (d Date) dayNumber() int {
	// Algorithm from Howard Hinnant's days_from_civil.
	y, m := d.Year, d.Month
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe
}

// DateLevel names how two partial dates agree, from strongest to weakest.
type DateLevel int

const (
	DateDiffer     DateLevel = iota // none of the below
	DateYearsApart                  // years differ by at most the given span
	DateSameYear                    // same year (one or both may lack month/day)
	DateWithinDays                  // both full, at most the given days apart
	DateExact                       // same year, month and day, both full
)

// CompareDates returns the strongest level at which a and b agree: exact,
// within days (both full dates), same year, within years, or differ.
func CompareDates(a, b Date, days, years int) DateLevel {
	switch {
	case a.Full() && b.Full() && a == b:
		return DateExact
	case a.Full() && b.Full() && abs(a.dayNumber()-b.dayNumber()) <= days:
		return DateWithinDays
	case a.Year == b.Year:
		return DateSameYear
	case abs(a.Year-b.Year) <= years:
		return DateYearsApart
	}
	return DateDiffer
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// PlacePath splits a hierarchical place ("North Hamgyong / Hoeryong /
// Jungbong-ri", most general first) into trimmed, lower-cased components.
func PlacePath(s string) []string {
	parts := strings.Split(s, "/")
	out := parts[:0]
	for _, p := range parts {
		p = strings.ToLower(strings.Join(strings.Fields(p), " "))
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CommonPlaceDepth returns how many leading components two place paths share:
// 0 when even the most general differs.
func CommonPlaceDepth(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
