package fulltext

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
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
	// Access lists what the caller may see, applied in the same SQL
	// statement as the match, so that a hidden record is neither returned
	// nor counted. nil means everything.
	Access []Grant
	Offset int
	Limit  int // 20 when 0
	Width  int // snippet width; 160 when 0
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

// Grant lets the caller see records of an organisation ("" for any) at
// the given levels. IDs, when not nil, narrows the grant to those records
// (the records shared with the caller's organisation or naming the
// caller); an empty non-nil IDs grants nothing.
type Grant struct {
	Org    string
	Levels []sillok.Level
	IDs    []sillok.ID
}

// MaxCandidates bounds the matches counted, faceted and ranked per search,
// taken in index order (FTS5 reads doclists forwards; backwards it reads
// them whole). A broader query says Capped and ranks by BM25 among those;
// narrowing it with more words or filters reaches the rest.
const MaxCandidates = 1000

// RankWindow is how many of the first matches are ranked by BM25 on SQLite
// (or more, when a page reaches further).
const RankWindow = 200

func (ix *Index) scores(ctx context.Context, into map[sillok.ID]float64, q string, args ...any) error {
	rows, err := ix.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("search: rank: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id sillok.ID
			sc float64
		)
		if err := rows.Scan(&id, &sc); err != nil {
			return fmt.Errorf("search: rank: %w", err)
		}
		into[id] = sc
	}
	return rows.Err()
}

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
	window := max(RankWindow, req.Offset+req.Limit)
	scores := map[sillok.ID]float64{}
	collect := func(blind bool, clause string, qargs ...any) (err error) {
		n := len(args)
		all := append(append([]any{}, args...), qargs...)
		clause = shift(clause, n)
		var sqlText string
		switch ix.dialect {
		case "sqlite":
			// Counting and faceting need no score. SQLite's bm25() first
			// counts every hit of each phrase, so it costs a pass over all
			// hits however few rows it ranks: a query with more hits than
			// MaxCandidates is not ranked (hits in index order; Capped says
			// so), a narrower one is ranked by a second query.
			sqlText = `SELECT d.record_id, d.kind, d.org, d.level, d.act_type, d.sex, 0, 0
				FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid
				WHERE ` + clause + ` AND d.blind = ` + boolLit(ix.dialect, blind) + where + `
				ORDER BY search_fts.rowid LIMIT ` + fmt.Sprint(MaxCandidates+1)
			if !blind {
				defer func() {
					if err != nil || len(cands) > MaxCandidates {
						return
					}
					err = ix.scores(ctx, scores, `SELECT d.record_id, -bm25(search_fts)
						FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid
						WHERE `+clause+` AND d.blind = 0`+where+`
						ORDER BY search_fts.rowid LIMIT `+fmt.Sprint(window), all...)
					for i := range cands {
						if sc, ok := scores[cands[i].id]; ok {
							cands[i].score = sc
						}
					}
				}()
			}
		case "postgres":
			sqlText = `SELECT d.record_id, d.kind, d.org, d.level, d.act_type, d.sex, ` + rankExpr(clause) + `, CASE WHEN d.exact THEN 0 ELSE 1 END
				FROM search_docs d
				WHERE ` + clause + ` AND d.blind = ` + boolLit(ix.dialect, blind) + where + `
				ORDER BY d.rowid LIMIT ` + fmt.Sprint(MaxCandidates+1)
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
			if ix.dialect == "sqlite" && !blind {
				c.score = math.Inf(-1) // unranked: after the ranked hits, in index order
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
	// Blind and loose hits are confirmed against their records' text,
	// fetched in one batch.
	var confirm []sillok.ID
	for _, c := range cands {
		if c.confirm {
			confirm = append(confirm, c.id)
		}
	}
	texts := map[sillok.ID]*sillok.Record{}
	if len(confirm) > 0 {
		recs, err := r.GetMany(ctx, confirm)
		if err != nil {
			return nil, fmt.Errorf("search: confirm hits: %w", err)
		}
		for _, rec := range recs {
			b := rec.Body
			if ix.Reveal != nil && Blind(rec.Level) {
				b = ix.Reveal(ctx, rec.ID, b)
			}
			text, aliases := Text(b)
			if search.Match(q, text, aliases...) {
				texts[rec.ID] = rec
			}
		}
	}
	kept := cands[:0]
	for _, c := range cands {
		if c.confirm && texts[c.id] == nil {
			continue
		}
		kept = append(kept, c)
	}
	cands = kept
	if len(cands) > MaxCandidates {
		cands, res.Capped = cands[:MaxCandidates], true
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
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
	var page []sillok.ID
	for i := req.Offset; i < len(cands) && i < req.Offset+limit; i++ {
		if texts[cands[i].id] == nil {
			page = append(page, cands[i].id)
		}
	}
	if len(page) > 0 {
		recs, err := r.GetMany(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("search: read hits: %w", err)
		}
		for _, rec := range recs {
			texts[rec.ID] = rec
		}
	}
	for i := req.Offset; i < len(cands) && i < req.Offset+limit; i++ {
		c := cands[i]
		rec := texts[c.id]
		if rec == nil {
			continue // deleted since it was indexed in this read; not a hit
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
		types, err := sillok.Subterms(ctx, r, "act_type", req.ActType)
		if errors.Is(err, sillok.ErrNotFound) {
			return "", nil, fmt.Errorf("%w: %v", ErrQuery, err)
		}
		if err != nil {
			return "", nil, fmt.Errorf("search: %w", err)
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
	if req.Access != nil {
		var ors []string
		for _, g := range req.Access {
			if len(g.Levels) == 0 || g.IDs != nil && len(g.IDs) == 0 {
				continue // grants nothing; and no unused placeholders
			}
			var conds []string
			if g.Org != "" {
				conds = append(conds, "d.org = "+arg(g.Org))
			}
			var ls []string
			for _, l := range g.Levels {
				ls = append(ls, arg(string(l)))
			}
			conds = append(conds, "d.level IN ("+strings.Join(ls, ", ")+")")
			if g.IDs != nil {
				ids := make([]string, len(g.IDs))
				for i, id := range g.IDs {
					ids[i] = arg(string(id))
				}
				conds = append(conds, "d.record_id IN ("+strings.Join(ids, ", ")+")")
			}
			ors = append(ors, "("+strings.Join(conds, " AND ")+")")
		}
		if len(ors) == 0 {
			ors = []string{"1 = 0"}
		}
		b.WriteString(" AND (" + strings.Join(ors, " OR ") + ")")
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

// shift renumbers $1… in clause to follow n earlier arguments, in one
// pass: replacing $1 after $2 had become $12 would make it $112.
func shift(clause string, n int) string {
	return placeholder.ReplaceAllStringFunc(clause, func(p string) string {
		i, _ := strconv.Atoi(p[1:])
		return "$" + strconv.Itoa(i+n)
	})
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)

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
