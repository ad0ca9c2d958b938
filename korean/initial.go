package korean

// foldInitial applies the initial-sound rule (두음법칙, Hangul orthography
// §10–12) to one word-initial syllable: ㄹ before ㅣ or a y-vowel is
// dropped (리→이, 류→유, 량→양, 려→여, 련→연, 룡→용, 례→예), ㄹ before any
// other vowel becomes ㄴ (로→노, 라→나, 뢰→뇌, 루→누), and ㄴ before ㅣ or
// a y-vowel is dropped (녀→여, 뉴→유, 니→이, 뇨→요). Other runes are
// returned unchanged.
func foldInitial(r rune) rune {
	s, ok := Split(r)
	if !ok {
		return r
	}
	switch {
	case s.Initial == iR && isYVowel(s.Vowel), s.Initial == iN && isYVowel(s.Vowel):
		s.Initial = iNG
	case s.Initial == iR:
		s.Initial = iN
	}
	return s.Rune()
}

// FoldWord applies the initial-sound rule to the first syllable of one
// word (a family name or a given name written apart): 리→이, 로→노, 녀→여.
// Non-Hangul text is returned unchanged.
func FoldWord(word string) string {
	for i, r := range word {
		if f := foldInitial(r); f != r {
			return string(f) + word[i+len(string(r)):]
		}
		return word
	}
	return word
}

// FoldInitialSound returns the South Korean spelling of a Hangul personal
// name written in North Korean orthography, which keeps a word-initial ㄹ
// and ㄴ: 리영희 → 이영희, 림룡남 → 임용남, 류 → 유, 로 → 노.
//
// South Korean orthography applies the rule at the start of a word. It is
// applied to the first syllable of the family name and to the first
// syllable of the given name (a given name written syllable by syllable,
// "룡 남", is still one name): North 룡, 련, 녀 at the start of a given name
// are registered 용, 연, 여 in the South. The orthography's commentary keeps ㄹ
// in the given names of historical figures written as one word with the
// family name (신립, 하륜); for matching living people the folded form is
// the useful one, and inside a given name ㄹ and ㄴ stay (김하륜), except
// that 렬 and 률 after a vowel or ㄴ become 열 and 율 (§11 붙임 1 다만: 선률
// → 선율). The rule is orthographic, not etymological.
//
// The name is split with SplitName and returned normalised, with the
// spacing it had (one space between family and given name if it had one).
// Names with no Hangul are returned normalised but otherwise unchanged.
// Since 2007 South Korean registers accept family names such as 류 and 라
// unfolded; FoldInitialSound still gives the standard spelling, which is
// what comparison needs.
func FoldInitialSound(name string) string {
	name = Normalize(name)
	if !ContainsHangul(name) {
		return name
	}
	family, given := SplitName(name)
	sep := ""
	if len(name) > len(family)+len(given) {
		sep = name[len(family) : len(name)-len(given)]
	}
	return FoldWord(family) + sep + foldGiven(given)
}

// foldGiven folds a given name: its first syllable, and 렬/률 after a
// vowel or ㄴ. A given name written syllable by syllable ("룡 남") is one
// word: only its first syllable is folded, as in Key.
func foldGiven(given string) string {
	return foldYeol(FoldWord(given))
}

// prevSyllable returns the index of the syllable before rs[i], skipping
// spaces and hyphens, or -1.
func prevSyllable(rs []rune, i int) int {
	for j := i - 1; j >= 0; j-- {
		switch {
		case IsSyllable(rs[j]):
			return j
		case rs[j] != ' ' && rs[j] != '-':
			return -1
		}
	}
	return -1
}

// foldYeol rewrites 렬/률 to 열/율 after a syllable ending in a vowel or ㄴ.
func foldYeol(word string) string {
	rs := []rune(word)
	changed := false
	for i := 1; i < len(rs); i++ {
		s, ok := Split(rs[i])
		if !ok || s.Initial != iR || s.Final != fL || (s.Vowel != vYEO && s.Vowel != vYU) {
			continue
		}
		j := prevSyllable(rs, i)
		if j < 0 {
			continue
		}
		if p, _ := Split(rs[j]); p.Final != fNone && p.Final != fN {
			continue
		}
		s.Initial = iNG
		rs[i] = s.Rune()
		changed = true
	}
	if !changed {
		return word
	}
	return string(rs)
}

// InitialSoundVariants returns the spellings under which a Hangul name may
// be recorded on either side of the border: the South Korean spelling
// (FoldInitialSound) first, then every spelling that North Korean
// orthography could give for it, without duplicates. Unfolding is
// ambiguous (South 유 is North 류 for 柳 but 유 for 劉; 영 may be 령 or
// 녕), so each foldable syllable yields every form: 이영희 gives 이영희,
// 이령희, 이녕희, 리영희, … The list is bounded (a few hundred at most). For
// names without Hangul it returns the normalised name alone.
func InitialSoundVariants(name string) []string {
	south := FoldInitialSound(name)
	if !ContainsHangul(south) {
		return []string{south}
	}
	family, given := SplitName(south)
	sep := south[len(family) : len(south)-len(given)]
	out := []string{}
	seen := map[string]bool{}
	for _, f := range wordVariants(family) {
		for _, g := range givenVariants(given) {
			v := f + sep + g
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// wordVariants returns the word with its first syllable in its South form
// and each North form that folds to it.
func wordVariants(word string) []string {
	rs := []rune(word)
	if len(rs) == 0 {
		return []string{word}
	}
	out := []string{word}
	for _, u := range unfold(rs[0]) {
		out = append(out, string(u)+string(rs[1:]))
	}
	return out
}

// givenVariants unfolds the first syllable of a given name and the
// 열/율 inside it.
func givenVariants(given string) []string {
	var out []string
	for _, v := range wordVariants(given) {
		for _, y := range yeolVariants(v) {
			if len(out) < maxVariants {
				out = append(out, y)
			}
		}
	}
	return out
}

// yeolVariants returns word and, for each 열/율 after a vowel or ㄴ, the
// spellings with 렬/률 there.
func yeolVariants(word string) []string {
	out := []string{word}
	rs := []rune(word)
	for i := 1; i < len(rs); i++ {
		s, ok := Split(rs[i])
		if !ok || s.Initial != iNG || s.Final != fL || (s.Vowel != vYEO && s.Vowel != vYU) {
			continue
		}
		j := prevSyllable(rs, i)
		if j < 0 {
			continue
		}
		if p, _ := Split(rs[j]); p.Final != fNone && p.Final != fN {
			continue
		}
		s.Initial = iR
		for _, o := range out {
			if len(out) >= maxVariants {
				break
			}
			alt := []rune(o)
			alt[i] = s.Rune()
			out = append(out, string(alt))
		}
	}
	return out
}

// maxVariants bounds the given-name variants: 열/율 may occur several
// times in made-up input.
const maxVariants = 64

// unfold returns the North Korean syllables that fold to r (여 ← 려, 녀; 노
// ← 로), or nil.
func unfold(r rune) []rune {
	s, ok := Split(r)
	if !ok {
		return nil
	}
	switch {
	case s.Initial == iNG && isYVowel(s.Vowel):
		rr, nn := s, s
		rr.Initial, nn.Initial = iR, iN
		return []rune{rr.Rune(), nn.Rune()}
	case s.Initial == iN && !isYVowel(s.Vowel):
		s.Initial = iR
		return []rune{s.Rune()}
	}
	return nil
}
