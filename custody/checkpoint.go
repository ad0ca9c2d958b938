package custody

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the body of a C2SP tlog-checkpoint
// (https://c2sp.org/tlog-checkpoint): the log's origin, its size and the
// RFC 6962 root hash of the tree of that size.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text returns the checkpoint body: origin, decimal size and base64 root,
// one per line. Sillok writes no extension lines.
func (c Checkpoint) Text() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ErrInvalidCheckpoint is wrapped by errors about a checkpoint's form or
// signature.
var ErrInvalidCheckpoint = errors.New("invalid checkpoint")

// ParseCheckpoint parses a checkpoint body. Only the exact form Text
// writes is accepted (no extension lines, no leading zeros).
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.Split(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return c, fmt.Errorf("%w: want 3 lines", ErrInvalidCheckpoint)
	}
	c.Origin = lines[0]
	if c.Origin == "" || strings.ContainsAny(c.Origin, " \t\r") {
		return c, fmt.Errorf("%w: bad origin line", ErrInvalidCheckpoint)
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return c, fmt.Errorf("%w: bad size line %.30q", ErrInvalidCheckpoint, lines[1])
	}
	c.Size = n
	// The decoder skips \r and \n, hence the comparison of re-encoding.
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return c, fmt.Errorf("%w: bad root hash line", ErrInvalidCheckpoint)
	}
	copy(c.Root[:], root)
	return c, nil
}

// OpenCheckpoint verifies a signed checkpoint note against v and parses
// it. It insists on exactly one signature, by v, on an origin equal to the
// key's name (the C2SP convention), so that nothing in the note is
// unauthenticated.
func OpenCheckpoint(signed []byte, v note.Verifier) (Checkpoint, error) {
	n, err := OpenNote(signed, v)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrInvalidCheckpoint, err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return c, err
	}
	if c.Origin != v.Name() {
		return c, fmt.Errorf("%w: origin %q is not the key name %q", ErrInvalidCheckpoint, c.Origin, v.Name())
	}
	return c, nil
}

// OpenNote opens a signed note more strictly than note.Open: it must
// carry exactly one signature, by v, spelled in canonical base64.
// note.Open decodes base64 leniently, so a note whose signature's last
// character differs only in the unused padding bits would still verify;
// then one changed byte of a stored or exported note would go unnoticed.
func OpenNote(msg []byte, v note.Verifier) (*note.Note, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return nil, err
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return nil, fmt.Errorf("want exactly one signature, by %s", v.Name())
	}
	b, err := base64.StdEncoding.Strict().DecodeString(n.Sigs[0].Base64)
	if err != nil || base64.StdEncoding.EncodeToString(b) != n.Sigs[0].Base64 {
		return nil, errors.New("signature not in canonical base64")
	}
	return n, nil
}

// SignCheckpoint returns c as a signed note.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	if c.Origin != s.Name() {
		return nil, fmt.Errorf("sign checkpoint: origin %q is not the key name %q", c.Origin, s.Name())
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Text())}, s)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint at size %d: %w", c.Size, err)
	}
	return msg, nil
}

// Key is the log's signing key with its public half.
type Key struct {
	Signer      note.Signer
	Verifier    note.Verifier
	VerifierKey string // the note verifier key string, as written to bundles
}

// Origin returns the key's name, which is the log's origin line.
func (k *Key) Origin() string { return k.Signer.Name() }

// ParseKey parses a note signer key (as from note.GenerateKey) and derives
// its verifier.
func ParseKey(skey string) (*Key, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("parse signing key: %w", err)
	}
	// PRIVATE+KEY+<name>+<hash>+<base64(alg ‖ seed)>; note does not export
	// the public half, so it is derived from the seed here.
	// The base64 part may itself contain '+', hence SplitN.
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, errors.New("parse signing key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("derive verifier key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("derive verifier key: %w", err)
	}
	if v.KeyHash() != s.KeyHash() {
		return nil, errors.New("parse signing key: key hash does not match its key")
	}
	return &Key{Signer: s, Verifier: v, VerifierKey: vkey}, nil
}

// GenerateKeyFile creates a new Ed25519 signing key named origin (for
// example "sillok.example/<repository-id>") in the file path, readable by
// its owner only, and the public verifier key in path+".pub". It refuses
// to overwrite an existing key: losing the key ends the log's ability to
// sign, and replacing it silently would split the log's history.
func GenerateKeyFile(path, origin string) (*Key, error) {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return nil, fmt.Errorf("generate key %q: %w", origin, err)
	}
	k, err := ParseKey(skey)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := os.WriteFile(path+".pub", []byte(k.VerifierKey+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("write public key: %w", err)
	}
	return k, nil
}

// LoadKeyFile reads a key written by GenerateKeyFile. A key file that its
// group or others can read is refused, as ssh does: the key vouches for
// the whole history of the log.
func LoadKeyFile(path string) (*Key, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load signing key: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("load signing key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("load signing key %s: mode %v lets others read it; chmod 600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load signing key: %w", err)
	}
	k, err := ParseKey(string(bytes.TrimSpace(b)))
	if err != nil {
		return nil, fmt.Errorf("load signing key %s: %w", path, err)
	}
	return k, nil
}
