package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/evidence"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/protect"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// openStore opens the repository the global options name, creating it on
// first use: PostgreSQL when --db is set, else SQLite in --data. Every
// write through it is logged in the custody log (see openRepo), and
// sealed when the repository has keys (see seal.go); the log is closed
// when the process ends.
func (e *env) openStore(ctx context.Context) (sillok.Store, error) {
	r, err := e.openRepo(ctx, "")
	if err != nil {
		return nil, err
	}
	return closeRepo{e.writeStore(r), r}, nil
}

// closeRepo closes the custody log with the store, so that a command
// run in a process that goes on (tests, serve --demo) lets go of the
// log's lock.
type closeRepo struct {
	sillok.Store
	r *evidence.Repo
}

func (c closeRepo) Close() error { return c.r.Close() }

// openRepo opens the record store with its blob store and custody log.
// Blobs, log and signing key live under --data in both deployments (with
// --db too: DATA/blobs, DATA/custody, DATA/keys/custody.key). keyFile
// overrides the key's place; "" means $SILLOK_LOG_KEY or the default.
func (e *env) openRepo(ctx context.Context, keyFile string) (*evidence.Repo, error) {
	if keyFile == "" {
		keyFile = os.Getenv("SILLOK_LOG_KEY")
	}
	if err := os.MkdirAll(e.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	open := func(ctx context.Context, opts sqlstore.Options) (*sqlstore.Store, error) {
		if e.dbURL != "" {
			return postgres.Open(ctx, e.dbURL, opts)
		}
		return sqlite.Open(ctx, filepath.Join(e.dataDir, "sillok.db"), opts)
	}
	ix, err := e.searchIndex()
	if err != nil {
		return nil, err
	}
	opts := sqlstore.Options{Logger: e.log, Hooks: []sqlstore.Hook{ix}}
	kr, err := e.keyring()
	if err != nil {
		return nil, err
	}
	if kr != nil {
		// Sealed records are indexed from their opened text, blind; the
		// guard refuses identities in clear that bypass the sealing store.
		ix.Reveal = kr.RevealContext
		opts.Hooks = append(opts.Hooks, protect.Guard{})
	}
	return evidence.Open(ctx, evidence.Config{DataDir: e.dataDir, KeyFile: keyFile, Logger: e.log}, open, opts)
}

// searchIndex is the full-text index hook; its blind-index key is a key
// file outside the database. The index is kept per env so that commands
// can search it after opening the store.
func (e *env) searchIndex() (*fulltext.Index, error) {
	if e.index != nil {
		return e.index, nil
	}
	key, err := e.secretKey("search.key")
	if err != nil {
		return nil, err
	}
	e.index = fulltext.New(key)
	return e.index, nil
}

// describe says where the repository is, for messages (never the DSN's
// password).
func (e *env) describe() string {
	if e.dbURL != "" {
		return "PostgreSQL repository"
	}
	return "repository in " + e.dataDir
}

// actor is who the command acts as. Until accounts exist, the local OS user
// of the organisation named by $SILLOK_ORG (default "local").
func (e *env) actor() sillok.Actor {
	name := os.Getenv("SILLOK_USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		} else {
			name = "local"
		}
	}
	org := os.Getenv("SILLOK_ORG")
	if org == "" {
		org = "local"
	}
	return sillok.Actor{User: name, Org: org}
}

func runInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "init", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	r, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Fprintf(e.stdout, "initialised %s\n", e.describe())
	// The public key is what a court needs to trust a bundle: publish it.
	fmt.Fprintf(e.stdout, "custody log %s; verifier key: %s\n", r.Custody.Key().Origin(), r.Custody.Key().VerifierKey)
	if e.keys != nil {
		fmt.Fprintf(e.stdout, "identities sealed with the keys of %s in %s; recovery key %s (keep its private half offline: docs/keys.md)\n",
			strings.Join(e.keys.Orgs(), ", "), e.keyDir(), e.keys.Recovery.Recipient)
	}
	return nil
}
