package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sillok/sillok"
)

func runShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "show", "[--history] [--linked N] ID")
	history := fs.Bool("history", false, "print every revision instead of the current state")
	linked := fs.Int("linked", 0, "also print the records within `N` references (e.g. a person's acts, their events and sources)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: want one record ID", errUsage)
	}
	id := sillok.ID(fs.Arg(0))
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
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
	if *linked <= 0 {
		return enc.Encode(r)
	}
	l, err := s.Linked(ctx, id, *linked, 0)
	if err != nil {
		return err
	}
	return enc.Encode(map[string]any{"record": r, "linked": l})
}
