package protect

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/sillok/sillok"
)

// PersonFields are the protected fields of a person: what identifies them.
type PersonFields struct {
	Names      []sillok.Name    `json:"names"`
	Birth      sillok.FuzzyDate `json:"birth,omitzero"`
	Origin     sillok.ID        `json:"origin,omitempty"`
	OriginText string           `json:"origin_text,omitempty"`
	Notes      string           `json:"notes,omitempty"`
	Family     []Relative       `json:"family,omitempty"`
	Contact    string           `json:"contact,omitempty"`
}

// Relative is a family member named in a person's record (who may still
// be in North Korea: guilt by association).
type Relative struct {
	Relation string        `json:"relation"` // thesaurus relationship_type code
	Names    []sillok.Name `json:"names"`
}

// SourceFields are the protected fields of a confidential source.
type SourceFields struct {
	Interviewer string        `json:"interviewer,omitempty"`
	Place       string        `json:"place,omitempty"`
	Interpreter string        `json:"interpreter,omitempty"`
	Transcript  sillok.Labels `json:"transcript,omitzero"`
	// Evidence are the sealed evidence blobs: the clear body lists their
	// ciphertext hashes, these give the plaintext hashes.
	Evidence []BlobInfo `json:"evidence,omitempty"`
}

// Sealer seals records for one organisation: its key, the recovery
// recipient every record key is also wrapped to, and the name normaliser
// for blind indexes.
type Sealer struct {
	Key      *OrgKey
	Recovery Holder
	Index    *Index
}

// NewSealer returns a sealer for key.
func NewSealer(key *OrgKey, recovery Holder, norm Normaliser) (*Sealer, error) {
	if recovery.Recipient == nil || recovery.Name != RecoveryHolder {
		return nil, errors.New("protect: a sealer needs the recovery key's public side (holder \"recovery\")")
	}
	return &Sealer{Key: key, Recovery: recovery, Index: key.Index(norm)}, nil
}

func (s *Sealer) holders(partners []Holder) []Holder {
	return append([]Holder{s.Key.Holder(), s.Recovery}, partners...)
}

// SealPerson returns the clear body of person p (record id) with the
// protected fields sealed: what stays in clear is the pseudonym, sex, the
// birth year (as a year-precision date), roles and external IDs. p's
// names, birth date, origin and notes are sealed; f adds what Person has
// no field for (family, contact) and further names. The person's names
// (not the family's) are blind-indexed. p is not modified.
func (s *Sealer) SealPerson(id sillok.ID, p *sillok.Person, pseudonym string, f PersonFields, partners ...Holder) (*sillok.Person, *RecordKey, error) {
	f.Names = append(append([]sillok.Name(nil), p.Names...), f.Names...)
	if f.Birth.IsZero() {
		f.Birth = p.Birth
	}
	if f.Origin == "" {
		f.Origin = p.Origin
	}
	if f.OriginText == "" {
		f.OriginText = p.OriginText
	}
	if f.Notes == "" {
		f.Notes = p.Notes
	}
	var names []string
	for _, n := range f.Names {
		names = append(names, n.Value)
	}
	sealed, key, err := SealValue(id, &f, s.Index.Names(names...), s.holders(partners)...)
	if err != nil {
		return nil, nil, err
	}
	out := &sillok.Person{
		Sex:         p.Sex,
		Birth:       birthYear(f.Birth),
		Roles:       p.Roles,
		ExternalIDs: p.ExternalIDs,
		Pseudonym:   pseudonym,
		Sealed:      sealed,
	}
	return out, key, nil
}

// birthYear keeps the year of a birth date, or nothing when the date spans
// more than a year; an exact birth date is identifying, a year is a
// stratum.
func birthYear(d sillok.FuzzyDate) sillok.FuzzyDate {
	if d.IsZero() || d.Lo.Year() != d.Hi.Year() {
		return sillok.FuzzyDate{}
	}
	y, err := sillok.ParseDate(strconv.Itoa(d.Lo.Year()))
	if err != nil {
		return sillok.FuzzyDate{}
	}
	return y
}

// OpenPerson decrypts the protected fields of person record id with key k.
// The caller records the disclosure (who, when, which record, purpose)
// before showing them.
func (k *OrgKey) OpenPerson(id sillok.ID, p *sillok.Person) (*PersonFields, error) {
	if p.Sealed == nil {
		return nil, fmt.Errorf("open record %s: nothing sealed", id)
	}
	var f PersonFields
	if err := k.OpenValue(id, p.Sealed, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// SealSource returns the clear body of source src (record id) with the
// interviewer, place, interpreter and transcript sealed and the transcript
// words indexed as opaque terms. A source with evidence: make a record
// key, seal the blobs with it (SealBlob), then SealSourceEvidence.
func (s *Sealer) SealSource(id sillok.ID, src *sillok.Source, partners ...Holder) (*sillok.Source, *RecordKey, error) {
	f := SourceFields{Interviewer: src.Interviewer, Place: src.Place, Interpreter: src.Interpreter, Transcript: src.Transcript}
	return s.sealSource(id, src, f, nil, partners)
}

func (s *Sealer) sealSource(id sillok.ID, src *sillok.Source, f SourceFields, key *RecordKey, partners []Holder) (*sillok.Source, *RecordKey, error) {
	idx := s.Index.Text(f.Transcript.Ko, f.Transcript.En)
	var sealed *sillok.Sealed
	var err error
	if key == nil {
		sealed, key, err = SealValue(id, &f, idx, s.holders(partners)...)
	} else {
		sealed, err = SealWithKey(key, id, &f, idx, s.holders(partners)...)
	}
	if err != nil {
		return nil, nil, err
	}
	out := *src
	out.Interviewer, out.Place, out.Interpreter, out.Transcript = "", "", "", sillok.Labels{}
	out.Evidence = nil
	for _, e := range f.Evidence {
		out.Evidence = append(out.Evidence, e.CipherSHA256)
	}
	out.Sealed = sealed
	return &out, key, nil
}

// SealSourceEvidence seals a source together with evidence already sealed
// with key (SealBlob): the clear body lists the blobs by ciphertext hash,
// the sealed fields keep their plaintext hashes.
func (s *Sealer) SealSourceEvidence(id sillok.ID, src *sillok.Source, key *RecordKey, evidence []BlobInfo, partners ...Holder) (*sillok.Source, error) {
	f := SourceFields{Interviewer: src.Interviewer, Place: src.Place, Interpreter: src.Interpreter, Transcript: src.Transcript, Evidence: evidence}
	out, _, err := s.sealSource(id, src, f, key, partners)
	return out, err
}

// OpenSource decrypts the protected fields of source record id.
func (k *OrgKey) OpenSource(id sillok.ID, src *sillok.Source) (*SourceFields, error) {
	if src.Sealed == nil {
		return nil, fmt.Errorf("open record %s: nothing sealed", id)
	}
	var f SourceFields
	if err := k.OpenValue(id, src.Sealed, &f); err != nil {
		return nil, err
	}
	return &f, nil
}
