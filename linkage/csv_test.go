package linkage

import (
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	tab, err := NewTable("name", "dob")
	if err != nil {
		t.Fatal(err)
	}
	in := "\uFEFFid, name, dob, extra\n1, 김영희, 1970-01-01, x\n2, , 1971, y\n"
	if err := tab.ReadCSV(strings.NewReader(in), "a.csv", "id"); err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 2 || tab.Value(0, "name") != "김영희" || tab.Value(1, "name") != "" || tab.Value(1, "dob") != "1971" || tab.Source(1) != "a.csv" || tab.ID(1) != "2" {
		t.Errorf("table read wrong: %d records, %q %q %q", tab.Len(), tab.Value(0, "name"), tab.Value(1, "dob"), tab.ID(1))
	}
	for _, tc := range []struct{ name, in, want string }{
		{"no id column", "name,dob\nx,y\n", `no id column "id"`},
		{"missing column", "id,name\n1,x\n", `no column "dob"`},
		{"duplicate id", "id,name,dob\n1,x,y\n1,z,w\n", `line 3: id "1" seen before`},
		{"empty id", "id,name,dob\n,x,y\n", "line 2: empty id"},
		{"ragged", "id,name,dob\n1,secret name\n", "wrong number of fields"},
		{"empty", "", "empty file"},
	} {
		tab, _ := NewTable("name", "dob")
		err := tab.ReadCSV(strings.NewReader(tc.in), "b.csv", "id")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error %q leaks a field value", tc.name, err)
		}
	}
}

func TestReadLabels(t *testing.T) {
	in := "source_l,id_l,source_r,id_r,decision,note\na.csv,1,b.csv,7,same,\"new name, same mother\"\na.csv,2,a.csv,3,Different,\na.csv,2,a.csv,4,unsure,ask again\n"
	ls, err := ReadLabels(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3 || ls[0].Decision != Same || ls[0].Note != "new name, same mother" || ls[1].Decision != Different || ls[2].Decision != Unsure || ls[0].B != (Ref{"b.csv", "7"}) {
		t.Errorf("labels read wrong: %+v", ls)
	}
	for _, tc := range []struct{ in, want string }{
		{"a,b\n", "header has 2 columns"},
		{"source_l,id_l,source_r,id_r,verdict,note\n", "header column 5"},
		{"source_l,id_l,source_r,id_r,decision,note\na,1,b,2,maybe,\n", `line 2: decision "maybe"`},
		{"source_l,id_l,source_r,id_r,decision,note\na,,b,2,same,\n", "empty id"},
	} {
		if _, err := ReadLabels(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadLabels(%q): error %v, want %q", tc.in, err, tc.want)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("id,name,dob\n1,a,1970\n2,,\n")
	f.Add("id, name, dob\n\"1\",\"a,b\",x\n")
	f.Add("id,name\n1,a\n")
	f.Fuzz(func(t *testing.T, in string) {
		tab, _ := NewTable("name", "dob")
		err := tab.ReadCSV(strings.NewReader(in), "f.csv", "id")
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for i := 0; i < tab.Len(); i++ {
			if tab.ID(i) == "" || seen[tab.ID(i)] {
				t.Fatalf("record %d: empty or repeated id %q accepted", i, tab.ID(i))
			}
			seen[tab.ID(i)] = true
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	f.Add("source_l,id_l,source_r,id_r,decision,note\na,1,b,2,same,x\n")
	f.Add("source_l,id_l,source_r,id_r,decision,note\na,1,b,2,unsure,\"q\"\"\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		ls, err := ReadLabels(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, l := range ls {
			if l.A.ID == "" || l.B.ID == "" || l.Decision < Unsure || l.Decision > Different {
				t.Fatalf("bad label accepted: %+v", l)
			}
		}
	})
}

func TestTableSet(t *testing.T) {
	tab, err := NewTable("name", "events")
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.Add("a", "1", "김영희", ""); err != nil {
		t.Fatal(err)
	}
	if err := tab.Set(0, "events", "e1|e2"); err != nil {
		t.Fatal(err)
	}
	if got := tab.Value(0, "events"); got != "e1|e2" {
		t.Errorf("after Set: %q", got)
	}
	if err := tab.Set(1, "events", "x"); err == nil {
		t.Error("Set out of range: no error")
	}
	if err := tab.Set(0, "nope", "x"); err == nil {
		t.Error("Set of an unknown column: no error")
	}
}
