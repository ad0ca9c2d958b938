// Package linkage finds the records that describe the same person across
// and within lists: probabilistic record linkage after Fellegi and Sunter,
// as Splink does it, with comparisons suited to Korean names and to the
// partial dates and places of testimonies.
//
// The pieces:
//
//   - Comparisons: Jaro–Winkler (prefix scale 0.1, at most 4 characters,
//     boost above 0.7: the jellyfish/recordlinkage convention), Levenshtein,
//     unrestricted Damerau–Levenshtein, normalised Levenshtein similarity,
//     names through a folding function supplied by the caller (Options.Folds:
//     the Korean name key folds North and South spellings and romanizations
//     together), several names per record ("name_any": any folded
//     alternative of one against any of the other, for a birth name, a name
//     taken in the South and romanizations), partial dates (exact, within N
//     days, same year, within N years) and place hierarchies
//     ("province/county/village"). A null on either side is the null level,
//     with Bayes factor 1.
//   - Blocking: a pair is a candidate when any rule's terms agree; rules are
//     lists of columns or transforms of them (year, prefix, fold, lower).
//   - Training (Linker.Train): u from random pairs; m by EM on each training
//     rule's pairs, leaving out the comparisons on the rule's columns (as
//     Splink does); term-frequency adjustment of exact and name levels; clerical
//     labels fix a pair's match probability; then the prior λ over all pairs
//     from the candidate pairs.
//   - Scoring (Linker.Score): match weight and probability of every candidate
//     pair, an explanation of each comparison's contribution (Linker.Explain),
//     and clusters: connected components of the pairs at or above the link
//     threshold.
//
// Records come in as a Table (column-wise strings; TableOf converts
// []Record) and results go out per record (cluster, best match probability)
// and per pair, so the repository can drive linkage from memory and the CSV
// mode of `sillok link` from files.
//
// Why written by hand: no Go library does Fellegi–Sunter linkage, and the
// work has to scale to a million persons on a laptop. So columns are
// dictionary-encoded (exact agreement is integer equality; strings, dates,
// folded names and place prefixes are prepared once per distinct value),
// comparison vectors are packed into a uint64, EM runs over the distinct
// vectors with their counts rather than over pairs, candidate pairs are
// compared once and kept as 12-byte (pair, pattern) entries, and pairs are
// compared by parallel workers. The string metrics are short enough to write
// and test against the reference values; writing them also pins their
// conventions, which decide whether published figures (FEBRL, Splink) are
// reproduced exactly.
//
// Nothing in this package logs or puts into an error a field's value: values
// may be protected names and birth dates of witnesses.
package linkage
