package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/sillok/sillok/auth"
	sillokdemo "github.com/sillok/sillok/demo"
	"github.com/sillok/sillok/evidence"
	sillokhttp "github.com/sillok/sillok/http"
	"github.com/sillok/sillok/protect"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "[--addr HOST:PORT] [--demo]")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
	demo := fs.Bool("demo", false, "start on a fresh temporary repository loaded with demonstration data")
	demoPeople := fs.Int("demo-people", 1000, "with --demo: how many people to generate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *demo {
		cleanup, err := e.useDemoRepository(ctx, *demoPeople)
		if err != nil {
			return err
		}
		defer cleanup()
	}
	repo, err := e.openRepo(ctx, "")
	if err != nil {
		return err
	}
	defer repo.Close()
	acc, err := e.accounts(ctx, repo.Store)
	if err != nil {
		return err
	}
	// With demo data the first admin belongs to the demo's largest
	// organisation: records are visible to their owners, so an admin of
	// any other organisation would see only the public ones.
	adminOrg := ""
	if *demo {
		adminOrg = sillokdemo.Orgs()[0]
	}
	if err := e.firstRunAdmin(ctx, acc, adminOrg); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	cust := sillokhttp.EvidenceCustody(repo.Custody)
	go func() {
		// Index the custody log now rather than on the first record page
		// (a second or two at a million events).
		if _, err := cust.Events(ctx, nil); err != nil {
			e.log.Warn("index the custody log", "err", err)
		}
	}()
	opts := e.serverOptions(repo, acc)
	opts.Custody = cust
	srv := &http.Server{
		Handler:           sillokhttp.NewServer(e.writeStore(repo), opts),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(e.stdout, "Sillok serving the %s on http://%s/\n", e.describe(), ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	return nil
}

// serverOptions configure the HTTP server of `sillok serve` over repo
// (with NewServer(e.writeStore(repo), …)): writes from the API and the
// intake go through the sealing store; identities open only through the
// opener, which records each disclosure in the custody log first; files
// uploaded to a sealed testimony are sealed under its record key. acc nil
// serves everyone as the operator (tests).
func (e *env) serverOptions(repo *evidence.Repo, acc *auth.Accounts) sillokhttp.Options {
	opts := sillokhttp.Options{Logger: e.log, Actor: e.actor(),
		Search: e.index, Blobs: repo.Blobs, Accounts: acc,
		Disclosures: protect.DisclosureLog{DB: repo.Store.DB()}}
	if o := e.opener(repo); o != nil { // a nil *KeyringOpener is not a nil Opener
		opts.Opener = o
	}
	if e.keys != nil {
		opts.Evidence = intakeSealer{e, repo}
	}
	return opts
}
