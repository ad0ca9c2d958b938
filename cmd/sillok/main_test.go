package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sillok": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scenarios in testdata/script (testscript
// format). With SILLOK_TEST_POSTGRES set, scripts that use $PGDB run too.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SILLOK_USER", "tester")
			env.Setenv("SILLOK_ORG", "test-org")
			env.Setenv("SILLOK_TEST_POSTGRES", os.Getenv("SILLOK_TEST_POSTGRES"))
			return nil
		},
	})
}
