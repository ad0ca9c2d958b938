package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sillok/sillok"
)

func runShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "show", "[--history] [--linked N] [--purpose TEXT] ID")
	history := fs.Bool("history", false, "print every revision instead of the current state")
	linked := fs.Int("linked", 0, "also print the records within `N` references (e.g. a person's acts, their events and sources)")
	purpose := fs.String("purpose", "", "open a sealed person's or source's protected fields, stating why (`TEXT`, logged in the custody log; name no one in it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: want one record ID", errUsage)
	}
	id := sillok.ID(fs.Arg(0))
	repo, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer repo.Close()
	s := repo.Store
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if *history {
		h, err := s.History(ctx, id)
		if err != nil {
			return err
		}
		return enc.Encode(h)
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if *purpose != "" {
		// The disclosure is in the custody log before anything is
		// decrypted (protect.Opener).
		op := e.opener(repo)
		if op == nil {
			return fmt.Errorf("%w: --purpose: this repository has no organisation keys", errUsage)
		}
		var fields any
		switch r.Body.(type) {
		case *sillok.Person:
			fields, err = op.Person(ctx, e.actor(), *purpose, r)
		case *sillok.Source:
			fields, err = op.Source(ctx, e.actor(), *purpose, r)
		default:
			return fmt.Errorf("%w: --purpose: record %s is a %s, nothing is sealed", errUsage, id, r.Kind)
		}
		if err != nil {
			return err
		}
		return enc.Encode(map[string]any{"record": r, "protected": fields})
	}
	if *linked <= 0 {
		return enc.Encode(r)
	}
	l, err := s.Linked(ctx, id, *linked, 0)
	if err != nil {
		return err
	}
	return enc.Encode(map[string]any{"record": r, "linked": l})
}
