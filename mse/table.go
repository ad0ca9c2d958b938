package mse

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// MaxLists bounds the number of lists in a Table: patterns are bit sets.
const MaxLists = 30

// maxCount bounds one row's count, so that sums cannot overflow.
const maxCount = 1 << 40

// Pattern is a capture history: bit i is set when the person is on list i.
type Pattern uint32

// Has reports whether the pattern includes list i.
func (p Pattern) Has(i int) bool { return p&(1<<uint(i)) != 0 }

// Size is the number of lists the pattern includes.
func (p Pattern) Size() int { return bits.OnesCount32(uint32(p)) }

// Cell is the number of people with one capture history.
type Cell struct {
	Pattern Pattern
	Count   int
}

// Table is a capture-history table: for each observed history, how many
// people have it. The all-zero history is never observed and never stored.
// Cells are sorted by pattern and each pattern appears once.
type Table struct {
	Lists []string
	Cells []Cell
}

// NewTable builds a Table from pattern counts, dropping zero counts.
func NewTable(lists []string, counts map[Pattern]int) (Table, error) {
	if len(lists) > MaxLists {
		return Table{}, fmt.Errorf("%d lists: at most %d are supported", len(lists), MaxLists)
	}
	t := Table{Lists: append([]string(nil), lists...)}
	for p, c := range counts {
		switch {
		case p == 0:
			if c != 0 {
				return Table{}, errors.New("the all-zero capture history cannot be observed")
			}
			continue
		case c < 0:
			return Table{}, fmt.Errorf("pattern %s: negative count %d", t.format(p), c)
		case p>>uint(len(lists)) != 0:
			return Table{}, fmt.Errorf("pattern %b names a list beyond the %d lists", p, len(lists))
		case c == 0:
			continue
		}
		t.Cells = append(t.Cells, Cell{p, c})
	}
	sort.Slice(t.Cells, func(i, j int) bool { return t.Cells[i].Pattern < t.Cells[j].Pattern })
	return t, nil
}

func (t Table) format(p Pattern) string {
	var b strings.Builder
	for i := range t.Lists {
		if p.Has(i) {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// Observed is the number of people on at least one list.
func (t Table) Observed() int {
	n := 0
	for _, c := range t.Cells {
		n += c.Count
	}
	return n
}

// ListTotals is the number of people on each list.
func (t Table) ListTotals() []int {
	tot := make([]int, len(t.Lists))
	for _, c := range t.Cells {
		for i := range t.Lists {
			if c.Pattern.Has(i) {
				tot[i] += c.Count
			}
		}
	}
	return tot
}

// Full returns the counts of all 2^t patterns indexed by pattern (index 0,
// the unobserved cell, is zero).
func (t Table) Full() []float64 {
	f := make([]float64, 1<<uint(len(t.Lists)))
	for _, c := range t.Cells {
		f[c.Pattern] = float64(c.Count)
	}
	return f
}

// Select returns the table restricted to the given lists (by index), in
// that order; people on none of them drop out.
func (t Table) Select(idx []int) Table {
	m := make(map[Pattern]int)
	names := make([]string, len(idx))
	for j, i := range idx {
		names[j] = t.Lists[i]
	}
	for _, c := range t.Cells {
		var p Pattern
		for j, i := range idx {
			if c.Pattern.Has(i) {
				p |= 1 << uint(j)
			}
		}
		if p != 0 {
			m[p] += c.Count
		}
	}
	out, _ := NewTable(names, m) // patterns and counts are valid by construction
	return out
}

// Frequencies is the other published format: how many units were captured
// exactly k times (Rcapture's dtype="nbcap"), for heterogeneity models and
// Chao's lower bound.
type Frequencies struct {
	// Occasions is the number of capture occasions; 0 means continuous
	// time (Rcapture's t=Inf), where capture counts are Poisson.
	Occasions int
	// Counts[k-1] is the number of units captured exactly k times.
	Counts []int
}

// Observed is the number of units captured at least once.
func (f Frequencies) Observed() int {
	n := 0
	for _, c := range f.Counts {
		n += c
	}
	return n
}

// Frequencies collapses a table to its capture-count frequencies.
func (t Table) Frequencies() Frequencies {
	f := Frequencies{Occasions: len(t.Lists), Counts: make([]int, len(t.Lists))}
	for _, c := range t.Cells {
		f.Counts[c.Pattern.Size()-1] += c.Count
	}
	return f
}

// ReadOptions says how to read a capture-history CSV.
type ReadOptions struct {
	// Lists names the 0/1 list columns. Empty means every column that is
	// neither the count column nor a stratum column.
	Lists []string
	// Count names the count column. Empty means "freq", "count" or "n" if
	// present; without one, each row is one person.
	Count string
	// Strata names the stratification columns.
	Strata []string
}

// Stratum is the table of one combination of stratum values.
type Stratum struct {
	Key   []string // values of ReadOptions.Strata, in order; nil without strata
	Table Table
}

// Name renders the key for display ("all" without strata).
func (s Stratum) Name(strata []string) string {
	if len(s.Key) == 0 {
		return "all"
	}
	parts := make([]string, len(s.Key))
	for i, k := range s.Key {
		parts[i] = strata[i] + "=" + k
	}
	return strings.Join(parts, ",")
}

// ReadCSV reads a capture-history table (one 0/1 column per list, an
// optional count column, optional stratum columns) and returns one table
// per stratum, sorted by key. Errors name the row and column; cell values
// are quoted only when they are list or count fields, never stratum
// values, which may identify people in small strata.
func ReadCSV(ctx context.Context, r io.Reader, opt ReadOptions) ([]Stratum, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	header = append([]string(nil), header...) // the reader reuses its record
	col := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("header: column %q appears twice", h)
		}
		col[h] = i
	}
	countCol := -1
	if opt.Count != "" {
		i, ok := col[opt.Count]
		if !ok {
			return nil, fmt.Errorf("header: no count column %q", opt.Count)
		}
		countCol = i
	} else {
		for _, name := range []string{"freq", "Freq", "count", "n"} {
			if i, ok := col[name]; ok {
				countCol = i
				break
			}
		}
	}
	strataCols := make([]int, len(opt.Strata))
	isStratum := make(map[int]bool)
	for j, s := range opt.Strata {
		i, ok := col[s]
		if !ok {
			return nil, fmt.Errorf("header: no stratum column %q", s)
		}
		strataCols[j] = i
		isStratum[i] = true
	}
	var listCols []int
	var lists []string
	if len(opt.Lists) > 0 {
		for _, l := range opt.Lists {
			i, ok := col[l]
			if !ok {
				return nil, fmt.Errorf("header: no list column %q", l)
			}
			listCols = append(listCols, i)
			lists = append(lists, l)
		}
	} else {
		for i, h := range header {
			if i == countCol || isStratum[i] {
				continue
			}
			listCols = append(listCols, i)
			lists = append(lists, strings.TrimSpace(h))
		}
	}
	if len(lists) == 0 {
		return nil, errors.New("header: no list columns")
	}
	if len(lists) > MaxLists {
		return nil, fmt.Errorf("header: %d list columns, at most %d are supported", len(lists), MaxLists)
	}
	type acc struct {
		key    []string
		counts map[Pattern]int
	}
	groups := make(map[string]*acc)
	for row := 2; ; row++ {
		if row%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read row %d: %w", row, err)
		}
		var p Pattern
		for j, i := range listCols {
			switch strings.TrimSpace(rec[i]) {
			case "1":
				p |= 1 << uint(j)
			case "0":
			default:
				return nil, fmt.Errorf("row %d, list %q: value %q is not 0 or 1", row, lists[j], rec[i])
			}
		}
		c := 1
		if countCol >= 0 {
			c, err = strconv.Atoi(strings.TrimSpace(rec[countCol]))
			if err != nil || c < 0 || c > maxCount {
				return nil, fmt.Errorf("row %d, column %q: count %q is not an integer in 0..2^40", row, header[countCol], rec[countCol])
			}
		}
		if p == 0 {
			if c != 0 {
				return nil, fmt.Errorf("row %d: a person on no list cannot be observed", row)
			}
			continue
		}
		key := make([]string, len(strataCols))
		for j, i := range strataCols {
			key[j] = rec[i]
		}
		k := strings.Join(key, "\x00")
		g := groups[k]
		if g == nil {
			g = &acc{key: key, counts: make(map[Pattern]int)}
			groups[k] = g
		}
		g.counts[p] += c
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Stratum, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		t, err := NewTable(lists, g.counts)
		if err != nil {
			return nil, err
		}
		s := Stratum{Table: t}
		if len(opt.Strata) > 0 {
			s.Key = g.key
		}
		out = append(out, s)
	}
	return out, nil
}

// ReadFrequencies reads a two-column CSV "nbcap,freq" of capture-count
// frequencies. occasions is the number of capture occasions, 0 for
// continuous time.
func ReadFrequencies(ctx context.Context, r io.Reader, occasions int) (Frequencies, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return Frequencies{}, fmt.Errorf("read header: %w", err)
	}
	if len(header) != 2 || strings.TrimSpace(header[0]) != "nbcap" {
		return Frequencies{}, errors.New(`header: want "nbcap,freq"`)
	}
	var f Frequencies
	f.Occasions = occasions
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Frequencies{}, fmt.Errorf("read row %d: %w", row, err)
		}
		k, err1 := strconv.Atoi(strings.TrimSpace(rec[0]))
		c, err2 := strconv.Atoi(strings.TrimSpace(rec[1]))
		if err1 != nil || err2 != nil || k < 1 || c < 0 || k > 1000 || c > maxCount {
			return Frequencies{}, fmt.Errorf("row %d: want a capture count in 1..1000 and a non-negative frequency", row)
		}
		if occasions > 0 && k > occasions {
			return Frequencies{}, fmt.Errorf("row %d: %d captures exceed %d occasions", row, k, occasions)
		}
		for len(f.Counts) < k {
			f.Counts = append(f.Counts, 0)
		}
		f.Counts[k-1] += c
	}
	if f.Observed() == 0 {
		return Frequencies{}, errors.New("no captures")
	}
	return f, nil
}

// Record is one linked person as the repository sees them: the lists
// (reporting organisations) that documented them and their values of the
// stratification variables. It carries no identity.
type Record struct {
	On     []string // names of the lists the person is on
	Strata []string // stratum values, in the order of the strata names
}

// Tabulate builds one capture-history table per stratum from linked
// records. lists fixes the list order; a record naming a list not in it is
// an error (by record index, never by content). Records on no list are
// skipped: they cannot have been observed by these lists.
func Tabulate(ctx context.Context, lists []string, nstrata int, records []Record) ([]Stratum, error) {
	if len(lists) > MaxLists {
		return nil, fmt.Errorf("%d lists: at most %d are supported", len(lists), MaxLists)
	}
	idx := make(map[string]int, len(lists))
	for i, l := range lists {
		if _, dup := idx[l]; dup {
			return nil, fmt.Errorf("list %q named twice", l)
		}
		idx[l] = i
	}
	type acc struct {
		key    []string
		counts map[Pattern]int
	}
	groups := make(map[string]*acc)
	for n, r := range records {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(r.Strata) != nstrata {
			return nil, fmt.Errorf("record %d: %d stratum values, want %d", n, len(r.Strata), nstrata)
		}
		var p Pattern
		for _, l := range r.On {
			i, ok := idx[l]
			if !ok {
				return nil, fmt.Errorf("record %d: unknown list", n)
			}
			p |= 1 << uint(i)
		}
		if p == 0 {
			continue
		}
		k := strings.Join(r.Strata, "\x00")
		g := groups[k]
		if g == nil {
			g = &acc{key: append([]string(nil), r.Strata...), counts: make(map[Pattern]int)}
			groups[k] = g
		}
		g.counts[p]++
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Stratum, 0, len(keys))
	for _, k := range keys {
		t, err := NewTable(lists, groups[k].counts)
		if err != nil {
			return nil, err
		}
		s := Stratum{Table: t}
		if nstrata > 0 {
			s.Key = groups[k].key
		}
		out = append(out, s)
	}
	return out, nil
}
