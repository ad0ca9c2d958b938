package protect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sillok/sillok"
)

// Pseudonyms hands out stable pseudonyms ("V-0113") from a counter per
// organisation, kept in table protect_pseudonyms of the repository
// database. A counter, not a keyed hash of the record ID: it gives short
// names without collisions at any size, and needs no key (so pseudonyms
// survive the loss of a key file). It reveals the order in which an
// organisation's protected persons were first sealed, which the record
// IDs (time-ordered) reveal already.
type Pseudonyms struct {
	Prefix string // "V-" when empty
}

const pseudonymSchema = `CREATE TABLE IF NOT EXISTS protect_pseudonyms (
	org TEXT NOT NULL,
	n INTEGER NOT NULL,
	record_id TEXT NOT NULL UNIQUE,
	PRIMARY KEY (org, n)
)`

// Setup creates the table; it is idempotent.
func (Pseudonyms) Setup(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, pseudonymSchema); err != nil {
		return fmt.Errorf("create pseudonym table: %w", err)
	}
	return nil
}

// Execer is a *sql.DB or a *sql.Tx: assign a pseudonym in the transaction
// that writes the record.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Assign returns the pseudonym of record id in org, allocating the next
// number the first time. Concurrent allocations in separate transactions
// may clash on the primary key; the loser's transaction fails and is
// retried by the caller like any write conflict.
func (p Pseudonyms) Assign(ctx context.Context, q Execer, org string, id sillok.ID) (string, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT n FROM protect_pseudonyms WHERE record_id = $1`, string(id)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		err = q.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM protect_pseudonyms WHERE org = $1`, org).Scan(&n)
		if err == nil {
			_, err = q.ExecContext(ctx, `INSERT INTO protect_pseudonyms (org, n, record_id) VALUES ($1, $2, $3)`, org, n, string(id))
		}
	}
	if err != nil {
		return "", fmt.Errorf("assign pseudonym to record %s: %w", id, err)
	}
	return p.Format(n), nil
}

// Format renders number n: at least four digits.
func (p Pseudonyms) Format(n int64) string {
	prefix := p.Prefix
	if prefix == "" {
		prefix = "V-"
	}
	return fmt.Sprintf("%s%04d", prefix, n)
}
