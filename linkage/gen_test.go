package linkage

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

// fakeFold stands in for the korean package's name key in tests: it applies
// the initial-sound rule to the first syllable (North Korean ㄹ/ㄴ before
// i/y vowels becomes ㅇ, other ㄹ becomes ㄴ), so 리/이, 림/임, 류/유, 로/노
// fold together, and lower-cases and trims anything else.
func fakeFold(s string) string {
	rs := []rune(strings.ToLower(strings.TrimSpace(s)))
	if len(rs) == 0 {
		return ""
	}
	if r := rs[0]; r >= 0xAC00 && r <= 0xD7A3 {
		n := int(r - 0xAC00)
		l, v, t := n/588, n%588/28, n%28
		iy := v == 2 || v == 3 || v == 6 || v == 7 || v == 12 || v == 17 || v == 20
		switch {
		case l == 5 && iy, l == 2 && iy:
			l = 11
		case l == 5:
			l = 2
		}
		rs[0] = rune(0xAC00 + (l*21+v)*28 + t)
	}
	return string(rs)
}

// Synthetic persons for tests and benchmarks: Korean-ish surnames (with the
// North and South spellings of initial-sound surnames), two-syllable given
// names, birth dates, sex and a three-level birthplace; some persons are
// reported more than once, with the kinds of variation testimonies show.
var (
	genSurnames = []struct {
		south, north string
		weight       int
	}{
		{"김", "김", 215}, {"이", "리", 147}, {"박", "박", 84}, {"최", "최", 47}, {"정", "정", 44},
		{"강", "강", 23}, {"조", "조", 21}, {"윤", "윤", 21}, {"장", "장", 20}, {"임", "림", 16},
		{"한", "한", 15}, {"오", "오", 15}, {"서", "서", 15}, {"신", "신", 15}, {"권", "권", 14},
		{"황", "황", 14}, {"안", "안", 14}, {"송", "송", 13}, {"유", "류", 13}, {"전", "전", 11},
		{"홍", "홍", 11}, {"고", "고", 9}, {"문", "문", 9}, {"양", "량", 9}, {"손", "손", 9},
		{"배", "배", 8}, {"백", "백", 8}, {"허", "허", 6}, {"노", "로", 4}, {"남", "남", 5},
	}
	genSyllables = []string{
		"영", "희", "철", "수", "민", "정", "순", "자", "옥", "미", "경", "숙", "성", "호", "진", "혁",
		"광", "남", "금", "향", "명", "춘", "일", "국", "은", "혜", "선", "용", "학", "범", "련", "룡",
		"석", "현", "주", "화", "애", "복", "동", "길", "만", "태", "송", "림", "봉", "덕", "원", "준",
		"해", "월", "란", "심", "청", "기", "상", "문", "종", "근", "식", "연",
		"지", "윤", "서", "하", "나", "다", "우", "재", "훈", "규", "빈", "찬", "형", "택", "중", "권",
		"인", "의", "효", "설", "은", "아", "유", "소", "보", "예", "강", "산", "강", "옥", "녀", "단",
	}
	genProvinces = []string{"함경북도", "함경남도", "량강도", "자강도", "평안북도", "평안남도", "황해북도", "황해남도", "강원도"}
)

type genRecord struct {
	person int
	fields [5]string // surname, given_name, dob, sex, birthplace
}

var genColumns = []string{"surname", "given_name", "dob", "sex", "birthplace"}

// generate makes n records of about n/1.4 persons; each record carries its
// person's index as the truth.
func generate(n int, seed uint64) []genRecord {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	total := 0
	for _, s := range genSurnames {
		total += s.weight
	}
	pick := func() (string, string) {
		k := rng.IntN(total)
		for _, s := range genSurnames {
			if k < s.weight {
				return s.south, s.north
			}
			k -= s.weight
		}
		panic("unreachable")
	}
	syl := func() string { return genSyllables[rng.IntN(len(genSyllables))] }
	out := make([]genRecord, 0, n)
	for p := 0; len(out) < n; p++ {
		south, north := pick()
		given := syl() + syl()
		y, m, d := 1930+rng.IntN(76), 1+rng.IntN(12), 1+rng.IntN(28)
		sex := "F"
		if rng.IntN(10) < 3 {
			sex = "M"
		}
		prov := rng.IntN(len(genProvinces))
		place := fmt.Sprintf("%s/%d군/%d리", genProvinces[prov], rng.IntN(12), rng.IntN(15))
		north1 := rng.IntN(2) == 0 // reported first by a North Korean document or a South Korean one
		base := genRecord{person: p}
		sur := south
		if north1 {
			sur = north
		}
		base.fields = [5]string{sur, given, fmt.Sprintf("%04d-%02d-%02d", y, m, d), sex, place}
		out = append(out, base)
		copies := 0
		switch r := rng.IntN(100); {
		case r < 25:
			copies = 1
		case r < 32:
			copies = 2
		}
		for c := 0; c < copies && len(out) < n; c++ {
			r := base
			if rng.IntN(2) == 0 { // the other spelling of the surname
				if r.fields[0] == south {
					r.fields[0] = north
				} else {
					r.fields[0] = south
				}
			}
			if rng.IntN(10) == 0 { // one given-name syllable misheard
				g := []rune(given)
				g[rng.IntN(len(g))] = []rune(syl())[0]
				r.fields[1] = string(g)
			}
			switch k := rng.IntN(10); {
			case k < 2: // within a month
				dd := d + rng.IntN(5) - 2
				if dd < 1 {
					dd = 1
				}
				r.fields[2] = fmt.Sprintf("%04d-%02d-%02d", y, m, dd)
			case k < 4: // year only
				r.fields[2] = fmt.Sprintf("%04d", y)
			case k < 5: // a year off
				r.fields[2] = fmt.Sprintf("%04d-%02d-%02d", y+1, m, d)
			}
			switch k := rng.IntN(10); {
			case k < 3:
				r.fields[4] = place[:strings.LastIndexByte(place, '/')]
			case k < 4:
				r.fields[4] = ""
			}
			out = append(out, r)
		}
	}
	return out
}

// genSettings is the linkage model for generated persons, from
// testdata/korean_persons_settings.json (an example for person records:
// Korean names through the "korean" fold, partial dates, place paths).
func genSettings() *Settings {
	f, err := os.Open("testdata/korean_persons_settings.json")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	s, err := ReadSettings(f)
	if err != nil {
		panic(err)
	}
	return s
}

func genTable(recs []genRecord) (*Table, error) {
	t, err := NewTable(genColumns...)
	if err != nil {
		return nil, err
	}
	for i, r := range recs {
		if err := t.Add("demo", fmt.Sprint(i), r.fields[:]...); err != nil {
			return nil, err
		}
	}
	return t, nil
}
