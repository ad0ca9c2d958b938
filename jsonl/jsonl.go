// Package jsonl reads and writes Sillok's export format: JSON Lines holding
// every revision of every record (thesauri included), so that an export is
// a complete, reviewable copy of a repository.
//
// The first line is a header, {"format":"sillok-export","version":1}; each
// further line is one sillok.Revision, ordered by record ID and revision
// number. The encoding is canonical — fixed field order, bodies as stored,
// no timestamps of the export itself — so exporting, importing into an
// empty repository and exporting again gives the same bytes, on any backend.
package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sillok/sillok"
)

// Header is the first line of an export.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

const formatName = "sillok-export"

// Export writes every revision in r to w.
func Export(ctx context.Context, r sillok.Reader, w io.Writer) (n int, err error) {
	return ExportWhere(ctx, r, w, nil)
}

// ExportWhere writes the revisions of the records keep accepts (all, for
// a nil keep) to w. Share exports use it to leave out what consent does
// not allow (package consent); keep must accept whole records, and every
// record they refer to, for the export to import elsewhere.
func ExportWhere(ctx context.Context, r sillok.Reader, w io.Writer, keep func(sillok.ID) bool) (n int, err error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Header{Format: formatName, Version: 1}); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	err = r.Revisions(ctx, func(v *sillok.Revision) error {
		if keep != nil && !keep(v.ID) {
			return nil
		}
		n++
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("export revision %s@%d: %w", v.ID, v.Rev, err)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

// Stats reports what an import did.
type Stats struct {
	Lines    int // revision lines read
	Imported int // revisions stored
	Skipped  int // revisions the repository already held, identical
}

// LineError names the line of an export that could not be imported.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ImportErrors holds every line that failed (up to a limit).
type ImportErrors []*LineError

func (es ImportErrors) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d line(s) could not be imported; nothing was imported", len(es))
	for _, e := range es {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// maxErrors is how many bad lines an import reports before giving up.
const maxErrors = 20

// Import reads an export into s, in one transaction: a restore that stops
// half-way would leave a repository that looks complete and is not. It
// reports every bad line (up to 20) as ImportErrors and then imports
// nothing.
func Import(ctx context.Context, s sillok.Store, r io.Reader) (*Stats, error) {
	st := &Stats{}
	br := bufio.NewReaderSize(r, 1<<16)
	var errs ImportErrors
	err := s.Batch(ctx, func(tx sillok.Tx) error {
		line := 0
		for {
			b, err := br.ReadBytes('\n')
			if len(b) == 0 && errors.Is(err, io.EOF) {
				break
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("read line %d: %w", line+1, err)
			}
			line++
			if line == 1 {
				var h Header
				if jerr := strictDecode(b, &h); jerr != nil || h.Format != formatName {
					return &LineError{1, fmt.Errorf("not a Sillok export (want a %q header)", formatName)}
				}
				if h.Version != 1 {
					return &LineError{1, fmt.Errorf("export version %d is not supported by this build", h.Version)}
				}
				continue
			}
			st.Lines++
			var v sillok.Revision
			if jerr := strictDecode(b, &v); jerr != nil {
				errs = append(errs, &LineError{line, jerr})
			} else if ok, ierr := tx.Import(ctx, &v); ierr != nil {
				errs = append(errs, &LineError{line, ierr})
			} else if ok {
				st.Imported++
			} else {
				st.Skipped++
			}
			if len(errs) >= maxErrors {
				break
			}
		}
		if line == 0 {
			return &LineError{1, errors.New("empty file")}
		}
		if len(errs) > 0 {
			return errs
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("import: %w", err)
	}
	return st, nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON: %w", err)
	}
	if dec.More() {
		return errors.New("bad JSON: more than one value on the line")
	}
	return nil
}
