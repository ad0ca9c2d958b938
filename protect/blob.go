package protect

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/sillok/sillok"
)

// BlobInfo describes a sealed evidence blob. PlainSHA256 is the hash taken
// at acquisition (chain of custody); it lives only inside the record's
// sealed fields. CipherSHA256 addresses the blob in the blob folder, so a
// stolen folder cannot be searched for a known file's hash.
type BlobInfo struct {
	PlainSHA256  string `json:"sha256"`
	CipherSHA256 string `json:"cipher_sha256"`
	Size         int64  `json:"size"`
	MediaType    string `json:"media_type,omitempty"`
}

// The age stanza a blob's file key is wrapped in: XChaCha20-Poly1305 under
// the record key, bound to the record ID. Blobs thus follow the record key:
// rotation and sharing re-wrap one 32-byte key, never a blob.
const blobStanza = "sillok-record-v1"

type recordKeyRecipient struct {
	key *RecordKey
	id  sillok.ID
}

func blobAD(id sillok.ID) []byte { return []byte("sillok blob v1\x00" + string(id)) }

func (r recordKeyRecipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	aead, err := chacha20poly1305.NewX(r.key[:])
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return []*age.Stanza{{
		Type: blobStanza,
		Args: []string{base64.RawStdEncoding.EncodeToString(nonce)},
		Body: aead.Seal(nil, nonce, fileKey, blobAD(r.id)),
	}}, nil
}

func (r recordKeyRecipient) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(r.key[:])
	if err != nil {
		return nil, err
	}
	for _, s := range stanzas {
		if s.Type != blobStanza || len(s.Args) != 1 {
			continue
		}
		nonce, err := base64.RawStdEncoding.DecodeString(s.Args[0])
		if err != nil || len(nonce) != aead.NonceSize() {
			return nil, errors.New("malformed sillok stanza")
		}
		fk, err := aead.Open(nil, nonce, s.Body, blobAD(r.id))
		if err != nil {
			return nil, ErrTampered
		}
		return fk, nil
	}
	return nil, age.ErrIncorrectIdentity
}

// ctxReader stops a long copy when ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type hashWriter struct {
	h hash.Hash
	n int64
}

func (w *hashWriter) Write(p []byte) (int, error) {
	w.h.Write(p)
	w.n += int64(len(p))
	return len(p), nil
}

// SealBlob encrypts src into dst (streaming, age format) under the record
// key of record id, hashing the plaintext and the ciphertext on the way.
func SealBlob(ctx context.Context, dst io.Writer, src io.Reader, id sillok.ID, key *RecordKey) (BlobInfo, error) {
	cipher := &hashWriter{h: sha256.New()}
	w, err := age.Encrypt(io.MultiWriter(dst, cipher), recordKeyRecipient{key, id})
	if err != nil {
		return BlobInfo{}, fmt.Errorf("seal blob of record %s: %w", id, err)
	}
	plain := &hashWriter{h: sha256.New()}
	if _, err := io.Copy(w, io.TeeReader(ctxReader{ctx, src}, plain)); err != nil {
		return BlobInfo{}, fmt.Errorf("seal blob of record %s: %w", id, err)
	}
	if err := w.Close(); err != nil {
		return BlobInfo{}, fmt.Errorf("seal blob of record %s: %w", id, err)
	}
	return BlobInfo{
		PlainSHA256:  hex.EncodeToString(plain.h.Sum(nil)),
		CipherSHA256: hex.EncodeToString(cipher.h.Sum(nil)),
		Size:         plain.n,
	}, nil
}

// ErrBlobHash means a blob decrypted but its plaintext does not have the
// hash recorded at acquisition.
var ErrBlobHash = errors.New("protect: blob plaintext does not match its recorded SHA-256")

// OpenBlob decrypts src into dst and checks the plaintext against
// info.PlainSHA256. dst receives data before the check completes: write to
// a temporary file and keep it only on a nil error. Errors: ErrTampered
// (wrong record or key, altered header), ErrBlobHash, or age's error for a
// corrupted payload.
func OpenBlob(ctx context.Context, dst io.Writer, src io.Reader, id sillok.ID, key *RecordKey, info BlobInfo) error {
	r, err := age.Decrypt(ctxReader{ctx, src}, recordKeyRecipient{key, id})
	if err != nil {
		if errors.Is(err, ErrTampered) {
			return fmt.Errorf("open blob of record %s: %w", id, ErrTampered)
		}
		return fmt.Errorf("open blob of record %s: %w", id, err)
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(dst, h), r); err != nil {
		return fmt.Errorf("open blob of record %s: %w", id, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != info.PlainSHA256 {
		return fmt.Errorf("open blob of record %s: %w", id, ErrBlobHash)
	}
	return nil
}

// BlobDir is a folder of sealed blobs named by the hex SHA-256 of their
// ciphertext.
type BlobDir string

// Put seals src into the folder and returns its info; the file is written
// under a temporary name and renamed once complete.
func (d BlobDir) Put(ctx context.Context, src io.Reader, id sillok.ID, key *RecordKey) (BlobInfo, error) {
	f, err := os.CreateTemp(string(d), ".incoming-*")
	if err != nil {
		return BlobInfo{}, fmt.Errorf("store blob of record %s: %w", id, err)
	}
	defer os.Remove(f.Name())
	info, err := SealBlob(ctx, f, src, id, key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return BlobInfo{}, fmt.Errorf("store blob of record %s: %w", id, err)
	}
	if err := os.Rename(f.Name(), d.Path(info.CipherSHA256)); err != nil {
		return BlobInfo{}, fmt.Errorf("store blob of record %s: %w", id, err)
	}
	return info, nil
}

// Path is where the blob with ciphertext hash sum lives.
func (d BlobDir) Path(sum string) string { return filepath.Join(string(d), sum) }

// Get decrypts the blob info names into dst (see OpenBlob).
func (d BlobDir) Get(ctx context.Context, dst io.Writer, id sillok.ID, key *RecordKey, info BlobInfo) error {
	f, err := os.Open(d.Path(info.CipherSHA256))
	if err != nil {
		return fmt.Errorf("open blob of record %s: %w", id, err)
	}
	defer f.Close()
	return OpenBlob(ctx, dst, f, id, key, info)
}
