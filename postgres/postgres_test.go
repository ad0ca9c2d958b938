package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/sqlstore"
	"github.com/sillok/sillok/storetest"
)

// testDSN returns a DSN for a fresh schema on $SILLOK_TEST_POSTGRES, dropped
// when the test ends, or skips the test when the variable is unset.
func testDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv("SILLOK_TEST_POSTGRES")
	if base == "" {
		t.Skip("SILLOK_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	db, err := postgres.OpenDB(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("sillok_test_%d", rand.Int64())
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

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sillok.Store {
		s, err := postgres.Open(context.Background(), testDSN(t), sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
