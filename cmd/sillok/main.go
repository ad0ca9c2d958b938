// Command sillok is the Sillok evidence repository: one binary for the
// embedded (SQLite + local blob folder) and scale-out (PostgreSQL)
// deployments.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/protect"
)

// command is one subcommand. run receives the arguments after the
// subcommand's name and parses its own flags.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists every subcommand. Each lives in its own file.
func commands() []command {
	return []command{
		{"version", "print the version", runVersion},
		{"init", "create an empty repository", runInit},
		{"export", "write every record and revision as JSON Lines", runExport},
		{"import", "read an export into the repository", runImport},
		{"show", "print a record, its history or what is linked to it", runShow},
		{"demo", "fill the repository with fictional demonstration data", runDemo},
		{"user", "add accounts, change passwords, list users", runUser},
		{"serve", "serve the JSON API (and web interface)", runServe},
		{"name", "Korean name keys, spellings and romanizations", runName},
		{"link", "link records of CSV lists into persons (probabilistic record linkage)", runLink},
		{"verify", "check an evidence bundle offline", runVerify},
		{"search", "search texts in Korean and English", runSearch},
		{"estimate", "estimate how many were not documented (multiple systems estimation)", runEstimate},
		{"bench", "time fetching victims with everything linked to them, and the store's size", runBench},
		{"key", "create organisation and recovery key files, escrows", runKey},
		{"evidence", "add files to the evidence store (evidence add FILE...)", runEvidence},
		{"log", "check the custody log against the records and files (log verify)", runLog},
		{"bundle", "export evidence with custody proofs for offline checking (bundle export)", runBundle},
		{"consent", "record, withdraw or show a source's consent (consent give|withdraw|show)", runConsent},
	}
}

// env is what every command shares: global options and output streams.
type env struct {
	dataDir string // embedded deployment: SQLite file and blob folder
	dbURL   string // scale-out deployment: PostgreSQL DSN
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	log     *slog.Logger
	index   *fulltext.Index  // the repository's search index, once opened
	keys    *protect.Keyring // organisation keys, once loaded (nil: nothing is sealed)
	noSeal  bool             // sealing off (demo --seal=false)
}

// errUsage marks errors that are the caller's: exit code 2.
var errUsage = errors.New("usage")

// exitError carries a specific exit code (e.g. 1 for "some rows rejected").
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("sillok", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defData := os.Getenv("SILLOK_DATA")
	if defData == "" {
		defData = "sillok-data"
	}
	fs.StringVar(&e.dataDir, "data", defData, "data `directory` of the embedded deployment (SQLite + blobs); $SILLOK_DATA")
	fs.StringVar(&e.dbURL, "db", os.Getenv("SILLOK_DB"), "PostgreSQL `URL` for the scale-out deployment; $SILLOK_DB")
	verbose := fs.Bool("v", false, "verbose logging")
	fs.Usage = func() { usage(stderr, fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	e.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if fs.NArg() == 0 {
		usage(stderr, fs)
		return 2
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, rest)
		if err == nil {
			return 0
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "sillok %s: %v\n", name, err)
		var ee *exitError
		switch {
		case errors.As(err, &ee):
			return ee.code
		case errors.Is(err, errUsage):
			return 2
		default:
			return 1
		}
	}
	fmt.Fprintf(stderr, "sillok: unknown command %q\n", name)
	usage(stderr, fs)
	return 2
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: sillok [--data DIR | --db URL] COMMAND [ARGS]\n\nCommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nGlobal options:")
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nRun 'sillok COMMAND --help' for a command's options.")
}

// newFlags returns a FlagSet for a subcommand that prints to the command's
// stderr and reports usage errors as errUsage.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: sillok %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, mapping parse failures to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "sillok (development)")
	return nil
}

// listFlag collects a repeatable, comma-separated flag (link's multiFlag
// takes file names, which may hold commas).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}
