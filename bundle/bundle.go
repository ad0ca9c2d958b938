// Package bundle writes and verifies Sillok evidence bundles: directories
// that a prosecutor or court checks fully offline, with no Sillok
// repository and no network.
//
// A bundle holds:
//
//	README.txt         how to check the bundle by hand
//	key.pub            the custody log's public key (note verifier key)
//	checkpoint         one signed checkpoint of the custody log
//	checkpoint.tsr     optional RFC 3161 timestamp token on that checkpoint
//	CONSENT.txt        optional: the purpose (consent use) the bundle was
//	                   made for and the IDs of records withheld for lack
//	                   of consent (ConsentNote)
//	blobs/<sha256>     originals and derived copies, named by their hash
//	items/<id>.json    each evidence item's metadata (Item)
//	events/<n>.json    custody event n, the exact log leaf bytes
//	proofs/<n>.txt     inclusion proof of event n in the checkpoint's tree
//	MANIFEST           a note signed by the log key listing the SHA-256 of
//	                   every other file
//
// The manifest makes one changed byte anywhere fail: every file is in it,
// and it is signed. The proofs tie each event to the signed checkpoint;
// the same key signs both, so the public key is the single thing a reader
// must obtain from a trusted channel (Verify can pin it).
//
// Hand-written on the standard library and x/mod's tlog and note: the
// format is a directory of plain files so that it can be checked with
// sha256sum and a page of code in any language, in thirty years.
package bundle

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/sillok/sillok/blob"
	"golang.org/x/mod/sumdb/tlog"
)

// File names in a bundle.
const (
	ManifestFile   = "MANIFEST"
	ReadmeFile     = "README.txt"
	KeyFile        = "key.pub"
	CheckpointFile = "checkpoint"
	TimestampFile  = "checkpoint.tsr" // optional RFC 3161 token on the checkpoint
)

// Item is an evidence item's metadata as written to items/<id>.json.
// It carries identifiers, hashes and descriptive metadata chosen by the
// repository core; protected identity data must not be put in it.
type Item struct {
	ID          string            `json:"id"`
	SHA256      blob.Hash         `json:"sha256"` // the original, in blobs/
	Size        int64             `json:"size"`
	MediaType   string            `json:"media_type,omitempty"`
	Metadata    json.RawMessage   `json:"metadata,omitempty"` // the record's metadata as the core exports it
	Derivations []blob.Derivation `json:"derivations,omitempty"`
	Events      []int64           `json:"events"` // custody events about this item, all in events/
}

// validID keeps item IDs usable as file names on every system.
func validID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// ParseItem decodes an item file strictly: unknown keys and trailing data
// are errors.
func ParseItem(data []byte) (Item, error) {
	var it Item
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&it); err != nil {
		return it, fmt.Errorf("decode item: %w", err)
	}
	if dec.More() {
		return it, errors.New("decode item: trailing data")
	}
	if !validID(it.ID) {
		return it, fmt.Errorf("item id %.40q: want 1-128 of [A-Za-z0-9._-], not starting with '.'", it.ID)
	}
	if it.SHA256.IsZero() {
		return it, fmt.Errorf("item %s: no sha256", it.ID)
	}
	if it.Size < 0 {
		return it, fmt.Errorf("item %s: negative size", it.ID)
	}
	for i, d := range it.Derivations {
		if err := d.Validate(); err != nil {
			return it, fmt.Errorf("item %s: derivation %d: %w", it.ID, i, err)
		}
		if d.Original != it.SHA256 {
			return it, fmt.Errorf("item %s: derivation %d is of another original %s", it.ID, i, d.Original)
		}
	}
	return it, nil
}

func eventPath(n int64) string { return "events/" + strconv.FormatInt(n, 10) + ".json" }
func proofPath(n int64) string { return "proofs/" + strconv.FormatInt(n, 10) + ".txt" }

// parseIndexPath parses events/<n>.json or proofs/<n>.txt.
func parseIndexPath(p, dir, ext string) (int64, bool) {
	s, ok := strings.CutPrefix(p, dir+"/")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ext)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

// FormatProof writes an inclusion proof as base64 hashes, one per line,
// from the leaf's sibling up to the root's child.
func FormatProof(p tlog.RecordProof) []byte {
	var b bytes.Buffer
	for _, h := range p {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseProof parses what FormatProof writes, and nothing else.
func ParseProof(data []byte) (tlog.RecordProof, error) {
	if len(data) == 0 {
		return tlog.RecordProof{}, nil // a one-event tree needs no hashes
	}
	if data[len(data)-1] != '\n' {
		return nil, errors.New("proof: missing final newline")
	}
	lines := strings.Split(string(data[:len(data)-1]), "\n")
	if len(lines) > 64 {
		return nil, fmt.Errorf("proof: %d hashes, more than any tree needs", len(lines))
	}
	p := make(tlog.RecordProof, len(lines))
	for i, l := range lines {
		b, err := base64.StdEncoding.Strict().DecodeString(l)
		if err != nil || len(b) != tlog.HashSize || base64.StdEncoding.EncodeToString(b) != l {
			return nil, fmt.Errorf("proof line %d: not a base64 SHA-256 hash", i+1)
		}
		copy(p[i][:], b)
	}
	return p, nil
}

// manifestHeader is the first line of the manifest note. It also keeps a
// manifest from ever parsing as a checkpoint (whose second line is a
// number), though the same key signs both.
const manifestHeader = "sillok bundle manifest v1"

// Manifest maps each bundle path (slash-separated, relative) to its
// SHA-256.
type Manifest map[string]blob.Hash

// Text returns the manifest's note text: the header, then one
// "<hex>  <path>" line per file (sha256sum's format) in path order.
func (m Manifest) Text() []byte {
	paths := make([]string, 0, len(m))
	for p := range m {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var b bytes.Buffer
	b.WriteString(manifestHeader + "\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "%s  %s\n", m[p], p)
	}
	return b.Bytes()
}

// validPath accepts the relative, clean, slash-separated paths a bundle
// uses, so a manifest cannot point outside the bundle.
func validPath(p string) bool {
	return p != "" && p != ManifestFile && path.Clean(p) == p && !path.IsAbs(p) &&
		!strings.HasPrefix(p, "../") && p != ".." && p != "." &&
		!strings.ContainsAny(p, "\\\n\r\x00") && !strings.HasPrefix(p, " ") && !strings.HasSuffix(p, " ")
}

// ParseManifest parses a manifest note's text, accepting only the exact
// form Text writes.
func ParseManifest(text []byte) (Manifest, error) {
	head, rest, ok := strings.Cut(string(text), "\n")
	if !ok || head != manifestHeader {
		return nil, errors.New("manifest: bad header line")
	}
	m := Manifest{}
	prev := ""
	for i, l := range strings.SplitAfter(rest, "\n") {
		if l == "" {
			break // after the final newline
		}
		l, ok = strings.CutSuffix(l, "\n")
		if !ok {
			return nil, fmt.Errorf("manifest line %d: missing newline", i+2)
		}
		hx, p, ok := strings.Cut(l, "  ")
		if !ok {
			return nil, fmt.Errorf("manifest line %d: want '<sha256>  <path>'", i+2)
		}
		h, err := blob.ParseHash(hx)
		if err != nil {
			return nil, fmt.Errorf("manifest line %d: %w", i+2, err)
		}
		if !validPath(p) {
			return nil, fmt.Errorf("manifest line %d: bad path %.80q", i+2, p)
		}
		if p <= prev {
			return nil, fmt.Errorf("manifest line %d: path %.80q out of order or repeated", i+2, p)
		}
		prev = p
		m[p] = h
	}
	return m, nil
}

// Opener opens blobs by hash; a blob.Store is one.
type Opener interface {
	Get(ctx context.Context, h blob.Hash) (io.ReadCloser, error)
}
