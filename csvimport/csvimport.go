// Package csvimport reads persons, events and acts from CSV files with a
// column mapping. Every row is either imported or reported with its line
// number and the reason; nothing is dropped silently. Reasons name columns
// and fields, never cell values: a rejected row may hold a witness's name
// or birth date, and reports end up in terminals, tickets and e-mails.
package csvimport

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/sillok/sillok"
)

// Store is what an import needs of a repository.
type Store interface {
	Batch(ctx context.Context, fn func(tx sillok.Tx) error) error
	List(ctx context.Context, f sillok.Filter) (*sillok.Page, error)
}

// Fields lists the fields each importable kind accepts. Multi-valued
// fields take values separated by ";".
var Fields = map[sillok.Kind][]string{
	sillok.KindPerson: {"external_id", "name", "name_hangul", "name_romanized", "alias", "name_south",
		"sex", "birth", "origin", "origin_text", "role", "notes"},
	sillok.KindEvent: {"external_id", "title_en", "title_ko", "description_en", "description_ko", "date", "location", "parent"},
	sillok.KindAct: {"event", "victim", "type", "date", "location", "status", "consequences",
		"description_en", "description_ko"},
}

// Options configure an import.
type Options struct {
	Kind  sillok.Kind
	Actor sillok.Actor
	Org   string       // owning organisation; the actor's when empty
	Level sillok.Level // confidentiality; internal when empty
	// Map maps a field to the header of the column holding it. Fields not
	// mapped are looked for in a column named like the field.
	Map map[string]string
	// BatchSize is the number of rows written per transaction (500 when 0).
	BatchSize int
}

// Rejection is a row that was not imported.
type Rejection struct {
	Line   int    // line number in the file (1 is the header)
	Column string // the column at fault, when one is
	Reason string
}

func (r Rejection) String() string {
	if r.Column != "" {
		return fmt.Sprintf("line %d: column %q: %s", r.Line, r.Column, r.Reason)
	}
	return fmt.Sprintf("line %d: %s", r.Line, r.Reason)
}

// Result is what an import did.
type Result struct {
	Rows     int         // data rows read
	Imported []sillok.ID // in file order
	Rejected []Rejection
	Ignored  []string // columns of the file that no field maps to
}

// Import reads CSV from r into s. It returns an error only for problems with
// the file as a whole (unreadable, no header, a mapping naming a missing
// column); bad rows are reported in Result.Rejected and the rest imported.
func Import(ctx context.Context, s Store, r io.Reader, opts Options) (*Result, error) {
	fields, ok := Fields[opts.Kind]
	if !ok {
		return nil, fmt.Errorf("csv import: kind %q cannot be imported from CSV (want person, event or act)", opts.Kind)
	}
	for f := range opts.Map {
		if !slices.Contains(fields, f) {
			return nil, fmt.Errorf("csv import: %s has no field %q (fields: %s)", opts.Kind, f, strings.Join(fields, ", "))
		}
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("csv import: empty file")
	}
	if err != nil {
		return nil, fmt.Errorf("csv import: header: %w", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(norm.NFC.String(strings.TrimPrefix(header[i], "\ufeff")))
	}
	col := map[string]int{} // field → column index
	for _, f := range fields {
		name := f
		if m, ok := opts.Map[f]; ok {
			name = m
		}
		i := slices.Index(header, name)
		if i < 0 {
			if _, mapped := opts.Map[f]; mapped {
				return nil, fmt.Errorf("csv import: field %s is mapped to column %q, which the header lacks", f, name)
			}
			continue
		}
		col[f] = i
	}
	res := &Result{}
	for i, h := range header {
		used := false
		for _, c := range col {
			used = used || c == i
		}
		if !used {
			res.Ignored = append(res.Ignored, h)
		}
	}
	required := map[sillok.Kind][]string{sillok.KindPerson: {}, sillok.KindEvent: {}, sillok.KindAct: {"event", "victim", "type"}}[opts.Kind]
	for _, f := range required {
		if _, ok := col[f]; !ok {
			return nil, fmt.Errorf("csv import: no column for the required field %s", f)
		}
	}
	if opts.Kind == sillok.KindPerson && !hasAny(col, "name", "name_hangul", "name_romanized", "alias", "name_south") {
		return nil, errors.New("csv import: no column holds a name (name, name_hangul, name_romanized, alias or name_south)")
	}
	if opts.Kind == sillok.KindEvent && !hasAny(col, "title_en", "title_ko") {
		return nil, errors.New("csv import: no column holds a title (title_en or title_ko)")
	}
	im := &importer{s: s, opts: opts, header: header, col: col, res: res, ext: map[string]sillok.ID{}}
	if im.opts.BatchSize <= 0 {
		im.opts.BatchSize = 500
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		res.Rows++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				reason := "malformed CSV: " + pe.Err.Error()
				if pe.Line > pe.StartLine {
					// An unclosed quote swallows the lines after it.
					reason = fmt.Sprintf("malformed CSV from here to line %d (their rows are not imported): %v", pe.Line, pe.Err)
				}
				res.Rejected = append(res.Rejected, Rejection{Line: pe.StartLine, Reason: reason})
				continue
			}
			return res, fmt.Errorf("csv import: after line %d: %w", res.Rows, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			res.Rejected = append(res.Rejected, Rejection{Line: line, Reason: fmt.Sprintf("has %d columns, the header has %d", len(rec), len(header))})
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(norm.NFC.String(rec[i]))
		}
		if err := im.row(ctx, line, rec); err != nil {
			return res, err
		}
	}
	if err := im.flush(ctx); err != nil {
		return res, err
	}
	slices.SortFunc(res.Rejected, func(a, b Rejection) int { return a.Line - b.Line })
	return res, nil
}

func hasAny(col map[string]int, fs ...string) bool {
	for _, f := range fs {
		if _, ok := col[f]; ok {
			return true
		}
	}
	return false
}

type pending struct {
	line int
	rec  *sillok.Record
}

type importer struct {
	s      Store
	opts   Options
	header []string
	col    map[string]int
	res    *Result
	ext    map[string]sillok.ID // resolved external IDs
	batch  []pending
}

// rowError is a rejection found while building a row.
type rowError struct{ field, reason string }

func (e *rowError) Error() string { return e.field + ": " + e.reason }

func (im *importer) row(ctx context.Context, line int, rec []string) error {
	get := func(f string) string {
		if i, ok := im.col[f]; ok {
			return rec[i]
		}
		return ""
	}
	body, err := im.build(ctx, get)
	if err == nil {
		err = body.Validate()
	}
	if err != nil {
		im.reject(line, err)
		return nil
	}
	im.batch = append(im.batch, pending{line, &sillok.Record{Kind: im.opts.Kind, Org: im.opts.Org, Level: im.opts.Level, Body: body}})
	if len(im.batch) >= im.opts.BatchSize {
		return im.flush(ctx)
	}
	return nil
}

// reject records a rejection, translating a field to its column.
func (im *importer) reject(line int, err error) {
	var (
		re *rowError
		fe *sillok.FieldError
	)
	field, reason := "", "could not be stored"
	switch {
	case errors.As(err, &re):
		field, reason = re.field, re.reason
	case errors.As(err, &fe):
		field, reason = fe.Field, fe.Reason
	}
	r := Rejection{Line: line, Reason: reason}
	if c, ok := im.column(field); ok {
		r.Column = c
	} else if field != "" {
		r.Reason = "field " + field + ": " + reason
	}
	im.res.Rejected = append(im.res.Rejected, r)
}

// column maps a field (or a body field path like "roles[1].role") to the
// header of its column.
func (im *importer) column(field string) (string, bool) {
	base, _, _ := strings.Cut(field, "[")
	base, _, _ = strings.Cut(base, ".")
	alias := map[string]string{"names": "name", "roles": "role", "title": "title_en", "description": "description_en"}
	for _, f := range []string{field, base, alias[base]} {
		if i, ok := im.col[f]; ok && f != "" {
			return im.header[i], true
		}
	}
	return "", false
}

// flush writes the pending rows in one transaction. If the store refuses
// one, the rows are written one by one so that only the bad ones are
// rejected.
func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	defer func() { im.batch = im.batch[:0] }()
	err := im.s.Batch(ctx, func(tx sillok.Tx) error {
		for _, p := range im.batch {
			if err := tx.Create(ctx, im.opts.Actor, p.rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, p := range im.batch {
			im.res.Imported = append(im.res.Imported, p.rec.ID)
		}
		return nil
	}
	if !errors.Is(err, sillok.ErrInvalid) {
		return fmt.Errorf("csv import: rows from line %d: %w", im.batch[0].line, err)
	}
	for _, p := range im.batch {
		p.rec.ID = "" // the failed transaction may have assigned one
		err := im.s.Batch(ctx, func(tx sillok.Tx) error { return tx.Create(ctx, im.opts.Actor, p.rec) })
		switch {
		case err == nil:
			im.res.Imported = append(im.res.Imported, p.rec.ID)
		case errors.Is(err, sillok.ErrInvalid):
			im.reject(p.line, err)
		default:
			return fmt.Errorf("csv import: line %d: %w", p.line, err)
		}
	}
	return nil
}

func split(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func date(field, v string) (sillok.FuzzyDate, error) {
	d, err := sillok.ParseDate(v)
	if err != nil {
		return d, &rowError{field, "not a date (want YYYY, YYYY-MM, YYYY-MM-DD, YYYY-season, a range A/B, ~ for estimated)"}
	}
	return d, nil
}

var sexes = map[string]sillok.Sex{
	"female": sillok.SexFemale, "f": sillok.SexFemale, "woman": sillok.SexFemale, "여": sillok.SexFemale, "여성": sillok.SexFemale, "여자": sillok.SexFemale,
	"male": sillok.SexMale, "m": sillok.SexMale, "man": sillok.SexMale, "남": sillok.SexMale, "남성": sillok.SexMale, "남자": sillok.SexMale,
	"other": sillok.SexOther, "": sillok.SexUnknown, "unknown": sillok.SexUnknown, "?": sillok.SexUnknown, "미상": sillok.SexUnknown,
}

func (im *importer) build(ctx context.Context, get func(string) string) (sillok.Body, error) {
	switch im.opts.Kind {
	case sillok.KindPerson:
		p := &sillok.Person{Notes: get("notes"), OriginText: get("origin_text"), Origin: sillok.ID(get("origin")), ExternalIDs: split(get("external_id"))}
		for _, n := range []struct{ field, script, typ string }{
			{"name", "", ""}, {"name_hangul", "hangul", ""}, {"name_romanized", "latin", "romanized"},
			{"alias", "", "alias"}, {"name_south", "", "south"},
		} {
			for _, v := range split(get(n.field)) {
				p.Names = append(p.Names, sillok.Name{Value: v, Script: n.script, Type: n.typ})
			}
		}
		if len(p.Names) == 0 {
			return nil, &rowError{"name", "empty: a person needs at least one name"}
		}
		sex, ok := sexes[strings.ToLower(get("sex"))]
		if !ok {
			return nil, &rowError{"sex", "want female, male, other or empty"}
		}
		p.Sex = sex
		var err error
		if p.Birth, err = date("birth", get("birth")); err != nil {
			return nil, err
		}
		for _, r := range split(get("role")) {
			p.Roles = append(p.Roles, sillok.Role{Role: r})
		}
		return p, nil
	case sillok.KindEvent:
		e := &sillok.Event{Title: sillok.Labels{En: get("title_en"), Ko: get("title_ko")},
			Description: sillok.Labels{En: get("description_en"), Ko: get("description_ko")},
			Location:    sillok.ID(get("location")), ExternalIDs: split(get("external_id"))}
		var err error
		if e.Date, err = date("date", get("date")); err != nil {
			return nil, err
		}
		if v := get("parent"); v != "" {
			if e.Parent, err = im.resolve(ctx, "parent", sillok.KindEvent, v); err != nil {
				return nil, err
			}
		}
		return e, nil
	case sillok.KindAct:
		a := &sillok.Act{Type: get("type"), Status: get("status"), Location: sillok.ID(get("location")),
			Consequences: split(get("consequences")),
			Description:  sillok.Labels{En: get("description_en"), Ko: get("description_ko")}}
		var err error
		if a.Date, err = date("date", get("date")); err != nil {
			return nil, err
		}
		if a.Event, err = im.resolve(ctx, "event", sillok.KindEvent, get("event")); err != nil {
			return nil, err
		}
		if a.Victim, err = im.resolve(ctx, "victim", sillok.KindPerson, get("victim")); err != nil {
			return nil, err
		}
		return a, nil
	}
	return nil, fmt.Errorf("kind %s", im.opts.Kind)
}

// resolve turns a cell into a record ID: a Sillok ID of the right kind as
// it is, anything else as an external ID of exactly one record. Rows of the
// file imported so far count too.
func (im *importer) resolve(ctx context.Context, field string, k sillok.Kind, v string) (sillok.ID, error) {
	if v == "" {
		return "", &rowError{field, "empty"}
	}
	if sillok.KindOf(sillok.ID(v)) == k {
		return sillok.ID(v), nil
	}
	key := string(k) + "\x00" + v
	if id, ok := im.ext[key]; ok {
		return id, nil
	}
	if err := im.flush(ctx); err != nil { // earlier rows of this file may be the target
		return "", err
	}
	p, err := im.s.List(ctx, sillok.Filter{Kind: k, Attrs: []sillok.Attr{{Key: "external_id", Value: v}}, Limit: 2})
	if err != nil {
		return "", fmt.Errorf("csv import: look up external ID: %w", err)
	}
	switch len(p.Records) {
	case 0:
		return "", &rowError{field, fmt.Sprintf("no %s has this ID or external ID", k)}
	case 1:
		im.ext[key] = p.Records[0].ID
		return p.Records[0].ID, nil
	}
	return "", &rowError{field, fmt.Sprintf("several %ss have this external ID", k)}
}
