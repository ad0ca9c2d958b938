package protect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sillok/sillok"
)

// Keyring is the organisation keys a process has loaded, with the
// recovery key's public side: it seals for each organisation and opens
// whatever one of its keys holds.
type Keyring struct {
	Recovery Holder
	sealers  map[string]*Sealer
	orgs     []string

	// stash hands the clear body of a record just sealed to the same
	// process's search hook (Reveal), so that indexing a sealed record
	// costs no decryption on the single writer.
	stash sync.Map // *sillok.Sealed → sillok.Body
}

// NewKeyring returns a keyring sealing with keys, every record key also
// wrapped to recovery.
func NewKeyring(recovery Holder, norm Normaliser, keys ...*OrgKey) (*Keyring, error) {
	kr := &Keyring{Recovery: recovery, sealers: map[string]*Sealer{}}
	for _, k := range keys {
		if k.Org == RecoveryHolder {
			return nil, errors.New("protect: the recovery key does not belong in a server's keyring (keep it offline)")
		}
		if _, dup := kr.sealers[k.Org]; dup {
			return nil, fmt.Errorf("protect: two keys for organisation %s", k.Org)
		}
		s, err := NewSealer(k, recovery, norm)
		if err != nil {
			return nil, err
		}
		kr.sealers[k.Org] = s
		kr.orgs = append(kr.orgs, k.Org)
	}
	slices.Sort(kr.orgs)
	return kr, nil
}

// Key file names in a key directory.
const (
	KeyExt          = ".key"         // DIR/<org>.key: an organisation key
	RecoveryPubFile = "recovery.pub" // the recovery key's public key ("age1…")
	RecoveryKeyFile = "recovery.key" // the recovery key itself: move it offline
)

// LoadKeyring reads every organisation key file (*.key, but not the
// recovery key or other applications' keys named in skip) in dir and the
// recovery public key. It returns nil, nil when dir holds no
// organisation key: such a repository seals nothing (and its Guard
// refuses protected identities in clear).
func LoadKeyring(dir string, norm Normaliser, passphrase func() (string, error), skip ...string) (*Keyring, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+KeyExt))
	if err != nil {
		return nil, fmt.Errorf("list key files: %w", err)
	}
	var keys []*OrgKey
	for _, p := range paths {
		base := filepath.Base(p)
		if base == RecoveryKeyFile || slices.Contains(skip, base) {
			continue
		}
		k, err := LoadOrgKey(p, passphrase)
		if err != nil {
			return nil, err
		}
		if k.Org+KeyExt != base {
			return nil, fmt.Errorf("key file %s holds the key of %s", p, k.Org)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, RecoveryPubFile))
	if err != nil {
		return nil, fmt.Errorf("organisation keys need the recovery key's public key: %w", err)
	}
	rec, err := ParseHolder(RecoveryHolder, strings.TrimSpace(string(b)))
	if err != nil {
		return nil, err
	}
	return NewKeyring(rec, norm, keys...)
}

// Orgs returns the organisations whose keys are loaded, sorted.
func (kr *Keyring) Orgs() []string { return kr.orgs }

// Sealer returns the sealer of org, or nil.
func (kr *Keyring) Sealer(org string) *Sealer { return kr.sealers[org] }

// Key returns the key of org, or nil.
func (kr *Keyring) Key(org string) *OrgKey {
	if s := kr.sealers[org]; s != nil {
		return s.Key
	}
	return nil
}

// KeyFor returns a loaded key that holds an entry of s, or nil.
func (kr *Keyring) KeyFor(s *sillok.Sealed) *OrgKey {
	if s == nil {
		return nil
	}
	for _, w := range s.Keys {
		if sl := kr.sealers[w.Holder]; sl != nil && sl.Key.Recipient().String() == w.Recipient {
			return sl.Key
		}
	}
	for _, w := range s.Keys { // wrapped to a retired identity of a loaded key
		if sl := kr.sealers[w.Holder]; sl != nil {
			return sl.Key
		}
	}
	return nil
}

// Reveal returns body with its sealed fields opened back into the clear
// ones, for use inside the process only: matching names in record
// linkage, confirming search hits. It records no disclosure; whatever
// shows the result to a person goes through Opener. Bodies without
// sealed data come back as they are; ErrNoKey when no loaded key opens
// the record.
func (kr *Keyring) Reveal(id sillok.ID, body sillok.Body) (sillok.Body, error) {
	switch b := body.(type) {
	case *sillok.Person:
		if b.Sealed == nil {
			return body, nil
		}
		if v, ok := kr.stash.Load(b.Sealed); ok {
			return v.(sillok.Body), nil
		}
		k := kr.KeyFor(b.Sealed)
		if k == nil {
			return nil, fmt.Errorf("open record %s: %w", id, ErrNoKey)
		}
		f, err := k.OpenPerson(id, b)
		if err != nil {
			return nil, err
		}
		return revealPerson(b, f), nil
	case *sillok.Source:
		if b.Sealed == nil {
			return body, nil
		}
		if v, ok := kr.stash.Load(b.Sealed); ok {
			return v.(sillok.Body), nil
		}
		k := kr.KeyFor(b.Sealed)
		if k == nil {
			return nil, fmt.Errorf("open record %s: %w", id, ErrNoKey)
		}
		f, err := k.OpenSource(id, b)
		if err != nil {
			return nil, err
		}
		return revealSource(b, f), nil
	}
	return body, nil
}

// RevealContext is Reveal in the form the search hook takes: a record
// that no loaded key opens is left as it is.
func (kr *Keyring) RevealContext(_ context.Context, id sillok.ID, body sillok.Body) sillok.Body {
	b, err := kr.Reveal(id, body)
	if err != nil {
		return body
	}
	return b
}

func revealPerson(p *sillok.Person, f *PersonFields) *sillok.Person {
	out := *p
	out.Names, out.Birth, out.Origin, out.OriginText, out.Notes = f.Names, f.Birth, f.Origin, f.OriginText, f.Notes
	return &out
}

func revealSource(s *sillok.Source, f *SourceFields) *sillok.Source {
	out := *s
	out.Interviewer, out.Place, out.Interpreter, out.Transcript = f.Interviewer, f.Place, f.Interpreter, f.Transcript
	return &out
}

// KeyringOpener opens sealed records for people of any organisation
// whose key is loaded: the key of the person's organisation (who.Org),
// through an Opener, so that each disclosure is audited first.
type KeyringOpener struct {
	Keys  *Keyring
	Audit Auditor
	Now   func() time.Time
}

func (o *KeyringOpener) opener(who sillok.Actor) (*Opener, error) {
	k := o.Keys.Key(who.Org)
	if k == nil {
		return nil, fmt.Errorf("open for %s: %w", who.Org, ErrNoOrgKey)
	}
	return &Opener{Key: k, Audit: o.Audit, Now: o.Now}, nil
}

// Person audits, then opens a person record's protected fields with the
// key of who's organisation.
func (o *KeyringOpener) Person(ctx context.Context, who sillok.Actor, purpose string, r *sillok.Record) (*PersonFields, error) {
	op, err := o.opener(who)
	if err != nil {
		return nil, err
	}
	return op.Person(ctx, who, purpose, r)
}

// Source audits, then opens a source record's protected fields.
func (o *KeyringOpener) Source(ctx context.Context, who sillok.Actor, purpose string, r *sillok.Record) (*SourceFields, error) {
	op, err := o.opener(who)
	if err != nil {
		return nil, err
	}
	return op.Source(ctx, who, purpose, r)
}

// Revealed is a store whose reads return sealed persons and sources
// opened with the keyring (Reveal), for analyses that compare identities
// inside the process (record linkage); writes pass through. Records no
// loaded key opens come back sealed. The caller records the disclosure
// (one per run: see package evidence's AllRecords).
type Revealed struct {
	sillok.Store
	Keys *Keyring
}

func (r *Revealed) reveal(recs ...*sillok.Record) {
	for _, rec := range recs {
		if rec == nil {
			continue
		}
		if b, err := r.Keys.Reveal(rec.ID, rec.Body); err == nil {
			rec.Body = b
		}
	}
}

// Get returns the record, opened.
func (r *Revealed) Get(ctx context.Context, id sillok.ID) (*sillok.Record, error) {
	rec, err := r.Store.Get(ctx, id)
	if err == nil {
		r.reveal(rec)
	}
	return rec, err
}

// GetMany returns the records, opened.
func (r *Revealed) GetMany(ctx context.Context, ids []sillok.ID) ([]*sillok.Record, error) {
	recs, err := r.Store.GetMany(ctx, ids)
	if err == nil {
		r.reveal(recs...)
	}
	return recs, err
}

// List returns a page of records, opened.
func (r *Revealed) List(ctx context.Context, f sillok.Filter) (*sillok.Page, error) {
	p, err := r.Store.List(ctx, f)
	if err == nil {
		r.reveal(p.Records...)
	}
	return p, err
}

// Linked returns the linked records, opened.
func (r *Revealed) Linked(ctx context.Context, id sillok.ID, depth, limit int) ([]*sillok.Record, error) {
	recs, err := r.Store.Linked(ctx, id, depth, limit)
	if err == nil {
		r.reveal(recs...)
	}
	return recs, err
}
