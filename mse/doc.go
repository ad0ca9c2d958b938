// Package mse estimates how many people there were from how independent
// lists overlap: multiple systems estimation (capture-recapture) for
// documenting human-rights violations, where every list is incomplete.
//
// Input is a capture-history Table (ReadCSV reads one per stratum from a
// CSV; Tabulate builds them from the repository's linked records) or, for
// heterogeneity models, capture-count Frequencies. Estimate (and
// EstimateStrata, WriteText for display) is the entry
// point the repository and the sillok estimate command use: it checks the
// stratum (lists without records are left out; fewer than 3 usable lists,
// or other than 2 for the two-list estimators, too few people or no
// overlap make it not estimable; lists declared
// dependent in design are flagged) and runs one method:
//
//   - two lists: Lincoln-Petersen and Chapman with standard errors;
//   - closed-population log-linear models in the Rcapture family (M0, Mt,
//     Mh and Mth with Chao's lower bound, Poisson2, Darroch and Gamma3.5
//     heterogeneity, plus user-chosen list interactions), fitted as Poisson
//     GLMs by IRLS, with deviance, df, AIC, BIC and Rcapture's
//     profile-likelihood interval (FitLoglinear, ProfileCI), and a search
//     over every hierarchical model by AIC or BIC (Search);
//   - the Bayesian latent-class model LCMCR of Manrique-Vallier (2016), a
//     seedable Gibbs sampler (LCMCR);
//   - Bayesian model averaging over decomposable graphical models for 3 to
//     5 lists, after Madigan & York (1997) and HRDAG's dga (DGA);
//   - pooling of multiple-imputation replicates by Rubin's rules on the log
//     of the undocumented count, as HRDAG's verdata (CombineReplicates,
//     EstimateReplicates).
//
// Everything is written by hand on the standard library. The reference
// implementations are R packages (Rcapture, LCMCR, dga, verdata); no Go
// library provides these estimators, and the numerical pieces they need
// (a small Poisson GLM, Cholesky, gamma/beta/binomial/Poisson variates, the
// Student t quantile) are short and well documented, whereas a general
// numerics dependency would pull in far more than is used. Matching R's
// conventions (IRLS start and stopping rule, Rcapture's handling of
// negative Chao parameters, Cormack's correction in the profile
// likelihood) is what makes the published figures reproducible; the tests
// check them to the printed digits.
//
// Randomness is explicit: LCMCR takes a *rand.Rand (a PCG source), so a
// seed fixes every draw. Errors and flags never quote stratum values or
// small counts, which could identify people.
package mse
