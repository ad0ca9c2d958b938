package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sillok/sillok/protect"
)

// runKey manages the key files of package protect: an organisation's
// key, the offline recovery key, and an organisation key's escrow to the
// recovery key. Key files never go into the data directory.
func runKey(ctx context.Context, e *env, args []string) error {
	const synopsis = "new --org ORG [--out FILE] [--passphrase-stdin] | recovery --out FILE [--passphrase-stdin] | public --key FILE [--passphrase-stdin] | escrow --key FILE --recovery AGE1… --out FILE [--passphrase-stdin] | recover --org ORG --recovery-key FILE [--escrow FILE] [--passphrase-stdin]"
	if len(args) == 0 {
		return fmt.Errorf("%w: sillok key %s", errUsage, synopsis)
	}
	action, args := args[0], args[1:]
	fs := newFlags(e, "key "+action, "[flags]")
	org := fs.String("org", "", "organisation the key is for")
	out := fs.String("out", "", "key `file` to write (must not exist)")
	keyPath := fs.String("key", "", "existing key `file`")
	recovery := fs.String("recovery", "", "the recovery key's public key (age1…)")
	recoveryKey := fs.String("recovery-key", "", "with recover: the recovery key `file` (brought from offline storage)")
	escrowPath := fs.String("escrow", "", "with recover: the organisation's escrow `file` (default DATA/keys/ORG.escrow)")
	stdinPass := fs.Bool("passphrase-stdin", false, "read the key file's passphrase from the first line of standard input")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var pass string
	if *stdinPass {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read passphrase: %w", err)
		}
		pass = strings.TrimRight(line, "\r\n")
		if pass == "" {
			return fmt.Errorf("%w: empty passphrase", errUsage)
		}
	}
	passFn := func() (string, error) {
		if pass == "" {
			return "", errors.New("the key file is passphrase-protected: use --passphrase-stdin")
		}
		return pass, nil
	}
	create := func(k *protect.OrgKey) error {
		if *out == "" {
			return fmt.Errorf("%w: --out is required", errUsage)
		}
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("%s exists: refusing to overwrite a key", *out)
		}
		if err := protect.SaveOrgKey(*out, k, pass); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %s\n", k.Org, k.Recipient())
		return nil
	}
	switch action {
	case "new", "recovery":
		name := *org
		if action == "recovery" {
			name = protect.RecoveryHolder
		} else if name == "" || name == protect.RecoveryHolder {
			return fmt.Errorf("%w: --org is required (and not %q)", errUsage, protect.RecoveryHolder)
		}
		if action == "new" && *out == "" {
			// Into the repository's key directory, with its escrow.
			if _, err := os.Stat(filepath.Join(e.keyDir(), name+protect.KeyExt)); err == nil {
				return fmt.Errorf("organisation %s has a key already: refusing to overwrite it", name)
			}
			rec, _, err := e.ensureRecovery(e.keyDir())
			if err != nil {
				return err
			}
			if err := e.ensureOrgKey(e.keyDir(), name, rec); err != nil {
				return err
			}
			k, err := protect.LoadOrgKey(filepath.Join(e.keyDir(), name+protect.KeyExt), keyPassphrase)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %s\n", k.Org, k.Recipient())
			return nil
		}
		k, err := protect.NewOrgKey(name)
		if err != nil {
			return err
		}
		return create(k)
	case "recover":
		if *org == "" || *recoveryKey == "" {
			return fmt.Errorf("%w: --org and --recovery-key are required", errUsage)
		}
		return e.recoverKey(ctx, *org, *recoveryKey, *escrowPath, passFn)
	case "public":
		if *keyPath == "" {
			return fmt.Errorf("%w: --key is required", errUsage)
		}
		k, err := protect.LoadOrgKey(*keyPath, passFn)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %s\n", k.Org, k.Recipient())
		return nil
	case "escrow":
		if *keyPath == "" || *recovery == "" || *out == "" {
			return fmt.Errorf("%w: --key, --recovery and --out are required", errUsage)
		}
		k, err := protect.LoadOrgKey(*keyPath, passFn)
		if err != nil {
			return err
		}
		h, err := protect.ParseHolder(protect.RecoveryHolder, *recovery)
		if err != nil {
			return err
		}
		b, err := k.Escrow(h)
		if err != nil {
			return err
		}
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("%s exists: refusing to overwrite", *out)
		}
		if err := os.WriteFile(*out, b, 0o600); err != nil {
			return fmt.Errorf("write escrow: %w", err)
		}
		fmt.Fprintf(e.stderr, "escrow of %s written to %s: keep it with the recovery key\n", k.Org, *out)
		return nil
	}
	return fmt.Errorf("%w: unknown key action %q; sillok key %s", errUsage, action, synopsis)
}
