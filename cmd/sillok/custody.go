package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/bundle"
	"github.com/sillok/sillok/consent"
	"github.com/sillok/sillok/custody"
	"github.com/sillok/sillok/evidence"
)

// sub dispatches "COMMAND SUB ARGS" to the one subcommand there is.
func sub(e *env, name string, args []string, subs map[string]func([]string) error) error {
	if len(args) == 0 || subs[args[0]] == nil {
		var names []string
		for n := range subs {
			names = append(names, n)
		}
		fmt.Fprintf(e.stderr, "usage: sillok %s %s ...\n", name, strings.Join(names, "|"))
		return fmt.Errorf("%w: want a subcommand", errUsage)
	}
	return subs[args[0]](args[1:])
}

func runEvidence(ctx context.Context, e *env, args []string) error {
	return sub(e, "evidence", args, map[string]func([]string) error{
		"add": func(args []string) error { return runEvidenceAdd(ctx, e, args) },
	})
}

// parseWhen reads a date (2006-01-02, UTC) or an RFC 3339 time.
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --received %q: want YYYY-MM-DD or an RFC 3339 time", errUsage, s)
	}
	return t, nil
}

func runEvidenceAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "evidence add", "[flags] FILE...")
	source := fs.String("source", "", "`ID` of the source record (testimony, document) the files belong to")
	from := fs.String("from", "", "from whom the files were received (`TEXT`, kept in the record only)")
	channel := fs.String("channel", "", "how they were received (`TEXT`: in person, courier, upload)")
	received := fs.String("received", "", "when they were received (`DATE` YYYY-MM-DD or RFC 3339; default now)")
	level := fs.String("level", "", "confidentiality `LEVEL` (public, internal, confidential, strict); confidential and strict files are logged by salted commitment")
	derived := fs.String("derived-from", "", "the files are derived copies of evidence record `ID`")
	op := fs.String("operation", "", "how the derived copies were made (`OP`: redact, transcode, ocr, thumbnail)")
	keyFile := fs.String("log-key", "", "custody log signing key `FILE` (default $SILLOK_LOG_KEY or DATA/keys/custody.key)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("%w: want at least one file", errUsage)
	}
	if (*derived == "") != (*op == "") {
		return fmt.Errorf("%w: --derived-from and --operation go together", errUsage)
	}
	if *level != "" && !sillok.Level(*level).Valid() {
		return fmt.Errorf("%w: --level %q: want public, internal, confidential or strict", errUsage, *level)
	}
	rc := evidence.Receipt{From: *from, Channel: *channel, Source: sillok.ID(*source),
		DerivedFrom: sillok.ID(*derived), Operation: *op, Level: sillok.Level(*level)}
	if *received != "" {
		t, err := parseWhen(*received)
		if err != nil {
			return err
		}
		rc.Received = t
	}
	r, err := e.openRepo(ctx, *keyFile)
	if err != nil {
		return err
	}
	defer r.Close()
	actor := e.actor()
	sealTo, err := e.sealedSource(ctx, r, rc.Source)
	if err != nil {
		return err
	}
	for i, path := range fs.Args() {
		// Errors name the argument's position, not the file name: file
		// names of testimonies can name witnesses.
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("file %d: %w", i+1, errors.Unwrap(err))
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return fmt.Errorf("file %d: %w", i+1, err)
		}
		if fi.IsDir() {
			f.Close()
			return fmt.Errorf("%w: file %d is a directory", errUsage, i+1)
		}
		one := rc
		one.FileName, one.FileTime = fi.Name(), fi.ModTime()
		if sealTo != nil {
			rec, info, _, err := e.addSealed(ctx, r, sealTo, actor, f, one)
			f.Close()
			if err != nil {
				return fmt.Errorf("file %d: %w", i+1, err)
			}
			fmt.Fprintf(e.stdout, "%s %s sealed\n", rec.ID, info.Hash)
			continue
		}
		rec, info, err := r.Add(ctx, actor, f, one)
		f.Close()
		if err != nil {
			return fmt.Errorf("file %d: %w", i+1, err)
		}
		fmt.Fprintf(e.stdout, "%s %s\n", rec.ID, info.Hash)
	}
	return nil
}

func runLog(ctx context.Context, e *env, args []string) error {
	return sub(e, "log", args, map[string]func([]string) error{
		"verify": func(args []string) error { return runLogVerify(ctx, e, args) },
	})
}

func runLogVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "log verify", "[--log-key FILE] [-q]")
	keyFile := fs.String("log-key", "", "custody log signing key `FILE` (default $SILLOK_LOG_KEY or DATA/keys/custody.key)")
	quiet := fs.Bool("q", false, "print only problems")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: log verify takes no arguments", errUsage)
	}
	r, err := e.openRepo(ctx, *keyFile)
	if err != nil {
		return err
	}
	defer r.Close()
	rep, err := r.Verify(ctx)
	if err != nil {
		return err
	}
	probs := rep.Problems()
	for _, p := range probs {
		fmt.Fprintf(e.stdout, "FAIL %s\n", p)
	}
	summary := fmt.Sprintf("custody log %s: %d events, %d checkpoints; %d revisions, %d evidence files checked",
		r.Custody.Key().Origin(), rep.Log.Size, rep.Log.Checkpoints, rep.Revisions, rep.Evidence)
	if len(probs) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d problems; %s", len(probs), summary)}
	}
	if !*quiet {
		fmt.Fprintf(e.stdout, "ok: %s\n", summary)
	}
	return nil
}

func runBundle(ctx context.Context, e *env, args []string) error {
	return sub(e, "bundle", args, map[string]func([]string) error{
		"export": func(args []string) error { return runBundleExport(ctx, e, args) },
	})
}

func runBundleExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bundle export", "(--records ID[,ID...] | --query KIND[:ATTR=VALUE]) --out DIR --purpose USE [--note TEXT]")
	var records listFlag
	fs.Var(&records, "records", "record `IDs` to export (repeatable, comma-separated); a non-evidence record exports the evidence pointing to it")
	query := fs.String("query", "", "export the records of `KIND[:ATTR=VALUE]`, e.g. evidence:media_type=application/pdf")
	out := fs.String("out", "", "bundle `DIR` to create (must not exist or be empty)")
	purpose := fs.String("purpose", "", "the consent `USE` the bundle is for: internal, prosecution, un_reporting, public or partners:ORG; items whose consent does not allow it are withheld (required)")
	note := fs.String("note", "", "for whom or why (`TEXT`), logged in the exported event after the use")
	keyFile := fs.String("log-key", "", "custody log signing key `FILE` (default $SILLOK_LOG_KEY or DATA/keys/custody.key)")
	tsaURL := fs.String("tsa", os.Getenv("SILLOK_TSA"), "RFC 3161 timestamping authority `URL` for the bundle's checkpoint (only the checkpoint's digest is sent); $SILLOK_TSA")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	records = append(records, fs.Args()...)
	if *out == "" || (len(records) == 0) == (*query == "") {
		fs.Usage()
		return fmt.Errorf("%w: want --out and either --records or --query", errUsage)
	}
	if *purpose == "" {
		fs.Usage()
		return fmt.Errorf("%w: --purpose is required: the consent use the bundle is for", errUsage)
	}
	use, err := consent.ParsePurpose(*purpose)
	if err != nil {
		return fmt.Errorf("%w: --purpose: %v", errUsage, err)
	}
	r, err := e.openRepo(ctx, *keyFile)
	if err != nil {
		return err
	}
	defer r.Close()
	ids := make([]sillok.ID, len(records))
	for i, s := range records {
		ids[i] = sillok.ID(s)
	}
	if *query != "" {
		f, err := parseQuery(*query)
		if err != nil {
			return err
		}
		for {
			p, err := r.Store.List(ctx, f)
			if err != nil {
				return err
			}
			for _, rec := range p.Records {
				ids = append(ids, rec.ID)
			}
			if p.Next == "" {
				break
			}
			f.After = p.Next
		}
		if len(ids) == 0 {
			return fmt.Errorf("query %s matches no record", *query)
		}
	}
	opt := evidence.ExportOptions{For: use, Purpose: *note}
	if *tsaURL != "" {
		opt.TSA = custody.HTTPTSA{URL: *tsaURL}
	}
	sum, err := r.Export(ctx, *out, e.actor(), ids, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d items, %d files (%d bytes), %d events against checkpoint %d of %s\n",
		*out, sum.Items, sum.Blobs, sum.BlobBytes, sum.Events, sum.Checkpoint.Size, sum.Checkpoint.Origin)
	if sum.Withheld > 0 {
		fmt.Fprintf(e.stdout, "withheld %d records for lack of consent to %s (listed in %s)\n", sum.Withheld, use, bundle.ConsentFile)
	}
	return nil
}

// parseQuery reads KIND[:ATTR=VALUE].
func parseQuery(q string) (sillok.Filter, error) {
	kind, attr, hasAttr := strings.Cut(q, ":")
	f := sillok.Filter{Kind: sillok.Kind(kind), Limit: 10_000}
	if !f.Kind.Valid() {
		return f, fmt.Errorf("%w: --query: unknown kind %q", errUsage, kind)
	}
	if hasAttr {
		k, v, ok := strings.Cut(attr, "=")
		if !ok || k == "" {
			return f, fmt.Errorf("%w: --query: want KIND:ATTR=VALUE", errUsage)
		}
		f.Attrs = []sillok.Attr{{Key: k, Value: v}}
	}
	return f, nil
}
