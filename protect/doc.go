// Package protect keeps witnesses' identities encrypted at rest: in the
// database, its WAL and backups, the blob folder and exports. Analysts work
// on pseudonymised records; the identity opens only in a process holding
// the organisation's key, and (through Opener) only after the disclosure —
// who, when, which record, why — is recorded (DisclosureLog, or the
// custody log as an Auditor).
//
// # What is sealed, what stays in clear
//
// A protected person record keeps in clear only what statistics and
// linkage across organisations need and what does not name anyone:
// pseudonym (Pseudonyms: "V-0113"), sex, birth year, roles, external IDs.
// Names and aliases, the exact birth date, the place of origin, family
// members' names, contact details and notes go into PersonFields, sealed
// into Person.Sealed (see sillok.Sealed). A confidential source keeps its
// type, title, date, languages and interviewee reference in clear; the
// interviewer, place, interpreter, transcript and the plaintext hashes of
// its evidence go into SourceFields, sealed into Source.Sealed, and the
// clear Evidence list names the blobs by ciphertext hash. Person.Validate
// accepts a person with sealed data and no clear names. Guard, a store
// hook, refuses confidential and strict persons and sources that carry
// any of these fields in clear; public and internal records (perpetrators,
// officials) keep clear names.
//
// # Construction
//
//   - Each record has a random 256-bit record key. Its protected fields are
//     sealed as JSON with XChaCha20-Poly1305 (random 192-bit nonce), the
//     record ID as associated data: ciphertext moved to another record
//     does not open (ErrTampered).
//   - The record key is wrapped with filippo.io/age (X25519) once per
//     holder: the owning organisation, every partner it is shared with
//     (Share, Unshare) and the offline recovery key (RecoveryHolder). Each
//     wrapped key is a small binary age file in sillok.WrappedKey with the
//     holder's name and public key.
//   - Organisation keys (OrgKey) live in key files outside the database
//     (Marshal/ParseOrgKey: "org:", "secret:" and AGE-SECRET-KEY lines,
//     optionally encrypted as a whole with age's scrypt passphrase
//     recipient). A key file holds one or more age identities (the first
//     is current) and a 32-byte secret from which the blind-index and
//     search-term keys are derived with HKDF-SHA-256.
//   - Rotation (Rotate, Rewrap, Retire) re-wraps record keys to a new
//     identity; the content and the blobs are not re-encrypted, and the
//     blind indexes stay valid (the secret does not rotate).
//   - Evidence blobs (SealBlob, OpenBlob, BlobDir) are age files whose file
//     key is wrapped in a custom stanza ("sillok-record-v1") under the
//     record key, bound to the record ID. So they follow the record key:
//     sharing and rotation touch 32 bytes, never a video. The plaintext
//     SHA-256 taken at acquisition lives only in the sealed fields; the
//     blob is stored and addressed by the SHA-256 of its ciphertext, so a
//     stolen blob folder cannot confirm possession of a known file.
//   - Blind indexes (Index.Name) are HMAC-SHA-256 under the organisation's
//     index key over the normalised name (NFC, lower case, collapsed
//     spaces, then the caller's Normaliser — korean.Key folds Hangul and
//     romanizations), truncated to 96 bits. They are stored in
//     Sealed.Index and indexed by the store as attribute "bidx", so a
//     documenter finds whether a person is already recorded with an
//     ordinary attribute filter. Exact match only.
//   - Transcripts are searched the same way (Index.Text): one keyed hash
//     per distinct word, sorted, without positions or counts. A query's
//     terms select candidates; the caller decrypts and confirms with
//     Contains, in the process.
//   - Commit gives salted commitments for the custody log: the published
//     log carries HMAC(salt, value), the sealed record the salt, so a
//     reader of the log cannot test guessed names.
//
// # In the repository
//
// Store is the write path every writer uses (the CLI, the demo loader,
// the HTTP API and intake, via cmd/sillok): it seals confidential and
// strict persons and sources with the owning organisation's Sealer from
// a Keyring (key files in DATA/keys, see docs/keys.md), assigns
// pseudonyms and blind-index terms, and passes everything else through;
// Guard stays installed behind it. Keyring.Reveal opens records inside
// the process, without a disclosure, for what no person sees: the search
// index (fulltext.Index.Reveal) and record linkage (Revealed). What a
// person sees goes through Opener (KeyringOpener for several
// organisations) with package evidence's Auditor: a protected_viewed
// custody event per disclosure.
//
// # Threat model
//
// The attacker has the database file (with its WAL), any number of its
// backups or a pg_dump, the blob folder and the server's logs — a seized
// laptop or a stolen backup — but not the key files, their passphrases,
// the recovery key, or the memory of a running server.
//
// Such an attacker cannot learn: names, aliases, birth dates (beyond the
// year), places of origin, family members' names, contacts, transcripts,
// interviewers, evidence content, or the plaintext hashes of evidence. They
// cannot confirm a guessed name against a blind index term or a custody
// commitment without the organisation's secret or the salt. The
// stolen-database tests check this byte for byte on SQLite (file, WAL,
// blobs, log) and PostgreSQL (pg_dump).
//
// They can learn: everything not listed as protected (events, acts,
// involvements, units, locations, dates, the graph of references — who is
// the victim of which act, which testimony is whose, pseudonymised);
// record kinds, owners, levels, creation times, revision history, who
// shared with whom (holder names and public keys); sex, birth year and
// pseudonym of protected persons; ciphertext lengths (roughly the length
// of names and transcripts) and blob sizes. The blind index leaks
// equality: two person records of one organisation with the same term
// have the same normalised name, and the number of terms is the number of
// distinct names. Transcript terms leak which records share a word and
// how often words occur across records, so frequency analysis of a large
// corpus can guess common words (particles, "bowibu"); never positions or
// order. Terms of two organisations are unrelated.
//
// Out of scope: an attacker who can write the database can delete or
// replace records — even reseal one under a new record key wrapped to the
// organisation's public key — which the custody log's revision hashes, not
// this package, detect. A running server holds the keys it loaded.
//
// # Losing keys, and recovering
//
// At setup, generate the recovery key (NewOrgKey(RecoveryHolder)) on an
// offline machine; give the server only its public key; keep the key file
// on paper or offline media in two places, with each organisation's
// Escrow (its key file encrypted to the recovery key). Every record key
// is wrapped to the recovery key at creation.
//
//   - Database lost: restore the export (or backup) and the blob folder;
//     the key file opens everything (TestRestoreFromBackup).
//   - Key file lost: bring the recovery key to a trusted machine,
//     RecoverOrgKey(escrow) gives the organisation's key with the same
//     secret and a fresh identity; recovery.RewrapFor each record to the
//     new key's holder and store the revisions. Blind indexes and
//     pseudonyms keep working.
//   - Key file stolen: Rotate, Rewrap every record, Retire, and treat the
//     record keys as disclosed (re-seal the most sensitive records under a
//     new record key); a stolen secret also means re-indexing under a new
//     one.
//   - Key file and recovery key both lost: the protected fields are gone.
//     That is the price of a stolen database being worthless.
//
// # Why by hand
//
// The primitives come from filippo.io/age and golang.org/x/crypto (no
// cryptography is written here). The envelope, the key file format, blind
// indexes and the blob stanza are small compositions specific to the
// record model; no library does field-level encryption with per-record
// keys, age wrapping and blind indexes together.
//
// # Cost
//
// Sealing a person costs four X25519 scalar multiplications (an age wrap
// to the organisation and one to the recovery key), about a millisecond on
// the shared development machine (BenchmarkSealPerson); opening costs one.
// BenchmarkDemoImport compares a demo import with and without sealing.
// Through the product (`sillok demo --people 100000`, 475,523 records of
// which 185,822 sealed: 141,067 persons and 44,755 testimonies; sealing
// on both cores beside the writer; shared 2-core machine at load 6–20):
// clear 228 CPU s (198 user + 30 sys), 9:31 wall, 609 MB database;
// sealed 486 CPU s (450 + 36), 15:00 wall, 1.49 GB. So 2.1× the CPU
// (1.4 ms per sealed record), 1.6× the wall time; the database grows
// mostly by the transcript terms (3.2 million bidx attribute rows) and
// the wrapped keys. cmd/sillok's BenchmarkDemoSeal repeats it
// ($SILLOK_BENCH_PEOPLE).
package protect
