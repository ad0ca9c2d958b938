package protect

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/jsonl"
	"github.com/sillok/sillok/postgres"
	"github.com/sillok/sillok/postgres/pgtest"
	"github.com/sillok/sillok/sqlite"
	"github.com/sillok/sillok/sqlstore"
)

// witness is a fictional protected person with distinctive values that
// must never reach the database, its WAL, the blob folder or the logs.
type witness struct {
	hangul, romanized, alias, birth, origin, mother, contact string
}

var witnesses = []witness{
	{"탁옥련화", "Thak Ok-ryon-hwa", "꽃분이언니", "1971-08-23", "Musan-gun Chilsong-ri 3-ban", "방갑순녀", "+82 10 9876 1234"},
	{"편철룡수", "Phyon Chol-ryong-su", "Hyonnam Kkoma", "1983-11-05", "Onsong-gun Namyang-rodongjagu", "육말례자", "kakao:phyon83xyz"},
}

// transcriptOf names the witness and her mother, as testimonies do.
func transcriptOf(w witness) string {
	return "My name is " + w.romanized + ". 제 이름은 " + w.hangul + "입니다. My mother " + w.mother + " stayed in " + w.origin + "."
}

// needles are the byte strings a stolen copy must not contain: every
// protected value in NFC and NFD UTF-8, and the photo, its SHA-256 in hex
// and raw.
func needles(photo []byte) map[string][]byte {
	n := map[string][]byte{}
	add := func(label, s string) {
		n[label+" (NFC)"] = []byte(norm.NFC.String(s))
		n[label+" (NFD)"] = []byte(norm.NFD.String(s))
		n[label+" (lower)"] = []byte(strings.ToLower(s))
	}
	for i, w := range witnesses {
		add(fmt.Sprintf("w%d hangul", i), w.hangul)
		add(fmt.Sprintf("w%d romanized", i), w.romanized)
		add(fmt.Sprintf("w%d alias", i), w.alias)
		add(fmt.Sprintf("w%d birth", i), w.birth)
		add(fmt.Sprintf("w%d birth compact", i), strings.ReplaceAll(w.birth, "-", ""))
		add(fmt.Sprintf("w%d origin", i), w.origin)
		add(fmt.Sprintf("w%d mother", i), w.mother)
		add(fmt.Sprintf("w%d contact", i), w.contact)
	}
	sum := sha256.Sum256(photo)
	n["photo head"] = photo[:48]
	n["photo middle"] = photo[len(photo)/2 : len(photo)/2+48]
	n["photo sha256 hex"] = []byte(hex.EncodeToString(sum[:]))
	n["photo sha256 raw"] = sum[:]
	return n
}

type fixture struct {
	key, recovery *OrgKey
	sealer        *Sealer
	persons       []sillok.ID
	sources       []sillok.ID
	photo         []byte
	photoInfo     BlobInfo
}

func newPhoto(t testing.TB) []byte {
	photo := make([]byte, 96<<10)
	rand.Read(photo)
	copy(photo, "\xff\xd8\xff\xe0JFIF face of the witness")
	return photo
}

// seed stores the witnesses, each with a testimony, and a photo of the
// first sealed into blobs, into st.
func seed(t testing.TB, ctx context.Context, st *sqlstore.Store, blobs BlobDir) *fixture {
	t.Helper()
	fx := &fixture{key: mustKey(t, "ngo-a"), recovery: mustKey(t, RecoveryHolder), photo: newPhoto(t)}
	fx.sealer = mustSealer(t, fx.key, fx.recovery, nil)
	var ps Pseudonyms
	if err := ps.Setup(ctx, st.DB()); err != nil {
		t.Fatal(err)
	}
	actor := sillok.Actor{User: "doc1", Org: "ngo-a"}
	for i, w := range witnesses {
		pid := sillok.NewID(sillok.KindPerson)
		pseudo, err := ps.Assign(ctx, st.DB(), "ngo-a", pid)
		if err != nil {
			t.Fatal(err)
		}
		p := &sillok.Person{Sex: sillok.SexFemale, Birth: sillok.MustDate(w.birth), OriginText: w.origin,
			Names: []sillok.Name{{Value: w.hangul, Script: "hangul", Type: "birth"}, {Value: w.romanized, Script: "latin", System: "mr"}, {Value: w.alias, Type: "nickname"}},
			Roles: []sillok.Role{{Role: "witness"}}}
		body, _, err := fx.sealer.SealPerson(pid, p, pseudo, PersonFields{Contact: w.contact,
			Family: []Relative{{Relation: "parent", Names: []sillok.Name{{Value: w.mother}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Create(ctx, actor, &sillok.Record{ID: pid, Kind: sillok.KindPerson, Org: "ngo-a", Level: sillok.LevelConfidential, Body: body}); err != nil {
			t.Fatal(err)
		}
		sid := sillok.NewID(sillok.KindSource)
		src := &sillok.Source{Type: "testimony", Interviewee: pid, Interviewer: "doc1", Place: w.origin,
			Transcript: sillok.Labels{En: transcriptOf(w)}, Date: sillok.MustDate("2019-05")}
		key := NewRecordKey()
		var ev []BlobInfo
		if i == 0 {
			info, err := blobs.Put(ctx, bytes.NewReader(fx.photo), sid, key)
			if err != nil {
				t.Fatal(err)
			}
			fx.photoInfo = info
			ev = append(ev, info)
		}
		sbody, err := fx.sealer.SealSourceEvidence(sid, src, key, ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Create(ctx, actor, &sillok.Record{ID: sid, Kind: sillok.KindSource, Org: "ngo-a", Level: sillok.LevelStrict, Body: sbody}); err != nil {
			t.Fatal(err)
		}
		fx.persons = append(fx.persons, pid)
		fx.sources = append(fx.sources, sid)
	}
	return fx
}

// scan reports every needle found in data, naming the needle (never
// printing the protected value itself).
func scan(t *testing.T, where string, data []byte, ns map[string][]byte) {
	t.Helper()
	for label, n := range ns {
		if bytes.Contains(data, n) {
			t.Errorf("%s holds %s", where, label)
		}
	}
}

func TestStolenDatabaseSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blobs := BlobDir(filepath.Join(dir, "blobs"))
	os.Mkdir(string(blobs), 0o700)
	logPath := filepath.Join(dir, "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "sillok.db"), sqlstore.Options{Logger: slog.New(slog.NewJSONHandler(logf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	fx := seed(t, ctx, st, blobs)

	// The records work: blind-index lookup through the store's attribute
	// index finds the person, and the key opens it.
	term := fx.sealer.Index.Name(norm.NFD.String(witnesses[1].hangul))
	page, err := st.List(ctx, sillok.Filter{Kind: sillok.KindPerson, Org: "ngo-a", Attrs: []sillok.Attr{{Key: sillok.BlindIndexAttr, Value: term}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || page.Records[0].ID != fx.persons[1] {
		t.Fatalf("blind-index lookup found %d records", len(page.Records))
	}
	f, err := fx.key.OpenPerson(fx.persons[1], page.Records[0].Body.(*sillok.Person))
	if err != nil || f.Names[0].Value != witnesses[1].hangul {
		t.Fatalf("open after lookup: %v", err)
	}

	// Transcript search: the query's terms select candidates through the
	// same attribute index; decryption confirms them in the process.
	var attrs []sillok.Attr
	query := witnesses[0].hangul + "입니다"
	for _, term := range fx.sealer.Index.Text(query) {
		attrs = append(attrs, sillok.Attr{Key: sillok.BlindIndexAttr, Value: term})
	}
	page, err = st.List(ctx, sillok.Filter{Kind: sillok.KindSource, Attrs: attrs})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || page.Records[0].ID != fx.sources[0] {
		t.Fatalf("transcript search found %d records", len(page.Records))
	}
	sf, err := fx.key.OpenSource(page.Records[0].ID, page.Records[0].Body.(*sillok.Source))
	if err != nil || !Contains(sf.Transcript.En, query) {
		t.Fatalf("confirming the hit: %v", err)
	}

	ns := needles(fx.photo)
	// Scan while open (the WAL holds the recent pages), then after close.
	scanDir(t, dir, ns, "open")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db := scanDir(t, dir, ns, "closed")
	// The scan itself must be able to find things: the clear pseudonym
	// and the ciphertext-addressed blob are there.
	if !bytes.Contains(db, []byte("V-0001")) || !bytes.Contains(db, []byte(fx.photoInfo.CipherSHA256)) {
		t.Fatal("scan does not see clear data: the test is broken")
	}
	if _, err := os.Stat(blobs.Path(fx.photoInfo.CipherSHA256)); err != nil {
		t.Fatalf("blob not addressed by its ciphertext hash: %v", err)
	}
}

// scanDir scans every file under dir and returns the concatenation.
func scanDir(t *testing.T, dir string, ns map[string][]byte, phase string) []byte {
	t.Helper()
	var all []byte
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		scan(t, phase+" "+filepath.Base(path), b, ns)
		all = append(all, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("%s: only %d files to scan", phase, n)
	}
	return all
}

func TestStolenDatabasePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump not installed")
	}
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs := BlobDir(t.TempDir())
	fx := seed(t, ctx, st, blobs)
	u, _ := url.Parse(dsn)
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	dump, err := exec.CommandContext(ctx, "pg_dump", "--dbname="+u.String(), "--schema="+schema, "--no-owner").Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(dump, []byte("V-0002")) || !bytes.Contains(dump, []byte(fx.persons[0])) {
		t.Fatal("dump does not hold the clear data: the test is broken")
	}
	scan(t, "pg_dump", dump, needles(fx.photo))
}

// TestRestoreFromBackup: the database is lost; the key file, an export
// and the blob folder restore everything.
func TestRestoreFromBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blobs := BlobDir(filepath.Join(dir, "blobs"))
	os.Mkdir(string(blobs), 0o700)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "a.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fx := seed(t, ctx, st, blobs)
	keyPath := filepath.Join(dir, "ngo-a.key")
	if err := SaveOrgKey(keyPath, fx.key, ""); err != nil {
		t.Fatal(err)
	}
	var backup bytes.Buffer
	if _, err := jsonl.Export(ctx, st, &backup); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// An export is a backup: it must be as blind as the database.
	scan(t, "export", backup.Bytes(), needles(fx.photo))
	if !bytes.Contains(backup.Bytes(), []byte(fx.persons[0])) {
		t.Fatal("export does not hold the records: the test is broken")
	}
	for _, f := range []string{"a.db", "a.db-wal", "a.db-shm"} {
		os.Remove(filepath.Join(dir, f))
	}

	st2, err := sqlite.Open(ctx, filepath.Join(dir, "b.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if _, err := jsonl.Import(ctx, st2, &backup); err != nil {
		t.Fatal(err)
	}
	key, err := LoadOrgKey(keyPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range witnesses {
		rec, err := st2.Get(ctx, fx.persons[i])
		if err != nil {
			t.Fatal(err)
		}
		f, err := key.OpenPerson(rec.ID, rec.Body.(*sillok.Person))
		if err != nil {
			t.Fatal(err)
		}
		if f.Names[0].Value != w.hangul || f.Birth.String() != w.birth || f.Family[0].Names[0].Value != w.mother || f.Contact != w.contact {
			t.Errorf("person %d: restored fields differ", i)
		}
		srec, err := st2.Get(ctx, fx.sources[i])
		if err != nil {
			t.Fatal(err)
		}
		src := srec.Body.(*sillok.Source)
		sf, err := key.OpenSource(srec.ID, src)
		if err != nil {
			t.Fatal(err)
		}
		if sf.Transcript.En != transcriptOf(w) {
			t.Errorf("source %d: transcript differs", i)
		}
		if i == 0 {
			rk, err := key.RecordKey(src.Sealed)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if len(sf.Evidence) != 1 || src.Evidence[0] != sf.Evidence[0].CipherSHA256 {
				t.Fatalf("evidence list lost: %d sealed, %v clear", len(sf.Evidence), src.Evidence)
			}
			if err := blobs.Get(ctx, &out, srec.ID, rk, sf.Evidence[0]); err != nil || !bytes.Equal(out.Bytes(), fx.photo) {
				t.Fatalf("photo not restored: %v", err)
			}
		}
	}
	// Losing the key file too loses access, until the recovery key steps in.
	lost := mustKey(t, "ngo-a")
	rec, _ := st2.Get(ctx, fx.persons[0])
	if _, err := lost.OpenPerson(rec.ID, rec.Body.(*sillok.Person)); err == nil {
		t.Fatal("a new key opened a record sealed to the lost one")
	}
	if _, err := fx.recovery.OpenPerson(rec.ID, rec.Body.(*sillok.Person)); err != nil {
		t.Fatalf("recovery key: %v", err)
	}
}
