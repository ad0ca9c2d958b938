package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sillok/sillok/korean"
)

// nameResult is one line of "sillok name" output.
type nameResult struct {
	Name         string   `json:"name"`
	Key          string   `json:"key"`
	KeyVariants  []string `json:"key_variants"`
	SyllableKeys []string `json:"syllable_keys"`
	South        string   `json:"south"`
	Romanized    string   `json:"romanized,omitempty"`
	Candidates   []string `json:"candidates,omitempty"`
}

// runName prints the phonetic keys, the South Korean spelling and a
// romanization (Hangul input) or Hangul candidates (romanized input) of
// each name given as an argument, or of each line of standard input.
func runName(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "name", "[-system rr|mr|mr-plain|dprk] [-candidates N] [-json] [NAME ...]")
	sysName := fs.String("system", "rr", "romanization `system` for Hangul names: rr, mr, mr-plain or dprk")
	ncand := fs.Int("candidates", 5, "how many Hangul `candidates` to list for a romanized name (0: none)")
	asJSON := fs.Bool("json", false, "print one JSON object per name instead of tab-separated columns")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sys, err := korean.ParseSystem(*sysName)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *ncand < 0 {
		return fmt.Errorf("%w: -candidates must be 0 or more", errUsage)
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	if !*asJSON {
		fmt.Fprintln(w, "name\tkey\tkey_variants\tsyllable_keys\tsouth\tromanized\tcandidates")
	}
	emit := func(name string) error {
		r := describeName(name, sys, *ncand)
		if *asJSON {
			b, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("encode result: %w", err)
			}
			_, err = fmt.Fprintf(w, "%s\n", b)
			return err
		}
		_, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Key, strings.Join(r.KeyVariants, ","),
			strings.Join(r.SyllableKeys, " "), r.South, r.Romanized, strings.Join(r.Candidates, ","))
		return err
	}
	if fs.NArg() > 0 {
		for _, a := range fs.Args() {
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}
	return eachLine(ctx, e.stdin, emit)
}

func describeName(name string, sys korean.System, ncand int) nameResult {
	n := korean.Normalize(name)
	r := nameResult{
		Name:         n,
		Key:          korean.Key(n),
		KeyVariants:  korean.KeyVariants(n),
		SyllableKeys: korean.SyllableKeys(n),
		South:        korean.FoldInitialSound(n),
	}
	if korean.ContainsHangul(n) {
		r.Romanized = korean.RomanizeName(n, sys)
	} else if ncand > 0 {
		r.Candidates = korean.HangulCandidates(n, ncand)
	}
	return r
}

// eachLine calls f for every non-blank line of r. Errors name the line
// number, never its content: lines are personal names.
func eachLine(ctx context.Context, r io.Reader, f func(string) error) error {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if err := f(sc.Text()); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read standard input after line %d: %w", n, err)
	}
	return nil
}
