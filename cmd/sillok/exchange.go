package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sillok/sillok/jsonl"
)

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", "--out FILE")
	out := fs.String("out", "", "write the export (JSON Lines) to `FILE`; - for standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
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
	n, err := jsonl.Export(ctx, s, w)
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
	return nil
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import", "FILE")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: want one export file", errUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
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
