package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/consent"
	"github.com/sillok/sillok/csvimport"

	"github.com/sillok/sillok/jsonl"
)

// runExport writes a full backup, or with --purpose a share: the records
// the witnesses' consent allows for that use (package consent), logged in
// the custody log as shared.
func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", "--out FILE [--purpose USE [--note TEXT]]")
	out := fs.String("out", "", "write the export (JSON Lines) to `FILE`; - for standard output")
	purposeFlag := fs.String("purpose", "", "share for a consent `USE` (internal, prosecution, un_reporting, public, partners:ORG): leave out what consent does not allow; without it the export is a full backup")
	note := fs.String("note", "", "with --purpose: for whom or why (`TEXT`), logged with the share")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	var purpose consent.Purpose
	if *purposeFlag != "" {
		var err error
		if purpose, err = consent.ParsePurpose(*purposeFlag); err != nil {
			return fmt.Errorf("%w: --purpose: %v", errUsage, err)
		}
	} else if *note != "" {
		return fmt.Errorf("%w: --note goes with --purpose", errUsage)
	}
	r, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer r.Close()
	s := r.Store
	var keep func(sillok.ID) bool
	var plan *consent.Plan
	if purpose.Use != "" {
		if plan, err = consent.NewPlan(ctx, s, purpose, time.Now()); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		keep = func(id sillok.ID) bool { return !plan.Withheld(id) }
	}
	digest := sha256.New()
	var w io.Writer = e.stdout
	var f *os.File
	if *out != "-" {
		// Write beside the target and rename, so a failed export never
		// leaves a truncated file that looks like a backup.
		f, err = os.CreateTemp(filepath.Dir(*out), ".sillok-export-*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		w = f
	}
	n, err := jsonl.ExportWhere(ctx, s, io.MultiWriter(w, digest), keep)
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(f.Name(), *out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(e.stderr, "exported %d revisions to %s\n", n, *out)
	}
	if plan != nil {
		what := purpose.String()
		if *note != "" {
			what += ": " + *note
		}
		if err := r.LogShared(ctx, e.actor(), hex.EncodeToString(digest.Sum(nil)), what); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "withheld %d records for lack of consent to %s (and evidence receipts: files go out in bundles)\n", len(plan.WithheldIDs()), purpose)
	}
	return nil
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import", "FILE | --csv --kind person|event|act [--map FIELD=COLUMN,…] [--org ORG] [--level LEVEL] FILE")
	isCSV := fs.Bool("csv", false, "FILE is CSV (persons, events or acts) rather than a Sillok export")
	kind := fs.String("kind", "", "with --csv: the `kind` of record each row holds: person, event or act")
	mapping := fs.String("map", "", "with --csv: `FIELD=COLUMN,…` naming the column of each field (default: columns named like the fields)")
	org := fs.String("org", "", "with --csv: owning organisation of the records (default: yours)")
	level := fs.String("level", "", "with --csv: confidentiality of the records: public, internal, confidential, strict")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: want one file", errUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	if *isCSV {
		m := map[string]string{}
		for _, kv := range strings.Split(*mapping, ",") {
			if kv = strings.TrimSpace(kv); kv == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("%w: --map wants FIELD=COLUMN pairs", errUsage)
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		if _, ok := csvimport.Fields[sillok.Kind(*kind)]; !ok {
			return fmt.Errorf("%w: --kind must be person, event or act", errUsage)
		}
		s, err := e.openStore(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		res, err := csvimport.Import(ctx, s, f, csvimport.Options{Kind: sillok.Kind(*kind), Actor: e.actor(),
			Org: *org, Level: sillok.Level(*level), Map: m})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "imported %d of %d rows from %s\n", len(res.Imported), res.Rows, fs.Arg(0))
		if len(res.Ignored) > 0 {
			fmt.Fprintf(e.stdout, "columns not imported (no field maps to them): %s\n", strings.Join(res.Ignored, ", "))
		}
		if len(res.Rejected) > 0 {
			fmt.Fprintf(e.stdout, "rejected %d rows:\n", len(res.Rejected))
			for _, r := range res.Rejected {
				fmt.Fprintf(e.stdout, "  %s\n", r)
			}
			return &exitError{1, fmt.Errorf("%d of %d rows rejected", len(res.Rejected), res.Rows)}
		}
		return nil
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := jsonl.Import(ctx, s, f)
	if err != nil {
		var ie jsonl.ImportErrors
		if errors.As(err, &ie) {
			return &exitError{1, err}
		}
		return err
	}
	fmt.Fprintf(e.stdout, "imported %d revisions (%d already present) from %s\n", st.Imported, st.Skipped, fs.Arg(0))
	return nil
}
