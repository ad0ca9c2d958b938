package linkage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// Link types, with Splink's names.
const (
	DedupeOnly    = "dedupe_only"     // one list: every pair is a candidate
	LinkOnly      = "link_only"       // several lists, each free of duplicates: only pairs across sources
	LinkAndDedupe = "link_and_dedupe" // several lists: pairs within and across sources
)

// Settings describes a linkage model: how records are compared, which pairs
// are compared at all (blocking), and the thresholds for clusters and
// reported pairs. It is read from JSON (see ReadSettings); a zero field takes
// the default named in its comment.
type Settings struct {
	// IDColumn names the column holding each record's id within its source.
	IDColumn string `json:"id_column"`
	// LinkType is DedupeOnly, LinkOnly or LinkAndDedupe (default).
	LinkType string `json:"link_type,omitempty"`
	// Comparisons are the columns compared, each with its levels.
	Comparisons []Comparison `json:"comparisons"`
	// Blocking rules: a pair is a candidate when, for at least one rule, all
	// the rule's terms are non-null and equal on both records. A term is a
	// column name or a transform of one: year(dob), prefix(name,3),
	// fold(name,korean), lower(city).
	Blocking [][]string `json:"blocking"`
	// Training rules for EM, one session each (default: Blocking). The m
	// probabilities of the comparisons whose columns a rule uses are not
	// estimated in that rule's session, as in Splink.
	Training [][]string `json:"training,omitempty"`
	// Lambda is the starting proportion of matches among a session's pairs
	// (default 0.3).
	Lambda float64 `json:"lambda,omitempty"`
	// MaxIterations of EM per session (default 25); Tolerance stops a
	// session when no parameter moves more than it (default 1e-4).
	MaxIterations int     `json:"max_iterations,omitempty"`
	Tolerance     float64 `json:"tolerance,omitempty"`
	// FixU keeps u at its estimate from random pairs during EM (default
	// true; set false to re-estimate u by EM as well).
	FixU *bool `json:"fix_u,omitempty"`
	// USamplePairs is how many random pairs estimate u (default 1,000,000;
	// negative: keep the u given in the levels).
	USamplePairs int `json:"u_sample_pairs,omitempty"`
	// Seed makes the random pair sample reproducible (default 1).
	Seed uint64 `json:"seed,omitempty"`
	// Thresholds on the match probability.
	Thresholds Thresholds `json:"thresholds,omitempty"`
}

// Thresholds on the match probability of a pair.
type Thresholds struct {
	// Link: pairs at or above it join one cluster (default 0.9).
	Link float64 `json:"link,omitempty"`
	// Review: pairs at or above it but below Link are uncertain, and are the
	// pairs reported besides the links (default 0.5).
	Review float64 `json:"review,omitempty"`
}

// Comparison compares one column of two records through levels tried in
// order; the first that holds is the pair's level. A null (empty) value on
// either side gives the null level, whose Bayes factor is 1. A final "else"
// level is added when the list does not end with one.
type Comparison struct {
	Column string  `json:"column"`
	Levels []Level `json:"levels"`
}

// Level is one agreement level of a comparison.
//
// Types and their parameters:
//
//	exact                   equal strings
//	levenshtein       max   edit distance ≤ max
//	damerau           max   Damerau–Levenshtein distance ≤ max
//	jaro_winkler      min   Jaro–Winkler similarity ≥ min
//	levenshtein_sim   min   1 − distance/longer length ≥ min
//	name        fold [min]  folded values equal (or their Jaro–Winkler ≥ min);
//	                        fold names a function given in Options.Folds
//	name_any    fold [min]  the value lists alternatives separated by "|"
//	                        (a person's several names): some folded
//	                        alternative of one equals one of the other (or
//	                        their Jaro–Winkler ≥ min)
//	date_exact              same full date
//	date_within_days  max   full dates at most max days apart
//	date_year               same year
//	date_years        max   years at most max apart
//	place             depth the first depth components of a place path agree
//	else                    always
type Level struct {
	Type  string  `json:"type"`
	Max   float64 `json:"max,omitempty"`
	Min   float64 `json:"min,omitempty"`
	Depth int     `json:"depth,omitempty"`
	Fold  string  `json:"fold,omitempty"`
	// M and U are starting probabilities of the level among matches and
	// non-matches (defaults spread over the levels; u is normally estimated
	// from random pairs).
	M float64 `json:"m,omitempty"`
	U float64 `json:"u,omitempty"`
	// TFWeight in (0, 1] adjusts the Bayes factor of an exact or name level
	// by the frequency of the agreeing value: ×(u/tf)^weight. On a name_any
	// level the value is the most frequent alternative the two share, and
	// its frequency the share of records carrying it.
	TFWeight float64 `json:"tf_weight,omitempty"`
}

// Label reports a level's condition in words, for explanations and output.
func (l Level) Label() string {
	switch l.Type {
	case "levenshtein", "damerau", "date_within_days", "date_years":
		return fmt.Sprintf("%s<=%g", l.Type, l.Max)
	case "jaro_winkler", "levenshtein_sim":
		return fmt.Sprintf("%s>=%g", l.Type, l.Min)
	case "name", "name_any":
		if l.Min > 0 {
			return fmt.Sprintf("%s(%s) jaro_winkler>=%g", l.Type, l.Fold, l.Min)
		}
		return fmt.Sprintf("%s(%s)", l.Type, l.Fold)
	case "place":
		return fmt.Sprintf("place depth>=%d", l.Depth)
	}
	return l.Type
}

// ReadSettings decodes JSON settings, rejecting unknown fields, and checks
// them (see Settings.Check).
func ReadSettings(r io.Reader) (*Settings, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Settings
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// maxComparisons and maxLevels bound the packed comparison vector: 4 bits
// per comparison in a uint64, one value reserved for null.
const (
	maxComparisons = 16
	maxLevels      = 15
	maxTF          = 2
)

// Check validates the settings and fills defaults. Errors name the
// comparison, level or rule at fault.
func (s *Settings) Check() error {
	if s.IDColumn == "" {
		return errors.New("settings: id_column is required")
	}
	switch s.LinkType {
	case "":
		s.LinkType = LinkAndDedupe
	case DedupeOnly, LinkOnly, LinkAndDedupe:
	default:
		return fmt.Errorf("settings: link_type %q: want %s, %s or %s", s.LinkType, DedupeOnly, LinkOnly, LinkAndDedupe)
	}
	if len(s.Comparisons) == 0 {
		return errors.New("settings: no comparisons")
	}
	if len(s.Comparisons) > maxComparisons {
		return fmt.Errorf("settings: %d comparisons, at most %d", len(s.Comparisons), maxComparisons)
	}
	ntf := 0
	for ci := range s.Comparisons {
		c := &s.Comparisons[ci]
		if c.Column == "" {
			return fmt.Errorf("settings: comparison %d: no column", ci+1)
		}
		if n := len(c.Levels); n == 0 || c.Levels[n-1].Type != "else" {
			c.Levels = append(c.Levels, Level{Type: "else"})
		}
		if len(c.Levels) > maxLevels {
			return fmt.Errorf("settings: comparison %q: %d levels, at most %d", c.Column, len(c.Levels), maxLevels)
		}
		for li, l := range c.Levels {
			if err := l.check(li == len(c.Levels)-1); err != nil {
				return fmt.Errorf("settings: comparison %q level %d: %w", c.Column, li+1, err)
			}
			if l.TFWeight != 0 {
				ntf++
			}
		}
		if err := spread(c.Levels); err != nil {
			return fmt.Errorf("settings: comparison %q: %w", c.Column, err)
		}
	}
	if ntf > maxTF {
		return fmt.Errorf("settings: %d term-frequency adjusted levels, at most %d", ntf, maxTF)
	}
	if len(s.Blocking) == 0 {
		return errors.New("settings: no blocking rules (comparing every pair does not scale; give at least one)")
	}
	for ri, r := range s.Blocking {
		if err := checkRule(r); err != nil {
			return fmt.Errorf("settings: blocking rule %d: %w", ri+1, err)
		}
	}
	for ri, r := range s.Training {
		if err := checkRule(r); err != nil {
			return fmt.Errorf("settings: training rule %d: %w", ri+1, err)
		}
	}
	if s.Lambda == 0 {
		s.Lambda = 0.3
	}
	if s.Lambda <= 0 || s.Lambda >= 1 {
		return fmt.Errorf("settings: lambda %g not in (0, 1)", s.Lambda)
	}
	if s.MaxIterations == 0 {
		s.MaxIterations = 25
	}
	if s.Tolerance == 0 {
		s.Tolerance = 1e-4
	}
	if s.FixU == nil {
		t := true
		s.FixU = &t
	}
	if s.USamplePairs == 0 {
		s.USamplePairs = 1_000_000
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	if s.Thresholds.Link == 0 {
		s.Thresholds.Link = 0.9
	}
	if s.Thresholds.Review == 0 {
		s.Thresholds.Review = 0.5
	}
	if t := s.Thresholds; t.Link <= 0 || t.Link > 1 || t.Review <= 0 || t.Review > t.Link {
		return fmt.Errorf("settings: thresholds link %g, review %g: want 0 < review ≤ link ≤ 1", t.Link, t.Review)
	}
	return nil
}

func (l Level) check(last bool) error {
	switch l.Type {
	case "exact", "date_exact", "date_year":
	case "levenshtein", "damerau", "date_within_days", "date_years":
		if l.Max < 0 || l.Max != float64(int(l.Max)) {
			return fmt.Errorf("%s: max %g must be a whole number ≥ 0", l.Type, l.Max)
		}
	case "jaro_winkler", "levenshtein_sim":
		if l.Min <= 0 || l.Min > 1 {
			return fmt.Errorf("%s: min %g not in (0, 1]", l.Type, l.Min)
		}
	case "name", "name_any":
		if l.Fold == "" {
			return fmt.Errorf("%s: fold is required", l.Type)
		}
		if l.Min < 0 || l.Min > 1 {
			return fmt.Errorf("%s: min %g not in [0, 1]", l.Type, l.Min)
		}
	case "place":
		if l.Depth < 1 {
			return fmt.Errorf("place: depth %d must be ≥ 1", l.Depth)
		}
	case "else":
		if !last {
			return errors.New("else must be the last level")
		}
	default:
		return fmt.Errorf("unknown type %q", l.Type)
	}
	if l.TFWeight != 0 {
		if l.TFWeight < 0 || l.TFWeight > 1 {
			return fmt.Errorf("tf_weight %g not in (0, 1]", l.TFWeight)
		}
		if l.Type != "exact" && !((l.Type == "name" || l.Type == "name_any") && l.Min == 0) {
			return fmt.Errorf("tf_weight on a %s level: only exact, name and name_any levels without min", l.Type)
		}
	}
	if l.M < 0 || l.M > 1 || l.U < 0 || l.U > 1 {
		return fmt.Errorf("m %g or u %g not in [0, 1]", l.M, l.U)
	}
	return nil
}

// spread fills missing starting m and u: m falls off from the first level
// (the strongest agreement), u rises towards else; given values are kept and
// the missing ones share what is left.
func spread(levels []Level) error {
	n := len(levels)
	fill := func(get func(i int) *float64, weight func(i int) float64) error {
		var given, free float64
		for i := range levels {
			if v := *get(i); v > 0 {
				given += v
			} else {
				free += weight(i)
			}
		}
		if given > 1+1e-9 {
			return fmt.Errorf("starting probabilities sum to %g > 1", given)
		}
		for i := range levels {
			if p := get(i); *p == 0 && free > 0 {
				*p = max((1-given)*weight(i)/free, 1e-6)
			}
		}
		return nil
	}
	if err := fill(func(i int) *float64 { return &levels[i].M }, func(i int) float64 { return float64(int(1) << (n - 1 - i)) }); err != nil {
		return fmt.Errorf("m: %w", err)
	}
	if err := fill(func(i int) *float64 { return &levels[i].U }, func(i int) float64 { return float64(int(1) << i) }); err != nil {
		return fmt.Errorf("u: %w", err)
	}
	return nil
}

// Term is one part of a blocking rule: a column, optionally transformed.
type Term struct {
	Column    string
	Transform string // "", "year", "full", "prefix", "place", "fold", "lower"
	Arg       string // prefix length or fold name
}

// ParseTerm reads a blocking term: col, year(col), full(col) (a date only
// when year, month and day are known), prefix(col,N), place(col,N) (the
// first N components of a place path; null when it has fewer),
// fold(col,NAME) or lower(col).
func ParseTerm(s string) (Term, error) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	if open < 0 {
		if !isIdent(s) {
			return Term{}, fmt.Errorf("term %q: not a column name", s)
		}
		return Term{Column: s}, nil
	}
	if !strings.HasSuffix(s, ")") {
		return Term{}, fmt.Errorf("term %q: missing )", s)
	}
	fn := strings.TrimSpace(s[:open])
	args := strings.Split(s[open+1:len(s)-1], ",")
	for i := range args {
		args[i] = strings.TrimSpace(args[i])
	}
	if !isIdent(args[0]) {
		return Term{}, fmt.Errorf("term %q: not a column name", s)
	}
	t := Term{Column: args[0], Transform: fn}
	switch fn {
	case "year", "lower", "full":
		if len(args) != 1 {
			return Term{}, fmt.Errorf("term %q: %s takes one argument", s, fn)
		}
	case "prefix", "place":
		if len(args) != 2 {
			return Term{}, fmt.Errorf("term %q: %s takes a column and a length", s, fn)
		}
		if n, err := strconv.Atoi(args[1]); err != nil || n < 1 {
			return Term{}, fmt.Errorf("term %q: %s length must be a whole number ≥ 1", s, fn)
		}
		t.Arg = args[1]
	case "fold":
		if len(args) != 2 || !isIdent(args[1]) {
			return Term{}, fmt.Errorf("term %q: fold takes a column and a fold name", s)
		}
		t.Arg = args[1]
	default:
		return Term{}, fmt.Errorf("term %q: unknown transform %q", s, fn)
	}
	return t, nil
}

func (t Term) String() string {
	switch {
	case t.Transform == "":
		return t.Column
	case t.Arg != "":
		return t.Transform + "(" + t.Column + "," + t.Arg + ")"
	}
	return t.Transform + "(" + t.Column + ")"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && r != '-' && r != '.' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func checkRule(r []string) error {
	if len(r) == 0 {
		return errors.New("empty rule")
	}
	for _, s := range r {
		if _, err := ParseTerm(s); err != nil {
			return err
		}
	}
	return nil
}
