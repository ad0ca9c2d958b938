package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// TestThesauriUpgrade: a repository made by a build shipping thesauri v1
// (without consent_use) gets the new terms when this build opens it, as
// the same revisions a new repository holds, so exports still merge.
func TestThesauriUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := sqlite.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Make it what v1 left: no consent_use terms, version 1.
	db, err := sqlite.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM revisions WHERE id LIKE 'trm_consent_use.%'`,
		`DELETE FROM records WHERE id LIKE 'trm_consent_use.%'`,
		`DELETE FROM attrs WHERE record_id LIKE 'trm_consent_use.%'`,
		`DELETE FROM refs WHERE from_id LIKE 'trm_consent_use.%'`,
		`UPDATE meta SET value = '1' WHERE key = 'thesauri_version'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	old, err := sqlite.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	fresh, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "new.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	for _, u := range sillok.ConsentUses() {
		id := sillok.TermID("consent_use", u)
		a, err := old.Revision(ctx, id, 1)
		if err != nil {
			t.Fatalf("upgraded repository lacks %s: %v", id, err)
		}
		b, err := fresh.Revision(ctx, id, 1)
		if err != nil {
			t.Fatal(err)
		}
		if a.Hash != b.Hash || a.Actor != "system" {
			t.Errorf("%s: upgraded revision %s by %s, new repository's %s", id, a.Hash, a.Actor, b.Hash)
		}
	}
}
