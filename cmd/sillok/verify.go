package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sillok/sillok/bundle"
)

// runVerify checks an evidence bundle offline. It needs no repository:
// --data and --db are ignored.
func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify", "[--key VERIFIER-KEY | --key-file FILE] [--tsa-roots PEM] BUNDLE-DIR")
	key := fs.String("key", "", "trusted log `verifier key` (name+hash+base64); key.pub must equal it")
	keyFile := fs.String("key-file", "", "read the trusted verifier key from `FILE` (e.g. the repository's published log.key.pub)")
	tsaRoots := fs.String("tsa-roots", "", "PEM `FILE` of trusted TSA root certificates for checkpoint.tsr")
	quiet := fs.Bool("q", false, "print only failures")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: want one bundle directory", errUsage)
	}
	if *key != "" && *keyFile != "" {
		return fmt.Errorf("%w: --key and --key-file are exclusive", errUsage)
	}
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("read trusted key: %w", err)
		}
		*key = strings.TrimSpace(string(b))
	}
	opt := bundle.Options{Key: *key}
	if *tsaRoots != "" {
		pemData, err := os.ReadFile(*tsaRoots)
		if err != nil {
			return fmt.Errorf("read TSA roots: %w", err)
		}
		opt.TSARoots = x509.NewCertPool()
		if !opt.TSARoots.AppendCertsFromPEM(pemData) {
			return fmt.Errorf("%w: %s holds no PEM certificate", errUsage, *tsaRoots)
		}
	}
	r, err := bundle.Verify(ctx, fs.Arg(0), opt)
	if err != nil {
		return err
	}
	for _, p := range r.Problems {
		fmt.Fprintf(e.stdout, "FAIL %s\n", p.Error())
	}
	if !r.OK() {
		return &exitError{code: 1, err: errors.New(r.String())}
	}
	if !*quiet {
		fmt.Fprintln(e.stdout, r.String())
		if r.KeyFrom != "pinned" {
			fmt.Fprintln(e.stdout, "note: the key was taken from the bundle's key.pub; compare it with the repository's published key, or pass --key")
		}
	}
	return nil
}
