package mse

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText prints results as an aligned table followed by one line per
// note: the model and kind of interval, reasons for not estimating, and
// flags. Observed counts below minObserved are shown as "<minObserved".
func WriteText(w io.Writer, results []StratumResult, minObs int) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stratum\tmethod\tobserved\testimate\tse\tlower\tupper\tdeviance\tdf\tAIC\t")
	var notes []string
	for _, r := range results {
		obs := "<" + fmt.Sprint(minObs)
		if r.Observed > 0 {
			obs = fmt.Sprint(r.Observed)
		}
		if r.NotEstimable != "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\tnot estimable\t\t\t\t\t\t\t\n", r.Stratum, r.Method, obs)
			notes = append(notes, fmt.Sprintf("%s: not estimable: %s", r.Stratum, r.NotEstimable))
		} else {
			se, dev, df, aic := "", "", "", ""
			if r.SE > 0 {
				se = fmt.Sprintf("%.1f", r.SE)
			}
			if r.Deviance != nil {
				dev, df, aic = fmt.Sprintf("%.3f", *r.Deviance), fmt.Sprint(*r.DF), fmt.Sprintf("%.3f", *r.AIC)
			}
			upper := fmt.Sprintf("%.1f", r.Upper)
			if r.UpperOpen {
				upper = ">" + upper
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%.1f\t%s\t%s\t%s\t%s\t\n", r.Stratum, r.Method, obs, r.Estimate, se, r.Lower, upper, dev, df, aic)
			if r.Model != "" {
				notes = append(notes, fmt.Sprintf("%s: model %s; %.0f%% %s", r.Stratum, r.Model, 100*r.Level, r.Interval))
			} else {
				notes = append(notes, fmt.Sprintf("%s: %.0f%% %s", r.Stratum, 100*r.Level, r.Interval))
			}
		}
		for _, f := range r.Flags {
			notes = append(notes, fmt.Sprintf("%s: note: %s", r.Stratum, f))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return err
		}
	}
	return nil
}
