package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/custody"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Export is what a bundle is made of. The repository core fills it: the
// selected items, the custody events that concern them with their proofs
// (custody.Log.Prove), that checkpoint, and the log's key.
type Export struct {
	Items      []Item
	Events     []custody.EventProof
	Checkpoint []byte // the signed checkpoint all proofs are against
	Key        *custody.Key
	Timestamp  []byte // optional RFC 3161 token on Checkpoint (custody.Timestamp)
	// Consent, if set, is written as CONSENT.txt and explained in the
	// README: the purpose and the records withheld for lack of consent.
	Consent *ConsentNote
}

// Summary counts what a bundle holds.
type Summary struct {
	Items, Blobs, Events int
	Withheld             int // records withheld for lack of consent (see ConsentNote)
	BlobBytes            int64
	Checkpoint           custody.Checkpoint
}

// Write writes the bundle into dir, which must not exist or be empty,
// streaming blobs from blobs. Before writing it checks its input the way
// Verify will (every proof against the checkpoint, every item's events
// present), and every blob is rehashed on the way: a blob that does not
// match its hash or recorded size stops the export with an error naming
// it. On error, dir may hold a partial bundle (without a MANIFEST, so it
// never verifies).
func Write(ctx context.Context, dir string, x Export, blobs Opener) (*Summary, error) {
	if x.Key == nil {
		return nil, errors.New("write bundle: no key")
	}
	cp, err := custody.OpenCheckpoint(x.Checkpoint, x.Key.Verifier)
	if err != nil {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	if x.Timestamp != nil {
		if _, err := custody.VerifyTimestamp(x.Timestamp, cp, nil); err != nil {
			return nil, fmt.Errorf("write bundle: %w", err)
		}
	}
	sum := &Summary{Checkpoint: cp}
	have := map[int64]bool{}
	for _, e := range x.Events {
		if _, err := custody.ParseEvent(e.Data); err != nil {
			return nil, fmt.Errorf("write bundle: event %d: %w", e.Index, err)
		}
		if e.Index >= cp.Size {
			return nil, fmt.Errorf("write bundle: event %d is beyond the checkpoint of size %d", e.Index, cp.Size)
		}
		if err := tlog.CheckRecord(e.Proof, cp.Size, cp.Root, e.Index, tlog.RecordHash(e.Data)); err != nil {
			return nil, fmt.Errorf("write bundle: event %d: proof against checkpoint of size %d: %w", e.Index, cp.Size, err)
		}
		if have[e.Index] {
			return nil, fmt.Errorf("write bundle: event %d given twice", e.Index)
		}
		have[e.Index] = true
	}
	if x.Consent != nil {
		if err := x.Consent.validate(); err != nil {
			return nil, fmt.Errorf("write bundle: %w", err)
		}
	}
	ids := map[string]bool{}
	for _, it := range x.Items {
		if _, err := ParseItem(mustJSON(it)); err != nil {
			return nil, fmt.Errorf("write bundle: %w", err)
		}
		if ids[it.ID] {
			return nil, fmt.Errorf("write bundle: item %s given twice", it.ID)
		}
		ids[it.ID] = true
		for _, n := range it.Events {
			if !have[n] {
				return nil, fmt.Errorf("write bundle: item %s: event %d not exported", it.ID, n)
			}
		}
	}

	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("write bundle: %s is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	w := &writer{dir: dir, m: Manifest{}, buf: make([]byte, 1<<20)}
	for _, sub := range []string{"blobs", "items", "events", "proofs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("write bundle: %w", err)
		}
	}

	// Blobs: each original and derived copy once.
	sizes := map[blob.Hash]int64{}
	var order []blob.Hash
	for _, it := range x.Items {
		if _, ok := sizes[it.SHA256]; !ok {
			order = append(order, it.SHA256)
		}
		sizes[it.SHA256] = it.Size
		for _, d := range it.Derivations {
			if _, ok := sizes[d.Derived]; !ok {
				order = append(order, d.Derived)
				sizes[d.Derived] = -1 // size known only once read
			}
		}
	}
	for _, h := range order {
		n, err := w.copyBlob(ctx, blobs, h, sizes[h])
		if err != nil {
			return nil, fmt.Errorf("write bundle: %w", err)
		}
		sum.Blobs++
		sum.BlobBytes += n
	}
	for _, it := range x.Items {
		if err := w.file("items/"+it.ID+".json", append(mustJSONIndent(it), '\n')); err != nil {
			return nil, err
		}
		sum.Items++
	}
	for _, e := range x.Events {
		if err := w.file(eventPath(e.Index), e.Data); err != nil {
			return nil, err
		}
		if err := w.file(proofPath(e.Index), FormatProof(e.Proof)); err != nil {
			return nil, err
		}
		sum.Events++
	}
	if err := w.file(KeyFile, []byte(x.Key.VerifierKey+"\n")); err != nil {
		return nil, err
	}
	if err := w.file(CheckpointFile, x.Checkpoint); err != nil {
		return nil, err
	}
	if x.Timestamp != nil {
		if err := w.file(TimestampFile, x.Timestamp); err != nil {
			return nil, err
		}
	}
	rd := readme(cp, x.Key.VerifierKey)
	if x.Consent != nil {
		for _, id := range x.Consent.Withheld {
			if ids[id] {
				return nil, fmt.Errorf("write bundle: item %s is both in the bundle and withheld", id)
			}
		}
		if err := w.file(ConsentFile, x.Consent.Text()); err != nil {
			return nil, err
		}
		rd = append(rd, consentReadme(*x.Consent)...)
		sum.Withheld = len(x.Consent.Withheld)
	}
	if err := w.file(ReadmeFile, rd); err != nil {
		return nil, err
	}
	signed, err := note.Sign(&note.Note{Text: string(w.m.Text())}, x.Key.Signer)
	if err != nil {
		return nil, fmt.Errorf("write bundle: sign manifest: %w", err)
	}
	if err := writeSynced(filepath.Join(dir, ManifestFile), signed); err != nil {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	return sum, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only fixed types with marshalable fields reach here
	}
	return b
}

func mustJSONIndent(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

type writer struct {
	dir string
	m   Manifest
	buf []byte // copy buffer shared by all blobs
}

func (w *writer) file(rel string, data []byte) error {
	if err := writeSynced(filepath.Join(w.dir, filepath.FromSlash(rel)), data); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	w.m[rel] = blob.Sum(data)
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// copyBlob streams blob h into blobs/<hex>, rehashing it; wantSize < 0
// means any size.
func (w *writer) copyBlob(ctx context.Context, src Opener, h blob.Hash, wantSize int64) (int64, error) {
	rc, err := src.Get(ctx, h)
	if err != nil {
		return 0, fmt.Errorf("blob %s: %w", h, err)
	}
	defer rc.Close()
	rel := "blobs/" + h.String()
	f, err := os.OpenFile(filepath.Join(w.dir, filepath.FromSlash(rel)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return 0, fmt.Errorf("blob %s: %w", h, err)
	}
	defer f.Close()
	d := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(f, d), rc, w.buf)
	if err != nil {
		return n, fmt.Errorf("blob %s: copy: %w", h, err)
	}
	var got blob.Hash
	copy(got[:], d.Sum(nil))
	if got != h {
		return n, fmt.Errorf("blob %s: store returned content hashing to %s: %w", h, got, blob.ErrCorrupt)
	}
	if wantSize >= 0 && n != wantSize {
		return n, fmt.Errorf("blob %s: %d bytes, item records %d", h, n, wantSize)
	}
	if err := f.Sync(); err != nil {
		return n, fmt.Errorf("blob %s: %w", h, err)
	}
	w.m[rel] = h
	return n, nil
}
