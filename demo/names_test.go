package demo

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func surnameIndex(t *testing.T, south string) int {
	t.Helper()
	for i, s := range surnames {
		if s.south == south {
			return i
		}
	}
	t.Fatalf("surname %s not in the table", south)
	return -1
}

func TestSpellings(t *testing.T) {
	for _, tc := range []struct {
		sur       string
		given     [2]string
		north     bool
		system    string
		dropMarks bool
		reversed  bool
		hangul    string
		roman     string
	}{
		{"김", [2]string{"영", "희"}, false, sysRR, false, false, "김영희", "Kim Yeong-hui"},
		{"김", [2]string{"영", "희"}, false, sysMR, false, false, "김영희", "Kim Yŏng-hŭi"},
		{"김", [2]string{"영", "희"}, false, sysMR, true, false, "김영희", "Kim Yong-hui"},
		{"김", [2]string{"영", "희"}, false, sysDPRK, false, false, "김영희", "Kim Yong Hui"},
		{"이", [2]string{"연", "희"}, true, sysDPRK, false, false, "리련희", "Ri Ryon Hui"},
		{"이", [2]string{"연", "희"}, false, sysRR, false, true, "이연희", "Yeon-hui Yi"},
		{"임", [2]string{"용", "철"}, true, sysRR, false, false, "림룡철", "Im Yong-cheol"},
		{"유", [2]string{"정", "숙"}, true, sysMR, false, false, "류정숙", "Yu Chŏng-suk"},
		{"노", [2]string{"광", "호"}, true, sysDPRK, false, false, "로광호", "Ro Kwang Ho"},
		{"양", [2]string{"은", "실"}, true, sysMR, true, false, "량은실", "Yang Un-sil"},
		{"최", [2]string{"철", "수"}, false, sysMR, false, false, "최철수", "Ch'oe Ch'ŏl-su"},
		{"최", [2]string{"철", "수"}, false, sysMR, true, false, "최철수", "Choe Chol-su"},
	} {
		n := fullName{sur: surnameIndex(t, tc.sur), given: tc.given}
		if got := n.hangul(tc.north); got != tc.hangul {
			t.Errorf("%s%s%s north=%v: hangul %q, want %q", tc.sur, tc.given[0], tc.given[1], tc.north, got, tc.hangul)
		}
		if got := n.roman(nil, tc.system, tc.dropMarks, tc.reversed); got != tc.roman {
			t.Errorf("%s%s%s %s marks dropped=%v: %q, want %q", tc.sur, tc.given[0], tc.given[1], tc.system, tc.dropMarks, got, tc.roman)
		}
	}
}

func TestPersonalSpelling(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := fullName{sur: surnameIndex(t, "이"), given: [2]string{"영", "희"}}
	seen := map[string]bool{}
	for range 200 {
		seen[n.roman(r, sysPersonal, true, false)] = true
	}
	for _, want := range []string{"Lee Young-hee", "Rhee Younghee", "Yi Young-hee"} {
		if !seen[want] {
			t.Errorf("personal spellings %v lack %q", seen, want)
		}
	}
}

func TestGivenSyllablesComplete(t *testing.T) {
	for _, pool := range [][]string{femaleFirst, femaleSecond, maleFirst, maleSecond} {
		for _, s := range pool {
			sy, ok := givenSyllables[s]
			if !ok || sy.rr == "" || sy.mr == "" || sy.dprk == "" || sy.personal == "" {
				t.Errorf("syllable %s: missing spellings %+v", s, sy)
			}
		}
	}
	for _, s := range surnames {
		if s.rr == "" || s.mr == "" || s.dprk == "" || len(s.personal) == 0 || s.pct <= 0 {
			t.Errorf("surname %s: incomplete %+v", s.south, s)
		}
	}
}

func TestParticle(t *testing.T) {
	for _, tc := range []struct{ word, with, without, want string }{
		{"도문", "으로", "로", "도문으로"},
		{"화룡", "으로", "로", "화룡으로"},
		{"연길", "으로", "로", "연길로"}, // final ㄹ takes 로
		{"회령", "은", "는", "회령은"},
		{"무산", "이", "가", "무산이"},
		{"김영희", "이", "가", "김영희가"},
		{"장백", "을", "를", "장백을"},
		{"Tumen", "으로", "로", "Tumen로"}, // not hangul: the vowel form
		{"함경북도 도집결소 (농포)", "으로", "로", "함경북도 도집결소 (농포)로"},
		{"증산 교화소 (11호)", "을", "를", "증산 교화소 (11호)를"},
		{"관리소 15호 (요덕)", "은", "는", "관리소 15호 (요덕)은"},
	} {
		if got := particle(tc.word, tc.with, tc.without); got != tc.want {
			t.Errorf("particle(%q, %q, %q) = %q, want %q", tc.word, tc.with, tc.without, got, tc.want)
		}
	}
}

func TestTypos(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	changed := 0
	for range 500 {
		in := "김영희"
		out := typoHangul(r, in)
		if utf8.RuneCountInString(out) != 3 || !strings.HasPrefix(out, "김") {
			t.Fatalf("typoHangul(%q) = %q: want the surname kept and the length unchanged", in, out)
		}
		if out != in {
			changed++
		}
		lat := typoLatin(r, "Kim Yŏng-hŭi")
		if !utf8.ValidString(lat) {
			t.Fatalf("typoLatin made invalid UTF-8: %q", lat)
		}
		if d := len(lat) - len("Kim Yŏng-hŭi"); d < -1 || d > 1 {
			t.Fatalf("typoLatin(%q) = %q: more than one letter changed", "Kim Yŏng-hŭi", lat)
		}
	}
	if changed < 450 {
		t.Errorf("typoHangul changed 김영희 only %d times in 500", changed)
	}
	if got := typoHangul(r, "김"); got != "김" {
		t.Errorf("typoHangul(김) = %q: the surname must stay", got)
	}
	if got := typoHangul(r, "김강"); got != "김강" {
		t.Errorf("typoHangul(김강) = %q: 강 has no confusable vowel", got)
	}
}

func TestShort(t *testing.T) {
	for in, want := range map[string]string{"회령시": "회령", "온성군": "온성", "중구역": "중구역"} {
		if got := short(in); got != want {
			t.Errorf("short(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGolden pins the beginning of the seed-1 data set, so that a change
// of generated content is a reviewed change of testdata (go test -update).
func TestGolden(t *testing.T) {
	c, _, truth := run(t, MinPeople, 1)
	const n = 400
	lines := stream(t, c.recs[:n])
	got := []byte(strings.Join(lines, "\n") + "\n")
	for _, f := range []struct {
		name string
		data []byte
	}{{"seed1-first400.golden", got}, {"seed1-people100-truth.golden.csv", truth}} {
		path := filepath.Join("testdata", f.name)
		if *update {
			if err := os.WriteFile(path, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(f.data, want) {
			gl, wl := strings.Split(string(f.data), "\n"), strings.Split(string(want), "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Fatalf("%s: line %d differs:\n got %s\nwant %s\n(go test -update rewrites it after a deliberate change)", path, i+1, gl[i], wl[i])
				}
			}
			t.Fatalf("%s: %d lines, want %d", path, len(gl), len(wl))
		}
	}
}
