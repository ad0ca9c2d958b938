package fulltext

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/search"
)

// Request is a search.
type Request struct {
	Query string
	// Filters; zero values match everything.
	Kinds    []sillok.Kind
	ActType  string // an act_type code; its sub-types match too
	Location sillok.ID
	Sex      sillok.Sex
	From, To sillok.FuzzyDate // the record's date must overlap [From, To]
	Org      string
	// Visibility: the caller's permissions, applied in the same query as
	// the match, so a hidden record is neither returned nor counted.
	// Visible nil means everything is visible.
	Visible func(org string, level sillok.Level) bool
	Offset  int
	Limit   int // 20 when 0
	Width   int // snippet width; 160 when 0
}

// Hit is one result.
type Hit struct {
	Record  *sillok.Record    `json:"record"`
	Score   float64           `json:"score"`
	Snippet []search.Fragment `json:"snippet,omitempty"`
}

// Result is a page of hits with the counts over all of them.
type Result struct {
	Total  int                       `json:"total"`
	Capped bool                      `json:"capped,omitempty"` // more matched than were counted
	Hits   []Hit                     `json:"hits"`
	Facets map[string]map[string]int `json:"facets"`
}

// MaxCandidates bounds the matches counted and ranked per search.
const MaxCandidates = 5000

// ErrQuery marks a malformed query; the message says where.
var ErrQuery = errors.New("bad query")

type candidate struct {
	id                  sillok.ID
	kind, org, act, sex string
	level               sillok.Level
	score               float64
	confirm             bool
}

// Search runs req against the index; r supplies records (for confirming
// blind hits, snippets and the thesaurus).
func (ix *Index) Search(ctx context.Context, r sillok.Reader, req Request) (*Result, error) {
	q, err := search.ParseQuery(req.Query)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrQuery, err)
	}
	q = q.WithAliases(queryAliases)
	where, args, err := ix.filters(ctx, r, req)
	if err != nil {
		return nil, err
	}
	var cands []candidate
	collect := func(blind bool, clause string, qargs ...any) error {
		n := len(args)
		all := append(append([]any{}, args...), qargs...)
		clause = shift(clause, n)
		var sqlText string
		switch ix.dialect {
		case "sqlite":
			sqlText = `SELECT d.record_id, d.kind, d.org, d.level, d.act_type, d.sex, -bm25(search_fts), 0
				FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid
				WHERE ` + clause + ` AND d.blind = ` + boolLit(ix.dialect, blind) + where + `
				ORDER BY 7 DESC, d.record_id LIMIT ` + fmt.Sprint(MaxCandidates+1)
		case "postgres":
			sqlText = `SELECT d.record_id, d.kind, d.org, d.level, d.act_type, d.sex, ` + rankExpr(clause) + `, CASE WHEN d.exact THEN 0 ELSE 1 END
				FROM search_docs d
				WHERE ` + clause + ` AND d.blind = ` + boolLit(ix.dialect, blind) + where + `
				ORDER BY 7 DESC, d.record_id LIMIT ` + fmt.Sprint(MaxCandidates+1)
		}
		rows, err := ix.db.QueryContext(ctx, sqlText, all...)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c candidate
			var loose int
			if err := rows.Scan(&c.id, &c.kind, &c.org, &c.level, &c.act, &c.sex, &c.score, &loose); err != nil {
				return fmt.Errorf("search: %w", err)
			}
			c.confirm = blind || loose == 1
			if req.Visible != nil && !req.Visible(c.org, c.level) {
				continue
			}
			cands = append(cands, c)
		}
		return rows.Err()
	}
	switch ix.dialect {
	case "sqlite":
		err = collect(false, `search_fts MATCH $1`, q.FTS5())
		if err == nil && ix.blindKey != nil {
			err = collect(true, `search_fts MATCH $1`, q.Blind(ix.blindKey).FTS5())
		}
	case "postgres":
		err = collect(false, `((d.exact AND d.vec @@ $1::tsquery) OR (NOT d.exact AND d.vec @@ $2::tsquery))`, q.TSQuery(), q.TSQueryLoose())
		if err == nil && ix.blindKey != nil {
			err = collect(true, `d.vec @@ $1::tsquery`, q.Blind(ix.blindKey).TSQuery())
		}
	}
	if err != nil {
		return nil, err
	}
	res := &Result{Facets: map[string]map[string]int{"kind": {}, "org": {}, "act_type": {}, "sex": {}}}
	texts := map[sillok.ID]*sillok.Record{}
	kept := cands[:0]
	for _, c := range cands {
		if c.confirm {
			rec, err := r.Get(ctx, c.id)
			if err != nil {
				return nil, fmt.Errorf("search: confirm %s: %w", c.id, err)
			}
			text, aliases := Text(rec.Body)
			if !search.Match(q, text, aliases...) {
				continue
			}
			texts[c.id] = rec
		}
		kept = append(kept, c)
	}
	cands = kept
	if len(cands) > MaxCandidates {
		cands, res.Capped = cands[:MaxCandidates], true
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].id < cands[j].id
	})
	res.Total = len(cands)
	for _, c := range cands {
		res.Facets["kind"][c.kind]++
		res.Facets["org"][c.org]++
		if c.act != "" {
			res.Facets["act_type"][c.act]++
		}
		if c.sex != "" {
			res.Facets["sex"][c.sex]++
		}
	}
	limit, width := req.Limit, req.Width
	if limit <= 0 {
		limit = 20
	}
	if width <= 0 {
		width = 160
	}
	res.Hits = []Hit{}
	for i := req.Offset; i < len(cands) && i < req.Offset+limit; i++ {
		c := cands[i]
		rec := texts[c.id]
		if rec == nil {
			if rec, err = r.Get(ctx, c.id); err != nil {
				return nil, fmt.Errorf("search: hit %s: %w", c.id, err)
			}
		}
		text, _ := Text(rec.Body)
		res.Hits = append(res.Hits, Hit{Record: rec, Score: c.score, Snippet: search.Snippet(text, q, width)})
	}
	return res, nil
}

// filters returns " AND …" conditions on search_docs d with their args
// ($1… ; the match clause's placeholders are shifted after them).
func (ix *Index) filters(ctx context.Context, r sillok.Reader, req Request) (string, []any, error) {
	var (
		b    strings.Builder
		args []any
	)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	in := func(col string, vs []string) {
		if len(vs) == 0 {
			return
		}
		ps := make([]string, len(vs))
		for i, v := range vs {
			ps[i] = arg(v)
		}
		b.WriteString(" AND d." + col + " IN (" + strings.Join(ps, ", ") + ")")
	}
	var kinds []string
	for _, k := range req.Kinds {
		kinds = append(kinds, string(k))
	}
	in("kind", kinds)
	if req.ActType != "" {
		types, err := subterms(ctx, r, "act_type", req.ActType)
		if err != nil {
			return "", nil, err
		}
		in("act_type", types)
	}
	if req.Location != "" {
		in("location", []string{string(req.Location)})
	}
	if req.Sex != "" {
		in("sex", []string{string(req.Sex)})
	}
	if req.Org != "" {
		in("org", []string{req.Org})
	}
	if !req.From.IsZero() || !req.To.IsZero() {
		b.WriteString(" AND d.date_lo <> ''")
		if !req.To.IsZero() {
			b.WriteString(" AND d.date_lo <= " + arg(req.To.Hi.Format("2006-01-02")))
		}
		if !req.From.IsZero() {
			b.WriteString(" AND d.date_hi >= " + arg(req.From.Lo.Format("2006-01-02")))
		}
	}
	return b.String(), args, nil
}

// subterms returns code and every term below it in a thesaurus.
func subterms(ctx context.Context, r sillok.Reader, thesaurus, code string) ([]string, error) {
	p, err := r.List(ctx, sillok.Filter{Kind: sillok.KindTerm, Attrs: []sillok.Attr{{Key: "thesaurus", Value: thesaurus}}, Limit: 10000})
	if err != nil {
		return nil, fmt.Errorf("search: read thesaurus %s: %w", thesaurus, err)
	}
	children := map[string][]string{}
	found := false
	for _, rec := range p.Records {
		t := rec.Body.(*sillok.Term)
		children[t.Parent] = append(children[t.Parent], t.Code)
		found = found || t.Code == code
	}
	if !found {
		return nil, fmt.Errorf("%w: %q is not a term of %s", ErrQuery, code, thesaurus)
	}
	out := []string{code}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}

// shift renumbers $1… in clause to follow n earlier arguments.
func shift(clause string, n int) string {
	for i := 9; i >= 1; i-- {
		clause = strings.ReplaceAll(clause, fmt.Sprintf("$%d", i), fmt.Sprintf("$%d", i+n))
	}
	return clause
}

func rankExpr(clause string) string {
	// The first tsquery of the clause ranks.
	i := strings.Index(clause, "$")
	j := i + 1
	for j < len(clause) && clause[j] >= '0' && clause[j] <= '9' {
		j++
	}
	return "ts_rank_cd(d.vec, " + clause[i:j] + "::tsquery)"
}

func boolLit(dialect string, b bool) string {
	if dialect == "sqlite" {
		if b {
			return "1"
		}
		return "0"
	}
	if b {
		return "TRUE"
	}
	return "FALSE"
}
