package protect

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlite"
)

type failingAuditor struct{}

func (failingAuditor) Disclosed(context.Context, Disclosure) error { return errors.New("log full") }

func TestAuditedDisclosure(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) *sql.DB{
		"sqlite": func(t *testing.T) *sql.DB {
			db, err := sqlite.OpenDB(filepath.Join(t.TempDir(), "d.db"))
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
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			defer db.Close()
			log := DisclosureLog{DB: db}
			if err := log.Setup(ctx); err != nil {
				t.Fatal(err)
			}
			a, b, rec := mustKey(t, "ngo-a"), mustKey(t, "ngo-b"), mustKey(t, RecoveryHolder)
			s := mustSealer(t, a, rec, nil)
			id := sillok.NewID(sillok.KindPerson)
			body, _, err := s.SealPerson(id, &sillok.Person{Names: []sillok.Name{{Value: "탁옥련"}}}, "V-0001", PersonFields{})
			if err != nil {
				t.Fatal(err)
			}
			r := &sillok.Record{ID: id, Kind: sillok.KindPerson, Org: "ngo-a", Body: body}
			t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
			o := &Opener{Key: a, Audit: log, Now: func() time.Time { return t0 }}
			who := sillok.Actor{User: "legal1", Org: "ngo-a"}

			if _, err := o.Person(ctx, who, "  ", r); !errors.Is(err, ErrNoPurpose) {
				t.Errorf("no purpose: %v", err)
			}
			f, err := o.Person(ctx, who, "verify identity for case file 12", r)
			if err != nil || f.Names[0].Value != "탁옥련" {
				t.Fatalf("Person: %v", err)
			}
			// Nothing decrypts when the audit cannot be written.
			if _, err := (&Opener{Key: a, Audit: failingAuditor{}}).Person(ctx, who, "x", r); err == nil {
				t.Error("opened without an audit record")
			}
			// A key that cannot open leaves no audit record.
			if _, err := (&Opener{Key: b, Audit: log}).Person(ctx, sillok.Actor{User: "x", Org: "ngo-b"}, "curious", r); !errors.Is(err, ErrNoKey) {
				t.Errorf("other org: %v", err)
			}
			ds, err := log.List(ctx, "", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			want := Disclosure{Time: t0, User: "legal1", Org: "ngo-a", Record: id, Purpose: "verify identity for case file 12"}
			if len(ds) != 1 || ds[0] != want {
				t.Fatalf("disclosures = %+v, want [%+v]", ds, want)
			}
			if ds, _ := log.List(ctx, "ngo-b", time.Time{}); len(ds) != 0 {
				t.Errorf("org filter: %+v", ds)
			}
			if ds, _ := log.List(ctx, "ngo-a", t0.Add(time.Second)); len(ds) != 0 {
				t.Errorf("since filter: %+v", ds)
			}
			if _, err := o.Source(ctx, who, "x", r); err == nil {
				t.Error("a person opened as a source")
			}
		})
	}
}
