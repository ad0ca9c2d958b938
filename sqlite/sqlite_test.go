package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
	"github.com/sillok/sillok/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sillok.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sillok.db"), sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
