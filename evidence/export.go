package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/bundle"
	"github.com/sillok/sillok/consent"
	"github.com/sillok/sillok/custody"
)

// ErrNoEvidence is returned by Export for a selected record that neither
// is an evidence record nor has any.
var ErrNoEvidence = errors.New("no evidence")

// Select resolves selected records to the evidence items a bundle holds:
// an evidence record is itself; any other record (a source, an act) stands
// for the live evidence records that point to it, and a source also for
// the evidence records of the files it lists (Source.Evidence). Derived
// copies of every item are added. Items are returned in ID order.
func (r *Repo) Select(ctx context.Context, sel []sillok.ID) ([]*sillok.Record, error) {
	items := map[sillok.ID]*sillok.Record{}
	var queue []*sillok.Record
	add := func(rec *sillok.Record) {
		if items[rec.ID] == nil {
			items[rec.ID] = rec
			queue = append(queue, rec)
		}
	}
	for _, id := range sel {
		rec, err := r.Store.Get(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("select record %s: %w", id, err)
		}
		if rec.Deleted {
			return nil, fmt.Errorf("select record %s: %w", id, sillok.ErrDeleted)
		}
		if rec.Kind == sillok.KindEvidence {
			add(rec)
			continue
		}
		refs, err := r.evidenceRefTo(ctx, id)
		if err != nil {
			return nil, err
		}
		if src, ok := rec.Body.(*sillok.Source); ok {
			for _, h := range src.Evidence {
				byHash, err := r.list(ctx, sillok.Filter{Kind: sillok.KindEvidence, Attrs: []sillok.Attr{{Key: "sha256", Value: h}}})
				if err != nil {
					return nil, err
				}
				refs = append(refs, byHash...)
			}
		}
		if len(refs) == 0 {
			return nil, fmt.Errorf("select record %s: %w", id, ErrNoEvidence)
		}
		for _, x := range refs {
			add(x)
		}
	}
	for len(queue) > 0 {
		rec := queue[0]
		queue = queue[1:]
		refs, err := r.evidenceRefTo(ctx, rec.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range refs {
			if x.Body.(*sillok.Evidence).DerivedFrom == rec.ID {
				add(x)
			}
		}
	}
	out := make([]*sillok.Record, 0, len(items))
	for _, rec := range items {
		out = append(out, rec)
	}
	slices.SortFunc(out, func(a, b *sillok.Record) int { return cmpID(a.ID, b.ID) })
	return out, nil
}

func cmpID(a, b sillok.ID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r *Repo) evidenceRefTo(ctx context.Context, id sillok.ID) ([]*sillok.Record, error) {
	out, err := r.list(ctx, sillok.Filter{Kind: sillok.KindEvidence, RefTo: id})
	if err != nil {
		return nil, fmt.Errorf("list evidence of %s: %w", id, err)
	}
	return out, nil
}

// list returns every record f matches, all pages.
func (r *Repo) list(ctx context.Context, f sillok.Filter) ([]*sillok.Record, error) {
	var out []*sillok.Record
	f.Limit = 10_000
	for {
		p, err := r.Store.List(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Records...)
		if p.Next == "" {
			return out, nil
		}
		f.After = p.Next
	}
}

// exportedMetadata is an item's metadata in a bundle: the evidence record
// without the fields that can identify a witness (the original file name
// and the free-text "from"), which stay in the repository.
type exportedMetadata struct {
	ID        sillok.ID        `json:"id"`
	Kind      sillok.Kind      `json:"kind"`
	Org       string           `json:"org"`
	Level     sillok.Level     `json:"level"`
	Rev       int              `json:"rev"`
	Created   time.Time        `json:"created"`
	CreatedBy string           `json:"created_by"`
	Updated   time.Time        `json:"updated"`
	UpdatedBy string           `json:"updated_by"`
	Body      *sillok.Evidence `json:"body"`
}

// ExportOptions configure Export.
type ExportOptions struct {
	// For is the consent use the bundle is made for (required): items
	// whose sources' consent does not allow it are withheld (see package
	// consent) and listed by ID in the bundle's consent note.
	For consent.Purpose
	// At is the time consent is judged at; zero means now.
	At time.Time
	// Purpose says for whom or why, in words; logged in the exported
	// event after the use.
	Purpose string
	// TSA, if set, timestamps the bundle's checkpoint (RFC 3161): only the
	// checkpoint's digest leaves the repository, never an evidence hash.
	TSA custody.TSA
}

// Export writes the bundle of the selected records (see Select) into dir:
// their files, metadata, every custody event about them with its inclusion
// proof against the latest signed checkpoint, and the log's key. Selected
// sources and items whose consent does not allow opt.For are left out and
// listed (IDs only) in the bundle's CONSENT.txt. It then logs an exported
// event naming the bundle's MANIFEST hash and purpose.
//
// Finding the events reads the whole log once; judging consent reads
// every revision once.
func (r *Repo) Export(ctx context.Context, dir string, actor sillok.Actor, sel []sillok.ID, opt ExportOptions) (*bundle.Summary, error) {
	if opt.For.Use == "" {
		return nil, errors.New("export: a purpose is required (the consent use: internal, prosecution, un_reporting, public or partners:ORG)")
	}
	if _, err := consent.ParsePurpose(opt.For.String()); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	purpose := opt.For.String()
	if opt.Purpose != "" {
		purpose += ": " + opt.Purpose
	}
	at := opt.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	plan, err := consent.NewPlan(ctx, r.Store, opt.For, at)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var withheld []string
	keep := make([]sillok.ID, 0, len(sel))
	for _, id := range sel {
		if sillok.KindOf(id) == sillok.KindSource && !plan.SourceAllowed(id) {
			withheld = append(withheld, string(id))
			continue
		}
		keep = append(keep, id)
	}
	all, err := r.Select(ctx, keep)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	recs := all[:0:0]
	for _, rec := range all {
		if plan.ItemAllowed(rec.ID) {
			recs = append(recs, rec)
		} else {
			withheld = append(withheld, string(rec.ID))
		}
	}
	slices.Sort(withheld)
	withheld = slices.Compact(withheld)
	if err := r.Custody.Flush(ctx); err != nil {
		return nil, err
	}
	l, st, err := r.Custody.Log(ctx)
	if err != nil {
		return nil, err
	}
	// Events per record ID: an item's own, and for an original the
	// derivative_made events of its derived copies.
	owner := map[string]sillok.ID{}
	for _, rec := range recs {
		owner[string(rec.ID)] = rec.ID
	}
	byItem := map[sillok.ID][]int64{}
	c, _ := l.Latest()
	var indexes []int64
	for start := int64(0); start < c.Size; start += 4096 {
		leaves, err := st.ReadLeaves(ctx, start, int(min(4096, c.Size-start)))
		if err != nil {
			return nil, fmt.Errorf("export: read custody events: %w", err)
		}
		for i, d := range leaves {
			e, err := custody.ParseEvent(d)
			if err != nil {
				return nil, fmt.Errorf("export: custody event %d: %w; run sillok log verify", start+int64(i), err)
			}
			id, ok := owner[e.Record]
			if !ok {
				continue
			}
			n := start + int64(i)
			indexes = append(indexes, n)
			byItem[id] = append(byItem[id], n)
		}
	}
	x := bundle.Export{Key: r.Custody.Key(), Consent: &bundle.ConsentNote{Purpose: opt.For.String(), Withheld: withheld}}
	var checkpoint custody.Checkpoint
	x.Events, checkpoint, x.Checkpoint, err = l.Prove(ctx, indexes)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if checkpoint.Size < c.Size {
		return nil, fmt.Errorf("export: checkpoint went back from %d to %d", c.Size, checkpoint.Size)
	}
	if opt.TSA != nil {
		if x.Timestamp, _, err = custody.Timestamp(ctx, opt.TSA, checkpoint, nil); err != nil {
			return nil, fmt.Errorf("export: timestamp checkpoint %d: %w", checkpoint.Size, err)
		}
	}
	derivs := map[sillok.ID][]blob.Derivation{}
	for _, rec := range recs {
		ev := rec.Body.(*sillok.Evidence)
		if ev.DerivedFrom == "" {
			continue
		}
		orig, ok := findRecord(recs, ev.DerivedFrom)
		if !ok {
			continue // a derived copy selected without its original
		}
		oh, err1 := blob.ParseHash(orig.Body.(*sillok.Evidence).SHA256)
		dh, err2 := blob.ParseHash(ev.SHA256)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("export: record %s: %w", rec.ID, err)
		}
		derivs[orig.ID] = append(derivs[orig.ID], blob.Derivation{Original: oh, Derived: dh, Operation: ev.Operation,
			Actor: rec.CreatedBy, Time: rec.Created})
		byItem[orig.ID] = append(byItem[orig.ID], byItem[rec.ID]...)
	}
	for _, rec := range recs {
		ev := *rec.Body.(*sillok.Evidence)
		h, err := blob.ParseHash(ev.SHA256)
		if err != nil {
			return nil, fmt.Errorf("export: record %s: %w", rec.ID, err)
		}
		ev.FileName, ev.From = "", ""
		meta, err := json.Marshal(exportedMetadata{ID: rec.ID, Kind: rec.Kind, Org: rec.Org, Level: rec.Level, Rev: rec.Rev,
			Created: rec.Created, CreatedBy: rec.CreatedBy, Updated: rec.Updated, UpdatedBy: rec.UpdatedBy, Body: &ev})
		if err != nil {
			return nil, fmt.Errorf("export: record %s: %w", rec.ID, err)
		}
		evs := byItem[rec.ID]
		slices.Sort(evs)
		evs = slices.Compact(evs)
		if evs == nil {
			evs = []int64{}
		}
		x.Items = append(x.Items, bundle.Item{ID: string(rec.ID), SHA256: h, Size: ev.Size, MediaType: ev.MediaType,
			Metadata: meta, Derivations: derivs[rec.ID], Events: evs})
	}
	sum, err := bundle.Write(ctx, dir, x, r.Blobs)
	if err != nil {
		return nil, err
	}
	manifest, err := os.ReadFile(filepath.Join(dir, bundle.ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	_, err = l.Append(ctx, custody.Event{Version: custody.FormatVersion, Kind: custody.Exported,
		Actor: actor.User + "@" + actor.Org, Time: time.Now().UTC(), Blob: blob.Sum(manifest).String(), Purpose: purpose})
	if err != nil {
		return nil, fmt.Errorf("export: log the export: %w", err)
	}
	return sum, nil
}

func findRecord(recs []*sillok.Record, id sillok.ID) (*sillok.Record, bool) {
	for _, r := range recs {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}

// LogShared logs a share export (records given to a partner or for a
// use) in the custody log: the SHA-256 of the export file and the purpose.
func (r *Repo) LogShared(ctx context.Context, actor sillok.Actor, sha256Hex, purpose string) error {
	l, _, err := r.Custody.Log(ctx)
	if err != nil {
		return err
	}
	_, err = l.Append(ctx, custody.Event{Version: custody.FormatVersion, Kind: custody.Shared,
		Actor: actor.User + "@" + actor.Org, Time: time.Now().UTC(), Blob: sha256Hex, Purpose: purpose})
	if err != nil {
		return fmt.Errorf("log the share: %w", err)
	}
	return nil
}
