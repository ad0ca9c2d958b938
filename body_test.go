package sillok

import (
	"bytes"
	"errors"
	"testing"
)

func TestDecodeBodyStrict(t *testing.T) {
	if _, err := DecodeBody(KindPerson, []byte(`{"names":[{"value":"x"}],"height":170}`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown field accepted: %v", err)
	}
	if _, err := DecodeBody(KindPerson, []byte(`{"names":[]} {}`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("trailing data accepted: %v", err)
	}
	if _, err := DecodeBody("ghost", []byte(`{}`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown kind accepted: %v", err)
	}
	b, err := DecodeBody(KindAct, []byte(`{"event":"evt_1","victim":"per_1","type":"torture","date":"~2010-spring"}`))
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := EncodeBody(b)
	if string(enc) != `{"event":"evt_1","victim":"per_1","type":"torture","date":"~2010-spring"}` {
		t.Errorf("canonical form = %s", enc)
	}
}

func TestKindOfAndIDs(t *testing.T) {
	for _, k := range Kinds() {
		id := NewID(k)
		if KindOf(id) != k || len(id) != len(k.Prefix())+1+16 {
			t.Errorf("NewID(%s) = %s", k, id)
		}
	}
	if KindOf("nope") != "" || KindOf("xyz_abc") != "" {
		t.Error("KindOf accepts malformed IDs")
	}
	if a, b := NewID(KindPerson), NewID(KindPerson); a == b {
		t.Error("NewID repeats")
	}
}

// FuzzDecodeBody: whatever decodes re-encodes to a canonical form that
// decodes to the same canonical form (what Import relies on).
func FuzzDecodeBody(f *testing.F) {
	f.Add("person", `{"names":[{"value":"김영희","script":"hangul"}],"sex":"female","birth":"1970"}`)
	f.Add("act", `{"event":"evt_1","victim":"per_1","type":"torture","consequences":["injury"]}`)
	f.Add("location", `{"names":[{"value":"요덕"}],"type":"kwanliso","lat":39.7,"lon":126.8}`)
	f.Fuzz(func(t *testing.T, kind, data string) {
		b, err := DecodeBody(Kind(kind), []byte(data))
		if err != nil {
			return
		}
		enc, err := EncodeBody(b)
		if err != nil {
			t.Fatal(err)
		}
		b2, err := DecodeBody(Kind(kind), enc)
		if err != nil {
			t.Fatalf("canonical form %s does not decode: %v", enc, err)
		}
		enc2, _ := EncodeBody(b2)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("not canonical: %s vs %s", enc, enc2)
		}
		b.Validate() // must not panic
		b.Refs()
		b.Attrs()
		b.Terms()
	})
}
