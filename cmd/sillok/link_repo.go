package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/linkage"
	"github.com/sillok/sillok/linkage/personlink"
	"github.com/sillok/sillok/protect"
)

// linkSubcommands are the repository-mode actions of `sillok link`.
func linkSubcommands() map[string]func(ctx context.Context, e *env, args []string) error {
	return map[string]func(ctx context.Context, e *env, args []string) error{
		"review":   runLinkReview,
		"decide":   runLinkDecide,
		"undo":     runLinkUndo,
		"clusters": runLinkClusters,
	}
}

// runLinkRepo is `sillok link` without --input: link the repository's
// person records and write the model's decisions as link records.
func runLinkRepo(ctx context.Context, e *env, settingsPath, modelPath string, dryRun bool) error {
	var settings *linkage.Settings
	if settingsPath != "" {
		f, err := os.Open(settingsPath)
		if err != nil {
			return err
		}
		settings, err = linkage.ReadSettings(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", settingsPath, err)
		}
	}
	repo, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer repo.Close()
	var s sillok.Store = e.writeStore(repo)
	if e.keys != nil {
		// Linkage compares names and birth dates: the run opens every
		// sealed person its keys open, in the process, and shows none of
		// them (links and the review queue name records by ID and
		// pseudonym). One disclosure per run and organisation is logged.
		if err := e.discloseAll(ctx, repo, "record linkage (sillok link): names compared in the process, shown to no one"); err != nil {
			return err
		}
		s = &protect.Revealed{Store: s, Keys: e.keys}
	}
	rep, err := personlink.Run(ctx, s, personlink.Options{Settings: settings, Actor: e.actor(), Logger: e.log, DryRun: dryRun})
	if err != nil {
		return err
	}
	if modelPath != "" && rep.Model != nil {
		b, err := json.MarshalIndent(rep.Model, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(modelPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	verb := "wrote"
	if dryRun {
		verb = "would write"
	}
	st := rep.Stats
	fmt.Fprintf(e.stdout, "persons %d, candidate pairs %d, clusters %d; %s %d same and %d to review, withdrew %d; %d unchanged, %d decided by reviewers\n",
		st.Records, st.CandidatePairs, st.Clusters, verb, rep.Linked, rep.Queued, rep.Withdrawn, rep.Unchanged, rep.Reviewed)
	return nil
}

func runLinkReview(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "link review", "[--limit N]")
	limit := fs.Int("limit", 20, "list at most `N` pairs (0: all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments", errUsage)
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	q, err := personlink.Queue(ctx, s, *limit)
	if err != nil {
		return err
	}
	if len(q) == 0 {
		fmt.Fprintln(e.stdout, "review queue is empty")
		return nil
	}
	for _, r := range q {
		l := r.Body.(*sillok.Link)
		fmt.Fprintf(e.stdout, "%s  match probability %.3f\n", r.ID, l.Probability)
		for _, id := range []sillok.ID{l.A, l.B} {
			p, err := s.Get(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "  %s  %s  %s\n", id, p.Org, personSummary(p))
		}
		for _, part := range strings.Split(l.Note, "; ") {
			fmt.Fprintf(e.stdout, "    %s\n", part)
		}
		fmt.Fprintf(e.stdout, "  decide: sillok link decide %s %s same|different|unsure [--note TEXT]\n\n", l.A, l.B)
	}
	return nil
}

// personSummary is the one place review output shows a person's
// identifying fields. Names and birth dates are protected fields: when
// field protection is wired, this is where they are withheld from users
// who may not see them.
func personSummary(r *sillok.Record) string {
	p, ok := r.Body.(*sillok.Person)
	if !ok {
		return "(not a person)"
	}
	var names []string
	for _, n := range p.Names {
		names = append(names, n.Value)
	}
	parts := []string{strings.Join(names, " / ")}
	if !p.Birth.IsZero() {
		parts = append(parts, "born "+p.Birth.String())
	}
	if p.Sex != "" {
		parts = append(parts, string(p.Sex))
	}
	if p.Origin != "" {
		parts = append(parts, "origin "+string(p.Origin))
	} else if p.OriginText != "" {
		parts = append(parts, "origin "+strconv.Quote(p.OriginText))
	}
	return strings.Join(parts, ", ")
}

func runLinkDecide(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "link decide", "A B same|different|unsure [--note TEXT]")
	note := fs.String("note", "", "why: what the reviewer saw")
	// Flags may follow the positional arguments.
	var pos []string
	for len(args) > 0 {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 3 {
		fs.Usage()
		return fmt.Errorf("%w: want two person IDs and a decision", errUsage)
	}
	switch pos[2] {
	case sillok.LinkSame, sillok.LinkDifferent, sillok.LinkUnsure:
	default:
		return fmt.Errorf("%w: decision %q: want same, different or unsure", errUsage, pos[2])
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := personlink.Decide(ctx, s, e.actor(), sillok.ID(pos[0]), sillok.ID(pos[1]), pos[2], *note)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s rev %d: %s\n", r.ID, r.Rev, pos[2])
	return nil
}

func runLinkUndo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "link undo", "LINKID")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: want one link ID", errUsage)
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := personlink.Undo(ctx, s, e.actor(), sillok.ID(fs.Arg(0)))
	if err != nil {
		return err
	}
	l := r.Body.(*sillok.Link)
	fmt.Fprintf(e.stdout, "%s rev %d: back to %s (%s)\n", r.ID, r.Rev, l.Decision, l.Method)
	return nil
}

func runLinkClusters(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "link clusters", "--out FILE")
	out := fs.String("out", "", "write record_id,org,cluster_id per person record to this CSV `file` (- for standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	as, err := personlink.Clusters(ctx, s)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"record_id", "org", "cluster_id"})
		for _, a := range as {
			cw.Write([]string{string(a.Person), a.Org, string(a.Cluster)})
		}
		cw.Flush()
		return cw.Error()
	}
	if *out == "-" {
		return write(e.stdout)
	}
	if err := writeFile(*out, write); err != nil {
		return err
	}
	n := map[sillok.ID]bool{}
	for _, a := range as {
		n[a.Cluster] = true
	}
	fmt.Fprintf(e.stdout, "%d person records in %d clusters\n", len(as), len(n))
	return nil
}
