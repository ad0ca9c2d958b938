package linkage

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Columns lists the columns the settings read (comparisons and blocking and
// training rules), each once, in order of first use.
func (s *Settings) Columns() []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, c := range s.Comparisons {
		add(c.Column)
	}
	for _, rs := range [][][]string{s.Blocking, s.Training} {
		for _, r := range rs {
			for _, ts := range r {
				if t, err := ParseTerm(ts); err == nil {
					add(t.Column)
				}
			}
		}
	}
	return out
}

// ReadCSV appends the records of a CSV file (header row first) to the table
// under the given source name. The header must name idColumn and every
// column of the table; other columns are ignored. Leading spaces after a
// comma are dropped (FEBRL writes them); an empty field is null. Ids must be
// non-empty and unique within the source. Errors name the source and line,
// never a field's value (values may be protected identities).
func (t *Table) ReadCSV(r io.Reader, source, idColumn string) error {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	hdr, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: empty file, want a header row", source)
	}
	if err != nil {
		return fmt.Errorf("read %s header: %w", source, scrub(err))
	}
	pos := map[string]int{}
	for i, h := range hdr {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		if _, dup := pos[h]; dup {
			return fmt.Errorf("read %s: column %q twice in the header", source, h)
		}
		pos[h] = i
	}
	idAt, ok := pos[idColumn]
	if !ok {
		return fmt.Errorf("read %s: no id column %q in the header", source, idColumn)
	}
	at := make([]int, len(t.columns))
	for i, c := range t.columns {
		if at[i], ok = pos[c]; !ok {
			return fmt.Errorf("read %s: no column %q in the header", source, c)
		}
	}
	seen := map[string]bool{}
	vals := make([]string, len(t.columns))
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", source, scrub(err))
		}
		line, _ := cr.FieldPos(0)
		id := strings.TrimSpace(rec[idAt])
		if id == "" {
			return fmt.Errorf("read %s line %d: empty id", source, line)
		}
		if seen[id] {
			return fmt.Errorf("read %s line %d: id %q seen before", source, line, id)
		}
		seen[id] = true
		for i, p := range at {
			vals[i] = strings.Clone(rec[p])
		}
		if err := t.Add(source, id, vals...); err != nil {
			return err
		}
	}
}

// scrub keeps a CSV parse error's position but not the text around it.
func scrub(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d column %d: %w", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// ReadLabels reads clerical decisions from CSV with the header
// source_l,id_l,source_r,id_r,decision,note; decision is same, different or
// unsure. Errors name the line.
func ReadLabels(r io.Reader) ([]Label, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	hdr, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("read labels: empty file, want a header row")
		}
		return nil, fmt.Errorf("read labels header: %w", scrub(err))
	}
	want := []string{"source_l", "id_l", "source_r", "id_r", "decision", "note"}
	if len(hdr) != len(want) {
		return nil, fmt.Errorf("read labels: header has %d columns, want %s", len(hdr), strings.Join(want, ","))
	}
	for i, h := range hdr {
		if strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")) != want[i] {
			return nil, fmt.Errorf("read labels: header column %d is %q, want %q", i+1, h, want[i])
		}
	}
	var out []Label
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read labels: %w", scrub(err))
		}
		line, _ := cr.FieldPos(0)
		d, ok := map[string]Decision{"same": Same, "different": Different, "unsure": Unsure}[strings.ToLower(strings.TrimSpace(rec[4]))]
		if !ok {
			return nil, fmt.Errorf("read labels line %d: decision %q: want same, different or unsure", line, rec[4])
		}
		l := Label{A: Ref{rec[0], strings.TrimSpace(rec[1])}, B: Ref{rec[2], strings.TrimSpace(rec[3])}, Decision: d, Note: rec[5]}
		if l.A.ID == "" || l.B.ID == "" {
			return nil, fmt.Errorf("read labels line %d: empty id", line)
		}
		out = append(out, l)
	}
}

// String names a decision as ReadLabels spells it.
func (d Decision) String() string {
	switch d {
	case Same:
		return "same"
	case Different:
		return "different"
	}
	return "unsure"
}

// WriteClusters writes one CSV row per record of the table, in table order:
// source, record_id, cluster_id (numbered from 1 in order of first record)
// and best_match_probability (0 when the record had no candidate pair).
func WriteClusters(w io.Writer, t *Table, r *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"source", "record_id", "cluster_id", "best_match_probability"}); err != nil {
		return err
	}
	for i := 0; i < t.Len(); i++ {
		if err := cw.Write([]string{t.Source(i), t.ID(i), strconv.Itoa(int(r.Cluster[i]) + 1), ftoa(r.Best[i])}); err != nil {
			return fmt.Errorf("write cluster row %d: %w", i+1, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// WritePairs writes the result's pairs (those at or above the review
// threshold, and labelled ones) as CSV with their status (link, review or
// label:DECISION), match weight and probability, and each comparison's level
// and Bayes factors: the explanation a reviewer needs. Field values are not
// written, only levels, so the file holds no protected names or dates.
func (l *Linker) WritePairs(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	hdr := []string{"source_l", "id_l", "source_r", "id_r", "status", "match_weight", "match_probability"}
	for _, c := range l.s.Comparisons {
		hdr = append(hdr, c.Column+"_level", c.Column+"_bf", c.Column+"_tf_bf")
	}
	if err := cw.Write(hdr); err != nil {
		return err
	}
	for n, p := range r.Pairs {
		status := "review"
		switch {
		case p.Label != Unsure:
			status = "label:" + p.Label.String()
		case p.Prob >= l.s.Thresholds.Link:
			status = "link"
		}
		t := l.t
		row := []string{t.Source(int(p.A)), t.ID(int(p.A)), t.Source(int(p.B)), t.ID(int(p.B)), status, ftoa(p.Weight), ftoa(p.Prob)}
		ex, err := l.Explain(r.Model, int(p.A), int(p.B))
		if err != nil {
			return fmt.Errorf("write pair %d: %w", n+1, err)
		}
		for _, c := range ex.Contributions {
			row = append(row, c.Label, ftoa(c.BF), ftoa(c.TFBF))
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write pair %d: %w", n+1, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

func ftoa(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
