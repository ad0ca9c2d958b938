package linkage_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/sillok/sillok/linkage"
)

// Records held in memory (as the repository holds persons) are linked with
// settings built in code; the name fold here only trims and lower-cases,
// where the application registers the Korean name key.
func ExampleLink() {
	records := []linkage.Record{
		{Source: "ngo-a", ID: "1", Fields: map[string]string{"name": "Ri Yong Hui", "born": "1968-03-02"}},
		{Source: "ngo-a", ID: "2", Fields: map[string]string{"name": "Pak Chol", "born": "1959"}},
		{Source: "ngo-b", ID: "7", Fields: map[string]string{"name": "ri yong hui", "born": "1968-03"}},
		{Source: "ngo-b", ID: "8", Fields: map[string]string{"name": "Kim Sun Ok", "born": "1972-11-30"}},
	}
	tab, err := linkage.TableOf(records, "name", "born")
	if err != nil {
		panic(err)
	}
	s := &linkage.Settings{
		IDColumn: "id",
		Comparisons: []linkage.Comparison{
			{Column: "name", Levels: []linkage.Level{{Type: "name", Fold: "simple", M: 0.9, U: 0.01}}},
			{Column: "born", Levels: []linkage.Level{{Type: "date_exact", M: 0.6, U: 0.001}, {Type: "date_year", M: 0.35, U: 0.02}}},
		},
		Blocking:     [][]string{{"fold(name,simple)"}, {"year(born)"}},
		USamplePairs: -1, // keep the given m and u: four records teach nothing
		Lambda:       0.1,
	}
	opt := linkage.Options{Folds: map[string]func(string) string{
		"simple": func(s string) string { return strings.ToLower(strings.TrimSpace(s)) },
	}}
	l, err := linkage.NewLinker(tab, s, opt)
	if err != nil {
		panic(err)
	}
	res, err := l.Score(context.Background(), l.Start(), nil)
	if err != nil {
		panic(err)
	}
	for i := 0; i < tab.Len(); i++ {
		fmt.Printf("%s/%s cluster %d best %.3f\n", tab.Source(i), tab.ID(i), res.Cluster[i], res.Best[i])
	}
	e, _ := l.Explain(res.Model, 0, 2)
	for _, c := range e.Contributions {
		fmt.Printf("%s: %s, Bayes factor %.1f\n", c.Column, c.Label, c.BF)
	}
	// Output:
	// ngo-a/1 cluster 0 best 0.994
	// ngo-a/2 cluster 1 best 0.000
	// ngo-b/7 cluster 0 best 0.994
	// ngo-b/8 cluster 2 best 0.000
	// name: name(simple), Bayes factor 90.0
	// born: date_year, Bayes factor 17.5
}
