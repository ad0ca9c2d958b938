package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sillok/sillok/korean"
	"github.com/sillok/sillok/linkage"
)

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// linkFolds are the name folds that settings may name.
func linkFolds() map[string]func(string) string {
	return map[string]func(string) string{
		"korean":         korean.Key,        // full personal names in any script or spelling
		"korean_surname": korean.SurnameKey, // a surname alone
		"korean_given":   korean.GivenKey,   // a given name alone
	}
}

// runLink is `sillok link`: in CSV mode (--input) it links lists from any
// source; without --input it links the repository's person records; its
// subcommands review, decide, undo and clusters work on the repository's
// links.
func runLink(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		if sub, ok := linkSubcommands()[args[0]]; ok {
			return sub(ctx, e, args[1:])
		}
	}
	fs := newFlags(e, "link", "--input A.csv [--input B.csv …] --settings S.json --out clusters.csv [--pairs FILE] [--labels FILE] [--model FILE]\n"+
		"       sillok link [--settings S.json] [--model FILE] [--dry-run]   (repository mode)\n"+
		"       sillok link review [--limit N]\n"+
		"       sillok link decide A B same|different|unsure [--note TEXT]\n"+
		"       sillok link undo LINKID\n"+
		"       sillok link clusters --out FILE")
	var inputs multiFlag
	fs.Var(&inputs, "input", "CSV `file` of records (header row; repeat for several sources)")
	settingsPath := fs.String("settings", "", "linkage settings JSON `file`")
	out := fs.String("out", "", "write one row per record to this CSV `file`: source, record_id, cluster_id, best_match_probability")
	pairsPath := fs.String("pairs", "", "also write the scored pairs at or above the review threshold, with each comparison's contribution, to this CSV `file`")
	labelsPath := fs.String("labels", "", "clerical decisions CSV `file` (source_l,id_l,source_r,id_r,decision,note; a source is an --input path as given)")
	modelPath := fs.String("model", "", "write the trained model (λ, m and u per level, EM sessions) as JSON to this `file`")
	dryRun := fs.Bool("dry-run", false, "repository mode: report what would be written, write nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(inputs) == 0 && *out == "" && *pairsPath == "" && *labelsPath == "" && fs.NArg() == 0 {
		return runLinkRepo(ctx, e, *settingsPath, *modelPath, *dryRun)
	}
	if len(inputs) == 0 || *settingsPath == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: --input, --settings and --out are required", errUsage)
	}
	sf, err := os.Open(*settingsPath)
	if err != nil {
		return err
	}
	s, err := linkage.ReadSettings(sf)
	sf.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *settingsPath, err)
	}
	tab, err := linkage.NewTable(s.Columns()...)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		err = tab.ReadCSV(bufio.NewReaderSize(f, 1<<20), in, s.IDColumn)
		f.Close()
		if err != nil {
			return err
		}
	}
	var labels []linkage.Label
	if *labelsPath != "" {
		f, err := os.Open(*labelsPath)
		if err != nil {
			return err
		}
		labels, err = linkage.ReadLabels(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *labelsPath, err)
		}
	}
	l, err := linkage.NewLinker(tab, s, linkage.Options{Folds: linkFolds(), Logger: e.log})
	if err != nil {
		return err
	}
	model, err := l.Train(ctx, labels)
	if err != nil {
		return err
	}
	res, err := l.Score(ctx, model, labels)
	if err != nil {
		return err
	}
	if err := writeFile(*out, func(w io.Writer) error { return linkage.WriteClusters(w, tab, res) }); err != nil {
		return err
	}
	if *pairsPath != "" {
		if err := writeFile(*pairsPath, func(w io.Writer) error { return l.WritePairs(w, res) }); err != nil {
			return err
		}
	}
	if *modelPath != "" {
		b, err := json.MarshalIndent(model, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*modelPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	st := res.Stats
	fmt.Fprintf(e.stdout, "records %d, candidate pairs %d, links %d, review %d, clusters %d, prior λ %.4g\n",
		st.Records, st.CandidatePairs, st.Links, st.Review, st.Clusters, model.Lambda)
	return nil
}

// writeFile writes a file through fill, reporting the first error of
// writing, flushing or closing.
func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
