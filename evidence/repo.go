// Package evidence wires Sillok's integrity libraries into the repository:
// originals go into the blob store (package blob, fsblob), every record
// revision and every receipt goes into the signed custody log (package
// custody) through a sqlstore hook, Verify (`sillok log verify`) checks
// the three against each other, and Export (`sillok bundle export`)
// writes bundles (package bundle) from them.
//
// Layout of a repository's data directory:
//
//	DATA/blobs              the blob store (fsblob)
//	DATA/custody            the custody log (custody.FileStorage)
//	DATA/keys/custody.key   the log's signing key (custody.GenerateKeyFile),
//	                        .pub beside it; kept outside the database so
//	                        that whoever can write the database cannot sign
//
// A PostgreSQL deployment keeps the blobs, log and key in the same places
// under its data directory; only the pending-event table lives in the
// database. So one host appends to the log at a time (a file lock says so):
// SQL custody.Storage implementations for several application hosts are
// not written yet.
//
// What the log says about records: revision 1 is record_created, every
// later revision record_revised, each naming the revision's hash
// (sillok.Revision.ComputeHash). A deletion is the record_revised of its
// tombstone revision: nothing is ever removed, so nothing else is needed.
// The first revision of an evidence record also logs evidence_received (or
// derivative_made for a derived copy, naming the original's hash and the
// operation) in the same transaction, with the evidence record's ID as
// Record; an item of confidential or strict level is logged by a salted
// commitment (the salt is kept in the record and exported with it) instead
// of its bare hash. Event times are the revision times (when the
// repository took custody); the receipt date given by the user is in the
// record. Actors are "user@org" staff accounts; no event holds a name.
//
// Written by hand over the repository's own packages: the job is glue
// between sqlstore, fsblob, custody and bundle, which no library provides.
package evidence

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/blob/fsblob"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/sqlstore"
)

// Repo is a record store with its blob store and custody log.
type Repo struct {
	Store   *sqlstore.Store
	Blobs   *fsblob.Store
	Custody *Custody
}

// Config says where a Repo's parts are.
type Config struct {
	DataDir string // holds blobs/ and custody/
	KeyFile string // default DataDir/keys/custody.key
	Logger  *slog.Logger
}

// StoreOpener opens the record store with the given options (sqlite.Open
// or postgres.Open with their path or DSN bound).
type StoreOpener func(ctx context.Context, opts sqlstore.Options) (*sqlstore.Store, error)

// Open opens (creating on first use) the blob store, the signing key and
// the custody hook, then the record store with the hook installed, which
// appends any events a crash left pending.
func Open(ctx context.Context, cfg Config, open StoreOpener, opts sqlstore.Options) (*Repo, error) {
	c, blobs, err := OpenParts(cfg)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = cfg.Logger
	}
	opts.Hooks = append(opts.Hooks, c)
	st, err := open(ctx, opts)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &Repo{Store: st, Blobs: blobs, Custody: c}, nil
}

// OpenParts opens the blob store and loads (or creates) the key, and returns
// the custody hook for a store that its caller opens itself.
func OpenParts(cfg Config) (*Custody, *fsblob.Store, error) {
	if cfg.KeyFile == "" {
		cfg.KeyFile = filepath.Join(cfg.DataDir, KeyFile)
	}
	key, created, err := LoadOrCreateKey(cfg.KeyFile)
	if err != nil {
		return nil, nil, err
	}
	if created && cfg.Logger != nil {
		cfg.Logger.Info("created custody log signing key", "file", cfg.KeyFile, "origin", key.Origin())
	}
	blobs, err := fsblob.Open(filepath.Join(cfg.DataDir, BlobsDir))
	if err != nil {
		return nil, nil, fmt.Errorf("open blob store: %w", err)
	}
	return NewCustody(filepath.Join(cfg.DataDir, CustodyDir), key, cfg.Logger), blobs, nil
}

// Close closes the record store and the custody log.
func (r *Repo) Close() error {
	return errors.Join(r.Store.Close(), r.Custody.Close())
}

// Receipt is how a file came into custody.
type Receipt struct {
	FileName string    // original file name (kept in the record only)
	FileTime time.Time // original modification time
	From     string    // from whom (free text; stays in the record)
	Channel  string    // how: "in person", "courier", "upload"
	Received time.Time // when; zero means now
	Source   sillok.ID // the source record it belongs to
	// DerivedFrom and Operation make the file a derived copy of another
	// evidence record's file.
	DerivedFrom sillok.ID
	Operation   string
	Level       sillok.Level // confidentiality; confidential and strict items are logged by commitment
	Org         string
}

// Protected reports whether items of level l are logged by salted
// commitment rather than bare hash.
func Protected(l sillok.Level) bool {
	return l == sillok.LevelConfidential || l == sillok.LevelStrict
}

// Add streams r into the blob store (constant memory; the same bytes are
// stored once) and records its receipt as a new evidence record, whose
// custody events (record_created and evidence_received or derivative_made)
// are in a signed checkpoint when Add returns. Each call is a new receipt,
// even of bytes already stored.
func (r *Repo) Add(ctx context.Context, actor sillok.Actor, rd io.Reader, rc Receipt) (*sillok.Record, blob.Info, error) {
	info, mt, err := blob.PutDetect(ctx, r.Blobs, rd)
	if err != nil {
		return nil, info, fmt.Errorf("store original: %w", err)
	}
	if rc.Received.IsZero() {
		rc.Received = time.Now()
	}
	ev := &sillok.Evidence{
		SHA256: info.Hash.String(), Size: info.Size, MediaType: mt,
		FileName: rc.FileName, ReceivedBy: actor.User, From: rc.From,
		Received: sillok.Timestamp(rc.Received), Channel: rc.Channel, Source: rc.Source,
		DerivedFrom: rc.DerivedFrom, Operation: rc.Operation,
	}
	if !rc.FileTime.IsZero() {
		ev.FileTime = sillok.Timestamp(rc.FileTime)
	}
	if Protected(rc.Level) {
		if ev.Salt, err = NewSalt(); err != nil {
			return nil, info, err
		}
	}
	rec := &sillok.Record{Kind: sillok.KindEvidence, Org: rc.Org, Level: rc.Level, Body: ev}
	if err := r.Store.Create(ctx, actor, rec); err != nil {
		return nil, info, fmt.Errorf("record evidence %s: %w", info.Hash, err)
	}
	return rec, info, nil
}

// Paths under a data directory.
const (
	BlobsDir   = "blobs"
	CustodyDir = "custody"
	KeyFile    = "keys/custody.key"
)

// LoadOrCreateKey loads the log signing key at path, or generates it on
// first use with origin "sillok/<random repository id>". The origin is
// the log's name in every checkpoint and bundle.
func LoadOrCreateKey(path string) (*custody.Key, bool, error) {
	k, err := custody.LoadKeyFile(path)
	if err == nil {
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("load custody log key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("create custody log key: %w", err)
	}
	var id [10]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, false, err
	}
	origin := "sillok/" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(id[:]))
	k, err = custody.GenerateKeyFile(path, origin)
	if err != nil {
		return nil, false, fmt.Errorf("create custody log key: %w", err)
	}
	return k, true, nil
}

// ParseSalt parses a commitment salt as stored in an evidence record.
func ParseSalt(s string) (custody.Salt, error) {
	var salt custody.Salt
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(salt) || hex.EncodeToString(b) != s {
		return salt, errors.New("salt: want 64 lower-case hex digits")
	}
	copy(salt[:], b)
	return salt, nil
}

// NewSalt returns a fresh salt in its stored form.
func NewSalt() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new salt: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
