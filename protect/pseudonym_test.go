package protect

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlite"
)

func TestPseudonyms(t *testing.T) {
	dbs := map[string]func(t *testing.T) *sql.DB{
		"sqlite": func(t *testing.T) *sql.DB {
			db, err := sqlite.OpenDB(filepath.Join(t.TempDir(), "p.db"))
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
		"postgres": func(t *testing.T) *sql.DB {
			db, err := postgres.OpenDB(context.Background(), pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
	}
	for name, open := range dbs {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			defer db.Close()
			var ps Pseudonyms
			for range 2 { // Setup is idempotent
				if err := ps.Setup(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			a1, a2, b1 := sillok.ID("per_a1"), sillok.ID("per_a2"), sillok.ID("per_b1")
			steps := []struct {
				org  string
				id   sillok.ID
				want string
			}{
				{"a", a1, "V-0001"}, {"a", a2, "V-0002"}, {"b", b1, "V-0001"}, {"a", a1, "V-0001"}, {"a", a2, "V-0002"},
			}
			for _, s := range steps {
				got, err := ps.Assign(ctx, db, s.org, s.id)
				if err != nil {
					t.Fatal(err)
				}
				if got != s.want {
					t.Errorf("Assign(%s, %s) = %s, want %s", s.org, s.id, got, s.want)
				}
			}
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Pseudonyms{Prefix: "W-"}.Assign(ctx, tx, "b", "per_b2")
			tx.Rollback()
			if err != nil || got != "W-0002" {
				t.Errorf("in a transaction: %q, %v", got, err)
			}
			if got, _ := ps.Assign(ctx, db, "b", "per_b3"); got != "V-0002" {
				t.Errorf("after rollback: %q, want the number back", got)
			}
		})
	}
}
