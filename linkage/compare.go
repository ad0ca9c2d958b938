package linkage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// nullLevel marks a comparison with a null value on either side: Bayes
// factor 1, left out of the m/u updates.
const nullLevel = 15

// compiled is a Comparison bound to a table: each level's test works on the
// dictionary codes of the two values, with per-distinct-value preparation
// (runes, folded keys, parsed dates) done once.
type compiled struct {
	column string
	codes  []int32 // per record
	nulls  []bool  // per code: treated as null (e.g. an unparsable date); nil if none
	tests  []func(a, b int32) bool
	labels []string // per level, else included
	// Term-frequency adjustment: level tf (−1 if none) with weight tfWeight;
	// tfKey maps a code to the key whose frequency counts, tfFreq[key] is
	// that key's share of non-null values.
	tf       int
	tfWeight float64
	tfKey    []int32
	tfFreq   []float64
	// tfPair, when set, gives the key of an agreeing pair of codes instead
	// of tfKey (name_any: the alternative the two values share).
	tfPair func(a, b int32) int32
}

func (c *compiled) nLevels() int { return len(c.tests) + 1 }

// gamma returns the level of records i and j: 0 is the strongest agreement,
// nLevels()-1 is else, nullLevel is null.
func (c *compiled) gamma(i, j int32) uint8 {
	a, b := c.codes[i], c.codes[j]
	if a == 0 || b == 0 || c.nulls != nil && (c.nulls[a] || c.nulls[b]) {
		return nullLevel
	}
	for k, t := range c.tests {
		if t(a, b) {
			return uint8(k)
		}
	}
	return uint8(len(c.tests))
}

// prepared caches per-column preparation shared by comparisons and blocking
// terms on the same column.
type prepared struct {
	col   *column
	runes [][]rune
	dates *dateColumn
	paths [][]int32
	folds map[string]*foldedColumn
	alts  map[string]*alternatives
}

type foldedColumn struct {
	codeOf []int32 // per column code: code of the folded value (0: folds to "")
	runes  [][]rune
	n      int
}

func (p *prepared) getRunes() [][]rune {
	if p.runes == nil {
		p.runes = make([][]rune, len(p.col.values))
		for i, v := range p.col.values {
			p.runes[i] = []rune(v)
		}
	}
	return p.runes
}

func (p *prepared) getDates() *dateColumn {
	if p.dates == nil {
		n := len(p.col.values)
		p.dates = &dateColumn{bad: make([]bool, n), full: make([]bool, n), day: make([]int32, n), year: make([]int32, n)}
		for i := 1; i < n; i++ {
			d, err := ParseDate(p.col.values[i])
			if err != nil {
				p.dates.bad[i] = true
				continue
			}
			p.dates.year[i] = int32(d.Year)
			if d.Full() {
				p.dates.full[i], p.dates.day[i] = true, int32(d.dayNumber())
			}
		}
	}
	return p.dates
}

// dateColumn holds per code what the date levels test: whether the date
// parsed, whether it is full, its day number and its year.
type dateColumn struct {
	bad, full []bool
	day, year []int32
}

// getPaths numbers each prefix of each place path: prefix[code][d] is the
// id of the first d+1 components, so that two places agree to depth k when
// both ids at k−1 are equal, an integer comparison.
func (p *prepared) getPaths() [][]int32 {
	if p.paths == nil {
		p.paths = make([][]int32, len(p.col.values))
		ids := map[string]int32{}
		for i := 1; i < len(p.col.values); i++ {
			comps := PlacePath(p.col.values[i])
			var key strings.Builder
			for d, c := range comps {
				if d > 0 {
					key.WriteByte('/')
				}
				key.WriteString(c)
				id, ok := ids[key.String()]
				if !ok {
					id = int32(len(ids) + 1)
					ids[key.String()] = id
				}
				p.paths[i] = append(p.paths[i], id)
			}
		}
	}
	return p.paths
}

func (p *prepared) getFold(name string, f func(string) string) *foldedColumn {
	if fc, ok := p.folds[name]; ok {
		return fc
	}
	fc := &foldedColumn{}
	folded := make([]string, len(p.col.values))
	fc.codeOf, fc.n = p.col.recode(func(v string) string { return f(v) })
	fc.runes = make([][]rune, fc.n+1)
	for code := 1; code < len(p.col.values); code++ {
		folded[code] = f(p.col.values[code])
		if k := fc.codeOf[code]; k != 0 && fc.runes[k] == nil {
			fc.runes[k] = []rune(folded[code])
		}
	}
	if p.folds == nil {
		p.folds = make(map[string]*foldedColumn)
	}
	p.folds[name] = fc
	return fc
}

// alternatives holds, per column code, the folded codes of the value's
// "|"-separated alternatives (sorted, without repeats) and per folded code
// its runes.
type alternatives struct {
	keys  [][]int32
	runes [][]rune
}

func (p *prepared) getAlternatives(name string, f func(string) string) *alternatives {
	if p.alts == nil {
		p.alts = make(map[string]*alternatives)
	}
	if a, ok := p.alts[name]; ok {
		return a
	}
	a := &alternatives{keys: make([][]int32, len(p.col.values)), runes: [][]rune{nil}}
	dict := make(map[string]int32)
	for code := 1; code < len(p.col.values); code++ {
		for _, alt := range strings.Split(p.col.values[code], "|") {
			k := f(alt)
			if k == "" {
				continue
			}
			id, ok := dict[k]
			if !ok {
				id = int32(len(a.runes))
				dict[k] = id
				a.runes = append(a.runes, []rune(k))
			}
			if !slices.Contains(a.keys[code], id) {
				a.keys[code] = append(a.keys[code], id)
			}
		}
		slices.Sort(a.keys[code])
	}
	p.alts[name] = a
	return a
}

// test returns the level test: some alternative of a equals one of b, or,
// with min > 0, their Jaro–Winkler similarity reaches min. A value without
// any non-empty alternative agrees with nothing.
func (x *alternatives) test(min float64) func(a, b int32) bool {
	return func(a, b int32) bool {
		ka, kb := x.keys[a], x.keys[b]
		for _, i := range ka {
			for _, j := range kb {
				if i == j || min > 0 && jaroRunes(x.runes[i], x.runes[j], true) >= min {
					return true
				}
			}
		}
		return false
	}
}

// frequencies returns per folded key the share of records (with any
// alternative) that carry it.
func (x *alternatives) frequencies(counts []int32) []float64 {
	f := make([]float64, len(x.runes))
	var total float64
	for code := 1; code < len(x.keys); code++ {
		if len(x.keys[code]) == 0 {
			continue
		}
		total += float64(counts[code])
		for _, k := range x.keys[code] {
			f[k] += float64(counts[code])
		}
	}
	if total > 0 {
		for k := range f {
			f[k] /= total
		}
	}
	return f
}

// commonKey returns the key two values share for term-frequency
// adjustment: of the shared alternatives the most frequent (the
// conservative choice); 0 when they share none.
func (x *alternatives) commonKey(freq []float64) func(a, b int32) int32 {
	return func(a, b int32) int32 {
		best := int32(0)
		for _, i := range x.keys[a] {
			if slices.Contains(x.keys[b], i) && (best == 0 || freq[i] > freq[best]) {
				best = i
			}
		}
		return best
	}
}

// compile binds comparison c to prepared column p.
func compile(c Comparison, p *prepared, folds map[string]func(string) string) (*compiled, error) {
	cc := &compiled{column: c.Column, codes: p.col.codes, tf: -1}
	for li, l := range c.Levels {
		cc.labels = append(cc.labels, l.Label())
		if l.Type == "else" {
			break
		}
		var t func(a, b int32) bool
		switch l.Type {
		case "exact":
			t = func(a, b int32) bool { return a == b }
		case "levenshtein":
			r, k := p.getRunes(), int(l.Max)
			t = func(a, b int32) bool { return a == b || levenshteinRunes(r[a], r[b], k) <= k }
		case "damerau":
			r, k := p.getRunes(), int(l.Max)
			t = func(a, b int32) bool {
				return a == b || damerauWithin(r[a], r[b], k)
			}
		case "jaro_winkler":
			r, min := p.getRunes(), l.Min
			t = func(a, b int32) bool { return a == b || jaroRunes(r[a], r[b], true) >= min }
		case "levenshtein_sim":
			r, min := p.getRunes(), l.Min
			t = func(a, b int32) bool { return a == b || levSimAtLeast(r[a], r[b], min) }
		case "name":
			f, ok := folds[l.Fold]
			if !ok {
				return nil, fmt.Errorf("comparison %q level %d: no fold named %q", c.Column, li+1, l.Fold)
			}
			fc := p.getFold(l.Fold, f)
			k, min := fc.codeOf, l.Min
			if min == 0 {
				t = func(a, b int32) bool { return k[a] != 0 && k[a] == k[b] }
			} else {
				t = func(a, b int32) bool {
					return k[a] != 0 && k[b] != 0 && (k[a] == k[b] || jaroRunes(fc.runes[k[a]], fc.runes[k[b]], true) >= min)
				}
			}
		case "name_any":
			f, ok := folds[l.Fold]
			if !ok {
				return nil, fmt.Errorf("comparison %q level %d: no fold named %q", c.Column, li+1, l.Fold)
			}
			t = p.getAlternatives(l.Fold, f).test(l.Min)
		case "date_exact", "date_within_days", "date_year", "date_years":
			// The same tests as CompareDates, on values prepared per code.
			d := p.getDates()
			cc.nulls = d.bad
			k := int32(l.Max)
			switch l.Type {
			case "date_exact":
				t = func(a, b int32) bool { return d.full[a] && d.full[b] && d.day[a] == d.day[b] }
			case "date_within_days":
				t = func(a, b int32) bool { return d.full[a] && d.full[b] && abs32(d.day[a]-d.day[b]) <= k }
			case "date_year":
				t = func(a, b int32) bool { return d.year[a] == d.year[b] }
			case "date_years":
				t = func(a, b int32) bool { return abs32(d.year[a]-d.year[b]) <= k }
			}
		case "place":
			ps, depth := p.getPaths(), l.Depth
			t = func(a, b int32) bool {
				pa, pb := ps[a], ps[b]
				return len(pa) >= depth && len(pb) >= depth && pa[depth-1] == pb[depth-1]
			}
		default:
			return nil, fmt.Errorf("comparison %q level %d: unknown type %q", c.Column, li+1, l.Type)
		}
		cc.tests = append(cc.tests, t)
		if l.TFWeight > 0 {
			cc.tf, cc.tfWeight = li, l.TFWeight
			if l.Type == "name_any" {
				x := p.getAlternatives(l.Fold, folds[l.Fold])
				cc.tfFreq = x.frequencies(p.col.counts)
				cc.tfPair = x.commonKey(cc.tfFreq)
			} else {
				cc.tfKey, cc.tfFreq = termFrequencies(p, l, folds)
			}
		}
	}
	return cc, nil
}

// termFrequencies returns, per code, the key whose frequency counts (the
// value itself, or its folded form for a name level) and per key the share
// of non-null values that have it.
func termFrequencies(p *prepared, l Level, folds map[string]func(string) string) ([]int32, []float64) {
	key := make([]int32, len(p.col.values))
	n := len(p.col.values) - 1
	if l.Type == "name" {
		fc := p.getFold(l.Fold, folds[l.Fold])
		copy(key, fc.codeOf)
		n = fc.n
	} else {
		for i := range key {
			key[i] = int32(i)
		}
	}
	count := make([]float64, n+1)
	var total float64
	for code := 1; code < len(p.col.values); code++ {
		count[key[code]] += float64(p.col.counts[code])
		total += float64(p.col.counts[code])
	}
	for k := range count {
		count[k] /= total
	}
	return key, count
}

// termKey maps a column value through a blocking term's transform; "" is
// null (the record is not blocked by the rule).
func termKey(t Term, folds map[string]func(string) string) (func(string) string, error) {
	switch t.Transform {
	case "":
		return func(v string) string { return v }, nil
	case "lower":
		return strings.ToLower, nil
	case "year":
		return func(v string) string {
			d, err := ParseDate(v)
			if err != nil {
				return ""
			}
			return strconv.Itoa(d.Year)
		}, nil
	case "full":
		return func(v string) string {
			d, err := ParseDate(v)
			if err != nil || !d.Full() {
				return ""
			}
			return v
		}, nil
	case "place":
		n, _ := strconv.Atoi(t.Arg)
		return func(v string) string {
			p := PlacePath(v)
			if len(p) < n {
				return ""
			}
			return strings.Join(p[:n], "/")
		}, nil
	case "prefix":
		n, _ := strconv.Atoi(t.Arg)
		return func(v string) string {
			r := []rune(v)
			if len(r) > n {
				r = r[:n]
			}
			return string(r)
		}, nil
	case "fold":
		f, ok := folds[t.Arg]
		if !ok {
			return nil, fmt.Errorf("term %s: no fold named %q", t, t.Arg)
		}
		return f, nil
	}
	return nil, fmt.Errorf("term %s: unknown transform %q", t, t.Transform)
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// levSimAtLeast reports whether 1 − distance/longer length ≥ min, computing
// the distance only up to the largest value that can still pass (found with
// the same float test, so the result equals LevenshteinSimilarity's).
func levSimAtLeast(a, b []rune, min float64) bool {
	n := max(len(a), len(b))
	if n == 0 {
		return true
	}
	d := int((1-min)*float64(n)) + 1
	for d >= 0 && !(1-float64(d)/float64(n) >= min) {
		d--
	}
	return d >= 0 && levenshteinRunes(a, b, d) <= d
}
