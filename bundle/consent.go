package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// ConsentFile is the note saying which use a bundle was made for and which
// selected records were withheld for lack of consent.
const ConsentFile = "CONSENT.txt"

// ConsentNote is the content of ConsentFile: the purpose (a consent use
// such as "prosecution") and the IDs of the records withheld, never
// anything that identifies a witness.
type ConsentNote struct {
	Purpose  string
	Withheld []string // record IDs, sorted
}

const consentHeader = "sillok bundle consent v1"

const consentExplain = `The records below were selected for this bundle but are not in it: the
consent recorded for their source does not allow this purpose, or was
withdrawn. The repository keeps them; this list holds their IDs only.
`

// Text is the note's file content. ParseConsent accepts exactly this form.
func (c ConsentNote) Text() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\npurpose: %s\nwithheld: %d\n", consentHeader, c.Purpose, len(c.Withheld))
	if len(c.Withheld) > 0 {
		b.WriteString("\n" + consentExplain + "\n")
		for _, id := range c.Withheld {
			b.WriteString(id + "\n")
		}
	}
	return b.Bytes()
}

func (c ConsentNote) validate() error {
	if c.Purpose == "" || len(c.Purpose) > 200 || strings.IndexFunc(c.Purpose, func(r rune) bool {
		return !unicode.IsPrint(r) || r == '\n'
	}) >= 0 || strings.TrimSpace(c.Purpose) != c.Purpose {
		return errors.New("consent note: purpose: want 1-200 printable characters on one line")
	}
	for i, id := range c.Withheld {
		if !validID(id) {
			return fmt.Errorf("consent note: withheld record %d: not an ID", i+1)
		}
		if i > 0 && id <= c.Withheld[i-1] {
			return fmt.Errorf("consent note: withheld record %d: out of order or repeated", i+1)
		}
	}
	return nil
}

// ParseConsent reads a consent note, accepting only the exact form Text
// writes.
func ParseConsent(data []byte) (ConsentNote, error) {
	var c ConsentNote
	lines := strings.Split(string(data), "\n")
	if len(lines) < 4 || lines[0] != consentHeader {
		return c, errors.New("consent note: bad header")
	}
	p, ok := strings.CutPrefix(lines[1], "purpose: ")
	if !ok {
		return c, errors.New("consent note: line 2: want 'purpose: USE'")
	}
	c.Purpose = p
	ns, ok := strings.CutPrefix(lines[2], "withheld: ")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 0 || strconv.Itoa(n) != ns || n > len(lines)-4 {
		return c, errors.New("consent note: line 3: want 'withheld: N'")
	}
	if n > 0 {
		ids := lines[len(lines)-1-n : len(lines)-1]
		c.Withheld = slices.Clone(ids)
	}
	if err := c.validate(); err != nil {
		return ConsentNote{}, err
	}
	if !bytes.Equal(c.Text(), data) {
		return ConsentNote{}, errors.New("consent note: not in the canonical form")
	}
	return c, nil
}

// consentReadme is the README's section on the consent note.
func consentReadme(c ConsentNote) string {
	if len(c.Withheld) == 0 {
		return fmt.Sprintf(`
Consent
-------
This bundle was made for the purpose "%s". Every selected item's
recorded consent allows that purpose; none was withheld (see %s).
`, c.Purpose, ConsentFile)
	}
	return fmt.Sprintf(`
Consent
-------
This bundle was made for the purpose "%s". %d selected item(s) were
WITHHELD for lack of consent: the consent recorded for their source does
not allow this purpose, or was withdrawn. %s lists their record IDs
(nothing else about them), and MANIFEST covers it like every other file.
`, c.Purpose, len(c.Withheld), ConsentFile)
}
