package protect

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

func TestGuard(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"), sqlstore.Options{Hooks: []sqlstore.Hook{Guard{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, rec := mustKey(t, "ngo-a"), mustKey(t, RecoveryHolder)
	s := mustSealer(t, a, rec, nil)
	actor := sillok.Actor{User: "doc1", Org: "ngo-a"}
	secret := "탁옥련화"
	clearPerson := func() *sillok.Person {
		return &sillok.Person{Names: []sillok.Name{{Value: secret}}, Birth: sillok.MustDate("1971-08-23")}
	}
	sealedID := sillok.NewID(sillok.KindPerson)
	sealed, _, err := s.SealPerson(sealedID, clearPerson(), "V-0001", PersonFields{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		id    sillok.ID
		level sillok.Level
		body  sillok.Body
		field string // "" means stored
	}{
		{"perpetrator in clear at internal level", "", sillok.LevelInternal, clearPerson(), ""},
		{"clear names at confidential", "", sillok.LevelConfidential, clearPerson(), "names"},
		{"clear names at strict", "", sillok.LevelStrict, clearPerson(), "names"},
		{"sealed at strict", sealedID, sillok.LevelStrict, sealed, ""},
		{"sealed but exact birth date", "", sillok.LevelConfidential, func() *sillok.Person {
			p := *sealed
			p.Birth = sillok.MustDate("1971-08-23")
			return &p
		}(), "birth"},
		{"clear transcript at confidential", "", sillok.LevelConfidential, &sillok.Source{Type: "document", Transcript: sillok.Labels{Ko: secret}}, "transcript"},
		{"clear evidence at strict", "", sillok.LevelStrict, &sillok.Source{Type: "media", Evidence: []string{strings.Repeat("a", 64)}}, "evidence"},
		{"public source", "", sillok.LevelPublic, &sillok.Source{Type: "document", Transcript: sillok.Labels{En: "x"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := st.Create(ctx, actor, &sillok.Record{ID: tt.id, Kind: tt.body.Kind(), Org: "ngo-a", Level: tt.level, Body: tt.body})
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *sillok.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, sillok.ErrInvalid) {
				t.Fatalf("err = %v, want a FieldError on %s", err, tt.field)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatal("error quotes the protected value")
			}
		})
	}
	page, err := st.List(ctx, sillok.Filter{Kind: sillok.KindPerson})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 2 {
		t.Errorf("%d persons stored, want the internal and the sealed one", len(page.Records))
	}
}
