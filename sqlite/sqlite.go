// Package sqlite is the embedded storage backend: one SQLite file
// (modernc.org/sqlite, pure Go, no cgo) in WAL mode, so a laptop in the
// field needs nothing but the sillok binary.
package sqlite

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"net/url"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sillok/sillok/sqlstore"
)

//go:embed schema.sql
var schema string

// Dialect is the SQLite dialect of sqlstore.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:       "sqlite",
		Migrations: []string{schema},
		IsUniqueViolation: func(err error) bool {
			var se *sqlite.Error
			return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE)
		},
	}
}

// OpenDB opens the SQLite database file at path with the settings Sillok
// relies on: WAL (readers do not block the writer), a busy timeout, foreign
// keys, and immediate transactions (a writer takes the lock at BEGIN, so two
// writers never deadlock upgrading read locks).
func OpenDB(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "cache_size(-262144)") // 256 MiB, allocated as used: big loads touch pages all over the indexes
	q.Add("_pragma", "temp_store(MEMORY)")  // statement journals of multi-row inserts stay off the disk
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Open opens (creating if needed) the repository database at path.
func Open(ctx context.Context, path string, opts sqlstore.Options) (*sqlstore.Store, error) {
	db, err := OpenDB(path)
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(ctx, db, Dialect(), opts)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	return s, nil
}
