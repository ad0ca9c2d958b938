package protect

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/sillok/sillok"
)

// Holder is someone a record key is wrapped to: an organisation (the owner
// or a partner the record is shared with) or the recovery key.
type Holder struct {
	Name      string
	Recipient *age.X25519Recipient
}

// ParseHolder makes a Holder from an organisation name and its age public
// key ("age1…"), as partners publish them.
func ParseHolder(name, publicKey string) (Holder, error) {
	if err := checkOrgName(name); err != nil {
		return Holder{}, err
	}
	r, err := age.ParseX25519Recipient(publicKey)
	if err != nil {
		return Holder{}, fmt.Errorf("public key of %s: %w", name, err)
	}
	return Holder{Name: name, Recipient: r}, nil
}

// RecordKey is the random key a record's protected fields (and its sealed
// evidence) are encrypted with.
type RecordKey [chacha20poly1305.KeySize]byte

// NewRecordKey returns a fresh random record key.
func NewRecordKey() *RecordKey {
	k := new(RecordKey)
	rand.Read(k[:])
	return k
}

// ErrTampered means sealed data failed authentication: it was altered,
// truncated, or moved from another record.
var ErrTampered = errors.New("protect: sealed data does not authenticate (altered, or moved from another record)")

func fieldsAD(id sillok.ID) []byte { return []byte("sillok fields v1\x00" + string(id)) }

// sealBytes encrypts plaintext under key with the record ID as associated
// data: ciphertext copied to another record does not open.
func sealBytes(key *RecordKey, id sillok.ID, plaintext []byte) []byte {
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		panic(err) // key size is fixed
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	rand.Read(out)
	return aead.Seal(out, out, plaintext, fieldsAD(id))
}

func openBytes(key *RecordKey, id sillok.ID, ct []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		panic(err)
	}
	if len(ct) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrTampered
	}
	pt, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], fieldsAD(id))
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}

// wrap encrypts key to one holder as a binary age file.
func wrap(key *RecordKey, h Holder) (sillok.WrappedKey, error) {
	var b bytes.Buffer
	w, err := age.Encrypt(&b, h.Recipient)
	if err != nil {
		return sillok.WrappedKey{}, fmt.Errorf("wrap record key to %s: %w", h.Name, err)
	}
	w.Write(key[:])
	if err := w.Close(); err != nil {
		return sillok.WrappedKey{}, fmt.Errorf("wrap record key to %s: %w", h.Name, err)
	}
	return sillok.WrappedKey{Holder: h.Name, Recipient: h.Recipient.String(), Wrapped: b.Bytes()}, nil
}

// maxWrapped bounds a wrapped key: an age header with one X25519 stanza
// and a 32-byte payload is about 250 bytes.
const maxWrapped = 4096

func unwrap(w sillok.WrappedKey, ids ...age.Identity) (*RecordKey, error) {
	if len(w.Wrapped) > maxWrapped {
		return nil, fmt.Errorf("wrapped key for %s: too large", w.Holder)
	}
	r, err := age.Decrypt(bytes.NewReader(w.Wrapped), ids...)
	if err != nil {
		return nil, err
	}
	k := new(RecordKey)
	if _, err := io.ReadFull(r, k[:]); err != nil {
		return nil, fmt.Errorf("wrapped key for %s: %w", w.Holder, err)
	}
	if n, _ := r.Read(make([]byte, 1)); n != 0 {
		return nil, fmt.Errorf("wrapped key for %s: longer than a record key", w.Holder)
	}
	return k, nil
}

// SealValue encrypts v (encoded as JSON) for record id with a fresh record
// key wrapped to every holder. Put the recovery key among the holders:
// without it a lost organisation key is a lost record. index is stored as
// is (opaque terms from BlindIndex and SearchTerms). It returns the key
// too, for sealing the record's evidence.
func SealValue(id sillok.ID, v any, index []string, holders ...Holder) (*sillok.Sealed, *RecordKey, error) {
	key := NewRecordKey()
	s, err := SealWithKey(key, id, v, index, holders...)
	if err != nil {
		return nil, nil, err
	}
	return s, key, nil
}

// SealWithKey is SealValue with a given record key: for re-sealing edited
// fields of a record whose evidence is already sealed with its key.
func SealWithKey(key *RecordKey, id sillok.ID, v any, index []string, holders ...Holder) (*sillok.Sealed, error) {
	if id == "" {
		return nil, errors.New("protect: sealing needs the record ID (it binds the ciphertext to the record)")
	}
	if len(holders) == 0 {
		return nil, errors.New("protect: sealing needs at least one holder")
	}
	pt, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("seal record %s: encode fields: %w", id, err)
	}
	s := &sillok.Sealed{V: sillok.SealedVersion, CT: sealBytes(key, id, pt), Index: index}
	for _, h := range holders {
		if slices.ContainsFunc(s.Keys, func(w sillok.WrappedKey) bool { return w.Holder == h.Name }) {
			continue
		}
		w, err := wrap(key, h)
		if err != nil {
			return nil, fmt.Errorf("seal record %s: %w", id, err)
		}
		s.Keys = append(s.Keys, w)
	}
	return s, nil
}

// RecordKey unwraps the key of sealed data with k's identities. Errors:
// ErrNoKey when no entry of s is for k.Org or none of k's identities opens
// it.
func (k *OrgKey) RecordKey(s *sillok.Sealed) (*RecordKey, error) {
	if s == nil {
		return nil, ErrNoKey
	}
	ids := make([]age.Identity, len(k.Identities))
	for i, id := range k.Identities {
		ids[i] = id
	}
	for _, w := range s.Keys {
		if w.Holder != k.Org {
			continue
		}
		key, err := unwrap(w, ids...)
		if err == nil {
			return key, nil
		}
		var nm *age.NoIdentityMatchError
		if !errors.As(err, &nm) {
			return nil, fmt.Errorf("unwrap record key: %w", err)
		}
	}
	return nil, ErrNoKey
}

// OpenValue decrypts sealed data of record id into v. Errors: ErrNoKey,
// ErrTampered, or a decoding error (which names no values).
func (k *OrgKey) OpenValue(id sillok.ID, s *sillok.Sealed, v any) error {
	key, err := k.RecordKey(s)
	if err != nil {
		return fmt.Errorf("open record %s: %w", id, err)
	}
	return OpenWithKey(key, id, s, v)
}

// OpenWithKey decrypts sealed data of record id with an unwrapped key.
func OpenWithKey(key *RecordKey, id sillok.ID, s *sillok.Sealed, v any) error {
	if s.V != sillok.SealedVersion {
		return fmt.Errorf("open record %s: sealed version %d not supported", id, s.V)
	}
	pt, err := openBytes(key, id, s.CT)
	if err != nil {
		return fmt.Errorf("open record %s: %w", id, err)
	}
	if err := json.Unmarshal(pt, v); err != nil {
		return fmt.Errorf("open record %s: decode fields: %w", id, errors.New(typeOnly(err)))
	}
	return nil
}

// typeOnly keeps a JSON error from quoting the decrypted text.
func typeOnly(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field " + te.Field + " has the wrong type"
	}
	return "malformed"
}

// Share wraps the record key of s to partner as well (k must hold it).
// Sharing again with the same partner replaces its entry. Unsharing is
// dropping the entry (Unshare); a partner who copied the key before keeps
// what it copied, which no cryptography can undo.
func (k *OrgKey) Share(s *sillok.Sealed, partner Holder) error {
	if partner.Name == RecoveryHolder || partner.Name == k.Org {
		return fmt.Errorf("share: %s is not a partner", partner.Name)
	}
	key, err := k.RecordKey(s)
	if err != nil {
		return fmt.Errorf("share with %s: %w", partner.Name, err)
	}
	w, err := wrap(key, partner)
	if err != nil {
		return err
	}
	s.Keys = slices.DeleteFunc(s.Keys, func(x sillok.WrappedKey) bool { return x.Holder == partner.Name })
	s.Keys = append(s.Keys, w)
	return nil
}

// Unshare removes partner's wrapped key; it reports whether there was one.
func Unshare(s *sillok.Sealed, partner string) bool {
	n := len(s.Keys)
	s.Keys = slices.DeleteFunc(s.Keys, func(x sillok.WrappedKey) bool { return x.Holder == partner && x.Holder != RecoveryHolder })
	return len(s.Keys) != n
}

// Rewrap re-wraps k.Org's entry of s to k's current identity if it is
// wrapped to an older one (key rotation) — and, when to is not empty,
// re-wraps the entries of those holders too (e.g. a new recovery key). The
// content is not re-encrypted. It reports whether s changed; ErrNoKey when
// k cannot open s.
func (k *OrgKey) Rewrap(s *sillok.Sealed, to ...Holder) (bool, error) {
	hs := append([]Holder{k.Holder()}, to...)
	need := false
	for _, h := range hs {
		i := slices.IndexFunc(s.Keys, func(w sillok.WrappedKey) bool { return w.Holder == h.Name })
		if i < 0 || s.Keys[i].Recipient != h.Recipient.String() {
			need = true
		}
	}
	if !need {
		return false, nil
	}
	key, err := k.RecordKey(s)
	if err != nil {
		return false, err
	}
	for _, h := range hs {
		i := slices.IndexFunc(s.Keys, func(w sillok.WrappedKey) bool { return w.Holder == h.Name })
		if i >= 0 && s.Keys[i].Recipient == h.Recipient.String() {
			continue
		}
		w, err := wrap(key, h)
		if err != nil {
			return false, err
		}
		if i >= 0 {
			s.Keys[i] = w
		} else {
			s.Keys = append(s.Keys, w)
		}
	}
	return true, nil
}

// Escrow encrypts k (its secret and identities) to the recovery key, to be
// kept with the recovery key offline. With the recovery key alone records
// open; with the escrow too, blind indexes and pseudonym derivation keep
// working after the key file is lost.
func (k *OrgKey) Escrow(recovery Holder) ([]byte, error) {
	var clear, out bytes.Buffer
	if err := k.Marshal(&clear, ""); err != nil {
		return nil, err
	}
	w, err := age.Encrypt(&out, recovery.Recipient)
	if err != nil {
		return nil, fmt.Errorf("escrow key of %s: %w", k.Org, err)
	}
	w.Write(clear.Bytes())
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("escrow key of %s: %w", k.Org, err)
	}
	return out.Bytes(), nil
}

// RecoverOrgKey opens an escrow with the recovery key and returns the
// organisation key with a fresh current identity (the lost file's
// identities may be in the wrong hands too). Then re-wrap every record
// with the recovery key as opener: recovery.RewrapFor(s, newKey.Holder()).
func RecoverOrgKey(escrow []byte, recovery *OrgKey) (*OrgKey, error) {
	ids := make([]age.Identity, len(recovery.Identities))
	for i, id := range recovery.Identities {
		ids[i] = id
	}
	r, err := age.Decrypt(bytes.NewReader(escrow), ids...)
	if err != nil {
		return nil, fmt.Errorf("open escrow: %w", err)
	}
	k, err := ParseOrgKey(r, nil)
	if err != nil {
		return nil, fmt.Errorf("open escrow: %w", err)
	}
	k.Identities = nil
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	k.Identities = []*age.X25519Identity{id}
	return k, nil
}

// RewrapFor replaces (or adds) holder h's entry of s with a fresh wrap of
// the record key, which k must be able to open. The recovery key uses it
// to hand records to an organisation's new key after the old one was lost.
func (k *OrgKey) RewrapFor(s *sillok.Sealed, h Holder) error {
	key, err := k.RecordKey(s)
	if err != nil {
		return err
	}
	w, err := wrap(key, h)
	if err != nil {
		return err
	}
	s.Keys = slices.DeleteFunc(s.Keys, func(x sillok.WrappedKey) bool { return x.Holder == h.Name })
	s.Keys = append(s.Keys, w)
	return nil
}
