package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sillok/sillok/fulltext"
	sillokhttp "github.com/sillok/sillok/http"
)

// searchRepository runs a search over the repository's index and prints
// hits with highlighted snippets (or JSON), then the facet counts.
func (e *env) searchRepository(ctx context.Context, query string, params map[string][]string, width int, asJSON bool) error {
	req, err := sillokhttp.SearchRequest(query, params)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	req.Width = width
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := e.index.Search(ctx, s, req)
	if errors.Is(err, fulltext.ErrQuery) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	more := ""
	if res.Capped {
		more = " (at least; narrow the query to count them all)"
	}
	fmt.Fprintf(e.stdout, "%d hits%s\n", res.Total, more)
	for _, h := range res.Hits {
		var b strings.Builder
		for _, fr := range h.Snippet {
			if fr.Hit {
				b.WriteString("[" + fr.Text + "]")
			} else {
				b.WriteString(fr.Text)
			}
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", h.Record.ID, h.Record.Kind, strings.Join(strings.Fields(b.String()), " "))
	}
	for _, facet := range []string{"kind", "org", "act_type", "sex"} {
		counts := res.Facets[facet]
		if len(counts) == 0 {
			continue
		}
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
		}
		fmt.Fprintf(e.stdout, "# %s: %s\n", facet, strings.Join(parts, ", "))
	}
	return nil
}
