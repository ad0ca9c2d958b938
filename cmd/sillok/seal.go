package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/evidence"
	"github.com/sillok/sillok/korean"
	"github.com/sillok/sillok/protect"
)

// Field encryption (package protect) in the repository:
//
//	DATA/keys/<org>.key      an organisation's key (age identities + index secret)
//	DATA/keys/<org>.escrow   the same, encrypted to the recovery key: keep it with the recovery key
//	DATA/keys/recovery.pub   the recovery key's public key: every record key is wrapped to it too
//	DATA/keys/recovery.key   the recovery key itself, created once: move it offline
//
// The first command that opens a repository whose key directory has no
// recovery.pub creates the recovery key and the key of the acting
// organisation ($SILLOK_ORG); `sillok demo` adds the demo organisations'
// keys; `sillok key new --org ORG` (without --out) adds one. With keys,
// every write goes through protect.Store (confidential and strict persons
// and sources are sealed) and protect.Guard refuses anything that slips
// past it. $SILLOK_KEY_PASSPHRASE, when set, encrypts new key files and
// opens them. Without keys (`sillok demo --seal=false` on a fresh
// repository, for comparison) nothing is sealed.

// keyFilesOfOthers are key files in the key directory that are not
// organisation keys.
var keyFilesOfOthers = []string{"custody.key", "search.key"}

func keyPassphrase() (string, error) {
	if p := os.Getenv("SILLOK_KEY_PASSPHRASE"); p != "" {
		return p, nil
	}
	return "", errors.New("a key file is passphrase-protected: set $SILLOK_KEY_PASSPHRASE")
}

// keyring loads the organisation keys, creating the keys of orgs when
// missing, and on a fresh key directory the recovery key and the acting
// organisation's key. It returns nil when sealing is off.
func (e *env) keyring(orgs ...string) (*protect.Keyring, error) {
	if e.noSeal {
		return nil, nil
	}
	if e.keys != nil && len(orgs) == 0 {
		return e.keys, nil
	}
	dir := e.keyDir()
	rec, fresh, err := e.ensureRecovery(dir)
	if err != nil {
		return nil, err
	}
	// The acting organisation's key is made with a fresh repository only:
	// later, a missing key file is a lost key (see docs/keys.md), and a
	// new one would seal new records to a key the old ones do not know.
	if fresh {
		orgs = append([]string{e.actor().Org}, orgs...)
	}
	for _, org := range orgs {
		if err := e.ensureOrgKey(dir, org, rec); err != nil {
			return nil, err
		}
	}
	kr, err := protect.LoadKeyring(dir, korean.Key, keyPassphrase, keyFilesOfOthers...)
	if err != nil {
		return nil, err
	}
	e.keys = kr
	return kr, nil
}

// ensureRecovery returns the recovery key's public side, creating the
// recovery key on first use (fresh).
func (e *env) ensureRecovery(dir string) (h protect.Holder, fresh bool, err error) {
	pub := filepath.Join(dir, protect.RecoveryPubFile)
	b, err := os.ReadFile(pub)
	if err == nil {
		h, err := protect.ParseHolder(protect.RecoveryHolder, string(trimSpace(b)))
		return h, false, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return protect.Holder{}, false, fmt.Errorf("read recovery public key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return protect.Holder{}, false, fmt.Errorf("create key directory: %w", err)
	}
	k, err := protect.NewOrgKey(protect.RecoveryHolder)
	if err != nil {
		return protect.Holder{}, false, err
	}
	priv := filepath.Join(dir, protect.RecoveryKeyFile)
	if _, err := os.Stat(priv); err == nil {
		return protect.Holder{}, false, fmt.Errorf("%s exists without %s: restore the public key (sillok key public --key %s > %s)", priv, pub, priv, pub)
	}
	pass, _ := keyPassphrase()
	if err := protect.SaveOrgKey(priv, k, pass); err != nil {
		return protect.Holder{}, false, err
	}
	if err := os.WriteFile(pub, []byte(k.Recipient().String()+"\n"), 0o644); err != nil {
		return protect.Holder{}, false, fmt.Errorf("write recovery public key: %w", err)
	}
	fmt.Fprintf(e.stderr, "created the recovery key %s: move it OFFLINE now (two copies, e.g. paper and a USB stick in a safe) and delete it here; only %s stays\n", priv, pub)
	return k.Holder(), true, nil
}

// ensureOrgKey creates org's key file (and its escrow to the recovery
// key) when missing.
func (e *env) ensureOrgKey(dir, org string, rec protect.Holder) error {
	path := filepath.Join(dir, org+protect.KeyExt)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	k, err := protect.NewOrgKey(org)
	if err != nil {
		return err
	}
	pass, _ := keyPassphrase()
	if err := protect.SaveOrgKey(path, k, pass); err != nil {
		return err
	}
	esc, err := k.Escrow(rec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, org+".escrow"), esc, 0o600); err != nil {
		return fmt.Errorf("write escrow of %s: %w", org, err)
	}
	e.log.Info("created organisation key", "org", org, "file", path)
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// writeStore is the store commands write through: sealing when the
// repository has keys.
func (e *env) writeStore(r *evidence.Repo) sillok.Store {
	if e.keys == nil {
		return r.Store
	}
	return protect.NewStore(r.Store, r.Store.DB(), e.keys)
}

// auditor records disclosures in the custody log and the disclosure
// table.
func (e *env) auditor(r *evidence.Repo) *evidence.Auditor {
	return &evidence.Auditor{Custody: r.Custody, Table: &protect.DisclosureLog{DB: r.Store.DB()}}
}

// opener opens sealed records for a person, auditing each disclosure.
func (e *env) opener(r *evidence.Repo) *protect.KeyringOpener {
	if e.keys == nil {
		return nil
	}
	return &protect.KeyringOpener{Keys: e.keys, Audit: e.auditor(r)}
}

// discloseAll records that a process opens every sealed record its keys
// open (record linkage): one disclosure per organisation per run.
func (e *env) discloseAll(ctx context.Context, r *evidence.Repo, purpose string) error {
	if e.keys == nil {
		return nil
	}
	a := e.auditor(r)
	who := e.actor()
	for _, org := range e.keys.Orgs() {
		d := protect.Disclosure{Time: sillok.Timestamp(time.Now()), User: who.User, Org: who.Org, Record: evidence.AllRecords,
			Purpose: purpose + " (sealed records of " + org + ")"}
		if err := a.Disclosed(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// sealedSource returns the source record evidence is added to when its
// files are to be sealed: a source of a repository with keys that is
// sealed, or whose level needs sealing (a draft with nothing sealed yet:
// addSealed seals it first).
func (e *env) sealedSource(ctx context.Context, r *evidence.Repo, id sillok.ID) (*sillok.Record, error) {
	if e.keys == nil || id == "" {
		return nil, nil
	}
	rec, err := r.Store.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", id, err)
	}
	if src, ok := rec.Body.(*sillok.Source); ok && (src.Sealed != nil || protect.NeedsSealing(rec.Level)) {
		return rec, nil
	}
	return nil, nil
}

// addSealed encrypts a file of a sealed source under the source's record
// key (protect.SealBlob) into a temporary file, takes the ciphertext into
// custody (evidence record and blob addressed by the ciphertext's hash, no
// file name: names of files can name witnesses), and records the
// plaintext hash and media type in the source's sealed fields. It returns
// the sealed blob's info too, whose plaintext hash is for the person
// adding the file only.
func (e *env) addSealed(ctx context.Context, r *evidence.Repo, src *sillok.Record, actor sillok.Actor, rd io.Reader, rc evidence.Receipt) (*sillok.Record, blob.Info, protect.BlobInfo, error) {
	ps := protect.NewStore(r.Store, r.Store.DB(), e.keys)
	src, key, err := ps.SourceKey(ctx, actor, src.ID)
	if err != nil {
		return nil, blob.Info{}, protect.BlobInfo{}, fmt.Errorf("seal evidence: %w", err)
	}
	br := bufio.NewReaderSize(rd, 512)
	head, _ := br.Peek(512) // fewer at EOF; the error comes back from the copy
	mediaType := http.DetectContentType(head)
	tmp, err := os.CreateTemp(e.dataDir, ".sealing-*")
	if err != nil {
		return nil, blob.Info{}, protect.BlobInfo{}, fmt.Errorf("seal evidence: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	info, err := protect.SealBlob(ctx, tmp, br, src.ID, key)
	if err != nil {
		return nil, blob.Info{}, protect.BlobInfo{}, err
	}
	info.MediaType = mediaType
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, blob.Info{}, protect.BlobInfo{}, fmt.Errorf("seal evidence: %w", err)
	}
	rc.FileName, rc.FileTime = "", time.Time{}
	rc.Source = src.ID
	if rc.Level == "" {
		rc.Level = src.Level
	}
	if rc.Org == "" {
		rc.Org = src.Org
	}
	rec, binfo, err := r.Add(ctx, actor, tmp, rc)
	if err != nil {
		return nil, binfo, protect.BlobInfo{}, err
	}
	if _, err := ps.AttachEvidence(ctx, actor, src.ID, info); err != nil {
		return nil, binfo, protect.BlobInfo{}, err
	}
	return rec, binfo, info, nil
}

// intakeSealer takes files uploaded through the web intake to a sealed
// testimony into custody as `evidence add --source` does
// (http.Options.Evidence).
type intakeSealer struct {
	e    *env
	repo *evidence.Repo
}

func (s intakeSealer) SealEvidence(ctx context.Context, actor sillok.Actor, id sillok.ID, file io.Reader) (protect.BlobInfo, error) {
	src, err := s.e.sealedSource(ctx, s.repo, id)
	if err != nil {
		return protect.BlobInfo{}, err
	}
	if src == nil {
		return protect.BlobInfo{}, fmt.Errorf("seal evidence of %s: not a sealed source", id)
	}
	_, _, info, err := s.e.addSealed(ctx, s.repo, src, actor, file, evidence.Receipt{Channel: "upload", Source: id})
	return info, err
}

// recoverKey gives organisation org a new key after its key file was
// lost: the recovery key opens the escrow (same index secret, so blind
// indexes and pseudonyms stay valid; a fresh identity, since the lost
// file may be in the wrong hands), re-wraps every sealed record of org to
// the new key (a revision each: the content is not re-encrypted), and
// only then installs the key file. Interrupted, it resumes from the
// ORG.key.recovered file it left.
func (e *env) recoverKey(ctx context.Context, org, recoveryPath, escrowPath string, pass func() (string, error)) error {
	dir := e.keyDir()
	final := filepath.Join(dir, org+protect.KeyExt)
	if _, err := os.Stat(final); err == nil {
		return fmt.Errorf("organisation %s has a key file: nothing to recover", org)
	}
	rec, err := protect.LoadOrgKey(recoveryPath, pass)
	if err != nil {
		return err
	}
	if rec.Org != protect.RecoveryHolder {
		return fmt.Errorf("%w: %s is not the recovery key", errUsage, recoveryPath)
	}
	partial := final + ".recovered"
	k, err := protect.LoadOrgKey(partial, keyPassphrase)
	if errors.Is(err, fs.ErrNotExist) {
		if escrowPath == "" {
			escrowPath = filepath.Join(dir, org+".escrow")
		}
		esc, err := os.ReadFile(escrowPath)
		if err != nil {
			return fmt.Errorf("read escrow of %s: %w", org, err)
		}
		if k, err = protect.RecoverOrgKey(esc, rec); err != nil {
			return err
		}
		if k.Org != org {
			return fmt.Errorf("the escrow holds the key of %s, not %s", k.Org, org)
		}
		p, _ := keyPassphrase()
		if err := protect.SaveOrgKey(partial, k, p); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	r, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer r.Close()
	// The search index re-indexes each re-wrapped record: it must open
	// them with the recovered key.
	keys := []*protect.OrgKey{k}
	if e.keys != nil {
		for _, o := range e.keys.Orgs() {
			keys = append(keys, e.keys.Key(o))
		}
	}
	recHolder, _, err := e.ensureRecovery(dir)
	if err != nil {
		return err
	}
	kr, err := protect.NewKeyring(recHolder, korean.Key, keys...)
	if err != nil {
		return err
	}
	e.index.Reveal = kr.RevealContext
	actor := e.actor()
	n := 0
	for _, kind := range []sillok.Kind{sillok.KindPerson, sillok.KindSource} {
		err := sillok.Each(ctx, r.Store, sillok.Filter{Kind: kind, Org: org}, func(rec0 *sillok.Record) error {
			var s *sillok.Sealed
			switch b := rec0.Body.(type) {
			case *sillok.Person:
				s = b.Sealed
			case *sillok.Source:
				s = b.Sealed
			}
			if s == nil || hasWrap(s, org, k) {
				return nil
			}
			body, err := sillok.DecodeBody(rec0.Kind, mustEncode(rec0.Body))
			if err != nil {
				return err
			}
			var cp *sillok.Sealed
			switch b := body.(type) {
			case *sillok.Person:
				cp = b.Sealed
			case *sillok.Source:
				cp = b.Sealed
			}
			if err := rec.RewrapFor(cp, k.Holder()); err != nil {
				return fmt.Errorf("re-wrap %s: %w", rec0.ID, err)
			}
			if _, err := r.Store.Update(ctx, actor, rec0.ID, rec0.Rev, body, "key of "+org+" recovered: record key re-wrapped"); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return err
		}
	}
	esc, err := k.Escrow(rec.Holder())
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, org+".escrow"), esc, 0o600); err != nil {
		return fmt.Errorf("write escrow of %s: %w", org, err)
	}
	if err := os.Rename(partial, final); err != nil {
		return fmt.Errorf("install recovered key: %w", err)
	}
	fmt.Fprintf(e.stdout, "recovered the key of %s (new public key %s); re-wrapped %d records. Put the recovery key back offline.\n", org, k.Recipient(), n)
	return nil
}

// hasWrap reports whether s is wrapped to k's current identity already.
func hasWrap(s *sillok.Sealed, org string, k *protect.OrgKey) bool {
	for _, w := range s.Keys {
		if w.Holder == org && w.Recipient == k.Recipient().String() {
			return true
		}
	}
	return false
}

// mustEncode re-encodes a body, so that the copy re-wrapped is not the
// record as read.
func mustEncode(b sillok.Body) []byte {
	enc, err := sillok.EncodeBody(b)
	if err != nil {
		panic(err) // a body read from the store encodes
	}
	return enc
}
