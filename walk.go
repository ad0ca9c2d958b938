package sillok

import (
	"context"
	"fmt"
)

// Each calls fn for every record matching f, a page at a time (f.After
// and f.Limit are its own).
func Each(ctx context.Context, r Reader, f Filter, fn func(*Record) error) error {
	f.After, f.Limit = "", 10000
	for {
		p, err := r.List(ctx, f)
		if err != nil {
			return err
		}
		for _, rec := range p.Records {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if p.Next == "" {
			return nil
		}
		f.After = p.Next
	}
}

// Subterms returns code and the codes of every term below it in a
// thesaurus (for filters such as "act type, sub-types included"). An
// unknown code is an error wrapping ErrNotFound.
func Subterms(ctx context.Context, r Reader, thesaurus, code string) ([]string, error) {
	children := map[string][]string{}
	found := false
	err := Each(ctx, r, Filter{Kind: KindTerm, Attrs: []Attr{{"thesaurus", thesaurus}}}, func(rec *Record) error {
		t := rec.Body.(*Term)
		children[t.Parent] = append(children[t.Parent], t.Code)
		found = found || t.Code == code
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read thesaurus %s: %w", thesaurus, err)
	}
	if !found {
		return nil, fmt.Errorf("%q is not a term of %s: %w", code, thesaurus, ErrNotFound)
	}
	out := []string{code}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}
