package consent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sillok/sillok"
)

// ErrNoConsent is returned by Withdraw for a source without recorded
// consent: it allows internal documentation only, and there is nothing
// recorded to withdraw from.
var ErrNoConsent = errors.New("no consent recorded")

// Record sets a source's consent as a new revision by actor (given as
// recorded; RecordedBy defaults to the actor). Earlier consent stays in
// the source's history.
func Record(ctx context.Context, s sillok.Store, actor sillok.Actor, id sillok.ID, c sillok.Consent) (*sillok.Record, error) {
	if c.RecordedBy == "" {
		c.RecordedBy = actor.User
	}
	return revise(ctx, s, actor, id, "consent recorded: "+strings.Join(c.Uses, ", "), func(*sillok.Source) (*sillok.Consent, error) {
		return &c, nil
	})
}

// Withdraw appends a withdrawal of uses (for the partners use optionally
// only from some partners) to a source's consent, as its own revision by
// actor at time when (zero: now). From then on exports for those uses
// leave the source out. The note is stored in clear: it must name no one.
func Withdraw(ctx context.Context, s sillok.Store, actor sillok.Actor, id sillok.ID, uses, partners []string, note string, when time.Time) (*sillok.Record, error) {
	if when.IsZero() {
		when = time.Now()
	}
	w := sillok.ConsentWithdrawal{When: sillok.Timestamp(when), Uses: slices.Clone(uses), Partners: slices.Clone(partners),
		RecordedBy: actor.User, Note: strings.TrimSpace(note)}
	return revise(ctx, s, actor, id, "consent withdrawn: "+strings.Join(uses, ", "), func(src *sillok.Source) (*sillok.Consent, error) {
		if src.Consent == nil {
			return nil, fmt.Errorf("withdraw consent of %s: %w", id, ErrNoConsent)
		}
		return src.Consent.Withdraw(w), nil
	})
}

// revise appends a revision of source id with the consent edit returns,
// retrying when another edit lands in between (the edit is re-applied to
// the newer revision, so no one's change is lost).
func revise(ctx context.Context, s sillok.Store, actor sillok.Actor, id sillok.ID, note string, edit func(*sillok.Source) (*sillok.Consent, error)) (*sillok.Record, error) {
	for attempt := 0; ; attempt++ {
		rec, err := s.Get(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("consent of %s: %w", id, err)
		}
		src, ok := rec.Body.(*sillok.Source)
		if !ok {
			return nil, fmt.Errorf("consent of %s: a %s record has no consent: %w", id, rec.Kind, sillok.ErrInvalid)
		}
		c, err := edit(src)
		if err != nil {
			return nil, err
		}
		b := *src
		b.Consent = c
		out, err := s.Update(ctx, actor, id, rec.Rev, &b, note)
		if errors.Is(err, sillok.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("consent of %s: %w", id, err)
		}
		return out, nil
	}
}
