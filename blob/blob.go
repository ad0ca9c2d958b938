// Package blob defines Sillok's store of evidence files: originals and
// their derived working copies, addressed by the SHA-256 of their content.
//
// A Store is written once per content and never modified: putting the same
// bytes twice stores them once, and no call can replace or delete a stored
// blob. That is what lets a court rely on the hash recorded at reception
// years later. Implementations stream in constant memory, because originals
// can be multi-gigabyte video.
//
// Written by hand on the standard library: the interface is five methods,
// and an external blob library would put a dependency between the evidence
// and its hash (the same reason Perkeep's blobserver is self-contained).
// The local folder implementation is package fsblob; blobtest is the
// conformance suite every implementation must pass.
package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Hash is the SHA-256 of a blob's content.
type Hash [sha256.Size]byte

// String returns the lower-case hex form that sha256sum prints.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the zero value (no hash).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes h as lower-case hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes the form produced by MarshalText.
func (h *Hash) UnmarshalText(b []byte) error {
	p, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHash parses 64 lower-case hex digits. Upper case is rejected so that
// every hash has exactly one spelling (file names and manifests compare as
// strings).
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) || strings.ToLower(s) != s {
		return h, fmt.Errorf("parse blob hash %.80q: want 64 lower-case hex digits", s)
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("parse blob hash %.80q: %w", s, err)
	}
	return h, nil
}

// Sum returns the Hash of b.
func Sum(b []byte) Hash { return sha256.Sum256(b) }

// Info describes a stored blob.
type Info struct {
	Hash Hash
	Size int64
}

// Errors returned by Store implementations. Callers test them with
// errors.Is; implementations wrap them with the hash concerned.
var (
	// ErrNotFound: no blob with that hash is stored.
	ErrNotFound = errors.New("blob not found")
	// ErrCorrupt: the stored bytes no longer hash to the blob's name.
	ErrCorrupt = errors.New("blob corrupt")
)

// Store is a content-addressed, write-once blob store.
//
// Error contract: Get and Stat return an error wrapping ErrNotFound for an
// absent blob. A reader from Get returns an error wrapping ErrCorrupt (at
// the latest at EOF) when the implementation verifies on read and the
// content does not match. Any other error is an I/O failure. All methods
// are safe for concurrent use.
type Store interface {
	// Put reads r to EOF and stores its content, returning its hash and
	// size. If the content is already stored, the stored copy is kept
	// untouched and Put reports the same Info. A failed or cancelled Put
	// leaves nothing behind.
	Put(ctx context.Context, r io.Reader) (Info, error)
	// Get opens the blob for streaming. The caller closes it.
	Get(ctx context.Context, h Hash) (io.ReadCloser, error)
	// Stat reports the blob's size.
	Stat(ctx context.Context, h Hash) (Info, error)
	// Has reports whether the blob is stored.
	Has(ctx context.Context, h Hash) (bool, error)
	// List calls fn for every stored blob with hash greater than after,
	// in increasing hash order (pass the zero Hash to start). An error
	// from fn stops the iteration and is returned.
	List(ctx context.Context, after Hash, fn func(Info) error) error
}

// Derivation links a derived working copy (redacted, transcoded, OCR text,
// thumbnail) to the original it was made from. Both are ordinary blobs; the
// original is never changed. The repository core stores Derivations as
// records and logs a derivative_made custody event for each.
type Derivation struct {
	Original  Hash              `json:"original"`
	Derived   Hash              `json:"derived"`
	Operation string            `json:"operation"` // e.g. "redact", "transcode", "ocr", "thumbnail"
	Params    map[string]string `json:"params,omitempty"`
	Actor     string            `json:"actor"` // staff account that made it, never a witness
	Time      time.Time         `json:"time"`
}

// Validate reports the first missing or inconsistent field.
func (d Derivation) Validate() error {
	switch {
	case d.Original.IsZero():
		return errors.New("derivation: no original hash")
	case d.Derived.IsZero():
		return errors.New("derivation: no derived hash")
	case d.Original == d.Derived:
		return fmt.Errorf("derivation of %s: derived copy equals the original", d.Original)
	case d.Operation == "":
		return fmt.Errorf("derivation of %s: no operation", d.Original)
	case d.Actor == "":
		return fmt.Errorf("derivation of %s: no actor", d.Original)
	case d.Time.IsZero():
		return fmt.Errorf("derivation of %s: no time", d.Original)
	}
	return nil
}

// Copy streams the blob h from src into dst and checks that dst stored it
// under the same hash; it is how originals move between backends.
func Copy(ctx context.Context, dst, src Store, h Hash) (Info, error) {
	rc, err := src.Get(ctx, h)
	if err != nil {
		return Info{}, fmt.Errorf("copy blob %s: %w", h, err)
	}
	defer rc.Close()
	info, err := dst.Put(ctx, rc)
	if err != nil {
		return Info{}, fmt.Errorf("copy blob %s: %w", h, err)
	}
	if info.Hash != h {
		return info, fmt.Errorf("copy blob %s: arrived as %s: %w", h, info.Hash, ErrCorrupt)
	}
	return info, nil
}

// PutDetect puts r into s like Put and also reports the media type
// sniffed from the first 512 bytes (net/http's algorithm; it knows common
// document, image, audio and video formats and falls back to
// "application/octet-stream"). It reads r once, so it streams like Put.
func PutDetect(ctx context.Context, s Store, r io.Reader) (Info, string, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return Info{}, "", fmt.Errorf("put blob: read first bytes: %w", err)
	}
	head = head[:n]
	info, err := s.Put(ctx, io.MultiReader(bytes.NewReader(head), r))
	if err != nil {
		return info, "", err
	}
	return info, http.DetectContentType(head), nil
}
