package korean

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestRomanizationVectors runs testdata/romanization.txt.
func TestRomanizationVectors(t *testing.T) {
	f, err := os.Open("testdata/romanization.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line, cases := 0, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 4 {
			t.Fatalf("romanization.txt:%d: %d fields, want 4", line, len(fields))
		}
		sys, err := ParseSystem(fields[1])
		if err != nil {
			t.Fatalf("romanization.txt:%d: %v", line, err)
		}
		var got string
		switch fields[0] {
		case "text":
			got = Romanize(fields[2], sys)
			if sys == RR && got != RomanizeRR(fields[2]) {
				t.Errorf("romanization.txt:%d: Romanize(RR) and RomanizeRR differ", line)
			}
		case "name":
			got = RomanizeName(fields[2], sys)
		default:
			t.Fatalf("romanization.txt:%d: unknown function %q", line, fields[0])
		}
		if got != fields[3] {
			t.Errorf("romanization.txt:%d: %s %s %s = %q, want %q", line, fields[0], fields[1], fields[2], got, fields[3])
		}
		cases++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cases < 80 {
		t.Errorf("ran %d cases, the file has more: parsing is broken", cases)
	}
}

func TestParseSystem(t *testing.T) {
	for _, s := range []System{RR, MR, MRPlain, DPRK} {
		got, err := ParseSystem(strings.ToUpper(s.String()))
		if err != nil || got != s {
			t.Errorf("ParseSystem(%q) = %v, %v", s.String(), got, err)
		}
	}
	if _, err := ParseSystem("wade-giles"); err == nil {
		t.Error("ParseSystem(wade-giles) succeeded")
	}
}

// TestRomanizationKeys checks that every system's spelling of a name has
// the name's key: the romanizer and the key agree.
func TestRomanizationKeys(t *testing.T) {
	for _, n := range []string{"김영희", "리영희", "박정희", "최룡해", "김정은", "한복남", "태영호", "현송월", "남궁민수", "장성택", "김여정", "안중근"} {
		want := Key(n)
		for _, sys := range []System{RR, MR, MRPlain, DPRK} {
			r := RomanizeName(n, sys)
			if got := Key(r); got != want {
				t.Errorf("Key(RomanizeName(%q, %v) = %q) = %q, want %q", n, sys, r, got, want)
			}
		}
	}
}

func FuzzRomanize(f *testing.F) {
	for _, s := range []string{"종로", "학여울", "김정은", "닭 힣 a", "않아 싫어 넋이", "ㄱ가\u11A8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, sys := range []System{RR, MR, MRPlain, DPRK} {
			r := Romanize(s, sys)
			if ContainsHangul(r) && !strings.ContainsFunc(s, func(r rune) bool { return IsHangul(r) && !IsSyllable(r) }) {
				t.Fatalf("Romanize(%q, %v) = %q still has Hangul", s, sys, r)
			}
			_ = RomanizeName(s, sys)
		}
	})
}
