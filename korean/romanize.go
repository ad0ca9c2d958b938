package korean

import (
	"fmt"
	"strings"
	"unicode"
)

// System is a romanization system.
type System int

const (
	// RR is South Korea's Revised Romanization of Korean (2000): Gim
	// Yeonghui, jongno, silla.
	RR System = iota
	// MR is McCune–Reischauer with its breves and aspiration apostrophes:
	// Kim Yŏng-hŭi, Han'guk, P'yŏngyang.
	MR
	// MRPlain is MR with the breves and apostrophes dropped, as most
	// documents print it: Kim Yong-hui, Hanguk, Pyongyang.
	MRPlain
	// DPRK is North Korea's own romanization in ASCII: MR's sounds with
	// kh, th, ph, ch for the aspirates, j for ㅈ, and the syllables of a
	// name written apart: Kim Yong Hui, Ri Sol Ju, Phyongyang.
	DPRK
)

var systemNames = [...]string{RR: "rr", MR: "mr", MRPlain: "mr-plain", DPRK: "dprk"}

// String returns the system's short name: rr, mr, mr-plain or dprk.
func (s System) String() string {
	if s < 0 || int(s) >= len(systemNames) {
		return fmt.Sprintf("System(%d)", int(s))
	}
	return systemNames[s]
}

// ParseSystem returns the System named by s (rr, mr, mr-plain, dprk; case
// is ignored), or an error naming the accepted values.
func ParseSystem(s string) (System, error) {
	for i, n := range systemNames {
		if strings.EqualFold(s, n) {
			return System(i), nil
		}
	}
	return 0, fmt.Errorf("unknown romanization system %q (want rr, mr, mr-plain or dprk)", s)
}

// Neutralised final sounds: what a final consonant is pronounced as
// before a consonant or at the end of a word.
const (
	cNone = iota
	cK
	cN
	cT
	cL
	cM
	cP
	cNG
)

var finalSound = [tCount]int{
	cNone, cK, cK, cK, cN, cN, cN, cT, cL, cK, cM, cL, cL, cL, cP, cL,
	cM, cP, cP, cT, cT, cNG, cT, cT, cK, cT, cP, cT,
}

// finalToInitial is the initial a simple final becomes when it is carried
// over to a following syllable that starts with a vowel (liaison), or -1.
var finalToInitial = [tCount]int{
	fG: iG, fGG: iGG, fN: iN, fD: iD, fL: iR, fM: iM, fB: iB, fS: iS, fSS: iSS,
	fJ: iJ, fCH: iCH, fK: iK, fT: iT, fP: iP,
	fNone: -1, fGS: -1, fNJ: -1, fNH: -1, fLG: -1, fLM: -1, fLB: -1, fLS: -1, fLT: -1, fLP: -1, fLH: -1, fBS: -1, fNG: -1, fH: -1,
}

// clusterSplit gives, for a two-consonant final, the consonant that stays
// and the initial that moves to a following vowel-initial syllable. The ㅅ
// is pronounced tense (넋이 [넉씨]) but neither RR nor MR writes tensing.
var clusterSplit = map[int][2]int{
	fGS: {fG, iS}, fNJ: {fN, iJ}, fLG: {fL, iG}, fLM: {fL, iM}, fLB: {fL, iB},
	fLS: {fL, iS}, fLT: {fL, iT}, fLP: {fL, iP}, fBS: {fB, iS},
}

// surface is a syllable as pronounced: its initial and vowel indices and
// its final as a neutralised sound (cNone…cNG).
type surface struct {
	ini, vow, fin int
}

// nInsertion lists second elements of compounds before which a ㄴ is
// inserted after a consonant (학여울 [항녀울], 솔잎 [솔립]). The insertion
// depends on word structure, not spelling (석유 is [서규], not [성뉴]), so
// it is applied only to these morphemes; the list is short on purpose.
var nInsertion = [...]string{"여울", "여름", "이불", "연필", "잎", "엿", "윷"}

// pronounce applies the sound changes that RR and MR write within a word:
// liaison, palatalization (해돋이 → 해도지, 같이 → 가치), aspiration with
// ㅎ (좋고 → 조코, 놓다 → 노타), nasalization (백마 → 뱅마, 종로 → 종노,
// 왕십리 → 왕심니), lateralization (신라 → 실라, 별내 → 별래) and the
// listed ㄴ insertions (학여울 → 항녀울). Following the RR rule for nouns,
// ㅎ after ㄱ, ㄷ, ㅂ is kept (묵호 → mukho, 집현전 → jiphyeonjeon), so
// verbs such as 잡혀 come out as japhyeo rather than the official japyeo.
// Tensing is not written by RR or MR and is not modelled.
func pronounce(word []Syllable) []surface {
	syl := append([]Syllable(nil), word...)
	// ㄴ insertion at listed morphemes.
	for j := 1; j < len(syl); j++ {
		if syl[j-1].Final == fNone || syl[j].Initial != iNG {
			continue
		}
		rest := string(runesOf(syl[j:]))
		for _, m := range nInsertion {
			if strings.HasPrefix(rest, m) {
				syl[j].Initial = iN
				if syl[j-1].Final == fL {
					syl[j].Initial = iR // 솔잎 → 솔립
				}
				break
			}
		}
	}
	out := make([]surface, len(syl))
	for i := range syl {
		out[i] = surface{ini: syl[i].Initial, vow: syl[i].Vowel}
	}
	for i := range syl {
		f := syl[i].Final
		if i+1 == len(syl) {
			out[i].fin = finalSound[f]
			break
		}
		next := &out[i+1]
		switch {
		case next.ini == iNG && f != fNone && f != fNG:
			// Liaison.
			switch {
			case f == fH:
				f = fNone
			case f == fNH:
				f, next.ini = fNone, iN
			case f == fLH:
				f, next.ini = fNone, iR
			case f == fD && next.vow == vI:
				f, next.ini = fNone, iJ
			case f == fT && next.vow == vI:
				f, next.ini = fNone, iCH
			case f == fLT && next.vow == vI:
				f, next.ini = fL, iCH
			default:
				if c, ok := clusterSplit[f]; ok {
					f, next.ini = c[0], c[1]
				} else if in := finalToInitial[f]; in >= 0 {
					f, next.ini = fNone, in
				}
			}
		case (f == fH || f == fNH || f == fLH) && (next.ini == iG || next.ini == iD || next.ini == iJ):
			next.ini = aspirated(next.ini)
			switch f {
			case fH:
				f = fNone
			case fNH:
				f = fN
			case fLH:
				f = fL
			}
		case f == fH && next.ini == iS:
			f, next.ini = fNone, iSS
		case f == fH && next.ini == iN:
			f = fN
		case next.ini == iH && f == fD && next.vow == vI:
			f, next.ini = fNone, iCH // 굳히다 → 구치다
		case next.ini == iH && f == fJ:
			f, next.ini = fNone, iCH
		}
		c := finalSound[f]
		if c == cN && next.ini == iR && i+2 == len(syl) && len(syl) >= 3 && isNNSuffix(syl[i+1]) {
			next.ini = iN // 신문로 → 신문노, not 신물로
		}
		switch next.ini {
		case iR:
			switch c {
			case cM, cNG:
				next.ini = iN
			case cK:
				c, next.ini = cNG, iN
			case cP:
				c, next.ini = cM, iN
			case cT:
				c, next.ini = cN, iN
			case cN:
				c = cL
			}
		case iN, iM:
			switch c {
			case cK:
				c = cNG
			case cT:
				c = cN
			case cP:
				c = cM
			case cL:
				if next.ini == iN {
					next.ini = iR
				}
			}
		}
		out[i].fin = c
	}
	return out
}

// aspirated returns the aspirated counterpart of ㄱ, ㄷ, ㅈ.
func aspirated(initial int) int {
	switch initial {
	case iG:
		return iK
	case iD:
		return iT
	case iJ:
		return iCH
	}
	return initial
}

// isNNSuffix reports whether a word-final syllable is one of the
// Sino-Korean suffixes (road, column, amount, power, theory, fee) before
// which ㄴ + ㄹ is pronounced [ㄴㄴ] instead of [ㄹㄹ]: 신문로 [신문노],
// 의견란 [의견난], 생산량 [생산냥]. 령 is not one (대관령 [대괄령]).
func isNNSuffix(s Syllable) bool {
	switch s.Rune() {
	case '로', '란', '량', '력', '론', '료':
		return true
	}
	return false
}

func runesOf(s []Syllable) []rune {
	rs := make([]rune, len(s))
	for i, x := range s {
		rs[i] = x.Rune()
	}
	return rs
}

// Spellings by system. Index by initial, vowel or final sound.
var (
	rrInitial  = [lCount]string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"}
	rrVowel    = [vCount]string{"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"}
	finalSpell = [...]string{cNone: "", cK: "k", cN: "n", cT: "t", cL: "l", cM: "m", cP: "p", cNG: "ng"}

	// MR: voiceless and voiced forms of the plain stops and affricate.
	mrInitial = [lCount]string{"k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch'", "k'", "t'", "p'", "h"}
	mrVoiced  = [lCount]string{iG: "g", iD: "d", iB: "b", iJ: "j"}
	mrVowel   = [vCount]string{"a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i"}

	dprkInitial = [lCount]string{"k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th", "ph", "h"}
	dprkVowel   = [vCount]string{"a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"}
)

// spell writes pronounced syllables in a system. voiceFirst says whether
// the first syllable follows a voiced sound (a given name's second
// syllable written apart does, in MR).
func spell(b *strings.Builder, sy []surface, sys System, voiceFirst bool) {
	voiced := voiceFirst // whether the sound before the current initial is voiced
	prevFin := cNone
	for i, s := range sy {
		switch sys {
		case RR:
			if s.ini == iR && i > 0 && prevFin == cL {
				b.WriteString("l")
			} else {
				b.WriteString(rrInitial[s.ini])
			}
			b.WriteString(rrVowel[s.vow])
		case MR, MRPlain, DPRK:
			ini := mrInitial[s.ini]
			if sys == DPRK {
				ini = dprkInitial[s.ini]
			}
			switch {
			case s.ini == iR && i > 0 && prevFin == cL:
				ini = "l"
			case voiced && mrVoiced[s.ini] != "" && !(sys == DPRK && s.ini == iJ):
				ini = mrVoiced[s.ini]
			case s.ini == iS && s.vow == vWI && sys != DPRK:
				ini = "sh" // MR: shwi; 시 stays si
			}
			if sys != DPRK && i > 0 && prevFin == cN && s.ini == iG {
				b.WriteString("'") // Han'guk, not Hanguk (항욱)
			}
			b.WriteString(ini)
			if sys == DPRK {
				b.WriteString(dprkVowel[s.vow])
			} else {
				b.WriteString(mrVowel[s.vow])
			}
		}
		b.WriteString(finalSpell[s.fin])
		prevFin = s.fin
		voiced = s.fin == cNone || s.fin == cN || s.fin == cL || s.fin == cM || s.fin == cNG
	}
}

// romanizeText romanizes every run of Hangul syllables in s as a word,
// with sound changes, and keeps every other rune. The result is lower
// case; sys MRPlain drops MR's marks.
func romanizeText(s string, sys System) string {
	var b strings.Builder
	var word []Syllable
	flush := func() {
		if len(word) > 0 {
			spell(&b, pronounce(word), sys, false)
			word = word[:0]
		}
	}
	for _, r := range Normalize(s) {
		if syl, ok := Split(r); ok {
			word = append(word, syl)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	out := b.String()
	if sys == MRPlain {
		out = plainMR(out)
	}
	return out
}

// RomanizeRR romanizes Korean text in the Revised Romanization, with the
// sound changes the system writes (see pronounce): 종로 → jongno, 신라 →
// silla, 왕십리 → wangsimni, 대관령 → daegwallyeong. Runs of Hangul are
// romanized as words; all other text is kept. The result is in lower case:
// capitalising proper nouns is the caller's business. For personal names
// use RomanizeName, which follows the RR rules for names.
func RomanizeRR(s string) string { return romanizeText(s, RR) }

// Romanize is RomanizeRR for any system: MR gives Han'guk, P'yŏngyang,
// Tongnimmun; DPRK gives phyongyang, hamhung.
func Romanize(s string, sys System) string { return romanizeText(s, sys) }

// RomanizeName romanizes a Hangul personal name, family name first, the
// way each system writes names:
//
//	RR       Han Boknam, I Yeonghui (no sound changes inside the name,
//	         given name in one word)
//	MR       Han Pok-nam, Yi Yŏng-hŭi (given name hyphenated, voicing
//	         inside it: Kim Tae-jung)
//	MRPlain  Han Pok-nam, Yi Yong-hui
//	DPRK     Han Pok Nam, Ri Yong Hui (every syllable apart and capitalised)
//
// Family names in the table (Surnames) take the table's spelling for the
// system (RR I, MR Yi, DPRK Ri for 이/리); others are romanized syllable by
// syllable. A name without Hangul is returned normalised and unchanged.
func RomanizeName(name string, sys System) string {
	name = Normalize(name)
	if !ContainsHangul(name) {
		return name
	}
	family, given := SplitName(name)
	var fam string
	if sur, ok := LookupSurname(family); ok {
		switch sys {
		case RR:
			fam = sur.RR
		case MR:
			fam = sur.MR
		case MRPlain:
			fam = plainMR(sur.MR)
		case DPRK:
			fam = sur.DPRK
		}
	} else {
		fam = capitalize(romanizeSyllables(hangulSyllables(family), sys, false))
	}
	syls := hangulSyllables(given)
	if len(syls) == 0 {
		return fam
	}
	var parts []string
	switch sys {
	case RR:
		parts = append(parts, capitalize(romanizeSyllables(syls, RR, false)))
	case DPRK:
		for _, s := range syls {
			parts = append(parts, capitalize(romanizeSyllables([]Syllable{s}, DPRK, false)))
		}
	default:
		var g []string
		for i, s := range syls {
			voiced := false
			if i > 0 {
				f := finalSound[syls[i-1].Final]
				voiced = f == cNone || f == cN || f == cL || f == cM || f == cNG
			}
			g = append(g, romanizeSyllables([]Syllable{s}, sys, voiced))
		}
		parts = append(parts, capitalize(strings.Join(g, "-")))
	}
	return fam + " " + strings.Join(parts, " ")
}

// romanizeSyllables spells syllables without sound changes between them
// (names).
func romanizeSyllables(syls []Syllable, sys System, voiceFirst bool) string {
	sy := make([]surface, len(syls))
	for i, s := range syls {
		sy[i] = surface{ini: s.Initial, vow: s.Vowel, fin: finalSound[s.Final]}
	}
	var b strings.Builder
	spell(&b, sy, sys, voiceFirst)
	out := b.String()
	if sys == MRPlain {
		out = plainMR(out)
	}
	return out
}

func hangulSyllables(s string) []Syllable {
	var out []Syllable
	for _, r := range s {
		if syl, ok := Split(r); ok {
			out = append(out, syl)
		}
	}
	return out
}

func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// plainMR drops MR's breves and apostrophes, keeping case and spaces.
func plainMR(s string) string {
	r := strings.NewReplacer("ŏ", "o", "ŭ", "u", "Ŏ", "O", "Ŭ", "U", "'", "")
	return r.Replace(s)
}
