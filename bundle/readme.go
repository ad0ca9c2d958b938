package bundle

import (
	"fmt"

	"github.com/sillok/sillok/custody"
)

// readme is the plain-language guide written into every bundle. It must
// let a technically minded reader check the bundle without Sillok.
func readme(cp custody.Checkpoint, vkey string) []byte {
	return fmt.Appendf(nil, `SILLOK EVIDENCE BUNDLE
======================

This folder is a self-contained copy of evidence from a Sillok repository,
with the proof that each file is unchanged since it was received and a
record of who handled it. You can check all of it offline. The program
"sillok verify THIS-FOLDER" does every check below; this note explains how
to do them without it.

What is here
------------
  blobs/       the evidence files: originals and working copies (redacted,
               transcoded, OCR text, thumbnails). Each file is named by the
               SHA-256 hash of its content.
  items/       one JSON file per evidence item: its hash, size, media type,
               metadata, how working copies were derived from the original,
               and the numbers of the custody events about it.
  events/      custody events (received, viewed, exported, copy made, ...),
               each exactly as recorded in the custody log, numbered by its
               position in the log.
  proofs/      for each event, the proof that it is in the custody log.
  checkpoint   the state of the custody log that the proofs refer to,
               signed with the log's key.
  key.pub      the log's public key.
  MANIFEST     the SHA-256 of every other file, signed with the same key.

The custody log is an append-only Merkle tree (RFC 6962 / RFC 9162); the
checkpoint follows https://c2sp.org/tlog-checkpoint and the signatures are
Ed25519 signed notes (https://c2sp.org/signed-note). The checkpoint here
says the log had %d events and a root hash of %s
(base64), from log "%s".

Step 1. Trust the key
---------------------
key.pub holds:
  %s
Compare it with the key the repository published through another channel
(its web site, a court filing, a printed letter). Everything below proves
only that the bundle matches THIS key.

Step 2. Every file is as listed
-------------------------------
MANIFEST lists every file with its hash, after a first line
"sillok bundle manifest v1" and before a blank line and the signature.
On Linux or macOS:
  awk 'NR>1 && /^$/ {exit} NR>1' MANIFEST | sha256sum -c
Every line must say OK, and no file may exist that MANIFEST does not list.
Each file under blobs/ must also hash to its own name:
  cd blobs && for f in *; do echo "$f  $f"; done | sha256sum -c

Step 3. The signatures
----------------------
MANIFEST and checkpoint are signed notes: text, a blank line, then a line
"— <key name> <base64>". The base64 decodes to 4 bytes of key ID and a
64-byte Ed25519 signature over the text (everything before the blank line,
including the last newline). key.pub is "<name>+<key ID hex>+<base64>"; its
base64 decodes to the byte 0x01 followed by the 32-byte Ed25519 public key.
Any Ed25519 implementation checks the signature (Go:
golang.org/x/mod/sumdb/note, note.Open).

Step 4. Each event is in the log
--------------------------------
The checkpoint's text is three lines: the log's name, the number of events
N, and the root hash R (base64). For event number i (file events/i.json):
  leaf hash   h = SHA-256(0x00 || content of events/i.json)
  e.g.        (printf '\0'; cat events/i.json) | sha256sum
proofs/i.txt holds hashes p1, p2, ... (base64, one per line), from the
bottom of the tree up. Compute, with fn = i and sn = N - 1:
  for each p in the proof:
    if sn == 0: FAIL
    if fn is odd or fn == sn:
      h = SHA-256(0x01 || p || h)
      if fn is even: repeat fn = fn / 2, sn = sn / 2 until fn is odd or fn == 0
    else:
      h = SHA-256(0x01 || h || p)
    fn = fn / 2; sn = sn / 2      (integer division)
  at the end, sn must be 0 and h must equal R.
This is the inclusion proof check of RFC 9162, section 2.1.3.2 (Go:
golang.org/x/mod/sumdb/tlog, tlog.CheckRecord).

Step 5. What the events say
---------------------------
Each event is a JSON object with sorted keys: kind, time (UTC), actor
(a staff account), and as the kind requires the evidence file's hash
(blob), a derived copy's hash (derived), the record and revision hash,
the purpose, the source's repository ID and how it was received (channel).
Where the content is protected (a witness's identity), the event holds a
"commitment" instead of a hash: HMAC-SHA256 keyed with a secret salt. The
repository can disclose the salt to a court, which can then check the
commitment; without the salt, nobody can use the commitment to confirm a
guessed name or a known file.

Step 6. The timestamp (if checkpoint.tsr is present)
-----------------------------------------------------
checkpoint.tsr is an RFC 3161 timestamp token from an independent
timestamping authority (TSA) over the SHA-256 of the checkpoint's text
(its three lines; the TSA never saw any evidence). It shows the log was in
this state no later than the time in the token. With OpenSSL:
  awk '/^$/ {exit} {print}' checkpoint > checkpoint.txt
  openssl ts -verify -token_in -in checkpoint.tsr -data checkpoint.txt \
      -CAfile TSA-ROOT-CERTIFICATE.pem
and read the time with: openssl ts -reply -token_in -in checkpoint.tsr -text

A later checkpoint of the same log proves that this one was not rewritten:
ask the repository for a consistency proof between the two (tlog.CheckTree).
`, cp.Size, fmt.Sprint(cp.Root), cp.Origin, vkey)
}
