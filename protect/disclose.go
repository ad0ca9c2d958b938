package protect

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sillok/sillok"
)

// Disclosure is one decryption of a record's protected fields: who, for
// which organisation, when, which record, and why.
type Disclosure struct {
	Time    time.Time
	User    string
	Org     string
	Record  sillok.ID
	Purpose string
}

// Auditor records a disclosure durably. The custody log implements it
// (a custody event per disclosure); DisclosureLog is a table of its own
// for repositories without one.
type Auditor interface {
	Disclosed(ctx context.Context, d Disclosure) error
}

// ErrNoPurpose means a disclosure was asked for without a stated purpose.
var ErrNoPurpose = errors.New("protect: a disclosure needs a stated purpose")

// Opener opens sealed records for people, recording each disclosure
// before decrypting: when the audit record cannot be written, nothing is
// decrypted. Whether the user may see identities at all is the caller's
// decision (auth.Decide with ActionDisclose), taken before.
type Opener struct {
	Key   *OrgKey
	Audit Auditor
	Now   func() time.Time // time.Now when nil
}

func (o *Opener) audit(ctx context.Context, who sillok.Actor, purpose string, id sillok.ID) error {
	purpose = strings.TrimSpace(purpose)
	if purpose == "" {
		return ErrNoPurpose
	}
	if utf8.RuneCountInString(purpose) > 200 {
		return fmt.Errorf("protect: disclosure purpose longer than 200 characters")
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	d := Disclosure{Time: sillok.Timestamp(now()), User: who.User, Org: who.Org, Record: id, Purpose: purpose}
	if err := o.Audit.Disclosed(ctx, d); err != nil {
		return fmt.Errorf("record disclosure of %s: %w", id, err)
	}
	return nil
}

// Person audits, then opens a person record's protected fields.
func (o *Opener) Person(ctx context.Context, who sillok.Actor, purpose string, r *sillok.Record) (*PersonFields, error) {
	p, ok := r.Body.(*sillok.Person)
	if !ok || p.Sealed == nil {
		return nil, fmt.Errorf("open record %s: not a sealed person", r.ID)
	}
	if _, err := o.Key.RecordKey(p.Sealed); err != nil {
		// Fail before auditing: an attempt on a record the key cannot
		// open discloses nothing.
		return nil, fmt.Errorf("open record %s: %w", r.ID, err)
	}
	if err := o.audit(ctx, who, purpose, r.ID); err != nil {
		return nil, err
	}
	return o.Key.OpenPerson(r.ID, p)
}

// Source audits, then opens a source record's protected fields.
func (o *Opener) Source(ctx context.Context, who sillok.Actor, purpose string, r *sillok.Record) (*SourceFields, error) {
	s, ok := r.Body.(*sillok.Source)
	if !ok || s.Sealed == nil {
		return nil, fmt.Errorf("open record %s: not a sealed source", r.ID)
	}
	if _, err := o.Key.RecordKey(s.Sealed); err != nil {
		return nil, fmt.Errorf("open record %s: %w", r.ID, err)
	}
	if err := o.audit(ctx, who, purpose, r.ID); err != nil {
		return nil, err
	}
	return o.Key.OpenSource(r.ID, s)
}

// DisclosureLog keeps disclosures in table protect_disclosures (SQLite or
// PostgreSQL). Purposes are stated by staff and stored in clear: they must
// not name anyone, which the interface asking for them should say.
type DisclosureLog struct{ DB *sql.DB }

const disclosureSchema = `CREATE TABLE IF NOT EXISTS protect_disclosures (
	id TEXT PRIMARY KEY,
	time TEXT NOT NULL,
	user_name TEXT NOT NULL,
	org TEXT NOT NULL,
	record_id TEXT NOT NULL,
	purpose TEXT NOT NULL
)`

// Setup creates the table; it is idempotent.
func (l DisclosureLog) Setup(ctx context.Context) error {
	if _, err := l.DB.ExecContext(ctx, disclosureSchema); err != nil {
		return fmt.Errorf("create disclosure table: %w", err)
	}
	return nil
}

// Disclosed stores d.
func (l DisclosureLog) Disclosed(ctx context.Context, d Disclosure) error {
	var b [12]byte
	rand.Read(b[:])
	if _, err := l.DB.ExecContext(ctx, `INSERT INTO protect_disclosures (id, time, user_name, org, record_id, purpose) VALUES ($1, $2, $3, $4, $5, $6)`,
		hex.EncodeToString(b[:]), d.Time.UTC().Format(sillok.TimeFormat), d.User, d.Org, string(d.Record), d.Purpose); err != nil {
		return fmt.Errorf("store disclosure of %s: %w", d.Record, err)
	}
	return nil
}

// List returns the disclosures by users of org ("" for all) at or after
// since, oldest first. Admins list them; the caller checks that.
func (l DisclosureLog) List(ctx context.Context, org string, since time.Time) ([]Disclosure, error) {
	rows, err := l.DB.QueryContext(ctx, `SELECT time, user_name, org, record_id, purpose FROM protect_disclosures
		WHERE ($1 = '' OR org = $1) AND time >= $2 ORDER BY time, id`, org, since.UTC().Format(sillok.TimeFormat))
	if err != nil {
		return nil, fmt.Errorf("list disclosures: %w", err)
	}
	defer rows.Close()
	var ds []Disclosure
	for rows.Next() {
		var d Disclosure
		var ts, id string
		if err := rows.Scan(&ts, &d.User, &d.Org, &id, &d.Purpose); err != nil {
			return nil, fmt.Errorf("list disclosures: %w", err)
		}
		d.Time, _ = time.Parse(sillok.TimeFormat, ts)
		d.Record = sillok.ID(id)
		ds = append(ds, d)
	}
	return ds, rows.Err()
}
