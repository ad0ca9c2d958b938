// Package repostrata builds multiple systems estimation's capture-history
// tables from a Sillok repository: each individual is a connected group of
// person records joined by "same" links (minus "different" decisions,
// which simply are not joins); the lists that documented them are the
// organisations owning those records. Only identifiers, organisation names
// and the stratum values (sex, birth decade, decade of the act) are read
// into the tables.
//
// It is what `sillok estimate --repository` and the web interface's
// estimation page share, so both report the same figures.
package repostrata

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/mse"
)

// Strata a repository's individuals can be stratified by.
const (
	Sex         = "sex"          // female, male, other, unknown
	BirthDecade = "birth_decade" // 1970s …, unknown
	Period      = "period"       // decade of the act (needs Options.ActType)
)

// ErrOptions is wrapped by errors about the options (the caller's).
var ErrOptions = errors.New("invalid estimation options")

// Options select what is tabulated.
type Options struct {
	// Strata, in order: Sex, BirthDecade, Period.
	Strata []string
	// ActType, when set, counts only the victims of acts of this act_type
	// code or its sub-types; Period is then the decade of the act.
	ActType string
	// Lists, when not empty, keeps those organisations as the lists.
	Lists []string
}

// Strata reads the repository's persons and links and returns one table
// per combination of stratum values.
func Strata(ctx context.Context, st sillok.Reader, opt Options) ([]mse.Stratum, error) {
	strata, actType, only := opt.Strata, opt.ActType, opt.Lists
	for _, s := range strata {
		if s != Sex && s != BirthDecade && s != Period {
			return nil, fmt.Errorf("%w: strata are sex, birth_decade or period", ErrOptions)
		}
		if s == Period && actType == "" {
			return nil, fmt.Errorf("%w: stratum period needs an act type", ErrOptions)
		}
	}
	type person struct {
		org, sex, decade string
	}
	persons := map[sillok.ID]*person{}
	err := sillok.Each(ctx, st, sillok.Filter{Kind: sillok.KindPerson}, func(r *sillok.Record) error {
		p := r.Body.(*sillok.Person)
		d := ""
		if !p.Birth.IsZero() {
			d = strconv.Itoa(p.Birth.Lo.Year()/10*10) + "s"
		}
		persons[r.ID] = &person{org: r.Org, sex: string(p.Sex), decade: d}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tabulate: list persons: %w", err)
	}
	// Union-find over "same" links.
	parent := map[sillok.ID]sillok.ID{}
	var find func(sillok.ID) sillok.ID
	find = func(x sillok.ID) sillok.ID {
		if p, ok := parent[x]; ok && p != x {
			parent[x] = find(p)
			return parent[x]
		}
		return x
	}
	err = sillok.Each(ctx, st, sillok.Filter{Kind: sillok.KindLink, Attrs: []sillok.Attr{{Key: "decision", Value: sillok.LinkSame}}}, func(r *sillok.Record) error {
		l := r.Body.(*sillok.Link)
		if persons[l.A] != nil && persons[l.B] != nil {
			a, b := find(l.A), find(l.B)
			if a != b {
				parent[a] = b
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tabulate: list links: %w", err)
	}
	// With an act type: only victims of such acts, with the act's decade.
	victims := map[sillok.ID]string{}
	if actType != "" {
		types, err := sillok.Subterms(ctx, st, "act_type", actType)
		if errors.Is(err, sillok.ErrNotFound) {
			return nil, fmt.Errorf("%w: %q is not an act type", ErrOptions, actType)
		}
		if err != nil {
			return nil, err
		}
		for _, t := range types {
			err := sillok.Each(ctx, st, sillok.Filter{Kind: sillok.KindAct, Attrs: []sillok.Attr{{Key: "act_type", Value: t}}}, func(r *sillok.Record) error {
				a := r.Body.(*sillok.Act)
				period := "unknown"
				if !a.Date.IsZero() {
					period = strconv.Itoa(a.Date.Lo.Year()/10*10) + "s"
				}
				if _, ok := victims[a.Victim]; !ok || victims[a.Victim] == "unknown" {
					victims[a.Victim] = period
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("tabulate: list acts: %w", err)
			}
		}
	}
	type individual struct {
		on     []string
		values map[string]string
	}
	groups := map[sillok.ID]*individual{}
	ids := make([]sillok.ID, 0, len(persons))
	for id := range persons {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	listSet := map[string]bool{}
	for _, id := range ids {
		p := persons[id]
		period, isVictim := victims[id]
		if actType != "" && !isVictim {
			continue
		}
		root := find(id)
		g := groups[root]
		if g == nil {
			g = &individual{values: map[string]string{}}
			groups[root] = g
		}
		if len(only) > 0 && !slices.Contains(only, p.org) {
			continue
		}
		if !slices.Contains(g.on, p.org) {
			g.on = append(g.on, p.org)
		}
		listSet[p.org] = true
		for k, v := range map[string]string{Sex: p.sex, BirthDecade: p.decade, Period: period} {
			if v != "" && v != "unknown" && g.values[k] == "" {
				g.values[k] = v
			}
		}
	}
	lists := make([]string, 0, len(listSet))
	for l := range listSet {
		lists = append(lists, l)
	}
	slices.Sort(lists)
	var recs []mse.Record
	for _, g := range groups {
		r := mse.Record{On: g.on}
		for _, s := range strata {
			v := g.values[s]
			if v == "" {
				v = "unknown"
			}
			r.Strata = append(r.Strata, v)
		}
		recs = append(recs, r)
	}
	return mse.Tabulate(ctx, lists, len(strata), recs)
}
