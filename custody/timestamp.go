package custody

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"
)

// RFC 3161 timestamps on checkpoints. A trusted timestamping authority
// (TSA) signs the SHA-256 of a checkpoint's text (origin, size, root): it
// learns nothing about the evidence, and the token proves the log was in
// that state no later than the TSA's time, independently of the log's
// own key.
//
// Written on encoding/asn1 and crypto/x509: the request is four fields,
// and verifying the token needs only the part of CMS (RFC 5652) that
// timestamp tokens use; the candidate libraries need a newer Go.

// TSA obtains timestamp responses: it sends a DER TimeStampReq and
// returns the DER TimeStampResp.
type TSA interface {
	Timestamp(ctx context.Context, req []byte) ([]byte, error)
}

// HTTPTSA is a TSA reached over HTTP (RFC 3161 section 3.4).
type HTTPTSA struct {
	URL    string
	Client *http.Client // default http.DefaultClient
}

// Timestamp implements TSA.
func (h HTTPTSA) Timestamp(ctx context.Context, req []byte) ([]byte, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("timestamp request to %s: %w", h.URL, err)
	}
	hr.Header.Set("Content-Type", "application/timestamp-query")
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("timestamp request to %s: %w", h.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("timestamp request to %s: HTTP %s", h.URL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("timestamp response from %s: %w", h.URL, err)
	}
	return b, nil
}

var (
	oidSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSignedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidContentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMsgDigest   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASHA256   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidRSASHA384   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidRSASHA512   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSASHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519     = asn1.ObjectIdentifier{1, 3, 101, 112}
)

type messageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

type timeStampReq struct {
	Version        int
	MessageImprint messageImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional,default:false"`
}

type pkiStatusInfo struct {
	Status       int
	StatusString []asn1.RawValue `asn1:"optional"`
	FailInfo     asn1.BitString  `asn1:"optional"`
}

type timeStampResp struct {
	Status         pkiStatusInfo
	TimeStampToken asn1.RawValue `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     []byte `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      []signerInfo  `asn1:"set"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint messageImprint
	SerialNumber   *big.Int
	GenTime        time.Time     `asn1:"generalized"`
	Accuracy       asn1.RawValue `asn1:"optional"`
	Ordering       bool          `asn1:"optional,default:false"`
	Nonce          *big.Int      `asn1:"optional"`
	TSA            asn1.RawValue `asn1:"optional,tag:0"`
	Extensions     asn1.RawValue `asn1:"optional,tag:1"`
}

// CheckpointDigest is what is timestamped: the SHA-256 of the
// checkpoint's text.
func CheckpointDigest(c Checkpoint) [32]byte { return sha256.Sum256(c.Text()) }

// TimestampRequest returns a DER TimeStampReq for digest with a random
// nonce, asking for the TSA's certificate in the reply.
func TimestampRequest(digest [32]byte) (req []byte, nonce *big.Int, err error) {
	nonce, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, nil, fmt.Errorf("timestamp nonce: %w", err)
	}
	req, err = asn1.Marshal(timeStampReq{
		Version:        1,
		MessageImprint: messageImprint{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}, HashedMessage: digest[:]},
		Nonce:          nonce,
		CertReq:        true,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("encode timestamp request: %w", err)
	}
	return req, nonce, nil
}

// Timestamp asks tsa to timestamp checkpoint c and returns the token (the
// DER ContentInfo, what a bundle stores) after checking it with
// VerifyTimestamp against roots (nil: only the signature by the
// certificate in the token is checked) and the request's nonce.
func Timestamp(ctx context.Context, tsa TSA, c Checkpoint, roots *x509.CertPool) ([]byte, time.Time, error) {
	digest := CheckpointDigest(c)
	req, nonce, err := TimestampRequest(digest)
	if err != nil {
		return nil, time.Time{}, err
	}
	respDER, err := tsa.Timestamp(ctx, req)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("timestamp checkpoint of size %d: %w", c.Size, err)
	}
	var resp timeStampResp
	if rest, err := asn1.Unmarshal(respDER, &resp); err != nil || len(rest) != 0 {
		return nil, time.Time{}, fmt.Errorf("timestamp checkpoint of size %d: bad response: %v", c.Size, err)
	}
	if s := resp.Status.Status; s != 0 && s != 1 { // granted, grantedWithMods
		return nil, time.Time{}, fmt.Errorf("timestamp checkpoint of size %d: TSA refused (status %d)", c.Size, s)
	}
	token := resp.TimeStampToken.FullBytes
	info, t, err := verifyToken(token, digest, roots)
	if err != nil {
		return nil, t, fmt.Errorf("timestamp checkpoint of size %d: %w", c.Size, err)
	}
	if info.Nonce == nil || info.Nonce.Cmp(nonce) != 0 {
		return nil, t, fmt.Errorf("timestamp checkpoint of size %d: nonce does not match the request", c.Size)
	}
	return token, t, nil
}

// ErrInvalidTimestamp is wrapped by VerifyTimestamp's errors.
var ErrInvalidTimestamp = errors.New("invalid timestamp token")

// VerifyTimestamp checks an RFC 3161 token over checkpoint c: its
// message imprint, its CMS signature, and (if roots is not nil) the
// signer's certificate chain to roots with the timeStamping key usage at
// the time stamped. It returns that time.
func VerifyTimestamp(token []byte, c Checkpoint, roots *x509.CertPool) (time.Time, error) {
	_, t, err := verifyToken(token, CheckpointDigest(c), roots)
	return t, err
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidTimestamp, fmt.Sprintf(format, args...))
}

func verifyToken(token []byte, digest [32]byte, roots *x509.CertPool) (*tstInfo, time.Time, error) {
	var ci contentInfo
	if rest, err := asn1.Unmarshal(token, &ci); err != nil || len(rest) != 0 {
		return nil, time.Time{}, bad("content info: %v", err)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, time.Time{}, bad("not CMS signed data")
	}
	var sd signedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) != 0 {
		return nil, time.Time{}, bad("signed data: %v", err)
	}
	// The envelope is not signed: insisting that it re-encodes to the
	// same bytes leaves no byte of the token changeable unnoticed.
	if again, err := asn1.Marshal(sd); err != nil || !bytes.Equal(again, ci.Content.Bytes) {
		return nil, time.Time{}, bad("signed data is not in DER")
	}
	if again, err := asn1.Marshal(ci); err != nil || !bytes.Equal(again, token) {
		return nil, time.Time{}, bad("content info is not in DER")
	}
	if !sd.EncapContentInfo.EContentType.Equal(oidTSTInfo) {
		return nil, time.Time{}, bad("content is not a TSTInfo")
	}
	var info tstInfo
	if rest, err := asn1.Unmarshal(sd.EncapContentInfo.EContent, &info); err != nil || len(rest) != 0 {
		return nil, time.Time{}, bad("TSTInfo: %v", err)
	}
	if !info.MessageImprint.HashAlgorithm.Algorithm.Equal(oidSHA256) || !bytes.Equal(info.MessageImprint.HashedMessage, digest[:]) {
		return nil, info.GenTime, bad("stamps another message than this checkpoint")
	}
	if len(sd.SignerInfos) != 1 {
		return nil, info.GenTime, bad("%d signers, want 1", len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	// The unsigned envelope fields are checked for the one value each
	// may have, so that they cannot be changed unnoticed either.
	if sd.Version != 3 || (si.Version != 1 && si.Version != 3) {
		return nil, info.GenTime, bad("CMS version %d/%d, want 3 and 1 or 3", sd.Version, si.Version)
	}
	var algs []pkix.AlgorithmIdentifier
	if rest, err := asn1.UnmarshalWithParams(sd.DigestAlgorithms.FullBytes, &algs, "set"); err != nil || len(rest) != 0 ||
		len(algs) != 1 || !algs[0].Algorithm.Equal(si.DigestAlgorithm.Algorithm) {
		return nil, info.GenTime, bad("digest algorithms do not name the signer's alone")
	}
	for _, a := range []pkix.AlgorithmIdentifier{algs[0], si.DigestAlgorithm, si.SignatureAlgorithm} {
		if p := a.Parameters; len(p.FullBytes) != 0 && !bytes.Equal(p.FullBytes, asn1.NullBytes) {
			return nil, info.GenTime, bad("algorithm %v has parameters", a.Algorithm)
		}
	}
	var certs []*x509.Certificate
	if len(sd.Certificates.Bytes) > 0 {
		var err error
		if certs, err = x509.ParseCertificates(sd.Certificates.Bytes); err != nil {
			return nil, info.GenTime, bad("certificates: %v", err)
		}
	}
	signer, err := findSigner(si, certs)
	if err != nil {
		return nil, info.GenTime, err
	}
	hash, err := hashFor(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return nil, info.GenTime, err
	}
	// With signed attributes (always, for timestamp tokens) the signature
	// covers their DER as a SET, and they carry the content's digest.
	if len(si.SignedAttrs.Bytes) == 0 {
		return nil, info.GenTime, bad("no signed attributes")
	}
	// The [0] IMPLICIT tag is replaced by the SET tag both to parse the
	// attributes and to get the bytes the signature covers.
	signedBytes := append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
	var attrs []attribute
	if rest, err := asn1.UnmarshalWithParams(signedBytes, &attrs, "set"); err != nil || len(rest) != 0 {
		return nil, info.GenTime, bad("signed attributes: %v", err)
	}
	h := hash.New()
	h.Write(sd.EncapContentInfo.EContent)
	var gotDigest, gotType bool
	for _, a := range attrs {
		switch {
		case a.Type.Equal(oidMsgDigest):
			var d []byte
			if _, err := asn1.Unmarshal(a.Values.Bytes, &d); err != nil || !bytes.Equal(d, h.Sum(nil)) {
				return nil, info.GenTime, bad("message digest attribute does not match the TSTInfo")
			}
			gotDigest = true
		case a.Type.Equal(oidContentType):
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(a.Values.Bytes, &oid); err != nil || !oid.Equal(oidTSTInfo) {
				return nil, info.GenTime, bad("content type attribute is not TSTInfo")
			}
			gotType = true
		}
	}
	if !gotDigest || !gotType {
		return nil, info.GenTime, bad("signed attributes lack message digest or content type")
	}
	alg, err := sigAlg(si.SignatureAlgorithm.Algorithm, hash)
	if err != nil {
		return nil, info.GenTime, err
	}
	if err := signer.CheckSignature(alg, signedBytes, si.Signature); err != nil {
		return nil, info.GenTime, bad("signature: %v", err)
	}
	if roots != nil {
		inter := x509.NewCertPool()
		for _, c := range certs {
			inter.AddCert(c)
		}
		_, err := signer.Verify(x509.VerifyOptions{
			Roots: roots, Intermediates: inter, CurrentTime: info.GenTime,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		})
		if err != nil {
			return nil, info.GenTime, bad("TSA certificate: %v", err)
		}
	}
	return &info, info.GenTime, nil
}

func findSigner(si signerInfo, certs []*x509.Certificate) (*x509.Certificate, error) {
	switch {
	case si.SID.Class == asn1.ClassUniversal && si.SID.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if _, err := asn1.Unmarshal(si.SID.FullBytes, &ias); err != nil {
			return nil, bad("signer id: %v", err)
		}
		for _, c := range certs {
			if c.SerialNumber.Cmp(ias.Serial) == 0 && bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) {
				return c, nil
			}
		}
	case si.SID.Class == asn1.ClassContextSpecific && si.SID.Tag == 0:
		for _, c := range certs {
			if bytes.Equal(c.SubjectKeyId, si.SID.Bytes) {
				return c, nil
			}
		}
	}
	return nil, bad("the signer's certificate is not in the token")
}

func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case oid.Equal(oidSHA256):
		return crypto.SHA256, nil
	case oid.Equal(oidSHA384):
		return crypto.SHA384, nil
	case oid.Equal(oidSHA512):
		return crypto.SHA512, nil
	}
	return 0, bad("unsupported digest algorithm %v", oid)
}

func sigAlg(oid asn1.ObjectIdentifier, h crypto.Hash) (x509.SignatureAlgorithm, error) {
	byHash := func(a, b, c x509.SignatureAlgorithm) x509.SignatureAlgorithm {
		switch h {
		case crypto.SHA384:
			return b
		case crypto.SHA512:
			return c
		}
		return a
	}
	switch {
	case oid.Equal(oidRSA):
		return byHash(x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA), nil
	case oid.Equal(oidRSASHA256):
		return x509.SHA256WithRSA, nil
	case oid.Equal(oidRSASHA384):
		return x509.SHA384WithRSA, nil
	case oid.Equal(oidRSASHA512):
		return x509.SHA512WithRSA, nil
	case oid.Equal(oidECDSASHA256):
		return x509.ECDSAWithSHA256, nil
	case oid.Equal(oidECDSASHA384):
		return x509.ECDSAWithSHA384, nil
	case oid.Equal(oidECDSASHA512):
		return x509.ECDSAWithSHA512, nil
	case oid.Equal(oidEd25519):
		return x509.PureEd25519, nil
	}
	return 0, bad("unsupported signature algorithm %v", oid)
}
