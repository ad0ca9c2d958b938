package custodytest

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// OpenSSLTSA is a local RFC 3161 timestamping authority for tests:
// `openssl ts -reply` with a throwaway CA. It skips the test when openssl
// is not installed.
type OpenSSLTSA struct {
	Dir   string         // holds ca.crt, tsa.crt and their keys
	Roots *x509.CertPool // the throwaway CA
}

const tsaConfig = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = test
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = ./serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
`

// NewOpenSSLTSA creates the CA and TSA certificates in a temporary directory.
func NewOpenSSLTSA(t testing.TB) *OpenSSLTSA {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ts.cnf"), []byte(tsaConfig), 0o600)
	os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600)
	run := func(args ...string) {
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
		"-days", "3650", "-subj", "/CN=Test TSA Root", "-config", "ts.cnf", "-extensions", "ca_ext")
	run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=Test TSA", "-config", "ts.cnf")
	run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.crt",
		"-days", "3650", "-extfile", "ts.cnf", "-extensions", "tsa_ext")
	pemCA, _ := os.ReadFile(filepath.Join(dir, "ca.crt"))
	blk, _ := pem.Decode(pemCA)
	ca, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return &OpenSSLTSA{Dir: dir, Roots: roots}
}

// Timestamp implements custody.TSA.
func (o *OpenSSLTSA) Timestamp(ctx context.Context, req []byte) ([]byte, error) {
	q := filepath.Join(o.Dir, "req.tsq")
	r := filepath.Join(o.Dir, "resp.tsr")
	if err := os.WriteFile(q, req, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "openssl", "ts", "-reply", "-config", "ts.cnf", "-section", "tsa_config",
		"-queryfile", "req.tsq", "-inkey", "tsa.key", "-signer", "tsa.crt", "-out", "resp.tsr")
	cmd.Dir = o.Dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, errors.New(string(out))
	}
	return os.ReadFile(r)
}
