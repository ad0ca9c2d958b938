package repostrata_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/mse/repostrata"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// Six person records in three organisations: Kim is on all three lists
// (two records joined by a same link, one by a chain), Lee on two, Park
// and Choi on one each; a different link joins nothing.
func TestStrata(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	actor := sillok.Actor{User: "t", Org: "a"}
	person := func(org, name string, sex sillok.Sex) sillok.ID {
		r := &sillok.Record{Kind: sillok.KindPerson, Org: org, Level: sillok.LevelInternal,
			Body: &sillok.Person{Names: []sillok.Name{{Value: name}}, Sex: sex}}
		if err := st.Create(ctx, actor, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	link := func(a, b sillok.ID, decision string) {
		if b < a {
			a, b = b, a
		}
		r := &sillok.Record{Kind: sillok.KindLink, Org: "a", Level: sillok.LevelInternal,
			Body: &sillok.Link{A: a, B: b, Decision: decision, Method: "review"}}
		if err := st.Create(ctx, actor, r); err != nil {
			t.Fatal(err)
		}
	}
	kimA, kimB, kimC := person("org-a", "Kim", sillok.SexFemale), person("org-b", "Kim", sillok.SexFemale), person("org-c", "Kim", "")
	leeA, leeB := person("org-a", "Lee", sillok.SexMale), person("org-b", "Lee", sillok.SexMale)
	park := person("org-a", "Park", sillok.SexMale)
	choi := person("org-c", "Choi", sillok.SexFemale)
	link(kimA, kimB, sillok.LinkSame)
	link(kimB, kimC, sillok.LinkSame)
	link(leeA, leeB, sillok.LinkSame)
	link(park, choi, sillok.LinkDifferent)

	tests := []struct {
		name     string
		opt      repostrata.Options
		observed map[string]int // by stratum name
		err      error
	}{
		{"everyone", repostrata.Options{}, map[string]int{"all": 4}, nil},
		{"by sex", repostrata.Options{Strata: []string{repostrata.Sex}}, map[string]int{"sex=female": 2, "sex=male": 2}, nil},
		{"two lists", repostrata.Options{Lists: []string{"org-a", "org-c"}}, map[string]int{"all": 4}, nil},
		{"unknown stratum", repostrata.Options{Strata: []string{"name"}}, nil, repostrata.ErrOptions},
		{"period without act type", repostrata.Options{Strata: []string{repostrata.Period}}, nil, repostrata.ErrOptions},
		{"unknown act type", repostrata.Options{ActType: "nonsense"}, nil, repostrata.ErrOptions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ss, err := repostrata.Strata(ctx, st, tc.opt)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			got := map[string]int{}
			for _, s := range ss {
				got[s.Name(tc.opt.Strata)] = s.Table.Observed()
			}
			if len(got) != len(tc.observed) {
				t.Fatalf("strata %v, want %v", got, tc.observed)
			}
			for k, n := range tc.observed {
				if got[k] != n {
					t.Errorf("%s: %d observed, want %d", k, got[k], n)
				}
			}
		})
	}
	// Kim is on all three lists: the cell 111 holds one person.
	ss, err := repostrata.Strata(ctx, st, repostrata.Options{})
	if err != nil {
		t.Fatal(err)
	}
	full := ss[0].Table.Full()
	if len(full) != 8 || full[7] != 1 {
		t.Errorf("capture histories %v: want one person on all three lists", full)
	}
}
