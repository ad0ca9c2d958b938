package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/consent"
)

func runConsent(ctx context.Context, e *env, args []string) error {
	return sub(e, "consent", args, map[string]func([]string) error{
		"give":     func(args []string) error { return runConsentGive(ctx, e, args) },
		"withdraw": func(args []string) error { return runConsentWithdraw(ctx, e, args) },
		"show":     func(args []string) error { return runConsentShow(ctx, e, args) },
	})
}

// sourceFirst lets the source ID come before the flags, as the usage
// lines show it (the flag package stops at the first argument).
func sourceFirst(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

func oneSource(id string, rest []string) (sillok.ID, error) {
	if id == "" && len(rest) == 1 {
		id, rest = rest[0], nil
	}
	if id == "" || len(rest) != 0 {
		return "", fmt.Errorf("%w: want one source ID", errUsage)
	}
	if sillok.KindOf(sillok.ID(id)) != sillok.KindSource {
		return "", fmt.Errorf("%w: %.40q is not a source ID (src_…)", errUsage, id)
	}
	return sillok.ID(id), nil
}

// parseConsentArgs parses the flags and the one source ID (before or
// after them) of consent give and withdraw; uses is fs's --uses list,
// which both require.
func parseConsentArgs(fs *flag.FlagSet, args []string, uses *listFlag) (sillok.ID, error) {
	id, args := sourceFirst(args)
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	src, err := oneSource(id, fs.Args())
	if err != nil {
		fs.Usage()
		return "", err
	}
	if len(*uses) == 0 {
		return "", fmt.Errorf("%w: --uses is required", errUsage)
	}
	return src, nil
}

func runConsentGive(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "consent give", "SOURCE --uses USE[,USE...] [--partners ORG[,ORG...]] [--given DATE]")
	var uses, partners listFlag
	fs.Var(&uses, "uses", "the `USEs` consented to: "+strings.Join(sillok.ConsentUses(), ", "))
	fs.Var(&partners, "partners", "named partner `ORGs` for the partners use")
	givenFlag := fs.String("given", "", "when consent was given (`DATE` YYYY-MM-DD or RFC 3339; default now)")
	src, err := parseConsentArgs(fs, args, &uses)
	if err != nil {
		return err
	}
	given := time.Now()
	if *givenFlag != "" {
		if given, err = parseWhen(*givenFlag); err != nil {
			return fmt.Errorf("%w: --given %q: want YYYY-MM-DD or an RFC 3339 time", errUsage, *givenFlag)
		}
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	rec, err := consent.Record(ctx, s, e.actor(), src, sillok.Consent{Uses: uses, Partners: partners, Given: sillok.Timestamp(given)})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s rev %d: consent to %s\n", rec.ID, rec.Rev, strings.Join(uses, ", "))
	return nil
}

func runConsentWithdraw(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "consent withdraw", "SOURCE --uses USE[,USE...] [--partners ORG,...] [--note TEXT]")
	var uses, partners listFlag
	fs.Var(&uses, "uses", "the `USEs` withdrawn: "+strings.Join(sillok.ConsentUses(), ", "))
	fs.Var(&partners, "partners", "with --uses partners: withdraw sharing with these `ORGs` only")
	note := fs.String("note", "", "why, as told (`TEXT`, stored in clear: name no one)")
	src, err := parseConsentArgs(fs, args, &uses)
	if err != nil {
		return err
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	rec, err := consent.Withdraw(ctx, s, e.actor(), src, uses, partners, *note, time.Time{})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s rev %d: consent withdrawn for %s\n", rec.ID, rec.Rev, strings.Join(uses, ", "))
	return nil
}

func runConsentShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "consent show", "SOURCE")
	id, args := sourceFirst(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	src, err := oneSource(id, fs.Args())
	if err != nil {
		fs.Usage()
		return err
	}
	s, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	rec, err := s.Get(ctx, src)
	if err != nil {
		return err
	}
	c := rec.Body.(*sillok.Source).Consent
	if c == nil {
		fmt.Fprintf(e.stdout, "%s: no consent recorded (internal documentation only)\n", src)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: consent given %s, recorded by %s: %s\n", src, c.Given.Format(time.RFC3339), c.RecordedBy, strings.Join(c.Uses, ", "))
	if len(c.Partners) > 0 {
		fmt.Fprintf(e.stdout, "partners: %s\n", strings.Join(c.Partners, ", "))
	}
	for _, w := range c.Withdrawals {
		fmt.Fprintf(e.stdout, "withdrawn %s by %s: %s", w.When.Format(time.RFC3339), w.RecordedBy, strings.Join(w.Uses, ", "))
		if len(w.Partners) > 0 {
			fmt.Fprintf(e.stdout, " (partners %s)", strings.Join(w.Partners, ", "))
		}
		fmt.Fprintln(e.stdout)
	}
	now := time.Now()
	var allowed []string
	for _, u := range sillok.ConsentUses() {
		if u != sillok.UsePartners && c.Allows(u, "", now) {
			allowed = append(allowed, u)
		}
	}
	for _, p := range c.Partners {
		if c.Allows(sillok.UsePartners, p, now) {
			allowed = append(allowed, sillok.UsePartners+":"+p)
		}
	}
	fmt.Fprintf(e.stdout, "allowed now: %s\n", strings.Join(allowed, ", "))
	return nil
}
