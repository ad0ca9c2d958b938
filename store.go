package sillok

import "context"

// Store keeps records and their revisions. Implementations: package sqlite
// (the embedded default) and package postgres (scale-out). Every
// implementation passes the conformance suite in package storetest.
//
// Error contract: a missing record is ErrNotFound; a write whose base
// revision is not the current one is ErrConflict; a write to a deleted
// record is ErrDeleted; a bad body, reference or thesaurus code is a
// *FieldError (which wraps ErrInvalid). Errors name record IDs and fields,
// never field values.
type Store interface {
	Reader
	// Batch runs fn in one transaction: every write in it lands, or none.
	Batch(ctx context.Context, fn func(tx Tx) error) error
	// Create, Update and Delete are one-write batches.
	Create(ctx context.Context, actor Actor, r *Record) error
	Update(ctx context.Context, actor Actor, id ID, baseRev int, body Body, note string) (*Record, error)
	Delete(ctx context.Context, actor Actor, id ID, baseRev int, note string) (*Record, error)
	Close() error
}

// Reader is the read side of a store.
type Reader interface {
	// Get returns the current state of a record, deleted or not.
	Get(ctx context.Context, id ID) (*Record, error)
	// GetMany returns the live (undeleted) records among ids, in ID
	// order; unknown and deleted IDs are left out.
	GetMany(ctx context.Context, ids []ID) ([]*Record, error)
	// Revision returns one revision of a record.
	Revision(ctx context.Context, id ID, rev int) (*Revision, error)
	// History returns every revision of a record, oldest first.
	History(ctx context.Context, id ID) ([]*Revision, error)
	// List returns records matching f in ID order, a page at a time.
	List(ctx context.Context, f Filter) (*Page, error)
	// Linked returns the live records within depth references of id, in
	// either direction, in ID order (at most limit; 0 means 10,000).
	Linked(ctx context.Context, id ID, depth, limit int) ([]*Record, error)
	// Revisions calls fn for every revision in the store ordered by record
	// ID and revision number, stopping at the first error.
	Revisions(ctx context.Context, fn func(*Revision) error) error
}

// Tx is what a batch may do.
type Tx interface {
	Get(ctx context.Context, id ID) (*Record, error)
	// Create stores a new record at revision 1. It sets r.ID (when empty),
	// r.Rev and the times and actors.
	Create(ctx context.Context, actor Actor, r *Record) error
	// Update appends a revision with a new body. note says why.
	Update(ctx context.Context, actor Actor, id ID, baseRev int, body Body, note string) (*Record, error)
	// Delete appends a tombstone revision. Nothing is removed.
	Delete(ctx context.Context, actor Actor, id ID, baseRev int, note string) (*Record, error)
	// Import stores a revision read from an export as it is. A revision
	// the store already holds with the same hash is skipped; one with a
	// different hash, a wrong hash or a gap in revision numbers is an error.
	Import(ctx context.Context, rev *Revision) (imported bool, err error)
}

// Filter selects records for List.
type Filter struct {
	Kind           Kind
	Org            string
	Attrs          []Attr // all must match
	RefTo          ID     // records whose current revision points to this one
	IncludeDeleted bool
	After          ID  // pagination: IDs after this one
	Limit          int // 0 means 100; at most 10,000
}

// Page is one page of a listing. Next is the After of the next page, empty
// on the last one.
type Page struct {
	Records []*Record
	Next    ID
}
