package evidence

import (
	"context"
	"fmt"

	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/protect"
)

// Auditor records each disclosure of protected fields (protect.Opener) as
// a protected_viewed custody event: who (user@org), when, which record and
// the stated purpose, in a signed checkpoint before anything is
// decrypted. The event names the record by ID only; the purpose is the
// staff member's words, which the interfaces asking for it say must not
// name anyone. Table, when set, gets a row per disclosure too, for the
// administrators' listing (protect.DisclosureLog.List).
type Auditor struct {
	Custody *Custody
	Table   *protect.DisclosureLog
}

var _ protect.Auditor = (*Auditor)(nil)

// AllRecords is the Record of a disclosure that covers every sealed record
// of the organisation a key opens at once, inside the process (a record
// linkage run): one event per run instead of one per person.
const AllRecords = "*"

// Disclosed appends the event and waits for its checkpoint.
func (a *Auditor) Disclosed(ctx context.Context, d protect.Disclosure) error {
	l, err := a.Custody.flushedLog(ctx)
	if err != nil {
		return fmt.Errorf("audit disclosure: %w", err)
	}
	e := custody.Event{Version: custody.FormatVersion, Kind: custody.ProtectedViewed, Actor: d.User + "@" + d.Org,
		Time: d.Time.UTC(), Record: string(d.Record), Purpose: d.Purpose}
	if _, err := l.Append(ctx, e); err != nil {
		return fmt.Errorf("audit disclosure of %s: %w", d.Record, err)
	}
	if a.Table != nil {
		return a.Table.Disclosed(ctx, d)
	}
	return nil
}

// flushedLog is the open custody log, with pending revision events flushed
// first so that the disclosure follows the revisions it may concern.
func (c *Custody) flushedLog(ctx context.Context) (*custody.Log, error) {
	c.mu.Lock()
	ready := c.db != nil
	c.mu.Unlock()
	if ready {
		if err := c.Flush(ctx); err != nil {
			return nil, err
		}
	}
	l, _, err := c.Log(ctx)
	return l, err
}
