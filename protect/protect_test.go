package protect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/sillok/sillok"
)

func mustKey(t testing.TB, org string) *OrgKey {
	t.Helper()
	k, err := NewOrgKey(org)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSealer(t testing.TB, k, recovery *OrgKey, norm Normaliser) *Sealer {
	t.Helper()
	s, err := NewSealer(k, recovery.Holder(), norm)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKeyFileRoundTrip(t *testing.T) {
	k := mustKey(t, "ngo-a")
	if err := k.Rotate(); err != nil {
		t.Fatal(err)
	}
	for _, pass := range []string{"", "correct horse"} {
		var b bytes.Buffer
		if err := k.marshal(&b, pass, 12); err != nil {
			t.Fatal(err)
		}
		if pass != "" && (strings.Contains(b.String(), "AGE-SECRET-KEY") || !strings.Contains(b.String(), "BEGIN AGE ENCRYPTED FILE")) {
			t.Fatalf("passphrase-protected key file shows key material:\n%s", b.String())
		}
		got, err := ParseOrgKey(bytes.NewReader(b.Bytes()), func() (string, error) { return pass, nil })
		if err != nil {
			t.Fatalf("passphrase %q: %v", pass, err)
		}
		if got.Org != k.Org || got.Secret != k.Secret || len(got.Identities) != 2 ||
			got.Identities[0].String() != k.Identities[0].String() || got.Identities[1].String() != k.Identities[1].String() {
			t.Fatalf("passphrase %q: key changed in the round trip", pass)
		}
		if pass != "" {
			_, err := ParseOrgKey(bytes.NewReader(b.Bytes()), func() (string, error) { return "wrong", nil })
			if !errors.Is(err, ErrPassphrase) {
				t.Errorf("wrong passphrase: err = %v, want ErrPassphrase", err)
			}
			if _, err := ParseOrgKey(bytes.NewReader(b.Bytes()), nil); !errors.Is(err, ErrPassphrase) {
				t.Errorf("no passphrase: err = %v, want ErrPassphrase", err)
			}
		}
	}
}

func TestParseOrgKeyErrors(t *testing.T) {
	k := mustKey(t, "ngo-a")
	var b bytes.Buffer
	k.Marshal(&b, "")
	good := b.String()
	id := k.Identities[0].String()
	tests := []struct{ name, file, want string }{
		{"no org", strings.Replace(good, "org: ngo-a\n", "", 1), "no org line"},
		{"no secret", good[:strings.Index(good, "secret:")] + good[strings.Index(good, "\n#"):], "no secret line"},
		{"no identity", strings.Replace(good, id+"\n", "", 1), "no age identity"},
		{"short secret", strings.Replace(good, "secret: ", "secret: AAAA", 1), "line 3: secret"},
		{"bad identity", strings.Replace(good, id, id[:len(id)-2]+"qq", 1), "malformed age identity"},
		{"junk", good + "hello\n", "unexpected content"},
		{"two orgs", good + "org: b\n", "second org"},
		{"bad org", strings.Replace(good, "org: ngo-a", "org: a b", 1), "organisation name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOrgKey(strings.NewReader(tt.file), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "AGE-SECRET") || strings.Contains(err.Error(), id[20:40]) {
				t.Fatalf("error quotes key material: %v", err)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	a, b, rec := mustKey(t, "ngo-a"), mustKey(t, "ngo-b"), mustKey(t, RecoveryHolder)
	s := mustSealer(t, a, rec, nil)
	id := sillok.NewID(sillok.KindPerson)
	p := &sillok.Person{Names: []sillok.Name{{Value: "김영희", Script: "hangul"}}, Sex: sillok.SexFemale,
		Birth: sillok.MustDate("1975-03-14"), OriginText: "Hoeryong, Osan-dong"}
	clear, _, err := s.SealPerson(id, p, "V-0001", PersonFields{Contact: "+82 10 1234 5678",
		Family: []Relative{{Relation: "mother", Names: []sillok.Name{{Value: "박순자"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := clear.Validate(); err != nil {
		t.Fatalf("sealed person does not validate: %v", err)
	}
	if len(clear.Names) != 0 || clear.OriginText != "" || clear.Birth.String() != "1975" || clear.Label() != "V-0001" {
		t.Fatalf("clear body keeps protected data: %+v", clear)
	}
	js, _ := json.Marshal(clear)
	for _, secret := range []string{"김영희", "박순자", "Hoeryong", "1234", "03-14"} {
		if bytes.Contains(js, []byte(secret)) {
			t.Errorf("clear JSON holds %q", secret)
		}
	}
	f, err := a.OpenPerson(id, clear)
	if err != nil {
		t.Fatal(err)
	}
	if f.Names[0].Value != "김영희" || f.Birth.String() != "1975-03-14" || f.Family[0].Names[0].Value != "박순자" || f.Contact != "+82 10 1234 5678" || f.OriginText != "Hoeryong, Osan-dong" {
		t.Fatalf("opened fields differ: %+v", f)
	}
	if _, err := b.OpenPerson(id, clear); !errors.Is(err, ErrNoKey) {
		t.Errorf("other organisation: err = %v, want ErrNoKey", err)
	}
	if _, err := rec.OpenPerson(id, clear); err != nil {
		t.Errorf("recovery key cannot open: %v", err)
	}
	// Ciphertext moved to another record does not open.
	if _, err := a.OpenPerson(sillok.NewID(sillok.KindPerson), clear); !errors.Is(err, ErrTampered) {
		t.Errorf("moved ciphertext: err = %v, want ErrTampered", err)
	}
	flipped := *clear.Sealed
	flipped.CT = slices.Clone(flipped.CT)
	flipped.CT[len(flipped.CT)-1] ^= 1
	if err := a.OpenValue(id, &flipped, new(PersonFields)); !errors.Is(err, ErrTampered) {
		t.Errorf("altered ciphertext: err = %v, want ErrTampered", err)
	}
	// Sharing gives the partner access; unsharing takes it away again.
	if err := a.Share(clear.Sealed, b.Holder()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.OpenPerson(id, clear); err != nil {
		t.Errorf("partner cannot open a shared record: %v", err)
	}
	if !Unshare(clear.Sealed, "ngo-b") {
		t.Error("Unshare found no entry")
	}
	if _, err := b.OpenPerson(id, clear); !errors.Is(err, ErrNoKey) {
		t.Errorf("after unsharing: err = %v, want ErrNoKey", err)
	}
	if err := a.Share(clear.Sealed, mustKey(t, RecoveryHolder).Holder()); err == nil {
		t.Error("shared with a second recovery key")
	}
	if Unshare(clear.Sealed, RecoveryHolder) {
		t.Error("Unshare removed the recovery key")
	}
}

func TestRotation(t *testing.T) {
	a, rec := mustKey(t, "ngo-a"), mustKey(t, RecoveryHolder)
	s := mustSealer(t, a, rec, nil)
	id := sillok.NewID(sillok.KindPerson)
	clear, _, err := s.SealPerson(id, &sillok.Person{Names: []sillok.Name{{Value: "Ri Chol-min"}}}, "V-0007", PersonFields{})
	if err != nil {
		t.Fatal(err)
	}
	var before bytes.Buffer
	a.Marshal(&before, "")
	oldKey, _ := ParseOrgKey(&before, nil)
	ct := slices.Clone(clear.Sealed.CT)
	idx := slices.Clone(clear.Sealed.Index)

	if err := a.Rotate(); err != nil {
		t.Fatal(err)
	}
	changed, err := a.Rewrap(clear.Sealed)
	if err != nil || !changed {
		t.Fatalf("Rewrap = %v, %v; want changed", changed, err)
	}
	if again, err := a.Rewrap(clear.Sealed); err != nil || again {
		t.Fatalf("second Rewrap = %v, %v; want no change", again, err)
	}
	if !bytes.Equal(ct, clear.Sealed.CT) {
		t.Error("rotation re-encrypted the content")
	}
	a.Retire()
	f, err := a.OpenPerson(id, clear)
	if err != nil || f.Names[0].Value != "Ri Chol-min" {
		t.Fatalf("after rotation: %v", err)
	}
	if _, err := oldKey.OpenPerson(id, clear); !errors.Is(err, ErrNoKey) {
		t.Errorf("retired key still opens: %v", err)
	}
	if !slices.Equal(idx, a.Index(nil).Names("Ri Chol-min")) {
		t.Error("rotation changed the blind index")
	}
	// A new recovery key: Rewrap replaces the recovery entry too.
	rec2 := mustKey(t, RecoveryHolder)
	if changed, err := a.Rewrap(clear.Sealed, rec2.Holder()); err != nil || !changed {
		t.Fatalf("Rewrap to a new recovery key = %v, %v", changed, err)
	}
	if _, err := rec2.OpenPerson(id, clear); err != nil {
		t.Errorf("new recovery key: %v", err)
	}
	if _, err := rec.OpenPerson(id, clear); !errors.Is(err, ErrNoKey) {
		t.Errorf("old recovery key still opens: %v", err)
	}
	if len(clear.Sealed.Keys) != 2 {
		t.Errorf("%d wrapped keys, want 2", len(clear.Sealed.Keys))
	}
}

func TestRecoveryAfterKeyLoss(t *testing.T) {
	a, rec := mustKey(t, "ngo-a"), mustKey(t, RecoveryHolder)
	escrow, err := a.Escrow(rec.Holder())
	if err != nil {
		t.Fatal(err)
	}
	s := mustSealer(t, a, rec, nil)
	id := sillok.NewID(sillok.KindPerson)
	clear, _, err := s.SealPerson(id, &sillok.Person{Names: []sillok.Name{{Value: "리영호"}}}, "V-0002", PersonFields{})
	if err != nil {
		t.Fatal(err)
	}
	idx := a.Index(nil).Name("리영호")
	a = nil // the key file is lost

	stranger := mustKey(t, "ngo-a") // a new key under the same name opens nothing
	if _, err := stranger.OpenPerson(id, clear); !errors.Is(err, ErrNoKey) {
		t.Fatalf("fresh key opened an old record: %v", err)
	}
	if _, err := RecoverOrgKey(escrow, stranger); err == nil {
		t.Fatal("escrow opened without the recovery key")
	}
	na, err := RecoverOrgKey(escrow, rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.RewrapFor(clear.Sealed, na.Holder()); err != nil {
		t.Fatal(err)
	}
	f, err := na.OpenPerson(id, clear)
	if err != nil || f.Names[0].Value != "리영호" {
		t.Fatalf("recovered key: %v", err)
	}
	if na.Index(nil).Name("리영호") != idx {
		t.Error("recovered key computes other blind index terms")
	}
}

func TestBlindIndex(t *testing.T) {
	a, b := mustKey(t, "a"), mustKey(t, "b")
	// A stand-in for korean.Key: fold the initial-sound rule of one surname.
	fold := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "이", "리"), "lee", "ri") }
	xa := a.Index(fold)
	nfc := "김영희"
	nfd := norm.NFD.String(nfc)
	if nfd == nfc {
		t.Fatal("test needs distinct NFD")
	}
	tests := []struct {
		x, y string
		same bool
	}{
		{nfc, nfd, true},
		{"Kim  Yeong-hui", "kim yeong-hui", true},
		{"이영호", "리영호", true},
		{"Lee Yong-ho", "Ri Yong-ho", true},
		{"김영희", "김영회", false},
		{"Kim Yeong-hui", "Kim Yong-hui", false},
	}
	for _, tt := range tests {
		if got := xa.Name(tt.x) == xa.Name(tt.y); got != tt.same {
			t.Errorf("Name(%q) == Name(%q): %v, want %v", tt.x, tt.y, got, tt.same)
		}
	}
	if xa.Name(nfc) == b.Index(fold).Name(nfc) {
		t.Error("two organisations share a blind index term")
	}
	if xa.Name("  ") != "" {
		t.Error("blank name gave a term")
	}
	if got := xa.Names("a", "A", "b"); len(got) != 2 {
		t.Errorf("Names does not de-duplicate: %v", got)
	}
}

func TestTextSearch(t *testing.T) {
	x := mustKey(t, "a").Index(nil)
	text := "In 2009 the bowibu officer Pak took my brother to Yodok. 그는 요덕으로 끌려갔다."
	terms := x.Text(text)
	for _, q := range []string{"bowibu officer", "요덕으로", "YODOK"} {
		for _, qt := range x.Text(q) {
			if !slices.Contains(terms, qt) {
				t.Errorf("query %q: term missing from the index", q)
			}
		}
	}
	if slices.Contains(terms, x.Text("Hoeryong")[0]) {
		t.Error("absent word found")
	}
	for _, tt := range []struct {
		q    string
		want bool
	}{{"bowibu officer", true}, {"officer bowibu", false}, {"요덕으로 끌려갔다", true}, {"", false}} {
		if got := Contains(text, tt.q); got != tt.want {
			t.Errorf("Contains(%q) = %v", tt.q, got)
		}
	}
	again := x.Text(text + " " + text)
	if !slices.Equal(terms, again) {
		t.Error("terms keep repetition counts")
	}
}

func TestCommitment(t *testing.T) {
	c := Commit([]byte("김영희"))
	if err := c.Verify([]byte("김영희")); err != nil {
		t.Fatal(err)
	}
	if err := c.Verify([]byte("김영회")); !errors.Is(err, ErrCommitment) {
		t.Errorf("wrong value: %v", err)
	}
	plain := sha256.Sum256([]byte("김영희"))
	if c.Sum == hex.EncodeToString(plain[:]) || Commit([]byte("김영희")).Sum == c.Sum {
		t.Error("commitment is not salted")
	}
}

func TestBlob(t *testing.T) {
	ctx := context.Background()
	id := sillok.NewID(sillok.KindSource)
	key := NewRecordKey()
	photo := bytes.Repeat([]byte("JFIF-face-of-witness "), 5000)
	var ct bytes.Buffer
	info, err := SealBlob(ctx, &ct, bytes.NewReader(photo), id, key)
	if err != nil {
		t.Fatal(err)
	}
	ps := sha256.Sum256(photo)
	cs := sha256.Sum256(ct.Bytes())
	if info.PlainSHA256 != hex.EncodeToString(ps[:]) || info.CipherSHA256 != hex.EncodeToString(cs[:]) || info.Size != int64(len(photo)) {
		t.Fatalf("info = %+v", info)
	}
	if bytes.Contains(ct.Bytes(), photo[:64]) {
		t.Fatal("ciphertext holds plaintext")
	}
	var out bytes.Buffer
	if err := OpenBlob(ctx, &out, bytes.NewReader(ct.Bytes()), id, key, info); err != nil || !bytes.Equal(out.Bytes(), photo) {
		t.Fatalf("OpenBlob: %v", err)
	}
	if err := OpenBlob(ctx, &bytes.Buffer{}, bytes.NewReader(ct.Bytes()), sillok.NewID(sillok.KindSource), key, info); !errors.Is(err, ErrTampered) {
		t.Errorf("other record: %v, want ErrTampered", err)
	}
	if err := OpenBlob(ctx, &bytes.Buffer{}, bytes.NewReader(ct.Bytes()), id, NewRecordKey(), info); !errors.Is(err, ErrTampered) {
		t.Errorf("other key: %v, want ErrTampered", err)
	}
	bad := info
	bad.PlainSHA256 = strings.Repeat("0", 64)
	if err := OpenBlob(ctx, &bytes.Buffer{}, bytes.NewReader(ct.Bytes()), id, key, bad); !errors.Is(err, ErrBlobHash) {
		t.Errorf("wrong hash: %v, want ErrBlobHash", err)
	}
	cut := ct.Bytes()[:ct.Len()-10]
	if err := OpenBlob(ctx, &bytes.Buffer{}, bytes.NewReader(cut), id, key, info); err == nil {
		t.Error("truncated blob opened")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := SealBlob(cctx, &bytes.Buffer{}, bytes.NewReader(photo), id, key); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func FuzzParseOrgKey(f *testing.F) {
	k, _ := NewOrgKey("ngo-a")
	var b bytes.Buffer
	k.Marshal(&b, "")
	f.Add(b.Bytes())
	f.Add([]byte("org: x\nsecret: AAAA\n"))
	f.Add([]byte("-----BEGIN AGE ENCRYPTED FILE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseOrgKey(bytes.NewReader(data), func() (string, error) { return "p", nil })
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := k.Marshal(&out, ""); err != nil {
			t.Fatal(err)
		}
		k2, err := ParseOrgKey(&out, nil)
		if err != nil || k2.Org != k.Org || k2.Secret != k.Secret || len(k2.Identities) != len(k.Identities) {
			t.Fatalf("parsed key does not round-trip: %v", err)
		}
	})
}

func FuzzOpenSealed(f *testing.F) {
	a, rec := mustKey(f, "ngo-a"), mustKey(f, RecoveryHolder)
	id := sillok.ID("per_fuzz")
	s, _, err := SealValue(id, PersonFields{Names: []sillok.Name{{Value: "x"}}}, nil, a.Holder(), rec.Holder())
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(s)
	f.Add(good)
	f.Add([]byte(`{"v":1,"keys":[{"holder":"ngo-a","wrapped":"YWdl"}],"ct":"AAAA"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s sillok.Sealed
		if json.Unmarshal(data, &s) != nil {
			return
		}
		var pf PersonFields
		if err := a.OpenValue(id, &s, &pf); err == nil && bytes.Equal(data, good) && pf.Names[0].Value != "x" {
			t.Fatal("opened to the wrong value")
		}
	})
}
