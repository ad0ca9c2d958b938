package demo

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/sillok/sillok"
)

// surname is a family name with its spellings. South is the South Korean
// hangul form; North is the North Korean form where the initial-sound rule
// makes them differ (리/이, 림/임, 류/유, 로/노, 량/양, 라/나), else empty.
type surname struct {
	south, north string
	pct          float64 // share of the population, Statistics Korea census 2015
	rr, mr, dprk string  // Revised Romanization, McCune–Reischauer (with diacritics), DPRK
	personal     []string
}

// surnames are the 56 most frequent Korean family names, about 91% of the
// population in the 2015 census; sampling spreads the other 9% over them in
// proportion (a full table is in the korean package; this compact one is
// enough for realistic frequencies). 柳 and 劉/兪 (류/유) are merged.
var surnames = []surname{
	{"김", "", 21.5, "Kim", "Kim", "Kim", []string{"Kim", "Gim"}},
	{"이", "리", 14.7, "Yi", "Yi", "Ri", []string{"Lee", "Rhee", "Yi", "Ri"}},
	{"박", "", 8.4, "Bak", "Pak", "Pak", []string{"Park", "Pak", "Bak"}},
	{"최", "", 4.7, "Choe", "Ch'oe", "Choe", []string{"Choi", "Choe"}},
	{"정", "", 4.3, "Jeong", "Chŏng", "Jong", []string{"Chung", "Jung", "Jeong"}},
	{"강", "", 2.4, "Gang", "Kang", "Kang", []string{"Kang"}},
	{"조", "", 2.1, "Jo", "Cho", "Jo", []string{"Cho", "Jo"}},
	{"윤", "", 2.1, "Yun", "Yun", "Yun", []string{"Yoon", "Yun"}},
	{"장", "", 2.0, "Jang", "Chang", "Jang", []string{"Jang", "Chang"}},
	{"임", "림", 1.7, "Im", "Im", "Rim", []string{"Lim", "Im", "Rim"}},
	{"한", "", 1.5, "Han", "Han", "Han", []string{"Han"}},
	{"오", "", 1.5, "O", "O", "O", []string{"Oh", "O"}},
	{"서", "", 1.5, "Seo", "Sŏ", "So", []string{"Seo", "Suh"}},
	{"신", "", 1.4, "Sin", "Sin", "Sin", []string{"Shin", "Sin"}},
	{"권", "", 1.4, "Gwon", "Kwŏn", "Kwon", []string{"Kwon"}},
	{"황", "", 1.4, "Hwang", "Hwang", "Hwang", []string{"Hwang"}},
	{"안", "", 1.4, "An", "An", "An", []string{"Ahn", "An"}},
	{"송", "", 1.3, "Song", "Song", "Song", []string{"Song"}},
	{"유", "류", 1.4, "Yu", "Yu", "Ryu", []string{"Yoo", "Yu", "Ryu"}},
	{"전", "", 1.1, "Jeon", "Chŏn", "Jon", []string{"Jeon", "Jun", "Chun"}},
	{"홍", "", 1.1, "Hong", "Hong", "Hong", []string{"Hong"}},
	{"고", "", 0.9, "Go", "Ko", "Ko", []string{"Ko", "Koh"}},
	{"문", "", 0.9, "Mun", "Mun", "Mun", []string{"Moon", "Mun"}},
	{"양", "량", 0.9, "Yang", "Yang", "Ryang", []string{"Yang", "Ryang"}},
	{"손", "", 0.9, "Son", "Son", "Son", []string{"Son", "Sohn"}},
	{"배", "", 0.8, "Bae", "Pae", "Pae", []string{"Bae", "Pae"}},
	{"백", "", 0.8, "Baek", "Paek", "Paek", []string{"Baek", "Paik"}},
	{"허", "", 0.6, "Heo", "Hŏ", "Ho", []string{"Huh", "Heo"}},
	{"남", "", 0.5, "Nam", "Nam", "Nam", []string{"Nam"}},
	{"심", "", 0.5, "Sim", "Sim", "Sim", []string{"Shim", "Sim"}},
	{"노", "로", 0.4, "No", "No", "Ro", []string{"Noh", "Roh", "Ro"}},
	{"하", "", 0.5, "Ha", "Ha", "Ha", []string{"Ha"}},
	{"주", "", 0.5, "Ju", "Chu", "Ju", []string{"Joo", "Ju"}},
	{"구", "", 0.4, "Gu", "Ku", "Ku", []string{"Koo", "Ku"}},
	{"곽", "", 0.4, "Gwak", "Kwak", "Kwak", []string{"Kwak"}},
	{"성", "", 0.4, "Seong", "Sŏng", "Song", []string{"Sung"}},
	{"차", "", 0.4, "Cha", "Ch'a", "Cha", []string{"Cha"}},
	{"우", "", 0.4, "U", "U", "U", []string{"Woo"}},
	{"민", "", 0.4, "Min", "Min", "Min", []string{"Min"}},
	{"진", "", 0.4, "Jin", "Chin", "Jin", []string{"Jin", "Chin"}},
	{"나", "라", 0.3, "Na", "Na", "Ra", []string{"Na", "Ra"}},
	{"변", "", 0.27, "Byeon", "Pyŏn", "Pyon", []string{"Byun", "Byeon"}},
	{"채", "", 0.26, "Chae", "Ch'ae", "Chae", []string{"Chae"}},
	{"원", "", 0.26, "Won", "Wŏn", "Won", []string{"Won", "Weon"}},
	{"천", "", 0.24, "Cheon", "Ch'ŏn", "Chon", []string{"Chun", "Cheon"}},
	{"방", "", 0.24, "Bang", "Pang", "Pang", []string{"Bang"}},
	{"현", "", 0.2, "Hyeon", "Hyŏn", "Hyon", []string{"Hyun"}},
	{"공", "", 0.18, "Gong", "Kong", "Kong", []string{"Kong"}},
	{"함", "", 0.15, "Ham", "Ham", "Ham", []string{"Hahm", "Ham"}},
	{"염", "렴", 0.14, "Yeom", "Yŏm", "Ryom", []string{"Yeom", "Youm"}},
	{"여", "려", 0.14, "Yeo", "Yŏ", "Ryo", []string{"Yeo", "Yuh"}},
	{"추", "", 0.12, "Chu", "Ch'u", "Chu", []string{"Choo"}},
	{"도", "", 0.11, "Do", "To", "To", []string{"Do", "Doh"}},
	{"석", "", 0.09, "Seok", "Sŏk", "Sok", []string{"Suk", "Seok"}},
	{"육", "륙", 0.05, "Yuk", "Yuk", "Ryuk", []string{"Yook", "Yuk"}},
	{"용", "룡", 0.03, "Yong", "Yong", "Ryong", []string{"Yong"}},
}

// syllable is a given-name syllable with its spellings. Romanization is per
// syllable without the sound changes across syllable boundaries: enough for
// linkage to have realistic spelling variation to resolve.
type syllable struct {
	south, north string // north set for 련/연, 룡/용, 례/예 …
	rr, mr, dprk string
	personal     string
}

// givenSyllables maps both spellings of a syllable to its entry. Built
// once; read-only.
var givenSyllables = func() map[string]syllable {
	m := map[string]syllable{}
	for _, s := range []syllable{
		{"영", "", "Yeong", "Yŏng", "Yong", "Young"},
		{"희", "", "Hui", "Hŭi", "Hui", "Hee"},
		{"순", "", "Sun", "Sun", "Sun", "Soon"},
		{"옥", "", "Ok", "Ok", "Ok", "Ok"},
		{"미", "", "Mi", "Mi", "Mi", "Mi"},
		{"숙", "", "Suk", "Suk", "Suk", "Sook"},
		{"정", "", "Jeong", "Chŏng", "Jong", "Jung"},
		{"경", "", "Gyeong", "Kyŏng", "Kyong", "Kyung"},
		{"혜", "", "Hye", "Hye", "Hye", "Hye"},
		{"은", "", "Eun", "Ŭn", "Un", "Eun"},
		{"향", "", "Hyang", "Hyang", "Hyang", "Hyang"},
		{"화", "", "Hwa", "Hwa", "Hwa", "Hwa"},
		{"선", "", "Seon", "Sŏn", "Son", "Sun"},
		{"금", "", "Geum", "Kŭm", "Kum", "Keum"},
		{"명", "", "Myeong", "Myŏng", "Myong", "Myung"},
		{"연", "련", "Yeon", "Yŏn", "Ryon", "Yeon"},
		{"지", "", "Ji", "Chi", "Ji", "Ji"},
		{"현", "", "Hyeon", "Hyŏn", "Hyon", "Hyun"},
		{"주", "", "Ju", "Chu", "Ju", "Joo"},
		{"진", "", "Jin", "Chin", "Jin", "Jin"},
		{"아", "", "A", "A", "A", "Ah"},
		{"예", "례", "Ye", "Ye", "Rye", "Ye"},
		{"실", "", "Sil", "Sil", "Sil", "Sil"},
		{"분", "", "Bun", "Pun", "Pun", "Boon"},
		{"춘", "", "Chun", "Ch'un", "Chun", "Choon"},
		{"철", "", "Cheol", "Ch'ŏl", "Chol", "Chul"},
		{"성", "", "Seong", "Sŏng", "Song", "Sung"},
		{"남", "", "Nam", "Nam", "Nam", "Nam"},
		{"광", "", "Gwang", "Kwang", "Kwang", "Kwang"},
		{"호", "", "Ho", "Ho", "Ho", "Ho"},
		{"용", "룡", "Yong", "Yong", "Ryong", "Yong"},
		{"혁", "", "Hyeok", "Hyŏk", "Hyok", "Hyuk"},
		{"일", "", "Il", "Il", "Il", "Il"},
		{"수", "", "Su", "Su", "Su", "Soo"},
		{"국", "", "Guk", "Kuk", "Kuk", "Kook"},
		{"동", "", "Dong", "Tong", "Dong", "Dong"},
		{"학", "", "Hak", "Hak", "Hak", "Hak"},
		{"민", "", "Min", "Min", "Min", "Min"},
		{"준", "", "Jun", "Chun", "Jun", "Joon"},
		{"석", "", "Seok", "Sŏk", "Sok", "Suk"},
		{"길", "", "Gil", "Kil", "Kil", "Kil"},
		{"원", "", "Won", "Wŏn", "Won", "Won"},
		{"근", "", "Geun", "Kŭn", "Kun", "Keun"},
		{"복", "", "Bok", "Pok", "Pok", "Bok"},
		{"봉", "", "Bong", "Pong", "Pong", "Bong"},
		{"기", "", "Gi", "Ki", "Ki", "Ki"},
		{"대", "", "Dae", "Tae", "Tae", "Dae"},
		{"만", "", "Man", "Man", "Man", "Man"},
		{"송", "", "Song", "Song", "Song", "Song"},
		{"림", "", "Rim", "Rim", "Rim", "Rim"},
	} {
		m[s.south] = s
		if s.north != "" {
			m[s.north] = s
		}
	}
	return m
}()

// Given-name syllable pools by position and sex, in South Korean spelling.
// Names are built as first+second syllable.
var (
	femaleFirst  = []string{"영", "순", "옥", "미", "정", "경", "혜", "은", "향", "선", "금", "명", "지", "현", "춘", "복", "연", "예", "화", "진"}
	femaleSecond = []string{"희", "순", "옥", "미", "숙", "정", "경", "희", "향", "화", "선", "금", "연", "예", "실", "분", "아", "주", "희", "림"}
	maleFirst    = []string{"영", "철", "성", "광", "명", "정", "국", "동", "학", "기", "대", "봉", "남", "용", "춘", "석", "길", "현", "진", "만"}
	maleSecond   = []string{"철", "호", "남", "수", "일", "혁", "국", "용", "민", "준", "석", "길", "원", "근", "복", "성", "학", "진", "만", "호"}
)

// cumulative surname weights for sampling.
var surnameCum = func() []float64 {
	c := make([]float64, len(surnames))
	var t float64
	for i, s := range surnames {
		t += s.pct
		c[i] = t
	}
	for i := range c {
		c[i] /= t
	}
	return c
}()

func pickSurname(r *rand.Rand) int {
	x := r.Float64()
	for i, c := range surnameCum {
		if x < c {
			return i
		}
	}
	return len(surnames) - 1
}

// fullName is a person's name as it really is (the truth); records carry
// variants of it.
type fullName struct {
	sur   int       // index into surnames
	given [2]string // South Korean spelling of each syllable
}

func newName(r *rand.Rand, sex sillok.Sex) fullName {
	n := fullName{sur: pickSurname(r)}
	if sex == sillok.SexFemale {
		n.given = [2]string{femaleFirst[r.IntN(len(femaleFirst))], femaleSecond[r.IntN(len(femaleSecond))]}
	} else {
		n.given = [2]string{maleFirst[r.IntN(len(maleFirst))], maleSecond[r.IntN(len(maleSecond))]}
	}
	if n.given[0] == n.given[1] {
		n.given[1] = "희"
		if sex != sillok.SexFemale {
			n.given[1] = "철"
		}
	}
	return n
}

// Romanization systems as recorded in sillok.Name.System.
const (
	sysRR       = "rr"
	sysMR       = "mr"
	sysDPRK     = "dprk"
	sysPersonal = "personal"
)

// hangul returns the name in hangul, in North Korean spelling when north.
func (n fullName) hangul(north bool) string {
	s := surnames[n.sur]
	sur := s.south
	if north && s.north != "" {
		sur = s.north
	}
	return sur + n.givenHangul(north)
}

func (n fullName) givenHangul(north bool) string {
	var b strings.Builder
	for _, g := range n.given {
		sy := givenSyllables[g]
		if north && sy.north != "" {
			b.WriteString(sy.north)
		} else {
			b.WriteString(g)
		}
	}
	return b.String()
}

// roman returns the name romanized in system. dropMarks strips the
// McCune–Reischauer breve and apostrophe as most documents do; reversed puts
// the given name first as Western documents often do.
func (n fullName) roman(r *rand.Rand, system string, dropMarks, reversed bool) string {
	s := surnames[n.sur]
	var sur string
	parts := make([]string, 2)
	for i, g := range n.given {
		sy := givenSyllables[g]
		switch system {
		case sysRR:
			parts[i] = sy.rr
		case sysMR:
			parts[i] = sy.mr
		case sysDPRK:
			parts[i] = sy.dprk
		default:
			parts[i] = sy.personal
		}
	}
	var given string
	switch system {
	case sysRR:
		sur = s.rr
		given = parts[0] + "-" + strings.ToLower(parts[1])
	case sysMR:
		sur = s.mr
		given = parts[0] + "-" + strings.ToLower(parts[1])
	case sysDPRK:
		sur = s.dprk
		given = parts[0] + " " + parts[1] // DPRK style separates syllables
	default:
		sur = s.personal[r.IntN(len(s.personal))]
		if r.IntN(2) == 0 {
			given = parts[0] + "-" + strings.ToLower(parts[1])
		} else {
			given = parts[0] + strings.ToLower(parts[1])
		}
	}
	if system == sysMR && dropMarks {
		sur, given = stripMarks(sur), stripMarks(given)
	}
	if reversed {
		return given + " " + sur
	}
	return sur + " " + given
}

var markReplacer = strings.NewReplacer("ŏ", "o", "Ŏ", "O", "ŭ", "u", "Ŭ", "U", "'", "")

// stripMarks drops the breves and apostrophes of McCune–Reischauer.
func stripMarks(s string) string { return markReplacer.Replace(s) }

// typoLatin introduces one keyboard-style error: a swapped pair, a dropped
// or a doubled letter.
func typoLatin(r *rand.Rand, s string) string {
	b := []byte(s)
	// Only touch ASCII letters so that UTF-8 stays valid.
	var idx []int
	for i := 1; i < len(b)-1; i++ {
		if b[i] >= 'a' && b[i] <= 'z' && b[i+1] >= 'a' && b[i+1] <= 'z' {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return s
	}
	i := idx[r.IntN(len(idx))]
	switch r.IntN(3) {
	case 0:
		if b[i] != b[i+1] {
			b[i], b[i+1] = b[i+1], b[i]
			return string(b)
		}
		fallthrough
	case 1:
		return string(b[:i]) + string(b[i+1:])
	default:
		return string(b[:i+1]) + string(b[i:])
	}
}

// Jamo arithmetic: a precomposed syllable is 0xAC00 + (initial×21 +
// vowel)×28 + final.
const (
	hangulBase = 0xAC00
	hangulLast = 0xD7A3
)

// vowelConfusions are vowels that are easily misheard or mistyped for one
// another (ㅓ/ㅕ, ㅐ/ㅔ, ㅗ/ㅜ, ㅢ/ㅣ), by vowel index.
var vowelConfusions = map[int]int{4: 6, 6: 4, 1: 5, 5: 1, 8: 13, 13: 8, 19: 20, 20: 19}

// typoHangul changes the vowel of one syllable of s (after the first, the
// surname) to a confusable one, e.g. 영희 → 영히. It returns s unchanged when
// no syllable has a confusable vowel.
func typoHangul(r *rand.Rand, s string) string {
	rs := []rune(s)
	var idx []int
	for i := 1; i < len(rs); i++ {
		c := rs[i]
		if c < hangulBase || c > hangulLast {
			continue
		}
		if _, ok := vowelConfusions[int(c-hangulBase)/28%21]; ok {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return s
	}
	i := idx[r.IntN(len(idx))]
	off := int(rs[i] - hangulBase)
	initial, vowel, final := off/(21*28), off/28%21, off%28
	rs[i] = rune(hangulBase + (initial*21+vowelConfusions[vowel])*28 + final)
	return string(rs)
}

// hasFinal reports whether the last hangul syllable of s ends in a
// consonant (batchim), which selects Korean particles (이/가, 을/를, 은/는,
// 으로/로). A closing parenthesis is skipped: "도집결소 (농포)" takes the
// particle of 농포.
func hasFinal(s string) (has, rieul bool) {
	s = strings.TrimRight(s, ") ")
	c, _ := utf8.DecodeLastRuneInString(s)
	if c < hangulBase || c > hangulLast {
		return false, false
	}
	f := int(c-hangulBase) % 28
	return f != 0, f == 8
}

// particle appends the form of a two-form particle that fits word:
// withFinal after a consonant, else without. For 으로/로, a final ㄹ takes 로.
func particle(word, withFinal, without string) string {
	has, rieul := hasFinal(word)
	if has && !(rieul && withFinal == "으로") {
		return word + withFinal
	}
	return word + without
}
