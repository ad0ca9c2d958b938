package korean

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// nameSyllables are the syllables common in Korean given names, roughly
// most frequent first (the order ranks candidates). The list covers the
// syllables of the great majority of names of people born in both Koreas
// since the 1930s, North Korean spellings with initial ㄹ and ㄴ included;
// it is a ranking aid, not a dictionary: rarer syllables are reached
// through their romanization's sound classes only.
const nameSyllables = "영민수정희순자숙경미현진지은혜선연주성철호준우석상동재용훈명광" +
	"기남옥화인윤서원태종병국승혁근규하아나유예빈도건한룡련령녀란률렬" +
	"효향애춘복금분덕길만봉식일학환범섭찬창청충택필해헌형홍회후휘흥" +
	"강겸결곤관구권균귀낙내노농다단달담대돈두득랑례록륜리린림량려" +
	"마매면모목무문박배백벽보부비사산삼새생설세소송솔신실심안양언엽" +
	"오완왕요욱운웅월위육율을음의이익임작장전절점제조중직집차채천" +
	"초총추축치칠탁탄판팔평표풍함항허협활황휴흠나래슬별샘솜봄들빛" +
	"가나다라민서윤지하예채유진은수연"

// Romanized spellings of each jamo, by system and by personal habit (Lee,
// Young, Sung, Chul, Hee, Woo), with diacritics and apostrophes already
// removed.
var (
	initialSpellings = [lCount][]string{
		{"g", "k"}, {"kk", "gg", "k"}, {"n"}, {"d", "t"}, {"tt", "dd"}, {"r", "l"}, {"m"},
		{"b", "p"}, {"pp", "bb"}, {"s", "sh"}, {"ss", "s"}, {""}, {"j", "ch"}, {"jj", "tch"},
		{"ch", "chh"}, {"k", "kh"}, {"t", "th"}, {"p", "ph"}, {"h"},
	}
	vowelSpellings = [vCount][]string{
		{"a"}, {"ae", "ai"}, {"ya"}, {"yae"}, {"eo", "o", "u", "uh"}, {"e"},
		{"yeo", "yo", "you", "yu"}, {"ye"}, {"o", "oh"}, {"wa"}, {"wae"}, {"oe", "oi", "we"},
		{"yo"}, {"u", "oo"}, {"wo", "weo"}, {"we"}, {"wi", "wee", "whi"}, {"yu", "yoo", "you"},
		{"eu", "u"}, {"ui", "eui", "i", "ee"}, {"i", "ee"},
	}
	finalSpellings = [...][]string{
		cNone: {""}, cK: {"k", "g"}, cN: {"n"}, cT: {"t", "d", "s"}, cL: {"l", "r"},
		cM: {"m"}, cP: {"p", "b"}, cNG: {"ng"},
	}
)

// syllableSpellings returns the spellings of a syllable as a given-name
// syllable: every combination of its jamo's spellings, plus woo and wu
// for 우-initial syllables.
func syllableSpellings(s Syllable) []string {
	var out []string
	fins := finalSpellings[finalSound[s.Final]]
	for _, i := range initialSpellings[s.Initial] {
		vs := vowelSpellings[s.Vowel]
		if s.Initial == iNG && s.Vowel == vU {
			vs = append(slices.Clone(vs), "woo", "wu")
		}
		for _, v := range vs {
			for _, f := range fins {
				out = append(out, i+v+f)
			}
		}
	}
	return out
}

// syllableIndex maps a spelling to the name syllables it may stand for,
// in rank order. A syllable that the initial-sound rule folds (룡) is
// also reached through its folded form's spellings (yong), since South
// Korean documents write it so.
var syllableIndex = sync.OnceValue(func() map[string][]rune {
	idx := map[string][]rune{}
	seen := map[rune]bool{}
	for _, r := range nameSyllables {
		if seen[r] {
			continue
		}
		seen[r] = true
		s, _ := Split(r)
		sp := syllableSpellings(s)
		if f := foldInitial(r); f != r {
			fs, _ := Split(f)
			sp = append(sp, syllableSpellings(fs)...)
		}
		for _, x := range sp {
			if !slices.Contains(idx[x], r) {
				idx[x] = append(idx[x], r)
			}
		}
	}
	return idx
})

// SyllableCandidates returns the Hangul syllables common in given names
// that one romanized syllable may stand for, most common first: yeong,
// young, yong and yŏng give 영, 용, 룡, 령 …; hee, hui and hŭi give 희.
// Case, diacritics and apostrophes are ignored. It returns nil when no
// common name syllable is spelled that way.
func SyllableCandidates(romanized string) []string {
	rs := syllableIndex()[strings.Join(latinWords(romanized), "")]
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// SurnameCandidates returns the family names in the table that a
// romanized family name may stand for, most frequent first: Chun gives 전
// and 천, Song gives 송 and 성, So gives 서 and 소. A spelling in no entry
// is matched by its sound classes (Kimm gives 김). It returns nil when
// nothing matches.
func SurnameCandidates(romanized string) []Surname {
	x := surnames()
	key := strings.Join(latinWords(romanized), "")
	var hits []int
	for i := range x.table {
		if slices.Contains(x.spell[i], key) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 0 {
		var us []unit
		for _, w := range latinWords(romanized) {
			us = latinUnits(us, w)
		}
		if i, ok := x.byClass[classKey(us)]; ok {
			hits = append(hits, i)
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return x.table[hits[a]].Share > x.table[hits[b]].Share })
	out := make([]Surname, len(hits))
	for i, h := range hits {
		out[i] = x.table[h]
		out[i].Variants = slices.Clone(out[i].Variants)
	}
	return out
}

// maxSyllablesPerWord bounds how a romanized word without hyphens is cut
// into syllables: given names have one to three.
const maxSyllablesPerWord = 4

// GivenNameCandidates returns, for a romanized given name, the candidate
// Hangul syllables of each of its syllables. Hyphens and spaces separate
// syllables (Yong-hui, Yong Hui); a word written together (Younghee,
// Boknam) is cut into the fewest syllables that all have candidates, the
// first such cut from the left. It returns nil if some part has no
// candidate.
func GivenNameCandidates(romanized string) [][]string {
	idx := syllableIndex()
	var out [][]string
	for _, w := range latinWords(romanized) {
		cut := segment(w, idx)
		if cut == nil {
			return nil
		}
		for _, s := range cut {
			out = append(out, SyllableCandidates(s))
		}
	}
	return out
}

// segment cuts w into the fewest spellings present in idx (at most
// maxSyllablesPerWord), preferring longer first pieces.
func segment(w string, idx map[string][]rune) []string {
	var best []string
	var try func(rest string, acc []string)
	try = func(rest string, acc []string) {
		if best != nil && len(acc) >= len(best) {
			return
		}
		if rest == "" {
			best = slices.Clone(acc)
			return
		}
		if len(acc) == maxSyllablesPerWord {
			return
		}
		for n := min(len(rest), 8); n >= 1; n-- {
			if _, ok := idx[rest[:n]]; ok {
				try(rest[n:], append(acc, rest[:n]))
			}
		}
	}
	try(w, nil)
	return best
}

// HangulCandidates returns up to limit Hangul spellings that a romanized
// full name (family name first) may stand for, the likeliest first:
// "Ri Yong Hui" gives 이영희, 이용희, … The family name is written in its
// South Korean spelling. Rank is the sum of each part's rank in its
// candidate list, ties broken by order of discovery. It returns nil when
// the family name or a given-name syllable has no candidate, or when
// limit < 1.
func HangulCandidates(name string, limit int) []string {
	if limit < 1 {
		return nil
	}
	family, given := SplitName(name)
	surs := SurnameCandidates(family)
	if len(surs) == 0 {
		return nil
	}
	type cand struct {
		s    string
		rank int
	}
	cands := make([]cand, 0, len(surs))
	for i, s := range surs {
		cands = append(cands, cand{s.Hangul, i})
	}
	if given != "" {
		parts := GivenNameCandidates(given)
		if parts == nil {
			return nil
		}
		for _, p := range parts {
			var next []cand
			for _, c := range cands {
				for j, syl := range p {
					next = append(next, cand{c.s + syl, c.rank + j})
				}
			}
			sort.SliceStable(next, func(a, b int) bool { return next[a].rank < next[b].rank })
			if len(next) > limit*4 {
				next = next[:limit*4] // ranks only grow: the rest cannot come back
			}
			cands = next
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].rank < cands[b].rank })
	var out []string
	for _, c := range cands {
		if len(out) == limit {
			break
		}
		out = append(out, c.s)
	}
	return out
}
