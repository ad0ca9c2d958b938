package postgres_test

import (
	"context"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlstore"
	"github.com/sillok/sillok/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sillok.Store {
		s, err := postgres.Open(context.Background(), pgtest.DSN(t), sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
