// Package postgres is the scale-out storage backend on PostgreSQL (pgx v5
// through database/sql, so the record logic in sqlstore is shared with the
// SQLite backend).
package postgres

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/sillok/sillok/sqlstore"
)

//go:embed schema.sql
var schema string

// Dialect is the PostgreSQL dialect of sqlstore.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:       "postgres",
		Migrations: []string{schema},
		ForUpdate:  " FOR UPDATE",
		IsUniqueViolation: func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == "23505"
		},
	}
}

// OpenDB opens a connection pool for the DSN (postgres://…).
func OpenDB(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return db, nil
}

// Open connects to the database at dsn and migrates it.
func Open(ctx context.Context, dsn string, opts sqlstore.Options) (*sqlstore.Store, error) {
	db, err := OpenDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(ctx, db, Dialect(), opts)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open repository: %w", err)
	}
	return s, nil
}
