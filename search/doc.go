// Package search is Sillok's full-text search for Korean and English: one
// tokenizer in Go for the SQLite and PostgreSQL indexes, a query language
// compiled to both engines, an in-Go matcher and snippets, and a blind
// index for confidential records.
//
// # Why by hand
//
// No engine's own tokenizer does Korean: SQLite's unicode61 keeps
// 수용소에서 as one token (수용소 finds nothing), its trigram tokenizer
// cannot answer two-syllable queries, and PostgreSQL's parser drops Hangul
// in C-locale databases. So terms are made here, once, and the engines only
// store them (see FTS5Terms and TSVector): the two indexes cannot drift
// apart from each other or from Match. The English stemmer is Porter2,
// transcribed from the Snowball algorithm (no stemming module is listed as
// working with this toolchain, and the algorithm is a page long).
// Normalisation is golang.org/x/text/unicode/norm.
//
// # Terms
//
// Terms: NFC; Latin words lower-cased, without diacritics, possessive 's
// and apostrophes, stemmed; other alphabets lower-cased; digit runs kept;
// a run of n Hangul (or Han/Kana) characters gives n terms, one per
// position: each character with its successor, and the last alone. A query
// word is tokenized the same way and matched as a phrase of its terms, a
// one-character run as a prefix term, so 평양 finds 평양에서, 수용소 finds
// 수용소에서 but not 수용 … 소, and 평 finds 평양 and 평성. Spaces between
// Hangul runs of a quoted query phrase are not required in the text
// ("정치범 수용소" finds 정치범수용소), but a query without the space does
// not find a text with one.
//
// # Query language
//
// Words, "quoted phrases", AND (or juxtaposition), OR, NOT or -word,
// parentheses; AND binds tighter than OR; no fields. Every AND group needs
// a term that is not negated (an index cannot list what lacks a term).
// ParseQuery's errors give a column and never repeat the query.
// Query.FTS5 and Query.TSQuery compile a query; Match evaluates it in Go
// with the same semantics (the engine tests check all three agree on the
// judged set in testdata/judged). Rank with bm25() on SQLite and
// ts_rank_cd on PostgreSQL.
//
// # Limits of PostgreSQL's tsvector
//
// A tsvector keeps positions up to 16383 and at most 255 per lexeme, and
// PostgreSQL does not match phrases on lexemes without positions. TSVector
// says when a text is beyond this (exact == false); such records are
// searched with TSQueryLoose and their hits confirmed with Match.
//
// # Ranking at scale
//
// FTS5's bm25() first counts every hit of each query phrase (for its IDF),
// so a query ranked with it costs a pass over all its hits, however few
// rows are ranked: a term found in a quarter of a million testimonies
// costs hundreds of milliseconds (BenchmarkSQLiteCorpus), and so does
// ts_rank_cd on PostgreSQL, which ranks every hit. Unranked, FTS5 streams
// hits in ascending rowid order and stops at a LIMIT within milliseconds
// (it reads whole doclists to go backwards, so a store that wants the
// newest first gives its FTS5 rows rowids that decrease with time). For
// large collections, count up to a cap ("1,000+") and rank a window of
// hits without bm25(), e.g. by IDF from an fts5vocab table; that ranker is
// not written yet. An FTS5 table made with prefix='1' answers one-syllable
// queries about four times faster, for an index about 80% larger.
//
// # Blind index
//
// For confidential records the index holds BlindTerms: an HMAC-SHA256 of
// every distinct term under a key the database does not hold, truncated to
// 80 bits, plus one for every distinct Hangul/Han character (for
// one-syllable queries); no positions, no duplicates, sorted. Query.Blind
// compiles a query to the AND of its terms' blind terms (negations left
// out); the hits are decrypted and confirmed with Match, which also checks
// phrase adjacency and negation. A stolen database file does not give back
// the text through this index, but it still leaks:
//   - the number of distinct terms of each record, so its length class;
//   - which records share a term (the same term gives the same blind term
//     in every record under one key), so co-occurrence and frequency:
//     with a large corpus, frequency analysis against known Korean
//     bigram statistics can guess common terms, and anyone who can have a
//     known text indexed learns its terms' blind values;
//   - under queries observed at the database, which records each query
//     term hits.
//
// Per-collection keys limit the second leak to one collection; padding
// with dummy terms would blur the first.
//
// # What the store does with this package
//
// The store writes FTS5Terms / TSVector (or BlindTerms) in the same
// transaction as the record and decides what text each index row holds:
// testimony transcripts, event and act descriptions, names of places,
// facilities and units, and non-protected person fields. Protected names
// are never indexed here; they are found through the exact blind-index
// lookup of the witness-protection package. Name fields can carry alias
// keys (AliasTerm; Query.WithAliases for queries), for korean.Key so that
// Kim, Gim and 김 meet. Filters (record type, act type with sub-types,
// facility, fuzzy date range, sex, organisation), facet counts, pagination
// and permissions are the store's: it must apply the caller's permissions
// inside the same SQL statement as the MATCH (a join or a WHERE on a
// visibility table), so that hidden records are neither returned nor
// counted.
package search
