package protect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sillok/sillok"
)

// Store is the sealing write path: a sillok.Store whose Create and Update
// of a confidential or strict person or source move the identifying
// fields into Sealed with the owning organisation's Sealer, assign the
// person's pseudonym and store the blind-index terms; everything else
// passes through unchanged. Reads pass through too: what comes back is
// sealed. Install Guard on the underlying store as well, so that a write
// that bypasses this wrapper fails instead of storing names in clear.
//
// An update whose body carries protected fields in clear replaces the
// sealed ones it has fields for (names, birth, origin, notes; interviewer,
// place, interpreter, transcript: the caller opened and edited them) and
// keeps the rest (family and contact, sealed evidence, the pseudonym,
// partners, a source's record key). A protected field left empty keeps
// its sealed value (a person's names as a whole, a source's transcript as
// a whole), and a person's clear birth year echoed back keeps the sealed
// exact date: a sealed field cannot be erased by an update that did not
// show it, only replaced. An update with no clear protected fields keeps
// Sealed as given.
//
// Sealing is pure CPU; Seal lets a bulk loader do it (in parallel) before
// the write transaction, so that it stays off the single writer.
type Store struct {
	sillok.Store
	Keys       *Keyring
	DB         *sql.DB // where protect_pseudonyms is (the store's database)
	Pseudonyms Pseudonyms

	mu   sync.Mutex
	next map[string]int64     // last pseudonym number handed out per organisation
	read map[string]time.Time // when the stored maximum was last read
}

// NewStore wraps st, whose database is db, to seal with keys.
func NewStore(st sillok.Store, db *sql.DB, keys *Keyring) *Store {
	return &Store{Store: st, Keys: keys, DB: db, next: map[string]int64{}, read: map[string]time.Time{}}
}

// Create seals r (see Seal), then stores it.
func (s *Store) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	defaultOrg(actor, r)
	done, err := s.Seal(ctx, r)
	defer done()
	if err != nil {
		return err
	}
	return s.Store.Create(ctx, actor, r)
}

// Update seals body when the record's level needs it, then stores it.
func (s *Store) Update(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, body sillok.Body, note string) (*sillok.Record, error) {
	var out *sillok.Record
	err := s.Batch(ctx, func(tx sillok.Tx) error {
		var err error
		out, err = tx.Update(ctx, actor, id, baseRev, body, note)
		return err
	})
	return out, err
}

// Batch runs fn with a Tx that seals what it writes.
func (s *Store) Batch(ctx context.Context, fn func(tx sillok.Tx) error) error {
	var dones []func()
	defer func() {
		for _, d := range dones {
			d()
		}
	}()
	return s.Store.Batch(ctx, func(tx sillok.Tx) error {
		return fn(&sealTx{Tx: tx, s: s, dones: &dones})
	})
}

type sealTx struct {
	sillok.Tx
	s     *Store
	dones *[]func()
}

func (t *sealTx) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	defaultOrg(actor, r)
	done, err := t.s.Seal(ctx, r)
	*t.dones = append(*t.dones, done)
	if err != nil {
		return err
	}
	return t.Tx.Create(ctx, actor, r)
}

func (t *sealTx) Update(ctx context.Context, actor sillok.Actor, id sillok.ID, baseRev int, body sillok.Body, note string) (*sillok.Record, error) {
	if hasClear(body) {
		old, err := t.Tx.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if NeedsSealing(old.Level) {
			r := &sillok.Record{ID: id, Kind: old.Kind, Org: old.Org, Level: old.Level, Body: body}
			done, err := t.s.reseal(ctx, r, old.Body)
			*t.dones = append(*t.dones, done)
			if err != nil {
				return nil, err
			}
			body = r.Body
		}
	}
	return t.Tx.Update(ctx, actor, id, baseRev, body, note)
}

// defaultOrg gives r the actor's organisation when it names none, as the
// store would: the record is sealed for its owner.
func defaultOrg(actor sillok.Actor, r *sillok.Record) {
	if r.Org == "" {
		r.Org = actor.Org
	}
}

// hasClear reports whether body is a person or source with protected
// fields in clear.
func hasClear(body sillok.Body) bool {
	return CheckSealed("", sillok.LevelConfidential, body) != nil && !onlyUnsealed(body)
}

// onlyUnsealed: a person whose only problem is a missing Sealed (no clear
// names or other fields) has nothing to seal.
func onlyUnsealed(body sillok.Body) bool {
	var fe *sillok.FieldError
	err := CheckSealed("", sillok.LevelConfidential, body)
	return errors.As(err, &fe) && fe.Field == "sealed"
}

// ErrNoOrgKey means a protected record was written for an organisation
// whose key this process has not loaded.
var ErrNoOrgKey = errors.New("protect: no key loaded for the record's organisation")

// Seal replaces r's body by its sealed form when r's level needs sealing
// and the body holds protected fields in clear: it assigns r.ID when
// empty (the ciphertext is bound to it) and, for a person, a pseudonym.
// It is safe for concurrent use. Call the returned function once r has
// been written (or failed); it is never nil.
func (s *Store) Seal(ctx context.Context, r *sillok.Record) (done func(), err error) {
	done = func() {}
	if !NeedsSealing(r.Level) || !hasClear(r.Body) {
		return done, nil
	}
	switch b := r.Body.(type) {
	case *sillok.Person:
		if b.Sealed != nil {
			return done, &sillok.FieldError{Record: r.ID, Field: "sealed", Reason: "a new record with both sealed and clear identity fields"}
		}
	case *sillok.Source:
		if b.Sealed != nil {
			return done, &sillok.FieldError{Record: r.ID, Field: "sealed", Reason: "a new record with both sealed and clear protected fields"}
		}
	}
	return s.reseal(ctx, r, nil)
}

// reseal seals r.Body; old is the record's current body for an update
// (its sealed fields that the clear body does not carry are kept, its
// pseudonym, partners and — for sources — its record key too).
func (s *Store) reseal(ctx context.Context, r *sillok.Record, old sillok.Body) (func(), error) {
	done := func() {}
	sl := s.Keys.Sealer(r.Org)
	if sl == nil {
		return done, fmt.Errorf("seal record %s of %s: %w", r.ID, r.Org, ErrNoOrgKey)
	}
	if r.Kind == "" && r.Body != nil {
		r.Kind = r.Body.Kind() // as the store would: the ID needs it
	}
	if r.ID == "" {
		r.ID = sillok.NewID(r.Kind)
	}
	var oldSealed *sillok.Sealed
	switch b := old.(type) {
	case *sillok.Person:
		oldSealed = b.Sealed
	case *sillok.Source:
		oldSealed = b.Sealed
	}
	var (
		partners []Holder
		oldKey   *RecordKey
	)
	if oldSealed != nil {
		k := s.Keys.KeyFor(oldSealed)
		if k == nil {
			return done, fmt.Errorf("reseal record %s: %w", r.ID, ErrNoKey)
		}
		var err error
		if oldKey, err = k.RecordKey(oldSealed); err != nil {
			return done, fmt.Errorf("reseal record %s: %w", r.ID, err)
		}
		for _, w := range oldSealed.Keys {
			if w.Holder == sl.Key.Org || w.Holder == RecoveryHolder {
				continue
			}
			h, err := ParseHolder(w.Holder, w.Recipient)
			if err != nil {
				return done, fmt.Errorf("reseal record %s: %w", r.ID, err)
			}
			partners = append(partners, h)
		}
	}
	var sealed *sillok.Sealed
	switch b := r.Body.(type) {
	case *sillok.Person:
		var extra PersonFields
		pseudonym := b.Pseudonym
		if op, ok := old.(*sillok.Person); ok && oldSealed != nil {
			f := new(PersonFields)
			if err := OpenWithKey(oldKey, r.ID, oldSealed, f); err != nil {
				return done, err
			}
			extra.Family, extra.Contact = f.Family, f.Contact
			if pseudonym == "" {
				pseudonym = op.Pseudonym
			}
			// As for sources: what the update leaves empty keeps its
			// sealed value, and the clear birth year echoed back keeps
			// the sealed exact date.
			nb := *b
			b = &nb
			if len(b.Names) == 0 {
				b.Names = f.Names
			}
			if b.Birth.IsZero() || b.Birth.Precision == sillok.Year && b.Birth.String() == birthYear(f.Birth).String() {
				b.Birth = f.Birth
			}
			if b.Origin == "" {
				b.Origin = f.Origin
			}
			if b.OriginText == "" {
				b.OriginText = f.OriginText
			}
			if b.Notes == "" {
				b.Notes = f.Notes
			}
		}
		if pseudonym == "" {
			var err error
			if pseudonym, err = s.Pseudonym(ctx, r.Org); err != nil {
				return done, err
			}
		}
		out, _, err := sl.SealPerson(r.ID, b, pseudonym, extra, partners...)
		if err != nil {
			return done, err
		}
		sealed = out.Sealed
		s.Keys.stash.Store(sealed, revealPerson(out, &PersonFields{Names: append(append([]sillok.Name(nil), b.Names...), extra.Names...),
			Birth: b.Birth, Origin: b.Origin, OriginText: b.OriginText, Notes: b.Notes}))
		r.Body = out
	case *sillok.Source:
		var ev []BlobInfo
		if oldSealed != nil {
			f := new(SourceFields)
			if err := OpenWithKey(oldKey, r.ID, oldSealed, f); err != nil {
				return done, err
			}
			ev = f.Evidence
			// A field left empty keeps its sealed value: a form or client
			// that could not open the record (or edits one step of it)
			// must not erase what it did not show.
			nb := *b
			b = &nb
			if b.Interviewer == "" {
				b.Interviewer = f.Interviewer
			}
			if b.Place == "" {
				b.Place = f.Place
			}
			if b.Interpreter == "" {
				b.Interpreter = f.Interpreter
			}
			if b.Transcript == (sillok.Labels{}) {
				b.Transcript = f.Transcript
			}
		}
		key := oldKey
		if key == nil {
			key = NewRecordKey()
		}
		out, err := sl.SealSourceEvidence(r.ID, b, key, ev, partners...)
		if err != nil {
			return done, err
		}
		// Evidence stored in clear (not sealed with the record key) stays
		// listed: dropping it would lose the reference.
		for _, h := range b.Evidence {
			if !containsString(out.Evidence, h) {
				out.Evidence = append(out.Evidence, h)
			}
		}
		sealed = out.Sealed
		s.Keys.stash.Store(sealed, revealSource(out, &SourceFields{Interviewer: b.Interviewer, Place: b.Place, Interpreter: b.Interpreter, Transcript: b.Transcript}))
		r.Body = out
	default:
		return done, nil
	}
	return func() { s.Keys.stash.Delete(sealed) }, nil
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Pseudonym hands out org's next pseudonym (Seal does when a person has
// none; a bulk loader that seals in parallel takes them first, in order). The number is allocated in
// the process (after the highest one stored); Guard records it in
// protect_pseudonyms in the write's transaction, where the primary key
// makes a clash with another process's allocation fail the write.
func (s *Store) Pseudonym(ctx context.Context, org string) (string, error) {
	var max int64
	s.mu.Lock()
	stale := time.Since(s.read[org]) > time.Second
	s.mu.Unlock()
	// Another process (a CLI import beside the server) may have handed
	// out numbers since: look again, at most once a second so that a
	// bulk load does not query per record.
	if s.DB != nil && stale {
		if err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) FROM protect_pseudonyms WHERE org = $1`, org).Scan(&max); err != nil {
			return "", fmt.Errorf("allocate pseudonym in %s: %w", org, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if stale {
		s.read[org] = time.Now()
	}
	n := s.next[org]
	if max > n {
		n = max
	}
	n++
	s.next[org] = n
	return s.Pseudonyms.Format(n), nil
}

// pseudonymNumber parses the number of a pseudonym made by Format ("V-0113"
// → 113); ok is false for other forms (imported from elsewhere).
func pseudonymNumber(p string) (int64, bool) {
	i := strings.LastIndexByte(p, '-')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(p[i+1:], 10, 64)
	return n, err == nil && n > 0
}

// AttachEvidence records a blob sealed with source id's record key
// (SealBlob, RecordKey) in the source's sealed fields: its plaintext hash
// joins the sealed evidence list and its ciphertext hash the clear one.
// The source's record key, pseudonym-free fields and partners are kept.
func (s *Store) AttachEvidence(ctx context.Context, actor sillok.Actor, id sillok.ID, info BlobInfo) (*sillok.Record, error) {
	var out *sillok.Record
	err := s.Store.Batch(ctx, func(tx sillok.Tx) error {
		cur, err := tx.Get(ctx, id)
		if err != nil {
			return err
		}
		src, ok := cur.Body.(*sillok.Source)
		if !ok || src.Sealed == nil {
			return fmt.Errorf("attach evidence to %s: not a sealed source", id)
		}
		k := s.Keys.KeyFor(src.Sealed)
		sl := s.Keys.Sealer(cur.Org)
		if k == nil || sl == nil {
			return fmt.Errorf("attach evidence to %s: %w", id, ErrNoKey)
		}
		key, err := k.RecordKey(src.Sealed)
		if err != nil {
			return fmt.Errorf("attach evidence to %s: %w", id, err)
		}
		f := new(SourceFields)
		if err := OpenWithKey(key, id, src.Sealed, f); err != nil {
			return err
		}
		var partners []Holder
		for _, w := range src.Sealed.Keys {
			if w.Holder == sl.Key.Org || w.Holder == RecoveryHolder {
				continue
			}
			h, err := ParseHolder(w.Holder, w.Recipient)
			if err != nil {
				return err
			}
			partners = append(partners, h)
		}
		clear := revealSource(src, f)
		sealed, err := sl.SealSourceEvidence(id, clear, key, append(f.Evidence, info), partners...)
		if err != nil {
			return err
		}
		for _, h := range src.Evidence { // clear-stored evidence stays listed
			if !containsString(sealed.Evidence, h) {
				sealed.Evidence = append(sealed.Evidence, h)
			}
		}
		out, err = tx.Update(ctx, actor, id, cur.Rev, sealed, "sealed evidence attached")
		return err
	})
	return out, err
}

// SourceKey returns source id's record key, for sealing evidence blobs
// with it (SealBlob) before AttachEvidence. A source whose level needs
// sealing but that has nothing sealed yet (a draft with no interviewer or
// transcript so far) is sealed first, with a fresh record key, as a
// revision of its own: its evidence must not wait for its transcript to
// be encrypted. It returns the source as stored.
func (s *Store) SourceKey(ctx context.Context, actor sillok.Actor, id sillok.ID) (*sillok.Record, *RecordKey, error) {
	var (
		out *sillok.Record
		key *RecordKey
	)
	err := s.Store.Batch(ctx, func(tx sillok.Tx) error {
		cur, err := tx.Get(ctx, id)
		if err != nil {
			return err
		}
		src, ok := cur.Body.(*sillok.Source)
		if !ok {
			return fmt.Errorf("record key of %s: not a source", id)
		}
		if src.Sealed != nil {
			k := s.Keys.KeyFor(src.Sealed)
			if k == nil {
				return fmt.Errorf("record key of %s: %w", id, ErrNoKey)
			}
			if key, err = k.RecordKey(src.Sealed); err != nil {
				return fmt.Errorf("record key of %s: %w", id, err)
			}
			out = cur
			return nil
		}
		if !NeedsSealing(cur.Level) {
			return fmt.Errorf("record key of %s: level %s is not sealed", id, cur.Level)
		}
		sl := s.Keys.Sealer(cur.Org)
		if sl == nil {
			return fmt.Errorf("record key of %s of %s: %w", id, cur.Org, ErrNoOrgKey)
		}
		key = NewRecordKey()
		sealed, err := sl.SealSourceEvidence(id, src, key, nil)
		if err != nil {
			return err
		}
		sealed.Evidence = append(sealed.Evidence, src.Evidence...) // clear-stored evidence stays listed
		out, err = tx.Update(ctx, actor, id, cur.Rev, sealed, "sealed: a record key for its evidence")
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, key, nil
}
