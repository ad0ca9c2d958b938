package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/sillok/sillok/auth"
	"github.com/sillok/sillok/sqlstore"
)

// accounts opens the accounts kept in the repository's database.
func (e *env) accounts(ctx context.Context, s *sqlstore.Store) (*auth.Accounts, error) {
	return auth.Open(ctx, s.DB(), auth.Options{Logger: e.log})
}

// firstRunAdmin creates the organisation's first admin with a random
// password when the repository has no accounts, and says so once.
func (e *env) firstRunAdmin(ctx context.Context, acc *auth.Accounts, org string) error {
	users, err := acc.Users(ctx, "")
	if err != nil || len(users) > 0 {
		return err
	}
	var b [15]byte
	rand.Read(b[:])
	pw := strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
	if org == "" {
		org = e.actor().Org
	}
	if _, err := acc.FirstRunAdmin(ctx, org, "admin", pw); err != nil {
		if errors.Is(err, auth.ErrInitialised) {
			return nil
		}
		return fmt.Errorf("create the first admin: %w", err)
	}
	fmt.Fprintf(e.stdout, "First run: sign in as \"admin\" (organisation %s) with the password %s\n(shown once; change it with 'sillok user passwd admin')\n", org, pw)
	return nil
}

func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "passwd" && args[0] != "list") {
		return fmt.Errorf("%w: sillok user add|passwd|list", errUsage)
	}
	sub, args := args[0], args[1:]
	fs := newFlags(e, "user "+sub, map[string]string{
		"add":    "--org ORG --role admin|documenter|analyst|legal|viewer --name NAME  (password on standard input)",
		"passwd": "NAME  (new password on standard input)",
		"list":   "[--org ORG]",
	}[sub])
	org := fs.String("org", "", "organisation")
	role := fs.String("role", "", "role: admin, documenter, analyst, legal or viewer")
	name := fs.String("name", "", "user name")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	r, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer r.Close()
	acc, err := e.accounts(ctx, r.Store)
	if err != nil {
		return err
	}
	readPassword := func() (string, error) {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("%w: give the password on standard input", errUsage)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	switch sub {
	case "add":
		if *org == "" || *role == "" || *name == "" {
			return fmt.Errorf("%w: --org, --role and --name are required", errUsage)
		}
		pw, err := readPassword()
		if err != nil {
			return err
		}
		if _, err := acc.AddUser(ctx, auth.NewUser{Org: *org, Name: *name, Role: auth.Role(*role), Password: pw}); errors.Is(err, auth.ErrNoSuchOrg) {
			if err := acc.CreateOrg(ctx, *org); err != nil {
				return err
			}
			_, err = acc.AddUser(ctx, auth.NewUser{Org: *org, Name: *name, Role: auth.Role(*role), Password: pw})
			if err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s (%s, %s)\n", *name, *org, *role)
	case "passwd":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: want one user name", errUsage)
		}
		pw, err := readPassword()
		if err != nil {
			return err
		}
		if err := acc.SetPassword(ctx, fs.Arg(0), pw); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of %s changed; their sessions end\n", fs.Arg(0))
	case "list":
		us, err := acc.Users(ctx, *org)
		if err != nil {
			return err
		}
		for _, u := range us {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", u.Name, u.Org, u.Role)
		}
	}
	return nil
}
