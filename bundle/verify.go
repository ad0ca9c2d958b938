package bundle

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sillok/sillok/blob"
	"github.com/sillok/sillok/custody"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Problem is one failed check, naming the bundle file it concerns.
type Problem struct {
	Path string
	Err  error
}

func (p Problem) Error() string { return p.Path + ": " + p.Err.Error() }

// Report is the result of Verify.
type Report struct {
	Summary
	KeyName string // the log key's name (= the log's origin)
	KeyHash uint32 // its key ID
	KeyFrom string // "pinned" or "bundle" (key.pub, unchecked against anything)
	// Timestamp is the time an RFC 3161 token in the bundle vouches the
	// checkpoint existed (zero if there is none); TimestampTrusted says
	// whether the TSA's certificate chained to Options.TSARoots.
	Timestamp        time.Time
	TimestampTrusted bool
	// Consent is the bundle's consent note, if it has one: the purpose it
	// was made for and the records withheld for lack of consent.
	Consent  *ConsentNote
	Problems []Problem
}

// OK reports whether every check held.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(path string, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Path: path, Err: fmt.Errorf(format, args...)})
}

// String summarises the report in one line.
func (r *Report) String() string {
	if !r.OK() {
		return fmt.Sprintf("bundle FAILED: %d problems", len(r.Problems))
	}
	s := fmt.Sprintf("bundle OK: %d items, %d blobs (%d bytes), %d custody events proven in log %s at size %d (root %s), signed by key %s+%08x (%s)",
		r.Items, r.Blobs, r.BlobBytes, r.Events, r.Checkpoint.Origin, r.Checkpoint.Size, r.Checkpoint.Root, r.KeyName, r.KeyHash, r.KeyFrom)
	if !r.Timestamp.IsZero() {
		trust := "TSA not checked against trusted roots"
		if r.TimestampTrusted {
			trust = "TSA trusted"
		}
		s += fmt.Sprintf("; checkpoint timestamped %s (%s)", r.Timestamp.UTC().Format(time.RFC3339), trust)
	}
	if r.Consent != nil {
		s += fmt.Sprintf("; purpose %s, %d withheld for lack of consent", r.Consent.Purpose, len(r.Consent.Withheld))
	}
	return s
}

// Options configures Verify.
type Options struct {
	// Key, if set, is the verifier key the reader trusts (obtained from
	// the repository through another channel); key.pub must equal it.
	// Without it, Verify trusts key.pub and says so in the report.
	Key string
	// TSARoots, if set, are the trusted roots for the TSA that signed
	// checkpoint.tsr. Without them the token's signature and imprint are
	// checked, its certificate is not.
	TSARoots *x509.CertPool
}

// Verify checks the bundle in dir offline: the manifest's signature and
// every file's hash against it (no file missing, none extra), each blob
// against its name, the checkpoint's signature, each event's canonical
// form and its inclusion proof against the checkpoint, and each item's
// references. Every failure becomes a Problem naming the file; the error
// is only for a dir that cannot be read at all.
func Verify(ctx context.Context, dir string, opt Options) (*Report, error) {
	r := &Report{KeyFrom: "bundle"}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("verify bundle: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("verify bundle: %s is not a directory", dir)
	}
	read := func(rel string) ([]byte, bool) {
		b, err := readLimited(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			r.add(rel, "%v", unwrapPath(err))
			return nil, false
		}
		return b, true
	}

	// The key.
	var v note.Verifier
	if b, ok := read(KeyFile); ok {
		vkey := strings.TrimSuffix(string(b), "\n")
		var err error
		if v, err = note.NewVerifier(vkey); err != nil || string(b) != vkey+"\n" {
			r.add(KeyFile, "not a note verifier key")
			v = nil
		} else {
			r.KeyName, r.KeyHash = v.Name(), v.KeyHash()
			if opt.Key != "" {
				if strings.TrimSpace(opt.Key) != vkey {
					r.add(KeyFile, "is not the trusted key %s", firstField(opt.Key))
				} else {
					r.KeyFrom = "pinned"
				}
			}
		}
	}

	// Walk the files and hash each once, streaming.
	buf := make([]byte, 1<<20)
	hashes := map[string]blob.Hash{}
	sizes := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			r.add(rel, "not a regular file (%v)", d.Type())
			return nil
		}
		h, n, err := hashFile(p, buf)
		if err != nil {
			r.add(rel, "%v", unwrapPath(err))
			return nil
		}
		hashes[rel], sizes[rel] = h, n
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("verify bundle %s: %w", dir, err)
	}

	// The manifest.
	if b, ok := read(ManifestFile); ok && v != nil {
		m, err := openManifest(b, v)
		if err != nil {
			r.add(ManifestFile, "%v", err)
		} else {
			for p, want := range m {
				got, ok := hashes[p]
				switch {
				case !ok:
					r.add(p, "listed in MANIFEST but missing")
				case got != want:
					r.add(p, "SHA-256 is %s, MANIFEST says %s", got, want)
				}
			}
			for p := range hashes {
				if _, ok := m[p]; !ok && p != ManifestFile {
					r.add(p, "not listed in MANIFEST")
				}
			}
		}
	}

	// The checkpoint.
	var cp custody.Checkpoint
	cpOK := false
	if b, ok := read(CheckpointFile); ok && v != nil {
		c, err := custody.OpenCheckpoint(b, v)
		if err != nil {
			r.add(CheckpointFile, "%v", err)
		} else {
			cp, cpOK = c, true
			r.Checkpoint = c
		}
	}

	// The timestamp, if any.
	if _, ok := hashes[TimestampFile]; ok && cpOK {
		if b, ok := read(TimestampFile); ok {
			t, err := custody.VerifyTimestamp(b, cp, opt.TSARoots)
			if err != nil {
				r.add(TimestampFile, "%v", err)
			} else {
				r.Timestamp, r.TimestampTrusted = t, opt.TSARoots != nil
			}
		}
	}

	// Blobs, events, proofs, items.
	events := map[int64]bool{}
	var paths []string
	for p := range hashes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		switch {
		case p == ManifestFile || p == KeyFile || p == CheckpointFile || p == ReadmeFile || p == TimestampFile:
		case p == ConsentFile:
			if data, ok := read(p); ok {
				if c, err := ParseConsent(data); err != nil {
					r.add(p, "%v", err)
				} else {
					r.Consent = &c
				}
			}
		case strings.HasPrefix(p, "blobs/"):
			h, err := blob.ParseHash(strings.TrimPrefix(p, "blobs/"))
			if err != nil {
				r.add(p, "name is not a SHA-256 hash")
			} else if h != hashes[p] {
				r.add(p, "content hashes to %s: %v", hashes[p], blob.ErrCorrupt)
			}
			r.Blobs++
			r.BlobBytes += sizes[p]
		case strings.HasPrefix(p, "events/"):
			n, ok := parseIndexPath(p, "events", ".json")
			if !ok {
				r.add(p, "name is not events/<number>.json")
				continue
			}
			events[n] = true
			r.Events++
			data, ok := read(p)
			if !ok {
				continue
			}
			if _, err := custody.ParseEvent(data); err != nil {
				r.add(p, "%v", err)
			}
			pb, ok := read(proofPath(n))
			if !ok {
				continue
			}
			proof, err := ParseProof(pb)
			if err != nil {
				r.add(proofPath(n), "%v", err)
				continue
			}
			if !cpOK {
				continue
			}
			if n >= cp.Size {
				r.add(p, "event %d is beyond the checkpoint's %d events", n, cp.Size)
			} else if err := tlog.CheckRecord(proof, cp.Size, cp.Root, n, tlog.RecordHash(data)); err != nil {
				r.add(p, "inclusion proof %s does not lead to the checkpoint's root: %v", proofPath(n), err)
			}
		case strings.HasPrefix(p, "proofs/"):
			if _, ok := parseIndexPath(p, "proofs", ".txt"); !ok {
				r.add(p, "name is not proofs/<number>.txt")
			}
		case strings.HasPrefix(p, "items/"):
		default:
			r.add(p, "unexpected file in a bundle")
		}
	}
	for _, p := range paths {
		if n, ok := parseIndexPath(p, "proofs", ".txt"); ok && !events[n] {
			r.add(p, "proof of event %d, which is not in the bundle", n)
		}
		if !strings.HasPrefix(p, "items/") {
			continue
		}
		data, ok := read(p)
		if !ok {
			continue
		}
		it, err := ParseItem(data)
		if err != nil {
			r.add(p, "%v", err)
			continue
		}
		r.Items++
		if p != "items/"+it.ID+".json" {
			r.add(p, "holds item %s", it.ID)
		}
		bp := "blobs/" + it.SHA256.String()
		if _, ok := hashes[bp]; !ok {
			r.add(p, "original %s is not in the bundle", it.SHA256)
		} else if sizes[bp] != it.Size {
			r.add(p, "original %s has %d bytes, item says %d", it.SHA256, sizes[bp], it.Size)
		}
		for _, d := range it.Derivations {
			if _, ok := hashes["blobs/"+d.Derived.String()]; !ok {
				r.add(p, "derived copy %s (%s) is not in the bundle", d.Derived, d.Operation)
			}
		}
		for _, n := range it.Events {
			if !events[n] {
				r.add(p, "custody event %d is not in the bundle", n)
			}
		}
	}
	if r.Consent != nil {
		for _, id := range r.Consent.Withheld {
			if _, ok := hashes["items/"+id+".json"]; ok {
				r.add(ConsentFile, "item %s is listed as withheld but is in the bundle", id)
			}
		}
	}
	sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Path < r.Problems[j].Path })
	return r, nil
}

// openManifest checks the manifest note: exactly one signature, by v,
// canonically encoded.
func openManifest(b []byte, v note.Verifier) (Manifest, error) {
	n, err := custody.OpenNote(b, v)
	if err != nil {
		return nil, fmt.Errorf("signature: %v", err)
	}
	return ParseManifest([]byte(n.Text))
}

// maxSmallFile bounds the files Verify reads whole (events, proofs,
// items, notes); blobs are only streamed.
const maxSmallFile = 16 << 20

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSmallFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSmallFile {
		return nil, errors.New("file too large for its kind")
	}
	return b, nil
}

func hashFile(path string, buf []byte) (blob.Hash, int64, error) {
	var h blob.Hash
	f, err := os.Open(path)
	if err != nil {
		return h, 0, err
	}
	defer f.Close()
	d := sha256.New()
	n, err := io.CopyBuffer(d, f, buf)
	if err != nil {
		return h, n, err
	}
	copy(h[:], d.Sum(nil))
	return h, n, nil
}

// unwrapPath drops the absolute path from an *fs.PathError: problems name
// the file by its bundle path already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func firstField(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "+")
	return s
}
