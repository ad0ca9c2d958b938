package auth

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sillok/sillok"
)

// matrix is the authorisation matrix, written out by hand: one line per
// action and level; one cell per relation of the user to the record; one
// letter per role in the order admin, documenter, analyst, legal, viewer:
//
//	I  allowed, identities in clear
//	P  allowed, pseudonymised
//	A  allowed (writes)
//	F  forbidden (403): the caller may know the record exists
//	N  not found (404): the same answer as for a missing record
//
// Relations: own (user of the owning organisation, not named), own+named
// (named on the record), shared, shared+named (a partner the record is
// shared with), other (an organisation it is not shared with).
const matrix = `
# action  level         own   own+named shared shared+named other
read      public        IIPIP IIPIP     IIPIP  IIPIP        PPPPP
read      internal      IIPIP IIPIP     IIPIP  IIPIP        NNNNN
read      confidential  IIPIN IIPIN     IIPIN  IIPIN        NNNNN
read      strict        NNNNN IIPIN     NNNNN  IIPIN        NNNNN
disclose  public        IIFIF IIFIF     IIFIF  IIFIF        FFFFF
disclose  internal      IIFIF IIFIF     IIFIF  IIFIF        NNNNN
disclose  confidential  IIFIN IIFIN     IIFIN  IIFIN        NNNNN
disclose  strict        NNNNN IIFIN     NNNNN  IIFIN        NNNNN
create    public        IIFFF IIFFF     FFFFF  FFFFF        FFFFF
create    internal      IIFFF IIFFF     FFFFF  FFFFF        FFFFF
create    confidential  IIFFF IIFFF     FFFFF  FFFFF        FFFFF
create    strict        IIFFF IIFFF     FFFFF  FFFFF        FFFFF
update    public        AAFFF AAFFF     FFFFF  FFFFF        FFFFF
update    internal      AAFFF AAFFF     FFFFF  FFFFF        NNNNN
update    confidential  AAFFN AAFFN     FFFFN  FFFFN        NNNNN
update    strict        NNNNN AAFFN     NNNNN  FFFFN        NNNNN
delete    public        AAFFF AAFFF     FFFFF  FFFFF        FFFFF
delete    internal      AAFFF AAFFF     FFFFF  FFFFF        NNNNN
delete    confidential  AAFFN AAFFN     FFFFN  FFFFN        NNNNN
delete    strict        NNNNN AAFFN     NNNNN  FFFFN        NNNNN
share     public        AFFAF AFFAF     FFFFF  FFFFF        FFFFF
share     internal      AFFAF AFFAF     FFFFF  FFFFF        NNNNN
share     confidential  AFFAN AFFAN     FFFFN  FFFFN        NNNNN
share     strict        NNNNN AFFAN     NNNNN  FFFFN        NNNNN
export    public        IFPIF IFPIF     IFPIF  IFPIF        PFPPF
export    internal      IFPIF IFPIF     IFPIF  IFPIF        NNNNN
export    confidential  IFPIN IFPIN     IFPIN  IFPIN        NNNNN
export    strict        NNNNN IFPIN     NNNNN  IFPIN        NNNNN
`

var relations = []string{"own", "own+named", "shared", "shared+named", "other"}

// setup returns the user of role in relation to a record of level owned by
// ngo-a and shared with ngo-b, and the record's metadata.
func setup(rel string, role Role, level sillok.Level) (*User, *Meta) {
	org := map[string]string{"own": "ngo-a", "own+named": "ngo-a", "shared": "ngo-b", "shared+named": "ngo-b", "other": "ngo-c"}[rel]
	u := &User{Name: string(role) + "." + org, Org: org, Role: role}
	m := &Meta{Org: "ngo-a", Level: level, SharedWith: []string{"ngo-b"}, Named: []string{"someone.else"}}
	if strings.HasSuffix(rel, "+named") {
		m.Named = append(m.Named, u.Name)
	}
	return u, m
}

func cell(d Decision, a Action) byte {
	switch d.Effect {
	case NotFound:
		return 'N'
	case Forbidden:
		return 'F'
	case Allow:
		switch {
		case a == ActionRead || a == ActionDisclose || a == ActionExport || a == ActionCreate:
			if d.Identities {
				return 'I'
			}
			return 'P'
		default:
			return 'A'
		}
	}
	return '?'
}

func TestDecideMatrix(t *testing.T) {
	seen := map[string]bool{}
	for n, line := range strings.Split(matrix, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 2+len(relations) {
			t.Fatalf("matrix line %d: %d fields", n, len(f))
		}
		a, level := Action(f[0]), sillok.Level(f[1])
		seen[f[0]+" "+f[1]] = true
		for ri, rel := range relations {
			want := f[2+ri]
			var got []byte
			for _, role := range Roles() {
				u, m := setup(rel, role, level)
				got = append(got, cell(Decide(u, a, m), a))
			}
			if string(got) != want {
				t.Errorf("%s %s %s: got %s, want %s (roles adm doc ana leg vie)", a, level, rel, got, want)
			}
		}
	}
	for _, a := range Actions() {
		for _, l := range []sillok.Level{sillok.LevelPublic, sillok.LevelInternal, sillok.LevelConfidential, sillok.LevelStrict} {
			if !seen[string(a)+" "+string(l)] {
				t.Errorf("matrix has no line for %s %s", a, l)
			}
		}
	}
}

// TestDecideHidesExistence: whenever a caller may not see a record, every
// action gets exactly the answer a missing record gets.
func TestDecideHidesExistence(t *testing.T) {
	for _, role := range Roles() {
		for _, rel := range relations {
			for _, level := range []sillok.Level{sillok.LevelPublic, sillok.LevelInternal, sillok.LevelConfidential, sillok.LevelStrict} {
				u, m := setup(rel, role, level)
				if Decide(u, ActionRead, m).Effect != NotFound {
					continue
				}
				for _, a := range Actions() {
					if a == ActionCreate {
						continue
					}
					got, missing := Decide(u, a, m), Decide(u, a, nil)
					if got != missing || got.Err() == nil || got.Err().Error() != missing.Err().Error() {
						t.Errorf("%s %s %s %s: %v, missing record gives %v", role, rel, level, a, got, missing)
					}
				}
			}
		}
	}
}

func TestDecideEdges(t *testing.T) {
	m := &Meta{Org: "ngo-a", Level: sillok.LevelPublic}
	admin := &User{Name: "a", Org: "ngo-a", Role: RoleAdmin}
	tests := []struct {
		name string
		u    *User
		a    Action
		m    *Meta
		want Effect
	}{
		{"no user", nil, ActionRead, m, Unauthenticated},
		{"disabled", &User{Name: "a", Org: "ngo-a", Role: RoleAdmin, Disabled: true}, ActionRead, m, Unauthenticated},
		{"unknown role", &User{Name: "a", Org: "ngo-a", Role: "root"}, ActionRead, m, Unauthenticated},
		{"missing record", admin, ActionUpdate, nil, NotFound},
		{"unknown action", admin, Action("chmod"), m, Forbidden},
		{"unknown level", admin, ActionRead, &Meta{Org: "ngo-a", Level: "secret"}, NotFound},
		{"thesaurus read by viewer elsewhere", &User{Name: "v", Org: "ngo-c", Role: RoleViewer}, ActionRead, &Meta{Org: SystemOrg, Level: sillok.LevelPublic}, Allow},
		{"thesaurus edit by admin elsewhere", &User{Name: "x", Org: "ngo-c", Role: RoleAdmin}, ActionUpdate, &Meta{Org: SystemOrg, Level: sillok.LevelPublic}, Allow},
		{"thesaurus term created by admin", &User{Name: "x", Org: "ngo-c", Role: RoleAdmin}, ActionCreate, &Meta{Org: SystemOrg, Level: sillok.LevelPublic}, Allow},
		{"thesaurus edit by documenter", &User{Name: "d", Org: "ngo-a", Role: RoleDocumenter}, ActionUpdate, &Meta{Org: SystemOrg, Level: sillok.LevelPublic}, Forbidden},
	}
	for _, tt := range tests {
		if got := Decide(tt.u, tt.a, tt.m); got.Effect != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got.Effect, tt.want)
		}
	}
	for _, e := range []Effect{NotFound, Forbidden, Unauthenticated, Allow} {
		err := Decision{Effect: e}.Err()
		if (e == Allow) != (err == nil) {
			t.Errorf("%v: Err = %v", e, err)
		}
	}
	if err := (Decision{Effect: NotFound}).Err(); !strings.Contains(fmt.Sprint(err), sillok.ErrNotFound.Error()) {
		t.Errorf("not-found error %v does not read as a missing record", err)
	}
}
