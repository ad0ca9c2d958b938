// Package consent decides which records an export for a given use may
// hold, from the consent recorded on sources (sillok.Consent). Bundles
// (package evidence) and share exports (package jsonl) both ask a Plan.
//
// The rules, for a purpose (use, and for sharing the partner) at a time:
//
//   - A source is allowed when its consent allows the use at that time
//     (no consent: internal documentation only). For public use the source
//     and its interviewee must also be pseudonymised: sealed in every
//     revision, so that no history shows an identity in clear.
//   - An evidence item (a file) is allowed in a bundle when every source
//     it belongs to allows the use: the source it names, every source
//     listing its hash, and for a derived copy the sources of its
//     original. A file that belongs to no source has nobody's consent and
//     goes only into internal bundles. For public use only redacted
//     copies (operation "redact") go out, never originals.
//   - In a share export, besides withheld sources and evidence: the
//     information records citing a withheld source; the records that rest
//     only on withheld sources (every information record about them cites
//     one, or they are the interviewee of withheld sources only); and,
//     so that the partner can import what it receives, every record that
//     refers (in any revision) to a withheld one. Evidence records stay
//     home (only internal shares carry them): they keep the file's name
//     and sender as received, which can name a witness; the files go out
//     in bundles, which drop both. For public use every person not sealed
//     in every revision is withheld too. Records nothing rests on (units,
//     places, thesaurus terms) are kept.
//
// A full backup export takes no purpose and is not filtered: it is the
// organisation's own copy.
package consent

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sillok/sillok"
)

// Purpose is what an export is for: a consent use and, for sharing with
// partners, the partner.
type Purpose struct {
	Use     string // one of the sillok.Use constants
	Partner string // with sillok.UsePartners
}

// ParsePurpose reads internal, prosecution, un_reporting, public or
// partners:ORG (see sillok.ParseUse).
func ParsePurpose(s string) (Purpose, error) {
	use, partner, err := sillok.ParseUse(s)
	return Purpose{use, partner}, err
}

// String is the form ParsePurpose reads.
func (p Purpose) String() string {
	switch p.Use {
	case sillok.UsePartners:
		return sillok.UsePartners + ":" + p.Partner
	case sillok.UsePublicPseudonym:
		return "public"
	}
	return p.Use
}

// Plan is the outcome of the rules for one purpose at one time over a
// whole repository.
type Plan struct {
	Purpose Purpose
	At      time.Time
	// withheld records (share exports) and the evidence items a bundle may
	// not hold.
	withheld map[sillok.ID]bool
	items    map[sillok.ID]bool
	sources  map[sillok.ID]bool
}

// SourceAllowed reports whether source id's consent allows the purpose
// (for public use: and it is pseudonymised).
func (p *Plan) SourceAllowed(id sillok.ID) bool { return p.sources[id] }

// Withheld reports whether a share export leaves record id out.
func (p *Plan) Withheld(id sillok.ID) bool { return p.withheld[id] }

// ItemAllowed reports whether a bundle may hold evidence record id.
func (p *Plan) ItemAllowed(id sillok.ID) bool { return p.items[id] }

// WithheldIDs lists the records a share export leaves out, in ID order.
func (p *Plan) WithheldIDs() []sillok.ID {
	out := make([]sillok.ID, 0, len(p.withheld))
	for id := range p.withheld {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// facts is what one pass over every revision gathers.
type facts struct {
	refs     map[sillok.ID][]sillok.ID // every record referred to, by any revision
	sources  map[sillok.ID]*sillok.Source
	evidence map[sillok.ID]*sillok.Evidence
	info     map[sillok.ID]*sillok.Information
	persons  map[sillok.ID]bool
	unsealed map[sillok.ID]bool // persons and sources with a revision in clear
}

// NewPlan reads every revision in r once and applies the rules for
// purpose at time at.
func NewPlan(ctx context.Context, r sillok.Reader, purpose Purpose, at time.Time) (*Plan, error) {
	f := &facts{refs: map[sillok.ID][]sillok.ID{}, sources: map[sillok.ID]*sillok.Source{},
		evidence: map[sillok.ID]*sillok.Evidence{}, info: map[sillok.ID]*sillok.Information{},
		persons: map[sillok.ID]bool{}, unsealed: map[sillok.ID]bool{}}
	err := r.Revisions(ctx, func(v *sillok.Revision) error {
		if v.Kind == sillok.KindTerm {
			return nil
		}
		b, err := sillok.DecodeBody(v.Kind, v.Body)
		if err != nil {
			return fmt.Errorf("consent plan: revision %s@%d: %w", v.ID, v.Rev, err)
		}
		for _, ref := range b.Refs() {
			if !slices.Contains(f.refs[v.ID], ref.To) {
				f.refs[v.ID] = append(f.refs[v.ID], ref.To)
			}
		}
		switch b := b.(type) {
		case *sillok.Source:
			f.sources[v.ID] = b
			if b.Sealed == nil {
				f.unsealed[v.ID] = true
			}
		case *sillok.Person:
			f.persons[v.ID] = true
			if b.Sealed == nil {
				f.unsealed[v.ID] = true
			}
		case *sillok.Evidence:
			f.evidence[v.ID] = b
		case *sillok.Information:
			f.info[v.ID] = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f.plan(purpose, at), nil
}

func (f *facts) plan(purpose Purpose, at time.Time) *Plan {
	p := &Plan{Purpose: purpose, At: at, withheld: map[sillok.ID]bool{}, items: map[sillok.ID]bool{}, sources: map[sillok.ID]bool{}}
	public := purpose.Use == sillok.UsePublicPseudonym
	srcOK := p.sources
	byHash := map[string][]sillok.ID{}
	for id, s := range f.sources {
		ok := s.Consent.Allows(purpose.Use, purpose.Partner, at)
		if ok && public {
			ok = !f.unsealed[id] && (s.Interviewee == "" || !f.unsealed[s.Interviewee])
		}
		srcOK[id] = ok
		if !ok {
			p.withheld[id] = true
		}
		for _, h := range s.Evidence {
			byHash[h] = append(byHash[h], id)
		}
	}

	// Evidence items: every source they belong to must allow the use.
	var itemOK func(id sillok.ID, depth int) bool
	itemOK = func(id sillok.ID, depth int) bool {
		e := f.evidence[id]
		if e == nil || depth > 32 {
			return false
		}
		srcs := slices.Clone(byHash[e.SHA256])
		if e.Source != "" {
			srcs = append(srcs, e.Source)
		}
		if len(srcs) == 0 && e.DerivedFrom == "" && purpose.Use != sillok.UseInternal {
			return false // nobody's consent
		}
		for _, s := range srcs {
			if !srcOK[s] {
				return false
			}
		}
		if e.DerivedFrom != "" {
			return itemOK(e.DerivedFrom, depth+1)
		}
		return true
	}
	for id, e := range f.evidence {
		ok := itemOK(id, 0)
		if public && e.Operation != "redact" {
			ok = false
		}
		p.items[id] = ok
		if !ok || purpose.Use != sillok.UseInternal {
			// Evidence records name the file as received and its sender,
			// which can name a witness: files go out in bundles, which
			// drop both; shares carry the sources' hashes only.
			p.withheld[id] = true
		}
	}

	// Records resting only on withheld sources.
	support := map[sillok.ID][]bool{} // subject -> allowed-ness of each source behind it
	for id, in := range f.info {
		ok := srcOK[in.Source]
		if !ok {
			p.withheld[id] = true
		}
		support[in.Subject] = append(support[in.Subject], ok)
	}
	for id, s := range f.sources {
		if s.Interviewee != "" {
			support[s.Interviewee] = append(support[s.Interviewee], srcOK[id])
		}
	}
	for subj, oks := range support {
		if !slices.Contains(oks, true) {
			p.withheld[subj] = true
		}
	}
	if public {
		for id := range f.persons {
			if f.unsealed[id] {
				p.withheld[id] = true
			}
		}
	}

	// Whatever refers to a withheld record goes too, so that the share
	// imports on its own.
	back := map[sillok.ID][]sillok.ID{}
	for from, tos := range f.refs {
		for _, to := range tos {
			back[to] = append(back[to], from)
		}
	}
	queue := make([]sillok.ID, 0, len(p.withheld))
	for id := range p.withheld {
		queue = append(queue, id)
	}
	for len(queue) > 0 {
		id := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, from := range back[id] {
			if !p.withheld[from] {
				p.withheld[from] = true
				queue = append(queue, from)
			}
		}
	}
	return p
}
