package personlink

import (
	"bytes"
	_ "embed"

	"github.com/sillok/sillok/linkage"
)

//go:embed settings.json
var defaultSettings []byte

// DefaultSettings returns the built-in settings for person records:
//
//   - comparisons: family name (term-frequency adjusted: Kim and Lee agree
//     often by chance); any given name (birth, South, romanized) by key,
//     by loose key, then by Jaro–Winkler, term-frequency adjusted; birth
//     date at its recorded precision; sex; origin county, then province;
//     shared events of acts.
//   - blocking: family name with each given-name key (birth, romanized)
//     and the birth decade or the origin county; family name with the South
//     name; full birth date with family name; birth year with family name,
//     origin and sex (a South name on one side only); birth year with
//     birth-name key and origin (family name misspelt). Looser rules
//     (family and given name alone, or with the region; family name with a
//     year-only birth) yield from tens to hundreds of millions of pairs at a
//     million records and were dropped for that reason.
//   - training: EM on pairs with the same full birth date and family name,
//     and with the same full birth date and given names. Birth dates are
//     left out of both sessions, so their m comes from the settings (m of
//     exact 0.2, within a month 0.02, same year 0.6, a year apart 0.15):
//     EM on name blocks took namesakes born years apart for matches and
//     gave birth-date disagreement almost no weight.
//   - thresholds: link at 0.5, review from 0.2.
func DefaultSettings() *linkage.Settings {
	s, err := linkage.ReadSettings(bytes.NewReader(defaultSettings))
	if err != nil {
		panic("personlink: built-in settings: " + err.Error()) // tested
	}
	return s
}

// DefaultSettingsJSON returns the built-in settings as JSON, a starting
// point for a --settings file.
func DefaultSettingsJSON() []byte { return bytes.Clone(defaultSettings) }
