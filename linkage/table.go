package linkage

import (
	"fmt"
)

// Record is one record from any source, with string fields; an empty or
// missing field is null. It is the in-memory form for callers that hold
// records as structs (the repository, tests); Table is the compact form.
type Record struct {
	Source string
	ID     string
	Fields map[string]string
}

// Table holds records column by column. Values are strings; the empty string
// is null.
type Table struct {
	columns []string
	index   map[string]int
	source  []int32 // per record: index into sources
	sources []string
	ids     []string
	vals    [][]string // per column, per record
}

// NewTable returns an empty table with the given columns.
func NewTable(columns ...string) (*Table, error) {
	t := &Table{columns: columns, index: make(map[string]int, len(columns)), vals: make([][]string, len(columns))}
	for i, c := range columns {
		if _, dup := t.index[c]; dup {
			return nil, fmt.Errorf("new table: column %q twice", c)
		}
		t.index[c] = i
	}
	return t, nil
}

// TableOf builds a table from records, keeping the given columns.
func TableOf(records []Record, columns ...string) (*Table, error) {
	t, err := NewTable(columns...)
	if err != nil {
		return nil, err
	}
	row := make([]string, len(columns))
	for _, r := range records {
		for i, c := range columns {
			row[i] = r.Fields[c]
		}
		if err := t.Add(r.Source, r.ID, row...); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Add appends a record; values follow the table's columns.
func (t *Table) Add(source, id string, values ...string) error {
	if len(values) != len(t.columns) {
		return fmt.Errorf("add record %q of %q: %d values for %d columns", id, source, len(values), len(t.columns))
	}
	si := -1
	// Sources are few and records arrive grouped by source: check the last first.
	if n := len(t.sources); n > 0 && t.sources[n-1] == source {
		si = n - 1
	} else {
		for i, s := range t.sources {
			if s == source {
				si = i
				break
			}
		}
	}
	if si < 0 {
		si = len(t.sources)
		t.sources = append(t.sources, source)
	}
	t.source = append(t.source, int32(si))
	t.ids = append(t.ids, id)
	for i, v := range values {
		t.vals[i] = append(t.vals[i], v)
	}
	return nil
}

// Set replaces record i's value in a column, for callers that learn a
// value after adding the record (e.g. from records that refer to it).
func (t *Table) Set(i int, column, value string) error {
	c, ok := t.index[column]
	if !ok {
		return fmt.Errorf("set: no column %q", column)
	}
	if i < 0 || i >= len(t.ids) {
		return fmt.Errorf("set %q: record index %d out of range", column, i)
	}
	t.vals[c][i] = value
	return nil
}

// Len is the number of records.
func (t *Table) Len() int { return len(t.ids) }

// Columns returns the column names.
func (t *Table) Columns() []string { return t.columns }

// Source and ID identify record i.
func (t *Table) Source(i int) string { return t.sources[t.source[i]] }
func (t *Table) ID(i int) string     { return t.ids[i] }

// Value returns record i's value in a column ("" for null or an unknown column).
func (t *Table) Value(i int, column string) string {
	c, ok := t.index[column]
	if !ok {
		return ""
	}
	return t.vals[c][i]
}

// column is a dictionary-encoded column: code 0 is null, codes 1.. index
// values. Comparisons then work per distinct value, and exact agreement is
// integer equality.
type column struct {
	codes  []int32
	values []string // values[code]; values[0] = ""
	counts []int32  // records per code
}

func encode(vals []string) *column {
	c := &column{codes: make([]int32, len(vals)), values: []string{""}, counts: []int32{0}}
	dict := make(map[string]int32)
	for i, v := range vals {
		if v == "" {
			continue
		}
		code, ok := dict[v]
		if !ok {
			code = int32(len(c.values))
			dict[v] = code
			c.values = append(c.values, v)
			c.counts = append(c.counts, 0)
		}
		c.codes[i] = code
		c.counts[code]++
	}
	return c
}

// recode maps every distinct value of c through f (e.g. a fold) and encodes
// the results: it returns, per code of c, the code of f(value) among the
// distinct results (0 when f gives ""), and the number of distinct results.
func (c *column) recode(f func(string) string) (codeOf []int32, n int) {
	codeOf = make([]int32, len(c.values))
	dict := make(map[string]int32)
	for code := 1; code < len(c.values); code++ {
		v := f(c.values[code])
		if v == "" {
			continue
		}
		k, ok := dict[v]
		if !ok {
			k = int32(len(dict) + 1)
			dict[v] = k
		}
		codeOf[code] = k
	}
	return codeOf, len(dict)
}
