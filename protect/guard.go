package protect

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sillok/sillok"
)

// Guard is a store hook (sqlstore.Hook) that refuses to store a
// confidential or strict person or source with identifying fields in
// clear, so that a forgotten Seal fails the write instead of leaking into
// the revisions for ever. Its Setup also creates the pseudonym and
// disclosure tables. Perpetrators and public figures are recorded at
// public or internal level and keep clear names.
type Guard struct{}

// Setup creates the package's tables.
func (Guard) Setup(ctx context.Context, db *sql.DB, dialect string) error {
	if err := (Pseudonyms{}).Setup(ctx, db); err != nil {
		return err
	}
	return DisclosureLog{DB: db}.Setup(ctx)
}

// AfterRevision checks the revision's body with CheckSealed and records a
// sealed person's pseudonym in protect_pseudonyms (so that imports and
// restores keep the counter, and two allocations of one number clash on
// the primary key).
func (Guard) AfterRevision(ctx context.Context, tx *sql.Tx, v *sillok.Revision, body sillok.Body) error {
	if v.Tombstone {
		return nil
	}
	if err := CheckSealed(v.ID, v.Level, body); err != nil {
		return err
	}
	p, ok := body.(*sillok.Person)
	if !ok || p.Sealed == nil || !NeedsSealing(v.Level) {
		return nil
	}
	n, ok := pseudonymNumber(p.Pseudonym)
	if !ok {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO protect_pseudonyms (org, n, record_id) VALUES ($1, $2, $3) ON CONFLICT (record_id) DO NOTHING`,
		v.Org, n, string(v.ID)); err != nil {
		return fmt.Errorf("record pseudonym of %s: %w", v.ID, err)
	}
	return nil
}

// NeedsSealing reports whether records of level keep identities sealed.
func NeedsSealing(l sillok.Level) bool {
	return l == sillok.LevelConfidential || l == sillok.LevelStrict
}

// CheckSealed returns a *sillok.FieldError naming the first identifying
// field of body held in clear at a level that needs sealing (never its
// value), or nil.
func CheckSealed(id sillok.ID, l sillok.Level, body sillok.Body) error {
	if !NeedsSealing(l) {
		return nil
	}
	bad := func(field string) error {
		return &sillok.FieldError{Record: id, Field: field, Reason: "must be sealed at level " + string(l)}
	}
	switch b := body.(type) {
	case *sillok.Person:
		switch {
		case len(b.Names) > 0:
			return bad("names")
		case b.OriginText != "":
			return bad("origin_text")
		case b.Origin != "":
			return bad("origin")
		case b.Notes != "":
			return bad("notes")
		case !b.Birth.IsZero() && b.Birth.Precision != sillok.Year:
			return bad("birth")
		case b.Sealed == nil:
			return bad("sealed")
		}
	case *sillok.Source:
		switch {
		case b.Transcript != (sillok.Labels{}):
			return bad("transcript")
		case b.Interviewer != "":
			return bad("interviewer")
		case b.Interpreter != "":
			return bad("interpreter")
		case b.Place != "":
			return bad("place")
		case len(b.Evidence) > 0 && b.Sealed == nil:
			return bad("evidence")
		}
	}
	return nil
}
