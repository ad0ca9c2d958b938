package korean

import (
	"slices"
	"strings"
	"sync"
)

// Surname is one Korean family name with its spellings.
type Surname struct {
	// Hangul is the South Korean standard spelling (initial-sound rule
	// applied): 이, 임, 유.
	Hangul string
	// North is the North Korean spelling where it differs (리, 림, 류), else
	// "".
	North string
	// RR, MR and DPRK are the romanizations by system: Revised
	// Romanization (I, Im, Yu), McCune–Reischauer with diacritics (Yi, Im,
	// Yu; MR keeps the conventional Yi for 이) and the DPRK's own (Ri, Rim,
	// Ryu).
	RR, MR, DPRK string
	// Popular is the spelling most South Koreans use in passports (Lee,
	// Lim, Yoo).
	Popular string
	// Variants are other spellings seen in documents (Rhee, Yi, Li, …), not
	// repeating the fields above.
	Variants []string
	// Share is the approximate percentage of the South Korean population
	// with this family name (2015 census, Statistics Korea); see Surnames
	// for how exact it is.
	Share float64
}

// Spellings returns every romanized spelling of the surname: RR, MR, DPRK,
// Popular, the MR without diacritics, then Variants, without duplicates.
func (s Surname) Spellings() []string {
	var out []string
	for _, v := range append([]string{s.RR, s.MR, s.DPRK, s.Popular, stripMarks(s.MR)}, s.Variants...) {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Surnames returns the family-name table, most frequent first: the 100 or
// so names that cover about 98 % of South Koreans, plus the compound names
// (남궁, 황보, 제갈, 사공, 선우, 독고). The caller owns the returned slice.
//
// The shares of the ten most common names are Statistics Korea's published
// figures for the 2015 census (김 21.5, 이 14.7, 박 8.4, 최 4.7, 정 4.3,
// 강 2.4, 조 2.1, 윤 2.1, 장 2.0, 임 1.7). The others are approximate
// figures for the same census, written down from memory of its table
// without access to KOSIS, and not checked: good enough to draw demo data
// by frequency, not to quote. 유 is the least certain (several Hanja
// origins, and 유 and 류 counted apart).
func Surnames() []Surname {
	t := surnameTable()
	out := make([]Surname, len(t))
	for i, s := range t {
		s.Variants = slices.Clone(s.Variants)
		out[i] = s
	}
	return out
}

func sn(hangul, north, rr, mr, dprk, popular string, share float64, variants ...string) Surname {
	return Surname{Hangul: hangul, North: north, RR: rr, MR: mr, DPRK: dprk, Popular: popular, Share: share, Variants: variants}
}

// surnameTable is the source of Surnames. Variant spellings that belong
// to more than one name (Chun: 전 and 천; Song: 송 and 성) are listed
// under each; lookups take the more frequent name.
func surnameTable() []Surname {
	return []Surname{
		sn("김", "", "Gim", "Kim", "Kim", "Kim", 21.5, "Ghim", "Kimm", "Gimm"),
		sn("이", "리", "I", "Yi", "Ri", "Lee", 14.7, "Rhee", "Rhie", "Li", "Lie", "Rie", "Ree", "Yee", "Yie", "Reeh"),
		sn("박", "", "Bak", "Pak", "Pak", "Park", 8.4, "Bahk", "Pahk", "Pack", "Parc", "Bark"),
		sn("최", "", "Choe", "Ch'oe", "Choe", "Choi", 4.7, "Choy", "Chwe", "Chey", "Choei"),
		sn("정", "", "Jeong", "Chŏng", "Jong", "Jung", 4.3, "Chung", "Cheong", "Chong", "Jeung", "Joung", "Jheong"),
		sn("강", "", "Gang", "Kang", "Kang", "Kang", 2.4, "Kahng", "Khang"),
		sn("조", "", "Jo", "Cho", "Jo", "Cho", 2.1, "Joe", "Choh", "Jou"),
		sn("윤", "", "Yun", "Yun", "Yun", "Yoon", 2.1, "Youn", "Yune", "Youn"),
		sn("장", "", "Jang", "Chang", "Jang", "Jang", 2.0, "Jahng", "Zhang"),
		sn("임", "림", "Im", "Im", "Rim", "Lim", 1.7, "Yim", "Leem", "Lym", "Ihm", "Lyim", "Rhim"),
		sn("한", "", "Han", "Han", "Han", "Han", 1.6, "Hahn", "Hann"),
		sn("오", "", "O", "O", "O", "Oh", 1.5, "Ohh", "Auh"),
		sn("서", "", "Seo", "Sŏ", "So", "Seo", 1.5, "Suh", "Sur", "Su", "Seoh"),
		sn("신", "", "Sin", "Sin", "Sin", "Shin", 1.5, "Shinn", "Sheen", "Syn"),
		sn("권", "", "Gwon", "Kwŏn", "Kwon", "Kwon", 1.4, "Kweon", "Gweon", "Kwun", "Kwan"),
		sn("황", "", "Hwang", "Hwang", "Hwang", "Hwang", 1.4, "Whang", "Hoang"),
		sn("안", "", "An", "An", "An", "Ahn", 1.4, "Ann", "Aan"),
		sn("송", "", "Song", "Song", "Song", "Song", 1.4, "Soung", "Sohng"),
		sn("유", "류", "Yu", "Yu", "Ryu", "Yoo", 1.2, "You", "Yuu", "Ryoo", "Rhyu", "Lyu", "Yoh", "Liu"),
		sn("전", "", "Jeon", "Chŏn", "Jon", "Jeon", 1.1, "Jun", "Chun", "Chon", "Cheon", "Jeun"),
		sn("홍", "", "Hong", "Hong", "Hong", "Hong", 1.1, "Houng", "Hoong"),
		sn("고", "", "Go", "Ko", "Ko", "Ko", 0.9, "Koh", "Goh"),
		sn("문", "", "Mun", "Mun", "Mun", "Moon", 0.9, "Muhn", "Moun"),
		sn("양", "량", "Yang", "Yang", "Ryang", "Yang", 0.9, "Lyang", "Yaung"),
		sn("손", "", "Son", "Son", "Son", "Son", 0.9, "Sohn", "Shon", "Sonn"),
		sn("배", "", "Bae", "Pae", "Pae", "Bae", 0.8, "Bai", "Bay", "Pai"),
		sn("백", "", "Baek", "Paek", "Paek", "Baek", 0.8, "Paik", "Baik", "Back", "Pack", "Beak", "Pak"),
		sn("허", "", "Heo", "Hŏ", "Ho", "Heo", 0.7, "Hur", "Huh", "Her", "Hu"),
		sn("남", "", "Nam", "Nam", "Nam", "Nam", 0.6, "Nahm"),
		sn("심", "", "Sim", "Sim", "Sim", "Shim", 0.5, "Seem", "Sym"),
		sn("노", "로", "No", "No", "Ro", "Noh", 0.5, "Roh", "Rho", "Nho", "Lo", "Loh"),
		sn("하", "", "Ha", "Ha", "Ha", "Ha", 0.5, "Hah"),
		sn("곽", "", "Gwak", "Kwak", "Kwak", "Kwak", 0.4, "Kwack", "Kwag", "Gwag"),
		sn("성", "", "Seong", "Sŏng", "Song", "Sung", 0.4, "Sang"),
		sn("차", "", "Cha", "Ch'a", "Cha", "Cha", 0.4, "Char", "Chah"),
		sn("주", "", "Ju", "Chu", "Ju", "Joo", 0.4, "Choo", "Jou", "Jew"),
		sn("우", "", "U", "U", "U", "Woo", 0.4, "Wu", "Ou", "Ooh"),
		sn("구", "", "Gu", "Ku", "Ku", "Koo", 0.4, "Goo", "Kou", "Khoo"),
		sn("민", "", "Min", "Min", "Min", "Min", 0.3, "Minn"),
		sn("나", "라", "Na", "Na", "Ra", "Na", 0.3, "Ra", "La", "Nah", "Rah", "Rha"),
		sn("진", "", "Jin", "Chin", "Jin", "Jin", 0.3, "Jeen", "Zin"),
		sn("지", "", "Ji", "Chi", "Ji", "Ji", 0.3, "Jee", "Jhi"),
		sn("엄", "", "Eom", "Ŏm", "Om", "Eom", 0.3, "Um", "Uhm", "Ohm", "Oum"),
		sn("채", "", "Chae", "Ch'ae", "Chae", "Chae", 0.3, "Chai", "Chea", "Che"),
		sn("원", "", "Won", "Wŏn", "Won", "Won", 0.3, "Weon", "Woun"),
		sn("천", "", "Cheon", "Ch'ŏn", "Chon", "Chun", 0.2, "Chon", "Cheun"),
		sn("방", "", "Bang", "Pang", "Pang", "Bang", 0.3, "Bahng"),
		sn("공", "", "Gong", "Kong", "Kong", "Kong", 0.2, "Khong"),
		sn("현", "", "Hyeon", "Hyŏn", "Hyon", "Hyun", 0.2, "Hyoun", "Hyeun"),
		sn("함", "", "Ham", "Ham", "Ham", "Ham", 0.2, "Hahm"),
		sn("변", "", "Byeon", "Pyŏn", "Pyon", "Byun", 0.3, "Pyun", "Byon", "Byoun"),
		sn("염", "렴", "Yeom", "Yŏm", "Ryom", "Yeom", 0.15, "Yum", "Youm", "Yom", "Yeum"),
		sn("여", "려", "Yeo", "Yŏ", "Ryo", "Yeo", 0.13, "Yuh", "Yoh", "Yo"),
		sn("추", "", "Chu", "Ch'u", "Chu", "Choo", 0.12, "Chou"),
		sn("도", "", "Do", "To", "To", "Do", 0.11, "Doh", "Toh"),
		sn("소", "", "So", "So", "So", "So", 0.1, "Soh", "Sou"),
		sn("석", "", "Seok", "Sŏk", "Sok", "Seok", 0.1, "Suk", "Seuk", "Sug"),
		sn("선", "", "Seon", "Sŏn", "Son", "Sun", 0.09, "Sunn", "Sean"),
		sn("설", "", "Seol", "Sŏl", "Sol", "Seol", 0.09, "Sul", "Sull", "Sulh"),
		sn("마", "", "Ma", "Ma", "Ma", "Ma", 0.08, "Mah"),
		sn("길", "", "Gil", "Kil", "Kil", "Gil", 0.08, "Ghil"),
		sn("연", "련", "Yeon", "Yŏn", "Ryon", "Yeon", 0.07, "Yon", "Youn", "Yun"),
		sn("위", "", "Wi", "Wi", "Wi", "Wi", 0.06, "Wee", "Whi", "We"),
		sn("표", "", "Pyo", "P'yo", "Phyo", "Pyo", 0.06, "Pyoh"),
		sn("명", "", "Myeong", "Myŏng", "Myong", "Myung", 0.06, "Myoung"),
		sn("기", "", "Gi", "Ki", "Ki", "Ki", 0.05, "Kee", "Key"),
		sn("반", "", "Ban", "Pan", "Pan", "Ban", 0.05, "Bahn", "Pahn"),
		sn("왕", "", "Wang", "Wang", "Wang", "Wang", 0.05),
		sn("금", "", "Geum", "Kŭm", "Kum", "Keum", 0.05, "Kum", "Gum"),
		sn("옥", "", "Ok", "Ok", "Ok", "Ok", 0.05, "Oak", "Ock"),
		sn("육", "륙", "Yuk", "Yuk", "Ryuk", "Yook", 0.04, "Yuck", "Yug"),
		sn("인", "", "In", "In", "In", "In", 0.04, "Inn"),
		sn("맹", "", "Maeng", "Maeng", "Maeng", "Maeng", 0.04, "Meng"),
		sn("제", "", "Je", "Che", "Je", "Je", 0.04, "Jae", "Jeh"),
		sn("모", "", "Mo", "Mo", "Mo", "Mo", 0.04, "Moh"),
		sn("남궁", "", "Namgung", "Namgung", "Namgung", "Namgoong", 0.04, "Namkung", "Namkoong"),
		sn("탁", "", "Tak", "T'ak", "Thak", "Tak", 0.04, "Tahk"),
		sn("국", "", "Guk", "Kuk", "Kuk", "Kook", 0.04, "Gook", "Kouk"),
		sn("어", "", "Eo", "Ŏ", "O", "Eo", 0.04, "Uh", "Euh"),
		sn("은", "", "Eun", "Ŭn", "Un", "Eun", 0.03, "Unn"),
		sn("편", "", "Pyeon", "P'yŏn", "Phyon", "Pyun", 0.03, "Pyon"),
		sn("용", "룡", "Yong", "Yong", "Ryong", "Yong", 0.03, "Ryong", "Young"),
		sn("예", "례", "Ye", "Ye", "Rye", "Yeh", 0.02, "Yea"),
		sn("경", "", "Gyeong", "Kyŏng", "Kyong", "Kyung", 0.03, "Kyoung", "Gyung"),
		sn("봉", "", "Bong", "Pong", "Pong", "Bong", 0.02),
		sn("사", "", "Sa", "Sa", "Sa", "Sa", 0.02, "Sah"),
		sn("부", "", "Bu", "Pu", "Pu", "Boo", 0.02, "Poo"),
		sn("황보", "", "Hwangbo", "Hwangbo", "Hwangbo", "Hwangbo", 0.02, "Whangbo"),
		sn("가", "", "Ga", "Ka", "Ka", "Ka", 0.02, "Kah"),
		sn("태", "", "Tae", "T'ae", "Thae", "Tae", 0.02, "Tai"),
		sn("목", "", "Mok", "Mok", "Mok", "Mok", 0.02, "Mock"),
		sn("계", "", "Gye", "Kye", "Kye", "Kye", 0.01, "Kae", "Gae"),
		sn("형", "", "Hyeong", "Hyŏng", "Hyong", "Hyung", 0.01, "Hyoung"),
		sn("피", "", "Pi", "P'i", "Phi", "Pi", 0.01, "Pee"),
		sn("두", "", "Du", "Tu", "Tu", "Doo", 0.01),
		sn("감", "", "Gam", "Kam", "Kam", "Kam", 0.01, "Kahm"),
		sn("제갈", "", "Jegal", "Chegal", "Jegal", "Jegal", 0.01, "Jekal", "Chekal"),
		sn("음", "", "Eum", "Ŭm", "Um", "Eum", 0.01),
		sn("빈", "", "Bin", "Pin", "Pin", "Bin", 0.01, "Binn"),
		sn("동", "", "Dong", "Tong", "Tong", "Dong", 0.01),
		sn("온", "", "On", "On", "On", "On", 0.01, "Ohn"),
		sn("승", "", "Seung", "Sŭng", "Sung", "Seung", 0.01),
		sn("사공", "", "Sagong", "Sakong", "Sagong", "Sakong", 0.01),
		sn("시", "", "Si", "Si", "Si", "Si", 0.01, "Shi", "Shih"),
		sn("선우", "", "Seonu", "Sŏnu", "Sonu", "Sunwoo", 0.01, "Seonwoo", "Sunoo"),
		sn("독고", "", "Dokgo", "Tokko", "Tokko", "Dokko", 0.005, "Dokgo"),
		sn("팽", "", "Paeng", "P'aeng", "Phaeng", "Paeng", 0.005),
		sn("뇌", "뢰", "Noe", "Noe", "Roe", "Noe", 0.005, "Roe"),
	}
}

// stripMarks removes diacritics and apostrophes: Ch'ŏng → Chong.
func stripMarks(s string) string {
	return strings.Join(latinWordsCase(s), "")
}

// surnameIndex is the lookup side of the table, built once.
type surnameIndex struct {
	table    []Surname
	byHangul map[string]int // South and North spellings
	bySpell  map[string]int // lower-case ASCII spellings
	byClass  map[string]int // sound-class key of the Hangul
	key      []string       // SurnameKey of each entry
	spell    [][]string     // lower-case ASCII spellings of each entry
}

var surnames = sync.OnceValue(func() *surnameIndex {
	x := &surnameIndex{table: surnameTable(), byHangul: map[string]int{}, bySpell: map[string]int{}, byClass: map[string]int{}}
	// Frequent names first, so that a spelling shared by two names goes
	// to the more frequent one.
	order := make([]int, len(x.table))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch sa, sb := x.table[a].Share, x.table[b].Share; {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
	add := func(m map[string]int, k string, i int) {
		if _, ok := m[k]; !ok && k != "" {
			m[k] = i
		}
	}
	for _, i := range order {
		s := x.table[i]
		add(x.byHangul, s.Hangul, i)
		add(x.byHangul, s.North, i)
		for _, sp := range s.Spellings() {
			add(x.bySpell, strings.Join(latinWords(sp), ""), i)
		}
		add(x.byClass, classKey(hangulWordUnits(s.Hangul)), i)
	}
	// An entry's key is its first spelling, RR first, that leads back to
	// it: 소 is "soh" because "So" is the DPRK spelling of the more
	// frequent 서.
	x.key = make([]string, len(x.table))
	x.spell = make([][]string, len(x.table))
	for i, s := range x.table {
		for _, sp := range s.Spellings() {
			x.spell[i] = append(x.spell[i], strings.Join(latinWords(sp), ""))
		}
		for _, k := range x.spell[i] {
			if x.bySpell[k] == i {
				x.key[i] = k
				break
			}
		}
		if x.key[i] == "" {
			panic("korean: surname table entry " + s.RR + " has no spelling of its own")
		}
	}
	return x
})

// hangulWordUnits returns the sound classes of the Hangul syllables of s.
func hangulWordUnits(s string) []unit {
	var us []unit
	for _, r := range s {
		if syl, ok := Split(r); ok {
			us = hangulUnits(us, syl)
		}
	}
	return us
}

// classKey is the sound-class key of a family name that is not in the
// table under the spelling given.
func classKey(us []unit) string { return join(rewrite(us)) }

// LookupSurname returns the table entry for a family name written in
// Hangul (either spelling) or any romanization in the table; ok is false
// if it is not there. Spellings shared by two names (Chun: 전 and 천) give
// the more frequent.
func LookupSurname(s string) (Surname, bool) {
	i, ok := lookupSurname(s)
	if !ok {
		return Surname{}, false
	}
	sur := surnames().table[i]
	sur.Variants = slices.Clone(sur.Variants)
	return sur, true
}

func lookupSurname(s string) (int, bool) {
	x := surnames()
	s = Normalize(s)
	if ContainsHangul(s) {
		h := FoldWord(strings.ReplaceAll(s, " ", ""))
		i, ok := x.byHangul[h]
		return i, ok
	}
	i, ok := x.bySpell[strings.Join(latinWords(s), "")]
	return i, ok
}

// SurnameKey returns the comparison key of a family name alone, in Hangul
// (North or South spelling) or any romanization. For a name in the table
// it is the lower-case Revised Romanization of its South Korean spelling
// (Kim, Gim, 김 → "gim"; Lee, Yi, Ri, Rhee, 리, 이 → "i"; Ryu, Yoo, 류 →
// "yu"), or, where that spelling belongs to a more frequent name, its
// first other spelling that does not (소 → "soh", as "So" is 서). For
// other names it is the key of the most frequent table name with the same
// sound classes (Kimm → "gim"), or failing that the sound-class key itself
// (see Key). It returns "" for a string with no letters.
//
// A spelling shared by two names is read as the more frequent one (Chun
// is 전, not 천; So is 서, not 소).
func SurnameKey(s string) string {
	x := surnames()
	if i, ok := lookupSurname(s); ok {
		return x.key[i]
	}
	var us []unit
	if ContainsHangul(s) {
		us = hangulWordUnits(FoldWord(Normalize(s)))
	} else {
		for _, w := range latinWords(Normalize(s)) {
			us = latinUnits(us, w)
		}
	}
	k := classKey(us)
	if i, ok := x.byClass[k]; ok {
		return x.key[i]
	}
	// A class key that reads as a table spelling ("e-o" as Eo) must give
	// that name, or keys would not be stable under Key.
	if i, ok := lookupSurname(k); ok {
		return x.key[i]
	}
	return k
}
