package auth

import (
	"errors"
	"fmt"
	"slices"

	"github.com/sillok/sillok"
)

// Role is what a user may do within their organisation.
type Role string

const (
	RoleAdmin      Role = "admin"      // manages accounts, sharing, exports; reads identities
	RoleDocumenter Role = "documenter" // records testimonies; reads and writes identities
	RoleAnalyst    Role = "analyst"    // works on pseudonymised data; never sees identities
	RoleLegal      Role = "legal"      // legal officer: reads identities, shares, builds bundles
	RoleViewer     Role = "viewer"     // reads public and internal records, pseudonymised
)

// Roles lists every role in a fixed order.
func Roles() []Role { return []Role{RoleAdmin, RoleDocumenter, RoleAnalyst, RoleLegal, RoleViewer} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Action is what a caller wants to do with a record.
type Action string

const (
	ActionRead     Action = "read"     // see the record (identities only if Decision.Identities)
	ActionDisclose Action = "disclose" // decrypt its protected fields (audited)
	ActionCreate   Action = "create"
	ActionUpdate   Action = "update"
	ActionDelete   Action = "delete"
	ActionShare    Action = "share"  // change sharing, named users or level
	ActionExport   Action = "export" // include in an export or bundle (consent is checked apart)
)

// Actions lists every action in a fixed order.
func Actions() []Action {
	return []Action{ActionRead, ActionDisclose, ActionCreate, ActionUpdate, ActionDelete, ActionShare, ActionExport}
}

// SystemOrg owns the records Sillok ships (thesauri); admins of every
// organisation maintain them.
const SystemOrg = "system"

// Meta is what the policy needs to know about a record.
type Meta struct {
	Org        string       // owning organisation
	Level      sillok.Level // confidentiality
	SharedWith []string     // partner organisations, shared explicitly
	// Named are the users (account names) given access to a strict
	// record; for other levels it is ignored.
	Named []string
}

// Effect is the outcome of a decision.
type Effect int

const (
	// NotFound: the caller may not know whether the record exists. It is
	// also the answer for a record that does not exist (Decide with nil).
	NotFound Effect = iota
	// Forbidden: the caller may see the record but not do this.
	Forbidden
	// Unauthenticated: no valid user.
	Unauthenticated
	// Allow: go ahead.
	Allow
)

func (e Effect) String() string {
	return [...]string{"not found", "forbidden", "unauthenticated", "allow"}[e]
}

// Decision is the policy's answer.
type Decision struct {
	Effect Effect
	// Identities: the caller may see protected fields in clear. When
	// false, an allowed read or export shows pseudonyms.
	Identities bool
}

// Errors of Decision.Err. ErrNotFound wraps sillok.ErrNotFound, so a
// refused read looks exactly like a missing record to every layer above.
var (
	ErrNotFound        = fmt.Errorf("auth: %w", sillok.ErrNotFound)
	ErrForbidden       = errors.New("auth: forbidden")
	ErrUnauthenticated = errors.New("auth: not signed in")
)

// Err is nil for Allow and the matching error otherwise.
func (d Decision) Err() error {
	switch d.Effect {
	case Allow:
		return nil
	case Forbidden:
		return ErrForbidden
	case Unauthenticated:
		return ErrUnauthenticated
	}
	return ErrNotFound
}

// Decide is the one policy function: every read and write of a record
// goes through it. m is nil for a record that does not exist (create
// passes the record to be). The rules:
//
//   - Visibility. Public records: every user. Internal: the owning
//     organisation and the partners it is shared with. Confidential: the
//     same, viewers excepted. Strict: named users of the owner or of a
//     partner only (no role sees a strict record by position alone).
//     A caller who may not see a record gets NotFound, whatever the
//     action: the same answer as for a record that does not exist.
//   - Identities (clear protected fields): admins, documenters and legal
//     officers of the owner or a partner who can see the record. Analysts
//     and viewers, and other organisations reading a public record, get
//     pseudonyms; their Disclose is Forbidden.
//   - Create: admins and documenters, for their own organisation.
//   - Update, delete: admins and documenters of the owner. Partners read.
//   - Share (sharing, named users, level): admins and legal officers of
//     the owner.
//   - Export: admins and legal officers (identities as for reading), and
//     analysts (pseudonymised); consent is enforced on top.
//   - Records of SystemOrg (thesauri): as public records, and admins of any
//     organisation write them.
func Decide(u *User, a Action, m *Meta) Decision {
	if u == nil || u.Disabled || u.Name == "" || !u.Role.Valid() {
		return Decision{Effect: Unauthenticated}
	}
	if m == nil {
		return Decision{Effect: NotFound}
	}
	system := m.Org == SystemOrg
	own := u.Org == m.Org
	member := own || slices.Contains(m.SharedWith, u.Org)
	writer := u.Role == RoleAdmin || u.Role == RoleDocumenter
	if a == ActionCreate {
		if writer && own || system && u.Role == RoleAdmin {
			return Decision{Effect: Allow, Identities: true}
		}
		return Decision{Effect: Forbidden}
	}
	var visible bool
	switch {
	case system:
		visible = true
	case m.Level == sillok.LevelPublic:
		visible = true
	case m.Level == sillok.LevelInternal:
		visible = member
	case m.Level == sillok.LevelConfidential:
		visible = member && u.Role != RoleViewer
	case m.Level == sillok.LevelStrict:
		visible = member && u.Role != RoleViewer && slices.Contains(m.Named, u.Name)
	}
	if !visible {
		return Decision{Effect: NotFound}
	}
	identities := member && (writer || u.Role == RoleLegal)
	allow := func(ok, ids bool) Decision {
		if !ok {
			return Decision{Effect: Forbidden}
		}
		return Decision{Effect: Allow, Identities: ids}
	}
	switch a {
	case ActionRead:
		return allow(true, identities)
	case ActionDisclose:
		return allow(identities, true)
	case ActionUpdate, ActionDelete:
		return allow(writer && own || system && u.Role == RoleAdmin, false)
	case ActionShare:
		return allow(own && (u.Role == RoleAdmin || u.Role == RoleLegal), false)
	case ActionExport:
		switch u.Role {
		case RoleAdmin, RoleLegal:
			return allow(true, identities)
		case RoleAnalyst:
			return allow(true, false)
		}
		return Decision{Effect: Forbidden}
	}
	return Decision{Effect: Forbidden}
}
