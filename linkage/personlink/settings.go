package personlink

import (
	"bytes"
	_ "embed"

	"github.com/sillok/sillok/linkage"
)

//go:embed settings.json
var defaultSettings []byte

// DefaultSettings returns the built-in settings for person records: family
// name (with term-frequency adjustment: Kim and Lee agree often by
// chance), any given name (birth, South, romanized) by key, birth date at
// the precision recorded, sex and origin. Blocking: same family and first
// given name; same birth value and family name; same birth year and first
// given name (catches a family name misspelled).
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
