// Package personlink links the person records of a Sillok repository: one
// individual, many records (several organisations, relatives, fellow
// detainees, spellings North and South, names taken after arrival in the
// South).
//
// Builder turns person records into a linkage.Table: the family name's key,
// the keys of every given name the record carries (birth, South,
// romanized; compared with a name_any level, so a record with a birth name
// and a South name agrees with a record holding either), the birth date at
// its recorded precision, sex, and the origin as a path of location IDs
// (province/county). Names become korean keys inside the process; the table
// holds no names, and nothing here logs or returns a field value.
//
// Run trains the model (DefaultSettings, embedded as settings.json; any
// linkage.Settings may replace it) with the reviewers' decisions as labels,
// and writes its decisions as Link records with method model: same above
// the link threshold, unsure in the uncertain band. The unsure model links
// are the review queue (Queue): kept in the repository rather than
// computed on the fly, so that a reviewer's listing needs no model run and
// the queue has the history of any record. Decide writes a reviewer's
// decision (method review), which later runs leave alone and use as a
// label; Undo restores the decision before a link's last revision. Links
// are revisions: person records are never altered, and every merge is
// undone by a revision. Clusters reads the same links (minus different
// decisions) into connected components.
//
// Written by hand on top of package linkage, for the same reasons: no
// library knows the repository's records, and the work must scale to a
// million persons.
package personlink
