package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sillok/sillok/mse"
	"github.com/sillok/sillok/mse/repostrata"
)

// repositoryStrata builds capture histories from the repository (package
// repostrata, shared with the web interface's estimation page).
//
// only, when not empty, keeps those organisations as the lists.
func (e *env) repositoryStrata(ctx context.Context, strata []string, actType string, only []string) ([]mse.Stratum, error) {
	st, err := e.openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ss, err := repostrata.Strata(ctx, st, repostrata.Options{Strata: strata, ActType: actType, Lists: only})
	if errors.Is(err, repostrata.ErrOptions) {
		// The flags' names, as the user typed them.
		msg := strings.NewReplacer("strata are", "--strata with --repository takes", "stratum period needs an act type", "--strata period needs --act-type").Replace(err.Error())
		return nil, fmt.Errorf("%w: %s", errUsage, strings.TrimPrefix(msg, repostrata.ErrOptions.Error()+": "))
	}
	return ss, err
}
