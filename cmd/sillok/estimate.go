package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/sillok/sillok/mse"
)

func runEstimate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "estimate", "--input T.csv [--method chapman|lincoln-petersen|chao|loglinear|lcmcr|dga] [--model M] [--strata COL…] [--seed S] [--json]")
	input := fs.String("input", "", "capture-history CSV (`file`, - for stdin): 0/1 list columns, optional count column; or nbcap,freq")
	method := fs.String("method", "lcmcr", "estimator: chapman, lincoln-petersen, chao, loglinear, lcmcr or dga")
	model := fs.String("model", "", "log-linear `model`, e.g. \"Mt + a:b\" or Mh-darroch; empty: search all hierarchical models")
	criterion := fs.String("criterion", "aic", "model search criterion: aic or bic")
	var strata, lists, dependent listFlag
	fs.Var(&strata, "strata", "stratification `column`s (repeat or comma-separate)")
	fs.Var(&lists, "lists", "list `column`s (default: all but count and strata)")
	fs.Var(&dependent, "dependent", "`a:b` pairs of lists not independent in design (repeatable)")
	count := fs.String("count", "", "count `column` (default freq, count or n if present; else one person per row)")
	seed := fs.Uint64("seed", 1, "random seed for LCMCR")
	level := fs.Float64("level", 0.95, "interval level")
	minObs := fs.Int("min-observed", 10, "strata with fewer people observed are not estimable")
	occasions := fs.Int("occasions", 0, "nbcap input: number of capture occasions (0: continuous time)")
	k := fs.Int("k", 10, "LCMCR latent classes")
	burnin := fs.Int("burnin", 10000, "LCMCR burn-in iterations")
	samples := fs.Int("samples", 1000, "LCMCR posterior draws kept")
	thin := fs.Int("thin", 100, "LCMCR iterations per kept draw")
	delta := fs.Float64("delta", 0, "DGA hyper-Dirichlet prior weight per cell (0: 2^-lists)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	repo := fs.Bool("repository", false, "estimate from the repository: linked persons (see 'sillok link') as individuals, reporting organisations as lists; --strata sex, birth_decade, period")
	actType := fs.String("act-type", "", "with --repository: count victims of acts of this act_type `code` or its sub-types (period: decade of the act)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*input == "") == !*repo || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: give --input or --repository, and no arguments", errUsage)
	}
	opt := mse.Options{
		Method:      mse.Method(*method),
		Model:       *model,
		Level:       *level,
		Seed:        *seed,
		MinObserved: *minObs,
		LCMCR:       mse.LCMCROptions{K: *k, Burnin: *burnin, Samples: *samples, Thin: *thin},
		DGA:         mse.DGAOptions{Delta: *delta},
	}
	switch opt.Method {
	case mse.MethodChapman, mse.MethodLincolnPetersen, mse.MethodChao, mse.MethodLoglinear, mse.MethodLCMCR, mse.MethodDGA:
	default:
		return fmt.Errorf("%w: unknown --method %q", errUsage, *method)
	}
	switch strings.ToLower(*criterion) {
	case "aic":
	case "bic":
		opt.Criterion = mse.BIC
	default:
		return fmt.Errorf("%w: --criterion must be aic or bic", errUsage)
	}
	for _, d := range dependent {
		a, b, ok := strings.Cut(d, ":")
		if !ok {
			return fmt.Errorf("%w: --dependent %q is not a:b", errUsage, d)
		}
		opt.Dependent = append(opt.Dependent, [2]string{a, b})
	}

	if *repo {
		st, err := e.repositoryStrata(ctx, strata, *actType, lists)
		if err != nil {
			return err
		}
		results, err := mse.EstimateStrata(ctx, st, strata, opt)
		if err != nil {
			return err
		}
		return e.writeEstimates(results, *asJSON, *minObs)
	}
	var r io.Reader = e.stdin
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return fmt.Errorf("open input: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	var results []mse.StratumResult
	if first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine(); strings.HasPrefix(strings.TrimSpace(string(first)), "nbcap") {
		res, err := estimateFrequencies(ctx, data, *occasions, opt)
		if err != nil {
			return err
		}
		results = []mse.StratumResult{{Stratum: "all", Result: res}}
	} else {
		st, err := mse.ReadCSV(ctx, bytes.NewReader(data), mse.ReadOptions{Lists: lists, Count: *count, Strata: strata})
		if err != nil {
			return fmt.Errorf("%s: %w", *input, err)
		}
		e.log.Debug("read capture histories", "strata", len(st))
		results, err = mse.EstimateStrata(ctx, st, strata, opt)
		if err != nil {
			return err
		}
	}
	return e.writeEstimates(results, *asJSON, *minObs)
}

func (e *env) writeEstimates(results []mse.StratumResult, asJSON bool, minObs int) error {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	return mse.WriteText(e.stdout, results, minObs)
}

// estimateFrequencies handles the nbcap,freq format: M0 and Mh models only.
func estimateFrequencies(ctx context.Context, data []byte, occasions int, opt mse.Options) (mse.Result, error) {
	fr, err := mse.ReadFrequencies(ctx, bytes.NewReader(data), occasions)
	if err != nil {
		return mse.Result{}, err
	}
	var m mse.Model
	switch opt.Method {
	case mse.MethodChao:
		m = mse.Model{Hetero: mse.HeteroChao}
	case mse.MethodLoglinear:
		if opt.Model == "" {
			return mse.Result{}, fmt.Errorf("%w: capture-count frequencies need --model (M0 or Mh-…)", errUsage)
		}
		if m, err = mse.ParseModel(opt.Model, nil); err != nil {
			return mse.Result{}, fmt.Errorf("%w: %v", errUsage, err)
		}
	default:
		return mse.Result{}, fmt.Errorf("%w: capture-count frequencies support --method chao or loglinear", errUsage)
	}
	res := mse.Result{Method: opt.Method, Level: opt.Level, Observed: fr.Observed()}
	if res.Observed < opt.MinObserved {
		return mse.Result{Method: opt.Method, NotEstimable: fmt.Sprintf("fewer than %d observed", opt.MinObserved)}, nil
	}
	f, err := mse.FitFrequencies(fr, m)
	if err != nil {
		return mse.Result{}, err
	}
	res.Model, res.Estimate, res.SE = f.Model, f.N, f.SE
	res.Deviance, res.DF, res.AIC, res.BIC = &f.Deviance, &f.DF, &f.AIC, &f.BIC
	ci, err := mse.ProfileCIFrequencies(ctx, fr, m, opt.Level)
	if err != nil {
		return mse.Result{}, err
	}
	res.Lower, res.Upper, res.Interval = ci.Lower, ci.Upper, "profile likelihood"
	if math.IsInf(ci.Upper, 1) {
		res.Upper, res.UpperOpen = 3*f.N, true
	}
	return res, nil
}
