package evidence

import (
	"encoding/hex"
	"testing"
)

func FuzzParseSalt(f *testing.F) {
	good, _ := NewSalt()
	for _, s := range []string{good, "", "00", good[:63], good + "0", "ZZ" + good[2:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		salt, err := ParseSalt(s)
		if err != nil {
			return
		}
		// Only the one spelling is accepted: it is part of the record
		// whose hash the log holds.
		if hex.EncodeToString(salt[:]) != s {
			t.Errorf("ParseSalt(%q) accepted a second spelling of %x", s, salt)
		}
	})
}

func TestParseSalt(t *testing.T) {
	good, err := NewSalt()
	if err != nil {
		t.Fatal(err)
	}
	upper := []byte(good)
	for i, c := range upper {
		if c >= 'a' && c <= 'f' {
			upper[i] = c - 'a' + 'A'
			break
		}
	}
	for _, tt := range []struct {
		in string
		ok bool
	}{{good, true}, {good[:62], false}, {good + "00", false}, {string(upper), string(upper) == good}, {"", false}} {
		if _, err := ParseSalt(tt.in); (err == nil) != tt.ok {
			t.Errorf("ParseSalt(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}
