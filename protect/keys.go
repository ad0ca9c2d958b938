package protect

import (
	"bufio"
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// RecoveryHolder is the holder name of the offline recovery key in every
// record's list of wrapped keys.
const RecoveryHolder = "recovery"

// ErrNoKey means none of the loaded keys can open the data: the record is
// not shared with this organisation, or the key that could open it is not
// loaded (lost, or rotated out before the record was re-wrapped).
var ErrNoKey = errors.New("protect: no loaded key opens this data")

// ErrPassphrase means a key file is passphrase-protected and the
// passphrase is missing or wrong.
var ErrPassphrase = errors.New("protect: wrong or missing passphrase")

// OrgKey is an organisation's private key material, kept in a key file
// outside the database:
//
//   - Identities: age X25519 identities. The first is current: new record
//     keys are wrapped to it. Older ones stay loaded after a rotation until
//     every record key has been re-wrapped (see Rewrap).
//   - Secret: 32 random bytes from which the blind-index, search-term and
//     pseudonym keys are derived. It does not change on rotation, so blind
//     indexes stay valid; a compromised secret means a new key and
//     re-sealing every record with it (SealPerson, SealSource).
//
// The recovery key is an OrgKey whose Org is RecoveryHolder.
type OrgKey struct {
	Org        string
	Secret     [32]byte
	Identities []*age.X25519Identity
}

// NewOrgKey generates a key for org.
func NewOrgKey(org string) (*OrgKey, error) {
	if err := checkOrgName(org); err != nil {
		return nil, err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("generate key for %s: %w", org, err)
	}
	k := &OrgKey{Org: org, Identities: []*age.X25519Identity{id}}
	rand.Read(k.Secret[:])
	return k, nil
}

// Recipient is the public key record keys are wrapped to.
func (k *OrgKey) Recipient() *age.X25519Recipient { return k.Identities[0].Recipient() }

// Holder is k's public side, for wrapping.
func (k *OrgKey) Holder() Holder { return Holder{Name: k.Org, Recipient: k.Recipient()} }

// Rotate makes a fresh identity current and keeps the old ones for
// opening records not yet re-wrapped. Save the key file afterwards, run
// Rewrap over every record, then Retire the old identities.
func (k *OrgKey) Rotate() error {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return fmt.Errorf("rotate key of %s: %w", k.Org, err)
	}
	k.Identities = append([]*age.X25519Identity{id}, k.Identities...)
	return nil
}

// Retire drops every identity but the current one.
func (k *OrgKey) Retire() { k.Identities = k.Identities[:1] }

func (k *OrgKey) derive(purpose string) []byte {
	b, err := hkdf.Key(sha256.New, k.Secret[:], nil, "sillok "+purpose+" v1", 32)
	if err != nil {
		panic(err) // only fails for absurd lengths
	}
	return b
}

func checkOrgName(org string) error {
	if org == "" || len(org) > 100 || strings.ContainsAny(org, " \t\r\n#:") {
		return fmt.Errorf("protect: organisation name must be 1–100 characters without spaces, '#' or ':'")
	}
	return nil
}

const keyFileHeader = "# Sillok organisation key. Keep it off the database host and its backups.\n"

// Marshal writes the key file. With a non-empty passphrase the file is
// encrypted with age's scrypt recipient and ASCII-armored.
//
// Format (clear form), one item per line, '#' lines are comments:
//
//	org: ngo-a
//	secret: <base64 of 32 bytes>
//	AGE-SECRET-KEY-1…   (one or more; the first is current)
//
// The scrypt work factor is age's default (2^18: about a second), which
// is the point: a stolen laptop's key file resists guessing.
func (k *OrgKey) Marshal(w io.Writer, passphrase string) error {
	return k.marshal(w, passphrase, 0)
}

// marshal takes the scrypt work factor (log2; 0 for age's default) so
// that tests need not spend seconds per key file.
func (k *OrgKey) marshal(w io.Writer, passphrase string, logN int) error {
	var b bytes.Buffer
	b.WriteString(keyFileHeader)
	fmt.Fprintf(&b, "org: %s\n", k.Org)
	fmt.Fprintf(&b, "secret: %s\n", base64.StdEncoding.EncodeToString(k.Secret[:]))
	for i, id := range k.Identities {
		if i == 0 {
			fmt.Fprintf(&b, "# current, public key %s\n", id.Recipient())
		} else {
			fmt.Fprintf(&b, "# retired, public key %s\n", id.Recipient())
		}
		fmt.Fprintf(&b, "%s\n", id)
	}
	if passphrase == "" {
		_, err := w.Write(b.Bytes())
		return err
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return fmt.Errorf("key file of %s: %w", k.Org, err)
	}
	if logN > 0 {
		r.SetWorkFactor(logN)
	}
	aw := armor.NewWriter(w)
	ew, err := age.Encrypt(aw, r)
	if err != nil {
		return fmt.Errorf("encrypt key file of %s: %w", k.Org, err)
	}
	if _, err := ew.Write(b.Bytes()); err != nil {
		return err
	}
	if err := ew.Close(); err != nil {
		return err
	}
	return aw.Close()
}

// maxKeyFile bounds what ParseOrgKey reads: a key file is a few hundred
// bytes per identity.
const maxKeyFile = 1 << 20

// ParseOrgKey reads a key file written by Marshal. passphrase is called
// only for an encrypted file; it may be nil when none is expected.
// Errors: ErrPassphrase for an encrypted file without the right
// passphrase; otherwise an error naming the line that is wrong. Errors
// never quote key material.
func ParseOrgKey(r io.Reader, passphrase func() (string, error)) (*OrgKey, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("key file larger than %d bytes", maxKeyFile)
	}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header)) {
		if passphrase == nil {
			return nil, ErrPassphrase
		}
		pw, err := passphrase()
		if err != nil {
			return nil, fmt.Errorf("key file passphrase: %w", err)
		}
		if pw == "" {
			return nil, ErrPassphrase
		}
		id, err := age.NewScryptIdentity(pw)
		if err != nil {
			return nil, fmt.Errorf("key file passphrase: %w", err)
		}
		dr, err := age.Decrypt(armor.NewReader(bytes.NewReader(data)), id)
		if err != nil {
			var nm *age.NoIdentityMatchError
			if errors.As(err, &nm) {
				return nil, ErrPassphrase
			}
			return nil, fmt.Errorf("decrypt key file: %w", err)
		}
		data, err = io.ReadAll(io.LimitReader(dr, maxKeyFile))
		if err != nil {
			return nil, fmt.Errorf("decrypt key file: %w", err)
		}
	}
	return parseClear(data)
}

func parseClear(data []byte) (*OrgKey, error) {
	k := &OrgKey{}
	var haveSecret bool
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "org:"):
			if k.Org != "" {
				return nil, fmt.Errorf("key file line %d: second org line", n)
			}
			k.Org = strings.TrimSpace(strings.TrimPrefix(line, "org:"))
			if err := checkOrgName(k.Org); err != nil {
				return nil, fmt.Errorf("key file line %d: %w", n, err)
			}
		case strings.HasPrefix(line, "secret:"):
			if haveSecret {
				return nil, fmt.Errorf("key file line %d: second secret line", n)
			}
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(line, "secret:")))
			if err != nil || len(b) != len(k.Secret) {
				return nil, fmt.Errorf("key file line %d: secret is not 32 bytes of base64", n)
			}
			copy(k.Secret[:], b)
			haveSecret = true
		case strings.HasPrefix(line, "AGE-SECRET-KEY-1"):
			id, err := age.ParseX25519Identity(line)
			if err != nil {
				return nil, fmt.Errorf("key file line %d: malformed age identity", n)
			}
			k.Identities = append(k.Identities, id)
		default:
			return nil, fmt.Errorf("key file line %d: unexpected content", n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	switch {
	case k.Org == "":
		return nil, errors.New("key file: no org line")
	case !haveSecret:
		return nil, errors.New("key file: no secret line")
	case len(k.Identities) == 0:
		return nil, errors.New("key file: no age identity")
	}
	return k, nil
}

// SaveOrgKey writes the key file at path (mode 0600), replacing it
// atomically.
func SaveOrgKey(path string, k *OrgKey, passphrase string) error {
	var b bytes.Buffer
	if err := k.Marshal(&b, passphrase); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("save key file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save key file: %w", err)
	}
	return nil
}

// LoadOrgKey reads the key file at path.
func LoadOrgKey(path string, passphrase func() (string, error)) (*OrgKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load key file: %w", err)
	}
	defer f.Close()
	k, err := ParseOrgKey(f, passphrase)
	if err != nil {
		return nil, fmt.Errorf("load key file %s: %w", path, err)
	}
	return k, nil
}
