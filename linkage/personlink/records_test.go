package personlink

import (
	"strings"
	"testing"

	"github.com/sillok/sillok"
)

func TestPersonRows(t *testing.T) {
	b := NewBuilder()
	prov := &sillok.Record{ID: "loc_prov", Kind: sillok.KindLocation, Body: &sillok.Location{Names: []sillok.Name{{Value: "함경북도"}}, Type: "province"}}
	county := &sillok.Record{ID: "loc_county", Kind: sillok.KindLocation, Body: &sillok.Location{Names: []sillok.Name{{Value: "회령시"}, {Value: "Hoeryong"}}, Type: "county", Parent: "loc_prov"}}
	b.AddLocation(prov)
	b.AddLocation(county)
	hangul := func(v, typ string) sillok.Name { return sillok.Name{Value: v, Script: "hangul", Type: typ} }
	latin := func(v string) sillok.Name { return sillok.Name{Value: v, Script: "latin", Type: "romanized"} }
	for _, tc := range []struct {
		name string
		p    sillok.Person
		want map[string]string
	}{
		{"north spelling and romanization", sillok.Person{Names: []sillok.Name{hangul("리영희", "birth"), latin("Ri Yong Hui")}, Sex: sillok.SexFemale, Birth: sillok.MustDate("1968-03-02"), Origin: "loc_county"},
			map[string]string{ColSurname: "i", ColGiven: "yonghi", ColGivenBirth: "yonghi", ColGivenRoman: "yonghi", ColGivenSouth: "", ColBirth: "1968-03-02", ColSex: "female", ColOrigin: "loc_prov/loc_county"}},
		{"western order, South name, month only", sillok.Person{Names: []sillok.Name{hangul("이영희", "birth"), hangul("이수진", "south"), latin("Young-hee Lee")}, Birth: sillok.MustDate("1968-03")},
			map[string]string{ColSurname: "i", ColGiven: "yonghi|sojin", ColGivenBirth: "yonghi", ColGivenRoman: "yonghi", ColGivenSouth: "sojin", ColBirth: "1968-03"}},
		{"South name only: its romanization is not the birth name", sillok.Person{Names: []sillok.Name{hangul("이수진", "south"), latin("Yi Su-jin")}, Birth: sillok.MustDate("~1968")},
			map[string]string{ColGiven: "sojin", ColGivenBirth: "", ColGivenRoman: "sojin", ColGivenSouth: "sojin", ColBirth: "1968"}},
		{"romanized only", sillok.Person{Names: []sillok.Name{latin("Pak Chol")}, Birth: sillok.MustDate("1959")},
			map[string]string{ColSurname: "bak", ColGivenBirth: "jol", ColGivenRoman: "jol", ColBirth: "1959"}},
		{"nickname Mr Kim, origin as told", sillok.Person{Names: []sillok.Name{hangul("김씨", "nickname")}, OriginText: "회령시 사람"},
			map[string]string{ColSurname: "gim", ColGiven: "", ColOrigin: "loc_prov/loc_county"}},
		{"nickname from a given name, unknown place", sillok.Person{Names: []sillok.Name{hangul("영이", "nickname")}, OriginText: "어딘가"},
			map[string]string{ColSurname: "", ColGiven: "", ColOrigin: ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := sillok.ID("per_" + strings.ReplaceAll(tc.name, " ", "_"))
			if err := b.AddPerson(&sillok.Record{ID: id, Kind: sillok.KindPerson, Org: "org", Body: &tc.p}); err != nil {
				t.Fatal(err)
			}
			i := b.Index(id)
			for col, want := range tc.want {
				if got := b.Table().Value(i, col); got != want {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
		})
	}
	// Acts add their events to their victim, once each.
	id := b.IDs()[0]
	for _, ev := range []sillok.ID{"evt_1", "evt_2", "evt_1"} {
		if err := b.AddAct(&sillok.Record{ID: "act_x", Kind: sillok.KindAct, Body: &sillok.Act{Event: ev, Victim: id, Type: "arrest"}}); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.Table().Value(0, ColEvents); got != "evt_1|evt_2" {
		t.Errorf("events = %q, want evt_1|evt_2", got)
	}
	// Deleted records and other kinds are not rows.
	n := b.Len()
	b.AddPerson(&sillok.Record{ID: "per_gone", Kind: sillok.KindPerson, Deleted: true, Body: &sillok.Person{Names: []sillok.Name{hangul("김철", "birth")}}})
	b.AddPerson(prov)
	if b.Len() != n {
		t.Errorf("deleted person or location became a row: %d rows, want %d", b.Len(), n)
	}
}

func TestLooseKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"jilyon", "jiyon"},   // 지련
		{"ji-yon", "jiyon"},   // 지연
		{"telyong", "teyong"}, // 대룡
		{"te-yong", "teyong"}, // 대용
		{"yonghi", "yonghi"},
		{"jol", "jol"}, // a final l stays
		{"", ""},
	} {
		if got := LooseKey(tc.in); got != tc.want {
			t.Errorf("LooseKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzLooseKey(f *testing.F) {
	for _, s := range []string{"jilyon", "ji-yon", "l", "-", "lly", "ㄹ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := LooseKey(s)
		if strings.Contains(k, "-") || len(k) > len(s) {
			t.Fatalf("LooseKey(%q) = %q: hyphen left or longer", s, k)
		}
		if LooseKey(k) != LooseKey(LooseKey(k)) {
			t.Fatalf("LooseKey not stable on %q", s)
		}
	})
}

// TestUnion checks clustering with cannot-link constraints: a chain of
// same links does not join records a different decision separates, and
// the constraint follows the components as they merge.
func TestUnion(t *testing.T) {
	u := newUnion(5)
	u.cannot(0, 3)
	for _, j := range [][2]int32{{0, 1}, {1, 2}, {3, 4}} {
		if !u.join(j[0], j[1]) {
			t.Fatalf("join %v refused", j)
		}
	}
	if u.join(2, 4) {
		t.Error("joined {0,1,2} and {3,4} across a different decision between 0 and 3")
	}
	if u.find(2) != 0 || u.find(4) != 3 {
		t.Errorf("roots: %d and %d, want the smallest index of each component (0 and 3)", u.find(2), u.find(4))
	}
}
