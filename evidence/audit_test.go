package evidence

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/protect"
	"github.com/sillok/sillok/sqlstore"
)

func TestDisclosureIsACustodyEvent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r, err := Open(ctx, Config{DataDir: dir}, sqliteOpener(filepath.Join(dir, "sillok.db")), sqlstore.Options{Hooks: []sqlstore.Hook{protect.Guard{}}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := protect.NewOrgKey("org-a")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := protect.NewOrgKey(protect.RecoveryHolder)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := protect.NewKeyring(rec.Holder(), nil, key)
	if err != nil {
		t.Fatal(err)
	}
	st := protect.NewStore(r.Store, r.Store.DB(), kr)
	secret := "탁옥련화"
	p := &sillok.Record{Kind: sillok.KindPerson, Org: "org-a", Level: sillok.LevelConfidential,
		Body: &sillok.Person{Names: []sillok.Name{{Value: secret}}}}
	if err := st.Create(ctx, staff, p); err != nil {
		t.Fatal(err)
	}
	table := &protect.DisclosureLog{DB: r.Store.DB()}
	if err := table.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	op := &protect.Opener{Key: key, Audit: &Auditor{Custody: r.Custody, Table: table}}
	got, _ := r.Store.Get(ctx, p.ID)

	tests := []struct {
		name    string
		purpose string
		err     error
		events  int // protected_viewed events of p after the call
	}{
		{"no purpose, no disclosure", " ", protect.ErrNoPurpose, 0},
		{"stated purpose is logged", "prosecutor request 2026-11", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := op.Person(ctx, staff, tc.purpose, got)
			if !errors.Is(err, tc.err) {
				t.Fatalf("open: %v, want %v", err, tc.err)
			}
			if err == nil && f.Names[0].Value != secret {
				t.Fatal("opened the wrong fields")
			}
			var viewed []custody.Event
			for _, e := range eventsOf(events(t, r), p.ID) {
				if e.Kind == custody.ProtectedViewed {
					viewed = append(viewed, e)
				}
			}
			if len(viewed) != tc.events {
				t.Fatalf("%d protected_viewed events, want %d", len(viewed), tc.events)
			}
			if tc.events > 0 && (viewed[0].Actor != "staff1@org-a" || viewed[0].Purpose != tc.purpose) {
				t.Fatalf("event %+v", viewed[0])
			}
		})
	}
	ds, err := table.List(ctx, "org-a", got.Created.Add(-1))
	if err != nil || len(ds) != 1 || ds[0].Record != p.ID {
		t.Fatalf("disclosure table: %v, %d rows", err, len(ds))
	}
	mustVerifyOK(t, r)
	r.Close()
	// The log holds the record ID, never the name.
	err = filepath.WalkDir(filepath.Join(dir, CustodyDir), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the name", filepath.Base(path))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
