package personlink

import (
	"fmt"
	"strings"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/korean"
	"github.com/sillok/sillok/linkage"
)

// Columns of the linkage table built from person records. Name columns hold
// korean keys, not names; "given" lists the keys of every given name a
// record carries, separated by "|" (compared with a name_any level).
const (
	ColSurname = "surname" // korean.SurnameKey of the family name
	ColGiven   = "given"   // keys of all given names: birth, South, romanized
	// Blocking keys, one given name each, so that two records meet in a
	// block when any of the three agree.
	ColGivenBirth = "given_birth" // key of the birth name (or of the only romanized name when no South name is known)
	ColGivenRoman = "given_roman" // key of the first romanized name
	ColGivenSouth = "given_south" // key of the name taken in the South
	ColBirth      = "birth"       // YYYY, YYYY-MM or YYYY-MM-DD
	ColSex        = "sex"
	ColOrigin     = "origin" // place path of location IDs, province first
	ColEvents     = "events" // IDs of the events of the acts done to the person, "|"-separated
)

// Columns lists the table's columns in order.
func Columns() []string {
	return []string{ColSurname, ColGiven, ColGivenBirth, ColGivenRoman, ColGivenSouth, ColBirth, ColSex, ColOrigin, ColEvents}
}

// KeyFold is the fold settings name for the prepared keys: they are folded
// already, so it is the identity.
const KeyFold = "key"

// LooseFold is the fold name of LooseKey.
const LooseFold = "loose"

// LooseKey loosens a given-name key from korean.GivenKey where spellings of
// one name still differ: the initial-sound rule applied inside a given name
// (지련 and 지연, 대룡 and 대용: "jilyon" and "ji-yon") and the hyphen the key
// keeps between a syllable and a following vowel. It drops an "l" before
// "y" or "i" and every hyphen. It merges more than the key does (연림 and 연임),
// so it is a weaker level than key equality, not a replacement.
func LooseKey(key string) string {
	if !strings.ContainsAny(key, "l-") {
		return key
	}
	b := make([]byte, 0, len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '-' || c == 'l' && i+1 < len(key) && (key[i+1] == 'y' || key[i+1] == 'i') {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// Folds returns the folds the default settings use.
func Folds() map[string]func(string) string {
	return map[string]func(string) string{
		LooseFold:        LooseKey,
		KeyFold:          func(s string) string { return s },
		"korean":         korean.Key,
		"korean_surname": korean.SurnameKey,
		"korean_given":   korean.GivenKey,
	}
}

// Builder turns person records into rows of a linkage table. Locations must
// be added before the persons whose origin they are, so that origins become
// place paths. It keeps no names: only their keys, in memory.
type Builder struct {
	tab    *linkage.Table
	ids    []sillok.ID
	orgs   []string
	places map[sillok.ID]place
	byName map[string]sillok.ID // Korean location name → location
	row    []string
	index  map[sillok.ID]int // person → table index
}

type place struct {
	parent sillok.ID
	depth  int
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	tab, err := linkage.NewTable(Columns()...)
	if err != nil {
		panic(err) // fixed, distinct column names
	}
	return &Builder{tab: tab, places: map[sillok.ID]place{}, byName: map[string]sillok.ID{}, row: make([]string, len(Columns())), index: map[sillok.ID]int{}}
}

// AddLocation records a location for origin paths. Other kinds are
// ignored.
func (b *Builder) AddLocation(r *sillok.Record) {
	l, ok := r.Body.(*sillok.Location)
	if !ok || r.Deleted {
		return
	}
	b.places[r.ID] = place{parent: l.Parent}
	for _, n := range l.Names {
		if korean.ContainsHangul(n.Value) {
			k := korean.Normalize(strings.TrimSpace(n.Value))
			if _, dup := b.byName[k]; !dup {
				b.byName[k] = r.ID
			}
		}
	}
}

// AddPerson appends a person record as a table row, with its organisation
// as the source. Other kinds and deleted records are ignored.
func (b *Builder) AddPerson(r *sillok.Record) error {
	p, ok := r.Body.(*sillok.Person)
	if !ok || r.Deleted {
		return nil
	}
	fillRow(b.row, p, b)
	if err := b.tab.Add(r.Org, string(r.ID), b.row...); err != nil {
		return fmt.Errorf("person %s: %w", r.ID, err)
	}
	b.index[r.ID] = len(b.ids)
	b.ids = append(b.ids, r.ID)
	return nil
}

// AddAct adds the event of an act to its victim's events, when the victim
// was added before. Two reports of one person by different organisations
// often record the same arrest or detention, a shared event record; two
// people who share an event are still often different people (a mass
// arrest), so the settings weigh it like any other comparison. Other kinds
// and deleted records are ignored.
func (b *Builder) AddAct(r *sillok.Record) error {
	a, ok := r.Body.(*sillok.Act)
	if !ok || r.Deleted || a.Event == "" {
		return nil
	}
	i, ok := b.index[a.Victim]
	if !ok {
		return nil
	}
	ev := b.tab.Value(i, ColEvents)
	for _, e := range strings.Split(ev, "|") {
		if e == string(a.Event) {
			return nil
		}
	}
	if ev != "" {
		ev += "|"
	}
	if err := b.tab.Set(i, ColEvents, ev+string(a.Event)); err != nil {
		return fmt.Errorf("act %s: %w", r.ID, err)
	}
	return nil
}

// Len is the number of persons added.
func (b *Builder) Len() int { return len(b.ids) }

// Table returns the table of the persons added so far; record i is person
// IDs()[i].
func (b *Builder) Table() *linkage.Table { return b.tab }

// IDs returns the person IDs in table order.
func (b *Builder) IDs() []sillok.ID { return b.ids }

// fillRow computes the row of p. Names: the family name comes from the
// first Hangul name that is not a nickname (the spelling organisations
// agree on most), else from the first name; every name contributes its
// given name's key, so a record with a birth name and a name taken in the
// South agrees with a record carrying either. A romanized name in Western
// order (given name first) is recognised when its last word, not its first,
// is the family name found so far.
func fillRow(row []string, p *sillok.Person, b *Builder) {
	clear(row)
	var sur string
	var givens []string
	add := func(k string) {
		if k != "" && !contains(givens, k) {
			givens = append(givens, k)
		}
	}
	// The surname first, from the most trustworthy name.
	for pass := 0; pass < 2 && sur == ""; pass++ {
		for _, n := range p.Names {
			if n.Type == "nickname" || pass == 0 && !korean.ContainsHangul(n.Value) {
				continue
			}
			f, _ := korean.SplitName(n.Value)
			if sur = korean.SurnameKey(f); sur != "" {
				break
			}
		}
	}
	var gBirth, gRoman, gSouth string
	hasSouth := false
	for _, n := range p.Names {
		hasSouth = hasSouth || n.Type == "south"
	}
	for _, n := range p.Names {
		if n.Type == "nickname" {
			// "김씨" (Mr/Ms Kim) names the family only; a nickname from a
			// given name ("영이") is too loose to compare.
			if v := strings.TrimSpace(n.Value); sur == "" && strings.HasSuffix(v, "씨") {
				sur = korean.SurnameKey(strings.TrimSuffix(v, "씨"))
			}
			continue
		}
		hangul := korean.ContainsHangul(n.Value)
		f, g := korean.SplitName(n.Value)
		if sur != "" && korean.SurnameKey(f) != sur && !hangul {
			// Western order: "Yong-hui Ri", "Young Hee Lee".
			if ws := strings.Fields(n.Value); len(ws) >= 2 && korean.SurnameKey(ws[len(ws)-1]) == sur {
				g = strings.Join(ws[:len(ws)-1], " ")
			}
		}
		k := korean.GivenKey(g)
		add(k)
		switch {
		case n.Type == "south":
			if gSouth == "" {
				gSouth = k
			}
		case hangul:
			if gBirth == "" {
				gBirth = k
			}
		default:
			if gRoman == "" {
				gRoman = k
			}
		}
	}
	if gBirth == "" && !hasSouth {
		gBirth = gRoman
	}
	row[0] = sur
	row[1] = strings.Join(givens, "|")
	row[2], row[3], row[4] = gBirth, gRoman, gSouth
	row[5] = birthText(p.Birth)
	row[6] = string(p.Sex)
	row[7] = b.originPath(p)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// birthText writes a birth date at the precision it was recorded: an
// approximate date or a range within one year keeps the year only; a wider
// range is null.
func birthText(d sillok.FuzzyDate) string {
	if d.IsZero() || d.Lo.Year() != d.Hi.Year() {
		return ""
	}
	y := d.Lo.Year()
	switch {
	case d.Approx:
	case d.Precision == sillok.Day:
		return d.Lo.Format("2006-01-02")
	case d.Precision == sillok.Month:
		return d.Lo.Format("2006-01")
	}
	return fmt.Sprintf("%04d", y)
}

// originPath is the origin as a path of location IDs, most general first:
// from Origin, else from the words of OriginText that name a known
// location (the last such word, the most specific in Korean order).
func (b *Builder) originPath(p *sillok.Person) string {
	id := p.Origin
	if id == "" && p.OriginText != "" {
		for _, w := range strings.Fields(korean.Normalize(p.OriginText)) {
			if l, ok := b.byName[w]; ok {
				id = l
			}
		}
	}
	if id == "" {
		return ""
	}
	var path []string
	for seen := 0; id != "" && seen < 16; seen++ {
		path = append(path, string(id))
		pl, ok := b.places[id]
		if !ok {
			break
		}
		id = pl.parent
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return strings.Join(path, "/")
}
