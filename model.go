package sillok

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sex as recorded. Stratified estimates and the attention the UN asks for
// to women need it kept as data, not free text.
type Sex string

const (
	SexFemale  Sex = "female"
	SexMale    Sex = "male"
	SexOther   Sex = "other"
	SexUnknown Sex = ""
)

// Name is one name of a person, unit or place.
type Name struct {
	Value  string `json:"value"`
	Lang   string `json:"lang,omitempty"`   // ko, en, zh, …
	Script string `json:"script,omitempty"` // hangul, latin, hanja
	// Type: birth, alias, nickname, south (taken after arrival in the
	// South), romanized, official, former, local.
	Type string `json:"type,omitempty"`
	// System for romanized names: rr, mr, dprk, personal.
	System string `json:"system,omitempty"`
}

// Labels is a bilingual label.
type Labels struct {
	En string `json:"en,omitempty"`
	Ko string `json:"ko,omitempty"`
}

// Get returns the label in lang, falling back to the other language.
func (l Labels) Get(lang string) string {
	if lang == "ko" && l.Ko != "" || l.En == "" {
		return l.Ko
	}
	return l.En
}

// Role is a role a person holds over a period.
type Role struct {
	Role string    `json:"role"` // thesaurus person_role: victim, witness, perpetrator, source, relative
	From FuzzyDate `json:"from,omitzero"`
	To   FuzzyDate `json:"to,omitzero"`
}

// Person is anyone in any role.
type Person struct {
	Names      []Name    `json:"names"`
	Sex        Sex       `json:"sex,omitempty"`
	Birth      FuzzyDate `json:"birth,omitzero"`
	Origin     ID        `json:"origin,omitempty"`      // location of origin
	OriginText string    `json:"origin_text,omitempty"` // as told, when no location record fits
	Roles      []Role    `json:"roles,omitempty"`
	Notes      string    `json:"notes,omitempty"`
	// ExternalIDs are the record numbers other systems gave this person
	// (e.g. "nkdb:12345"), kept for tracing and for references in imports.
	ExternalIDs []string `json:"external_ids,omitempty"`
	// Pseudonym is the stable name shown to whoever may not see the
	// identity (e.g. "V-0113").
	Pseudonym string `json:"pseudonym,omitempty"`
	// Sealed holds the protected fields (names, exact birth date, exact
	// origin, family, contact, notes) encrypted; see package protect. A
	// person with sealed data needs no clear names.
	Sealed *Sealed `json:"sealed,omitempty"`
}

// Sealed is the encrypted part of a record: the protected fields sealed
// with a random key per record, that key wrapped once per holder (the
// owning organisation, partners it is shared with, the offline recovery
// key). Package protect writes and opens it; the store only carries it.
type Sealed struct {
	V    int          `json:"v"`
	Keys []WrappedKey `json:"keys"`
	// CT is the nonce followed by the XChaCha20-Poly1305 ciphertext of the
	// protected fields, sealed with the record ID as associated data.
	CT []byte `json:"ct"`
	// Index holds opaque search terms (keyed hashes, no positions) so that
	// exact-match lookups work without the names in clear. They are
	// indexed as attributes (key "bidx").
	Index []string `json:"idx,omitempty"`
}

// WrappedKey is a record key encrypted to one holder with age.
type WrappedKey struct {
	Holder    string `json:"holder"`    // organisation, or "recovery"
	Recipient string `json:"recipient"` // the holder's age public key
	Wrapped   []byte `json:"wrapped"`   // age file (binary) of the 32-byte record key
}

// SealedVersion is the only version of Sealed this code writes and reads.
const SealedVersion = 1

func (s *Sealed) validate(field string) error {
	if s.V != SealedVersion {
		return fieldErr(field+".v", "want version %d", SealedVersion)
	}
	if len(s.Keys) == 0 {
		return fieldErr(field+".keys", "sealed data needs at least one wrapped key")
	}
	for i, k := range s.Keys {
		if k.Holder == "" {
			return fieldErr(fmt.Sprintf("%s.keys[%d].holder", field, i), "empty")
		}
		if len(k.Wrapped) == 0 {
			return fieldErr(fmt.Sprintf("%s.keys[%d].wrapped", field, i), "empty")
		}
	}
	// 24-byte nonce and 16-byte tag at least.
	if len(s.CT) < 40 {
		return fieldErr(field+".ct", "too short to be a sealed box")
	}
	return nil
}

// BlindIndexAttr is the attribute key under which sealed index terms are
// indexed for exact-match lookups.
const BlindIndexAttr = "bidx"

func sealedAttrs(as []Attr, s *Sealed) []Attr {
	if s == nil {
		return as
	}
	for _, t := range s.Index {
		as = append(as, Attr{BlindIndexAttr, t})
	}
	return as
}

func (*Person) Kind() Kind { return KindPerson }

func (p *Person) Validate() error {
	if p.Sealed != nil {
		if err := p.Sealed.validate("sealed"); err != nil {
			return err
		}
	}
	if len(p.Names) == 0 && p.Sealed == nil {
		return fieldErr("names", "a person needs at least one name (a nickname or \"unknown\" will do)")
	}
	if err := validateNames("names", p.Names); err != nil {
		return err
	}
	switch p.Sex {
	case SexFemale, SexMale, SexOther, SexUnknown:
	default:
		return fieldErr("sex", "want female, male, other or empty")
	}
	for i, r := range p.Roles {
		if r.Role == "" {
			return fieldErr(fmt.Sprintf("roles[%d].role", i), "empty")
		}
		if !r.From.IsZero() && !r.To.IsZero() && r.To.Compare(r.From) < 0 && !r.To.Overlaps(r.From) {
			return fieldErr(fmt.Sprintf("roles[%d].to", i), "ends before it starts")
		}
	}
	return nil
}

func (p *Person) Refs() []Ref {
	return optRef(nil, "origin", p.Origin, KindLocation)
}

func (p *Person) Terms() []TermRef {
	var ts []TermRef
	for i, r := range p.Roles {
		ts = append(ts, TermRef{fmt.Sprintf("roles[%d].role", i), "person_role", r.Role})
	}
	return ts
}

// Label is the pseudonym of a person whose identity is sealed, else the
// first clear name.
func (p *Person) Label() string {
	if p.Sealed != nil || len(p.Names) == 0 {
		return p.Pseudonym
	}
	return p.Names[0].Value
}

func (p *Person) Attrs() []Attr {
	as := []Attr{}
	if p.Sex != "" {
		as = append(as, Attr{"sex", string(p.Sex)})
	}
	if !p.Birth.IsZero() {
		as = append(as, Attr{"birth_year", strconv.Itoa(p.Birth.Lo.Year())})
	}
	for _, r := range p.Roles {
		as = append(as, Attr{"role", r.Role})
	}
	if p.Pseudonym != "" {
		as = append(as, Attr{"pseudonym", p.Pseudonym})
	}
	return sealedAttrs(externalAttrs(as, p.ExternalIDs), p.Sealed)
}

// UnitParent places a unit under another for a period: units nest and
// change structure over time.
type UnitParent struct {
	Parent ID        `json:"parent"`
	From   FuzzyDate `json:"from,omitzero"`
	To     FuzzyDate `json:"to,omitzero"`
}

// Unit is an organisation or unit: MSS (bowibu), MPS (anjeonbu), KPA
// security, a camp administration, a party organ.
type Unit struct {
	Names   []Name       `json:"names"`
	Type    string       `json:"type"` // thesaurus unit_type
	Parents []UnitParent `json:"parents,omitempty"`
	Notes   string       `json:"notes,omitempty"`
}

func (*Unit) Kind() Kind { return KindUnit }

func (u *Unit) Validate() error {
	if len(u.Names) == 0 {
		return fieldErr("names", "a unit needs a name")
	}
	if u.Type == "" {
		return fieldErr("type", "empty")
	}
	for i, p := range u.Parents {
		if p.Parent == "" {
			return fieldErr(fmt.Sprintf("parents[%d].parent", i), "empty")
		}
	}
	return validateNames("names", u.Names)
}

func (u *Unit) Refs() []Ref {
	var rs []Ref
	for i, p := range u.Parents {
		rs = append(rs, Ref{fmt.Sprintf("parents[%d].parent", i), p.Parent, []Kind{KindUnit}})
	}
	return rs
}

func (u *Unit) Terms() []TermRef { return []TermRef{{"type", "unit_type", u.Type}} }
func (u *Unit) Label() string    { return u.Names[0].Value }
func (u *Unit) Attrs() []Attr    { return []Attr{{"unit_type", u.Type}} }

// Position is a person's position in a unit over a period.
type Position struct {
	Person ID        `json:"person"`
	Unit   ID        `json:"unit"`
	Title  string    `json:"title,omitempty"`
	From   FuzzyDate `json:"from,omitzero"`
	To     FuzzyDate `json:"to,omitzero"`
	Notes  string    `json:"notes,omitempty"`
}

func (*Position) Kind() Kind { return KindPosition }
func (p *Position) Validate() error {
	if p.Person == "" {
		return fieldErr("person", "empty")
	}
	if p.Unit == "" {
		return fieldErr("unit", "empty")
	}
	return nil
}
func (p *Position) Refs() []Ref {
	return []Ref{{"person", p.Person, []Kind{KindPerson}}, {"unit", p.Unit, []Kind{KindUnit}}}
}
func (p *Position) Terms() []TermRef { return nil }
func (p *Position) Label() string    { return p.Title }
func (p *Position) Attrs() []Attr    { return nil }

// Location is a place or facility.
type Location struct {
	Names    []Name   `json:"names"`
	Type     string   `json:"type"`               // thesaurus location_type: kwanliso, kyohwaso, province, county, …
	Parent   ID       `json:"parent,omitempty"`   // administrative hierarchy
	Operator ID       `json:"operator,omitempty"` // unit running a facility
	Lat      *float64 `json:"lat,omitempty"`
	Lon      *float64 `json:"lon,omitempty"`
	Notes    string   `json:"notes,omitempty"`
}

func (*Location) Kind() Kind { return KindLocation }
func (l *Location) Validate() error {
	if len(l.Names) == 0 {
		return fieldErr("names", "a location needs a name")
	}
	if l.Type == "" {
		return fieldErr("type", "empty")
	}
	if (l.Lat == nil) != (l.Lon == nil) {
		return fieldErr("lat", "latitude and longitude go together")
	}
	if l.Lat != nil && (*l.Lat < -90 || *l.Lat > 90) {
		return fieldErr("lat", "out of range")
	}
	if l.Lon != nil && (*l.Lon < -180 || *l.Lon > 180) {
		return fieldErr("lon", "out of range")
	}
	return validateNames("names", l.Names)
}
func (l *Location) Refs() []Ref {
	rs := optRef(nil, "parent", l.Parent, KindLocation)
	return optRef(rs, "operator", l.Operator, KindUnit)
}
func (l *Location) Terms() []TermRef { return []TermRef{{"type", "location_type", l.Type}} }
func (l *Location) Label() string    { return l.Names[0].Value }
func (l *Location) Attrs() []Attr    { return []Attr{{"location_type", l.Type}} }

// Event is something that happened: an arrest, a public execution, a
// period of detention.
type Event struct {
	Title       Labels    `json:"title"`
	Description Labels    `json:"description,omitzero"`
	Date        FuzzyDate `json:"date,omitzero"`
	Location    ID        `json:"location,omitempty"`
	Parent      ID        `json:"parent,omitempty"` // a larger event this one is part of
	ExternalIDs []string  `json:"external_ids,omitempty"`
}

func (*Event) Kind() Kind { return KindEvent }
func (e *Event) Validate() error {
	if e.Title.En == "" && e.Title.Ko == "" {
		return fieldErr("title", "an event needs a title in Korean or English")
	}
	return nil
}
func (e *Event) Refs() []Ref {
	rs := optRef(nil, "location", e.Location, KindLocation)
	return optRef(rs, "parent", e.Parent, KindEvent)
}
func (e *Event) Terms() []TermRef { return nil }
func (e *Event) Label() string    { return e.Title.Get("en") }
func (e *Event) Attrs() []Attr    { return externalAttrs(dateAttrs(nil, e.Date), e.ExternalIDs) }

// Act is one thing done to one victim within an event.
type Act struct {
	Event        ID        `json:"event"`
	Victim       ID        `json:"victim"`
	Type         string    `json:"type"` // thesaurus act_type
	Date         FuzzyDate `json:"date,omitzero"`
	Location     ID        `json:"location,omitempty"`
	Consequences []string  `json:"consequences,omitempty"` // thesaurus consequence
	Status       string    `json:"status,omitempty"`       // victim's status after the act: thesaurus victim_status
	Description  Labels    `json:"description,omitzero"`
}

func (*Act) Kind() Kind { return KindAct }
func (a *Act) Validate() error {
	if a.Event == "" {
		return fieldErr("event", "empty")
	}
	if a.Victim == "" {
		return fieldErr("victim", "empty")
	}
	if a.Type == "" {
		return fieldErr("type", "empty")
	}
	return nil
}
func (a *Act) Refs() []Ref {
	rs := []Ref{{"event", a.Event, []Kind{KindEvent}}, {"victim", a.Victim, []Kind{KindPerson}}}
	return optRef(rs, "location", a.Location, KindLocation)
}
func (a *Act) Terms() []TermRef {
	ts := []TermRef{{"type", "act_type", a.Type}}
	for i, c := range a.Consequences {
		ts = append(ts, TermRef{fmt.Sprintf("consequences[%d]", i), "consequence", c})
	}
	if a.Status != "" {
		ts = append(ts, TermRef{"status", "victim_status", a.Status})
	}
	return ts
}
func (a *Act) Label() string { return a.Type }
func (a *Act) Attrs() []Attr {
	as := []Attr{{"act_type", a.Type}}
	if a.Status != "" {
		as = append(as, Attr{"status", a.Status})
	}
	return dateAttrs(as, a.Date)
}

// Involvement links an act to a perpetrator, a person or a unit.
type Involvement struct {
	Act         ID     `json:"act"`
	Perpetrator ID     `json:"perpetrator"`
	Degree      string `json:"degree"` // thesaurus involvement_degree: carried_out, ordered, planned, failed_to_prevent, …
	Notes       string `json:"notes,omitempty"`
}

func (*Involvement) Kind() Kind { return KindInvolvement }
func (v *Involvement) Validate() error {
	if v.Act == "" {
		return fieldErr("act", "empty")
	}
	if v.Perpetrator == "" {
		return fieldErr("perpetrator", "empty")
	}
	if v.Degree == "" {
		return fieldErr("degree", "empty")
	}
	return nil
}
func (v *Involvement) Refs() []Ref {
	return []Ref{{"act", v.Act, []Kind{KindAct}}, {"perpetrator", v.Perpetrator, []Kind{KindPerson, KindUnit}}}
}
func (v *Involvement) Terms() []TermRef {
	return []TermRef{{"degree", "involvement_degree", v.Degree}}
}
func (v *Involvement) Label() string { return v.Degree }
func (v *Involvement) Attrs() []Attr { return []Attr{{"degree", v.Degree}} }

// Source is a testimony (interview), a document or a piece of media.
type Source struct {
	Type        string    `json:"type"` // thesaurus source_type: testimony, document, media
	Title       Labels    `json:"title,omitzero"`
	Interviewee ID        `json:"interviewee,omitempty"`
	Interviewer string    `json:"interviewer,omitempty"`
	Date        FuzzyDate `json:"date,omitzero"`
	Place       string    `json:"place,omitempty"`
	Languages   []string  `json:"languages,omitempty"`
	Interpreter string    `json:"interpreter,omitempty"`
	Transcript  Labels    `json:"transcript,omitzero"` // Korean and/or English
	Evidence    []string  `json:"evidence,omitempty"`  // SHA-256 of originals in the blob store (of the ciphertext for sealed evidence)
	// Sealed holds the protected fields of a confidential source
	// (transcript, interviewer, place, the plaintext hashes of its sealed
	// evidence); see package protect.
	Sealed *Sealed `json:"sealed,omitempty"`
	// Consent is the informed consent for the source's uses, in clear;
	// nil allows internal documentation only (see Consent).
	Consent *Consent `json:"consent,omitempty"`
}

func (*Source) Kind() Kind { return KindSource }
func (s *Source) Validate() error {
	if s.Type == "" {
		return fieldErr("type", "empty")
	}
	if s.Type == "testimony" && s.Interviewee == "" {
		return fieldErr("interviewee", "a testimony needs its interviewee")
	}
	if s.Sealed != nil {
		if err := s.Sealed.validate("sealed"); err != nil {
			return err
		}
	}
	for i, h := range s.Evidence {
		if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			return fieldErr(fmt.Sprintf("evidence[%d]", i), "want a lower-case hex SHA-256")
		}
	}
	if s.Consent != nil {
		return s.Consent.validate("consent")
	}
	return nil
}
func (s *Source) Refs() []Ref { return optRef(nil, "interviewee", s.Interviewee, KindPerson) }
func (s *Source) Terms() []TermRef {
	ts := []TermRef{{"type", "source_type", s.Type}}
	if s.Consent != nil {
		ts = append(ts, s.Consent.terms("consent")...)
	}
	return ts
}
func (s *Source) Label() string {
	if l := s.Title.Get("en"); l != "" {
		return l
	}
	return s.Type
}
func (s *Source) Attrs() []Attr {
	return sealedAttrs(dateAttrs([]Attr{{"source_type", s.Type}}, s.Date), s.Sealed)
}

// Information says that a source supports a fact about a record.
type Information struct {
	Source      ID     `json:"source"`
	Subject     ID     `json:"subject"`         // event, act, person, involvement, …
	Field       string `json:"field,omitempty"` // the fact supported, e.g. "date"; empty: the record as a whole
	Connection  string `json:"connection"`      // thesaurus source_connection: victim, eyewitness, relative, hearsay
	Reliability string `json:"reliability,omitempty"`
	Notes       string `json:"notes,omitempty"`
}

func (*Information) Kind() Kind { return KindInformation }
func (n *Information) Validate() error {
	if n.Source == "" {
		return fieldErr("source", "empty")
	}
	if n.Subject == "" {
		return fieldErr("subject", "empty")
	}
	if n.Connection == "" {
		return fieldErr("connection", "empty")
	}
	return nil
}
func (n *Information) Refs() []Ref {
	return []Ref{{"source", n.Source, []Kind{KindSource}}, {"subject", n.Subject, nil}}
}
func (n *Information) Terms() []TermRef {
	ts := []TermRef{{"connection", "source_connection", n.Connection}}
	if n.Reliability != "" {
		ts = append(ts, TermRef{"reliability", "reliability", n.Reliability})
	}
	return ts
}
func (n *Information) Label() string { return n.Connection }
func (n *Information) Attrs() []Attr { return []Attr{{"connection", n.Connection}} }

// Relationship links two persons (family, co-detainee, …).
type Relationship struct {
	From  ID        `json:"from"`
	To    ID        `json:"to"`
	Type  string    `json:"type"` // thesaurus relationship_type
	Start FuzzyDate `json:"start,omitzero"`
	End   FuzzyDate `json:"end,omitzero"`
	Notes string    `json:"notes,omitempty"`
}

func (*Relationship) Kind() Kind { return KindRelationship }
func (r *Relationship) Validate() error {
	if r.From == "" {
		return fieldErr("from", "empty")
	}
	if r.To == "" {
		return fieldErr("to", "empty")
	}
	if r.From == r.To {
		return fieldErr("to", "a person cannot be related to themselves")
	}
	if r.Type == "" {
		return fieldErr("type", "empty")
	}
	return nil
}
func (r *Relationship) Refs() []Ref {
	return []Ref{{"from", r.From, []Kind{KindPerson}}, {"to", r.To, []Kind{KindPerson}}}
}
func (r *Relationship) Terms() []TermRef {
	return []TermRef{{"type", "relationship_type", r.Type}}
}
func (r *Relationship) Label() string { return r.Type }
func (r *Relationship) Attrs() []Attr { return []Attr{{"relationship_type", r.Type}} }

// Term is one entry of a hierarchical, bilingual thesaurus. Thesauri are
// data: terms are records, so they have revisions and history, and an admin
// extends them like any other record.
type Term struct {
	Thesaurus  string `json:"thesaurus"`
	Code       string `json:"code"`
	Parent     string `json:"parent,omitempty"` // code of the parent term
	Labels     Labels `json:"labels"`
	Deprecated bool   `json:"deprecated,omitempty"`
}

// TermID is the stable ID of a thesaurus term.
func TermID(thesaurus, code string) ID { return ID("trm_" + thesaurus + "." + code) }

func (*Term) Kind() Kind { return KindTerm }
func (t *Term) Validate() error {
	if !isCode(t.Thesaurus) {
		return fieldErr("thesaurus", "want lower-case letters, digits and _")
	}
	if !isCode(t.Code) {
		return fieldErr("code", "want lower-case letters, digits and _")
	}
	if t.Parent == t.Code {
		return fieldErr("parent", "a term cannot be its own parent")
	}
	if t.Labels.En == "" || t.Labels.Ko == "" {
		return fieldErr("labels", "a term needs English and Korean labels")
	}
	return nil
}
func (t *Term) Refs() []Ref { return nil }
func (t *Term) Terms() []TermRef {
	if t.Parent == "" {
		return nil
	}
	return []TermRef{{"parent", t.Thesaurus, t.Parent}}
}
func (t *Term) Label() string { return t.Labels.En }
func (t *Term) Attrs() []Attr {
	as := []Attr{{"thesaurus", t.Thesaurus}}
	if t.Parent != "" {
		as = append(as, Attr{"parent", t.Parent})
	}
	return as
}

func isCode(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func validateNames(field string, ns []Name) error {
	for i, n := range ns {
		if strings.TrimSpace(n.Value) == "" {
			return fieldErr(fmt.Sprintf("%s[%d].value", field, i), "empty")
		}
	}
	return nil
}

func optRef(rs []Ref, field string, id ID, kinds ...Kind) []Ref {
	if id == "" {
		return rs
	}
	return append(rs, Ref{field, id, kinds})
}

func dateAttrs(as []Attr, d FuzzyDate) []Attr {
	if d.IsZero() {
		return as
	}
	return append(as, Attr{"date_lo", d.Lo.Format("2006-01-02")}, Attr{"date_hi", d.Hi.Format("2006-01-02")})
}

func externalAttrs(as []Attr, ids []string) []Attr {
	for _, id := range ids {
		as = append(as, Attr{"external_id", id})
	}
	return as
}

// Link decisions.
const (
	LinkSame      = "same"
	LinkDifferent = "different"
	LinkUnsure    = "unsure"
)

// Link records that two person records are, or are not, the same
// individual: decided by the linkage model or by a reviewer. Linking never
// alters the person records; undoing a merge is a revision of its link.
type Link struct {
	A           ID      `json:"a"` // the smaller ID
	B           ID      `json:"b"`
	Decision    string  `json:"decision"` // same, different, unsure
	Method      string  `json:"method"`   // model or review
	Probability float64 `json:"probability,omitempty"`
	Note        string  `json:"note,omitempty"`
}

func (*Link) Kind() Kind { return KindLink }
func (l *Link) Validate() error {
	if l.A == "" || l.B == "" {
		return fieldErr("a", "a link joins two person records")
	}
	if l.A >= l.B {
		return fieldErr("b", "a link's A must sort before its B, so that each pair has one link")
	}
	switch l.Decision {
	case LinkSame, LinkDifferent, LinkUnsure:
	default:
		return fieldErr("decision", "want same, different or unsure")
	}
	if l.Method != "model" && l.Method != "review" {
		return fieldErr("method", "want model or review")
	}
	if l.Probability < 0 || l.Probability > 1 {
		return fieldErr("probability", "want 0 to 1")
	}
	return nil
}
func (l *Link) Refs() []Ref {
	return []Ref{{"a", l.A, []Kind{KindPerson}}, {"b", l.B, []Kind{KindPerson}}}
}
func (l *Link) Terms() []TermRef { return nil }
func (l *Link) Label() string    { return l.Decision }
func (l *Link) Attrs() []Attr {
	return []Attr{{"decision", l.Decision}, {"method", l.Method}}
}

// Evidence is one receipt of a file into custody: the original's hash in
// the blob store and how it came to the organisation. Receiving the same
// bytes twice makes two Evidence records for one blob, because each
// receipt is a custody fact of its own. A derived working copy (redacted,
// transcoded, OCR text, thumbnail) is an Evidence record too, with
// DerivedFrom and Operation set; the original is never changed.
type Evidence struct {
	SHA256    string `json:"sha256"` // lower-case hex SHA-256 of the file in the blob store
	Size      int64  `json:"size"`
	MediaType string `json:"media_type,omitempty"`
	// FileName and FileTime are the original file's name and modification
	// time as received. A file name can name a witness: it is kept with
	// the record and never written to custody events or bundles.
	FileName string    `json:"file_name,omitempty"`
	FileTime time.Time `json:"file_time,omitzero"`
	// ReceivedBy is the staff account that took the file into custody;
	// From whom (free text, may be protected), Received when and Channel how
	// ("in person", "courier", "upload").
	ReceivedBy string    `json:"received_by"`
	From       string    `json:"from,omitempty"`
	Received   time.Time `json:"received"`
	Channel    string    `json:"channel,omitempty"`
	Source     ID        `json:"source,omitempty"` // the source record (testimony, document) it belongs to
	// DerivedFrom and Operation mark a derived copy of another Evidence
	// record's file.
	DerivedFrom ID     `json:"derived_from,omitempty"`
	Operation   string `json:"operation,omitempty"`
	// Salt, when set, is the hex salt of the custody log's commitment to
	// SHA256: the log of a protected item carries the commitment, not the
	// bare hash (see package custody).
	Salt string `json:"salt,omitempty"`
}

func (*Evidence) Kind() Kind { return KindEvidence }

func (e *Evidence) Validate() error {
	if !isHex(e.SHA256, 64) {
		return fieldErr("sha256", "want a lower-case hex SHA-256")
	}
	if e.Size < 0 {
		return fieldErr("size", "negative")
	}
	if e.ReceivedBy == "" {
		return fieldErr("received_by", "empty")
	}
	if e.Received.IsZero() {
		return fieldErr("received", "empty")
	}
	if (e.DerivedFrom == "") != (e.Operation == "") {
		return fieldErr("operation", "a derived copy needs both derived_from and operation")
	}
	if e.Salt != "" && !isHex(e.Salt, 64) {
		return fieldErr("salt", "want 64 lower-case hex digits")
	}
	return nil
}

func isHex(s string, n int) bool {
	return len(s) == n && strings.Trim(s, "0123456789abcdef") == ""
}

func (e *Evidence) Refs() []Ref {
	rs := optRef(nil, "source", e.Source, KindSource)
	return optRef(rs, "derived_from", e.DerivedFrom, KindEvidence)
}
func (e *Evidence) Terms() []TermRef { return nil }

// Label is the media type and the hash's first digits, never the file
// name.
func (e *Evidence) Label() string {
	mt := e.MediaType
	if mt == "" {
		mt = "file"
	}
	return mt + " " + e.SHA256[:min(12, len(e.SHA256))]
}
func (e *Evidence) Attrs() []Attr {
	as := []Attr{{"sha256", e.SHA256}}
	if e.MediaType != "" {
		as = append(as, Attr{"media_type", e.MediaType})
	}
	if e.Operation != "" {
		as = append(as, Attr{"operation", e.Operation})
	}
	return as
}

// Share makes a record visible beyond its owning organisation: to the
// partner organisation With and, for a strictly confidential record, to
// the Named users (account names; With may then be the owner itself).
// Sharing is explicit and revisioned like everything else: unsharing is
// deleting the share (a tombstone), so who saw what when stays on record.
// The share record belongs to the shared record's owner; package auth
// decides with it (auth.Meta.SharedWith and Named).
type Share struct {
	Record ID       `json:"record"`
	With   string   `json:"with"`
	Named  []string `json:"named,omitempty"`
	Note   string   `json:"note,omitempty"`
}

func (*Share) Kind() Kind { return KindShare }
func (s *Share) Validate() error {
	if s.Record == "" {
		return fieldErr("record", "empty")
	}
	if KindOf(s.Record) == KindShare {
		return fieldErr("record", "a share cannot be shared")
	}
	if strings.TrimSpace(s.With) == "" {
		return fieldErr("with", "empty")
	}
	for i, n := range s.Named {
		if strings.TrimSpace(n) == "" {
			return fieldErr(fmt.Sprintf("named[%d]", i), "empty")
		}
	}
	return nil
}
func (s *Share) Refs() []Ref      { return []Ref{{"record", s.Record, nil}} }
func (s *Share) Terms() []TermRef { return nil }
func (s *Share) Label() string    { return s.With }
func (s *Share) Attrs() []Attr {
	as := []Attr{{"with", s.With}}
	for _, n := range s.Named {
		as = append(as, Attr{"named", n})
	}
	return as
}
