package personlink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/linkage"
)

// Methods of a link.
const (
	MethodModel  = "model"
	MethodReview = "review"
)

// pageSize is how many records a List call reads at a time.
const pageSize = 10_000

// Pair names two person records, A < B, as a Link does.
type Pair struct{ A, B sillok.ID }

// PairOf orders two IDs into a Pair.
func PairOf(a, b sillok.ID) Pair {
	if b < a {
		a, b = b, a
	}
	return Pair{a, b}
}

// Snapshot is what linkage reads from a repository: the live persons as a
// table, and the live links by pair.
type Snapshot struct {
	*Builder
	Links map[Pair]*sillok.Record
}

// Load reads the live locations, persons and links of a store, a page at
// a time.
func Load(ctx context.Context, r sillok.Reader) (*Snapshot, error) {
	s := &Snapshot{Builder: NewBuilder(), Links: map[Pair]*sillok.Record{}}
	if err := each(ctx, r, sillok.KindLocation, func(rec *sillok.Record) error { s.AddLocation(rec); return nil }); err != nil {
		return nil, err
	}
	if err := each(ctx, r, sillok.KindPerson, s.AddPerson); err != nil {
		return nil, err
	}
	if err := each(ctx, r, sillok.KindAct, s.AddAct); err != nil {
		return nil, err
	}
	err := each(ctx, r, sillok.KindLink, func(rec *sillok.Record) error {
		l, ok := rec.Body.(*sillok.Link)
		if !ok {
			return fmt.Errorf("link %s: body is %T", rec.ID, rec.Body)
		}
		s.Links[Pair{l.A, l.B}] = rec
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Index returns the table index of a person, or −1.
func (b *Builder) Index(id sillok.ID) int {
	if i, ok := b.index[id]; ok {
		return i
	}
	return -1
}

// each calls fn for every live record of kind k in ID order.
func each(ctx context.Context, r sillok.Reader, k sillok.Kind, fn func(*sillok.Record) error) error {
	if err := sillok.Each(ctx, r, sillok.Filter{Kind: k}, fn); err != nil {
		return fmt.Errorf("list %s records: %w", k, err)
	}
	return nil
}

// Labels returns the reviewers' same and different decisions as clerical
// labels for the model. Unsure reviews are not labels: they only keep the
// model from deciding the pair.
func (s *Snapshot) Labels() []linkage.Label {
	var ls []linkage.Label
	tab := s.Table()
	for p, rec := range s.Links {
		l := rec.Body.(*sillok.Link)
		if l.Method != MethodReview || l.Decision == sillok.LinkUnsure {
			continue
		}
		a, b := s.Index(p.A), s.Index(p.B)
		if a < 0 || b < 0 {
			continue // a person was deleted
		}
		d := linkage.Same
		if l.Decision == sillok.LinkDifferent {
			d = linkage.Different
		}
		ls = append(ls, linkage.Label{
			A:        linkage.Ref{Source: tab.Source(a), ID: string(p.A)},
			B:        linkage.Ref{Source: tab.Source(b), ID: string(p.B)},
			Decision: d,
		})
	}
	slices.SortFunc(ls, func(x, y linkage.Label) int {
		return cmp.Or(cmp.Compare(x.A.ID, y.A.ID), cmp.Compare(x.B.ID, y.B.ID))
	})
	return ls
}

// Options control a linkage run over a repository.
type Options struct {
	// Settings of the model (nil: DefaultSettings). Their id column is
	// ignored: records are person IDs.
	Settings *linkage.Settings
	// Actor writes the link records.
	Actor sillok.Actor
	// Level of new link records (default confidential: that two records are
	// one person says as much as the records do).
	Level sillok.Level
	// Logger receives progress (counts only); nil: none.
	Logger *slog.Logger
	// Workers compare pairs in parallel (default GOMAXPROCS).
	Workers int
	// DryRun computes what would be written without writing.
	DryRun bool
}

// Report says what a run found and wrote.
type Report struct {
	Stats linkage.Stats
	Model *linkage.Model
	// Linked and Queued count links written as same and as unsure (the
	// review queue); Withdrawn counts earlier model links revised to
	// different because the pair now scores below the review threshold;
	// Unchanged counts model links that already said what the model says;
	// Reviewed counts the pairs a reviewer decided, which the run leaves
	// alone.
	Linked, Queued, Withdrawn, Unchanged, Reviewed int
}

// probTolerance is how far a model link's probability may move before a
// rerun that keeps its decision writes a new revision anyway.
const probTolerance = 0.05

// Run links the persons of a store: it trains the model with the
// reviewers' decisions as labels, scores the candidate pairs and writes
// the model's decisions as Link records (method model):
//
//   - a pair at or above the link threshold: decision same;
//   - a pair in the uncertain band [review, link): decision unsure — the
//     review queue (Queue);
//   - a pair a model link joined earlier that now scores below the review
//     threshold: decision different, so that the link no longer merges.
//
// A pair whose current link is a reviewer's (method review) is never
// touched. A rerun on unchanged data writes nothing: a model link is
// revised only when its decision changes or its probability moves by more
// than 0.05. Person records are never altered.
func Run(ctx context.Context, st sillok.Store, opt Options) (*Report, error) {
	snap, err := Load(ctx, st)
	if err != nil {
		return nil, err
	}
	settings := opt.Settings
	if settings == nil {
		settings = DefaultSettings()
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(discard{})
	}
	rep := &Report{}
	if snap.Len() < 2 {
		rep.Stats.Records = snap.Len()
		return rep, nil
	}
	l, err := linkage.NewLinker(snap.Table(), settings, linkage.Options{Folds: Folds(), Workers: opt.Workers, Logger: log})
	if err != nil {
		return nil, err
	}
	labels := snap.Labels()
	model, err := l.Train(ctx, labels)
	if err != nil {
		return nil, err
	}
	res, err := l.Score(ctx, model, labels)
	if err != nil {
		return nil, err
	}
	rep.Stats, rep.Model = res.Stats, model
	for _, rec := range snap.Links {
		if rec.Body.(*sillok.Link).Method == MethodReview {
			rep.Reviewed++
		}
	}
	level := opt.Level
	if level == "" {
		level = sillok.LevelConfidential
	}
	var w writes
	seen := make(map[Pair]bool, len(res.Pairs))
	for _, p := range res.Pairs {
		pr := PairOf(snap.IDs()[p.A], snap.IDs()[p.B])
		seen[pr] = true
		old := snap.Links[pr]
		if old != nil && old.Body.(*sillok.Link).Method == MethodReview || p.Label != linkage.Unsure {
			continue
		}
		d := sillok.LinkUnsure
		if p.Prob >= settings.Thresholds.Link {
			d = sillok.LinkSame
		}
		e, err := l.Explain(model, int(p.A), int(p.B))
		if err != nil {
			return nil, err
		}
		nl := &sillok.Link{A: pr.A, B: pr.B, Decision: d, Method: MethodModel, Probability: clamp01(p.Prob), Note: explainNote(e)}
		switch {
		case old != nil && sameDecision(old.Body.(*sillok.Link), nl):
			rep.Unchanged++
			continue
		case d == sillok.LinkSame:
			rep.Linked++
		default:
			rep.Queued++
		}
		w.add(old, nl)
	}
	// Earlier model links the model no longer supports.
	for pr, old := range snap.Links {
		ol := old.Body.(*sillok.Link)
		if seen[pr] || ol.Method != MethodModel || ol.Decision == sillok.LinkDifferent {
			continue
		}
		a, b := snap.Index(pr.A), snap.Index(pr.B)
		if a < 0 || b < 0 {
			continue // a person was deleted: nothing to score
		}
		e, err := l.Explain(model, a, b)
		if err != nil {
			return nil, err
		}
		rep.Withdrawn++
		w.add(old, &sillok.Link{A: pr.A, B: pr.B, Decision: sillok.LinkDifferent, Method: MethodModel, Probability: clamp01(e.Prob), Note: explainNote(e)})
	}
	log.Info("linkage run", "records", rep.Stats.Records, "candidate_pairs", rep.Stats.CandidatePairs,
		"linked", rep.Linked, "queued", rep.Queued, "withdrawn", rep.Withdrawn, "unchanged", rep.Unchanged, "reviewed", rep.Reviewed)
	if opt.DryRun {
		return rep, nil
	}
	return rep, w.flush(ctx, st, opt.Actor, level)
}

// sameDecision reports whether a model link already says what nl says.
func sameDecision(old, nl *sillok.Link) bool {
	return old.Method == nl.Method && old.Decision == nl.Decision && math.Abs(old.Probability-nl.Probability) <= probTolerance
}

func clamp01(p float64) float64 { return min(1, max(0, p)) }

// explainNote writes a pair's explanation compactly for a link's note:
// levels and weights, never values.
func explainNote(e linkage.Explanation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "match weight %.2f (prior %.2f)", e.Weight, e.PriorLog2)
	for _, c := range e.Contributions {
		fmt.Fprintf(&b, "; %s: %s %+.2f", c.Column, c.Label, c.Log2)
	}
	return b.String()
}

// writes collects link creations and revisions to write in batches.
type writes struct {
	items []write
}

type write struct {
	old *sillok.Record // nil: create
	l   *sillok.Link
}

func (w *writes) add(old *sillok.Record, l *sillok.Link) { w.items = append(w.items, write{old, l}) }

const writeBatch = 1000

func (w *writes) flush(ctx context.Context, st sillok.Store, actor sillok.Actor, level sillok.Level) error {
	for i := 0; i < len(w.items); i += writeBatch {
		chunk := w.items[i:min(i+writeBatch, len(w.items))]
		err := st.Batch(ctx, func(tx sillok.Tx) error {
			for _, it := range chunk {
				if it.old == nil {
					r := &sillok.Record{Kind: sillok.KindLink, Org: actor.Org, Level: level, Body: it.l}
					if err := tx.Create(ctx, actor, r); err != nil {
						return fmt.Errorf("create link %s–%s: %w", it.l.A, it.l.B, err)
					}
					continue
				}
				if _, err := tx.Update(ctx, actor, it.old.ID, it.old.Rev, it.l, "linkage model"); err != nil {
					return fmt.Errorf("revise link %s: %w", it.old.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }

// ErrNothingToUndo is returned by Undo for a link with no earlier decision.
var ErrNothingToUndo = errors.New("nothing to undo")
