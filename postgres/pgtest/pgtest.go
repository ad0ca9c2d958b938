// Package pgtest gives tests a fresh PostgreSQL schema of their own on the
// server named by $SILLOK_TEST_POSTGRES, or skips them when it is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/sillok/sillok/postgres"
)

// DSN creates a schema, returns a DSN whose search_path is that schema, and
// drops the schema when the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("SILLOK_TEST_POSTGRES")
	if base == "" {
		t.Skip("SILLOK_TEST_POSTGRES not set: skipping the PostgreSQL run")
	}
	ctx := context.Background()
	db, err := postgres.OpenDB(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "sillok_test_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
