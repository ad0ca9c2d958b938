package sillok

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

//go:embed thesauri/thesauri.json
var shippedThesauri []byte

// Shipped is the set of thesauri embedded in this build.
type Shipped struct {
	Version int       // bumped whenever terms are added or changed
	Date    time.Time // the revision time of the shipped terms
	Terms   []Term    // parents before children
}

// ShippedThesauri returns the thesauri embedded in the binary. Their terms
// are stored as records by the system actor at a fixed time, so every
// repository holds byte-identical term revisions and exports merge cleanly.
func ShippedThesauri() (*Shipped, error) {
	var raw struct {
		Version  int                    `json:"version"`
		Date     time.Time              `json:"date"`
		Thesauri map[string][][4]string `json:"thesauri"`
	}
	if err := json.Unmarshal(shippedThesauri, &raw); err != nil {
		return nil, fmt.Errorf("decode shipped thesauri: %w", err)
	}
	names := make([]string, 0, len(raw.Thesauri))
	for n := range raw.Thesauri {
		names = append(names, n)
	}
	sort.Strings(names)
	s := &Shipped{Version: raw.Version, Date: raw.Date}
	for _, n := range names {
		for _, t := range raw.Thesauri[n] {
			term := Term{Thesaurus: n, Code: t[0], Parent: t[1], Labels: Labels{En: t[2], Ko: t[3]}}
			if err := term.Validate(); err != nil {
				return nil, fmt.Errorf("shipped thesaurus %s term %q: %w", n, t[0], err)
			}
			s.Terms = append(s.Terms, term)
		}
	}
	return s, nil
}
