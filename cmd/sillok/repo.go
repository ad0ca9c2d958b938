package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// openStore opens the repository the global options name, creating it on
// first use: PostgreSQL when --db is set, else SQLite in --data.
func (e *env) openStore(ctx context.Context) (*sqlstore.Store, error) {
	opts := sqlstore.Options{Logger: e.log}
	ix, err := e.searchIndex()
	if err != nil {
		return nil, err
	}
	opts.Hooks = append(opts.Hooks, ix)
	if e.dbURL != "" {
		return postgres.Open(ctx, e.dbURL, opts)
	}
	if err := os.MkdirAll(e.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(e.dataDir, "sillok.db"), opts)
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
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(e.stdout, "initialised %s\n", e.describe())
	return nil
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
