package custody

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	h1 = strings.Repeat("ab", 32)
	h2 = strings.Repeat("cd", 32)
	t0 = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
)

func TestEventValidate(t *testing.T) {
	tests := []struct {
		name string
		e    Event
		ok   bool
	}{
		{"received", Event{Kind: EvidenceReceived, Actor: "staff-1", Blob: h1, Source: "src-9", Channel: "in person", Time: t0}, true},
		{"received protected", Event{Kind: EvidenceReceived, Actor: "staff-1", Commitment: h1, Time: t0}, true},
		{"received nothing", Event{Kind: EvidenceReceived, Actor: "staff-1", Time: t0}, false},
		{"blob and commitment", Event{Kind: EvidenceReceived, Actor: "staff-1", Blob: h1, Commitment: h2, Time: t0}, false},
		{"created", Event{Kind: RecordCreated, Actor: "staff-1", Record: "r1", Revision: h1, Time: t0}, true},
		{"revised no revision", Event{Kind: RecordRevised, Actor: "staff-1", Record: "r1", Time: t0}, false},
		{"viewed", Event{Kind: ProtectedViewed, Actor: "staff-2", Record: "r1", Purpose: "consent check", Time: t0}, true},
		{"viewed no purpose", Event{Kind: ProtectedViewed, Actor: "staff-2", Record: "r1", Time: t0}, false},
		{"exported", Event{Kind: Exported, Actor: "staff-2", Blob: h1, Purpose: "prosecutor X", Time: t0}, true},
		{"shared no purpose", Event{Kind: Shared, Actor: "staff-2", Time: t0}, false},
		{"derivative", Event{Kind: DerivativeMade, Actor: "staff-3", Blob: h1, Derived: h2, Operation: "redact", Time: t0}, true},
		{"derivative no op", Event{Kind: DerivativeMade, Actor: "staff-3", Blob: h1, Derived: h2, Time: t0}, false},
		{"unknown kind", Event{Kind: "deleted", Actor: "staff-1", Time: t0}, false},
		{"no actor", Event{Kind: Exported, Purpose: "p", Time: t0}, false},
		{"no time", Event{Kind: Exported, Actor: "a", Purpose: "p"}, false},
		{"upper-case hash", Event{Kind: EvidenceReceived, Actor: "a", Blob: strings.ToUpper(h1), Time: t0}, false},
		{"short hash", Event{Kind: EvidenceReceived, Actor: "a", Blob: h1[:62], Time: t0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.e.Marshal()
			if (err == nil) != tt.ok {
				t.Fatalf("Marshal error = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidEvent) {
					t.Errorf("error %v does not wrap ErrInvalidEvent", err)
				}
				return
			}
			back, err := ParseEvent(data)
			if err != nil {
				t.Fatalf("ParseEvent(Marshal) = %v", err)
			}
			again, _ := back.Marshal()
			if string(again) != string(data) {
				t.Errorf("round trip changed the leaf:\n%s\n%s", data, again)
			}
		})
	}
}

func TestEventCanonical(t *testing.T) {
	e := Event{Kind: RecordCreated, Actor: "staff-1", Record: "r1", Revision: h1,
		Time: time.Date(2026, 11, 27, 18, 30, 0, 0, time.FixedZone("KST", 9*3600))}
	data, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Keys sorted, time in UTC, version set: the one spelling.
	want := `{"actor":"staff-1","kind":"record_created","record":"r1","revision":"` + h1 + `","time":"2026-11-27T09:30:00Z","v":1}`
	if string(data) != want {
		t.Fatalf("canonical form\n got %s\nwant %s", data, want)
	}
	for _, bad := range []string{
		strings.Replace(want, `"actor"`, ` "actor"`, 1),                                                                         // space
		strings.Replace(want, `09:30:00Z`, `09:30:00.000Z`, 1),                                                                  // same time, other spelling
		strings.Replace(want, `09:30:00Z`, `18:30:00+09:00`, 1),                                                                 // same instant, other zone
		strings.Replace(want, `,"v":1}`, `,"v":1,"x":2}`, 1),                                                                    // unknown key
		`{"kind":"record_created","actor":"staff-1","record":"r1","revision":"` + h1 + `","time":"2026-11-27T09:30:00Z","v":1}`, // key order
		want + "\n",
		want + want,
		strings.Replace(want, `"v":1`, `"v":2`, 1),
	} {
		if _, err := ParseEvent([]byte(bad)); err == nil {
			t.Errorf("ParseEvent accepted non-canonical %s", bad)
		}
	}
}

func TestCommitment(t *testing.T) {
	c, salt, err := Protect([]byte("Kim Yong-hui 1971-03-02"))
	if err != nil {
		t.Fatal(err)
	}
	if !CheckCommitment(c, salt, []byte("Kim Yong-hui 1971-03-02")) {
		t.Error("commitment does not check with its own salt and value")
	}
	if CheckCommitment(c, salt, []byte("Kim Yong-hui 1971-03-03")) {
		t.Error("commitment checks with a different value")
	}
	var other Salt
	if CheckCommitment(c, other, []byte("Kim Yong-hui 1971-03-02")) {
		t.Error("commitment checks with another salt")
	}
	c2, _, _ := Protect([]byte("Kim Yong-hui 1971-03-02"))
	if c == c2 {
		t.Error("two commitments to the same value are equal: a guess could be confirmed")
	}
	// A commitment is not the plain hash of the value.
	if c == Commit(Salt{}, []byte("Kim Yong-hui 1971-03-02")) {
		t.Error("commitment does not depend on the salt")
	}
	e := Event{Kind: EvidenceReceived, Actor: "staff-1", Commitment: c, Time: t0}
	data, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "Kim") {
		t.Error("the leaf contains the protected value")
	}
}

func TestCheckpointParse(t *testing.T) {
	c := Checkpoint{Origin: "sillok.example/r1", Size: 42, Root: [32]byte{1, 2, 3}}
	back, err := ParseCheckpoint(c.Text())
	if err != nil || back != c {
		t.Fatalf("ParseCheckpoint(Text) = %+v, %v", back, err)
	}
	good := string(c.Text())
	for _, bad := range []string{
		strings.Replace(good, "\n42\n", "\n042\n", 1),
		strings.Replace(good, "\n42\n", "\n-1\n", 1),
		strings.Replace(good, "\n42\n", "\n+42\n", 1),
		good + "extension\n",
		strings.TrimSuffix(good, "\n"),
		"\n42\n" + strings.SplitN(good, "\n", 3)[2],
		strings.Replace(good, "=\n", "\n", 1),
	} {
		if _, err := ParseCheckpoint([]byte(bad)); err == nil {
			t.Errorf("ParseCheckpoint accepted %q", bad)
		}
	}
}

func FuzzParseEvent(f *testing.F) {
	e := Event{Kind: RecordCreated, Actor: "staff-1", Record: "r1", Revision: h1, Time: t0}
	data, _ := e.Marshal()
	f.Add(data)
	e2 := Event{Kind: DerivativeMade, Actor: "s", Commitment: h1, Derived: h2, Operation: "ocr", Time: t0}
	data2, _ := e2.Marshal()
	f.Add(data2)
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEvent(data)
		if err != nil {
			return
		}
		// Whatever parses is canonical: it re-encodes to the same bytes.
		again, err := e.Marshal()
		if err != nil || string(again) != string(data) {
			t.Fatalf("accepted %q but re-encodes to %q (%v)", data, again, err)
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add(Checkpoint{Origin: "sillok.example/r1", Size: 7, Root: [32]byte{9}}.Text())
	f.Add([]byte("a\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		if string(c.Text()) != string(text) {
			t.Fatalf("accepted %q but formats as %q", text, c.Text())
		}
	})
}
