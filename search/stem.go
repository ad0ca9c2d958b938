package search

// This file is the English (Porter2) stemmer of the Snowball project,
// transcribed by hand from its published algorithm (english.sbl): no Go
// stemming library is listed as working with this module's toolchain, and
// the algorithm is a page long. It works on lower-case ASCII words only;
// callers leave other words unstemmed.

// exception1 holds whole words that Porter2 maps (or keeps) specially.
var exception1 = map[string]string{
	"skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
	"idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli", "singly": "singl",
	"sky": "sky", "news": "news", "howe": "howe",
	"atlas": "atlas", "cosmos": "cosmos", "bias": "bias", "andes": "andes",
}

// exception2 holds words that are left alone after step 1a.
var exception2 = map[string]bool{
	"inning": true, "outing": true, "canning": true, "herring": true, "earring": true,
	"evening": true, "proceed": true, "exceed": true, "succeed": true,
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// stemmer holds the word being stemmed and its regions R1 and R2 (as start
// offsets; a region starting at len(w) or beyond is empty).
type stemmer struct {
	w      []byte
	p1, p2 int
}

// stem returns the Porter2 stem of a lower-case ASCII word.
func stem(s string) string {
	if e, ok := exception1[s]; ok {
		return e
	}
	if len(s) < 3 {
		return s
	}
	st := stemmer{w: []byte(s)}
	w := st.w
	// Prelude: y that acts as a consonant becomes Y.
	yFound := false
	if w[0] == 'y' {
		w[0] = 'Y'
		yFound = true
	}
	for i := 1; i < len(w); i++ {
		if w[i] == 'y' && isVowel(w[i-1]) {
			w[i] = 'Y'
			yFound = true
		}
	}
	st.markRegions()
	st.step1a()
	if !exception2[string(st.w)] {
		st.step1b()
		st.step1c()
		st.step2()
		st.step3()
		st.step4()
		st.step5()
	}
	if yFound {
		for i, c := range st.w {
			if c == 'Y' {
				st.w[i] = 'y'
			}
		}
	}
	return string(st.w)
}

// afterVC returns the offset just past the first non-vowel that follows a
// vowel at or after from, or len(w).
func afterVC(w []byte, from int) int {
	i := from
	for i < len(w) && !isVowel(w[i]) {
		i++
	}
	for i < len(w) && isVowel(w[i]) {
		i++
	}
	if i >= len(w) {
		return len(w)
	}
	return i + 1
}

func (s *stemmer) markRegions() {
	s.p1 = len(s.w)
	for _, p := range []string{"gener", "commun", "arsen"} {
		if len(s.w) >= len(p) && string(s.w[:len(p)]) == p {
			s.p1 = len(p)
			break
		}
	}
	if s.p1 == len(s.w) {
		s.p1 = afterVC(s.w, 0)
	}
	s.p2 = afterVC(s.w, s.p1)
}

// suffix returns the longest of sufs that w ends with, or "".
func (s *stemmer) suffix(sufs ...string) string {
	best := ""
	if len(s.w) == 0 {
		return best
	}
	last := s.w[len(s.w)-1]
	for _, x := range sufs {
		if x[len(x)-1] == last && len(x) > len(best) && len(s.w) >= len(x) && string(s.w[len(s.w)-len(x):]) == x {
			best = x
		}
	}
	return best
}

func (s *stemmer) replace(suf, with string) {
	s.w = append(s.w[:len(s.w)-len(suf)], with...)
}

func hasVowel(w []byte) bool {
	for _, c := range w {
		if isVowel(c) {
			return true
		}
	}
	return false
}

// shortv reports whether w[:end] ends in a short syllable.
func shortv(w []byte, end int) bool {
	if end >= 3 {
		c := w[end-1]
		if !isVowel(c) && c != 'w' && c != 'x' && c != 'Y' && isVowel(w[end-2]) && !isVowel(w[end-3]) {
			return true
		}
	}
	return end == 2 && isVowel(w[0]) && !isVowel(w[1])
}

func (s *stemmer) step1a() {
	switch suf := s.suffix("sses", "ied", "ies", "s", "us", "ss"); suf {
	case "sses":
		s.replace(suf, "ss")
	case "ied", "ies":
		if len(s.w)-len(suf) >= 2 {
			s.replace(suf, "i")
		} else {
			s.replace(suf, "ie")
		}
	case "s":
		if len(s.w) >= 2 && hasVowel(s.w[:len(s.w)-2]) {
			s.replace(suf, "")
		}
	}
}

func (s *stemmer) step1b() {
	suf := s.suffix("eed", "eedly", "ed", "edly", "ing", "ingly")
	switch suf {
	case "":
		return
	case "eed", "eedly":
		if len(s.w)-len(suf) >= s.p1 {
			s.replace(suf, "ee")
		}
		return
	}
	if !hasVowel(s.w[:len(s.w)-len(suf)]) {
		return
	}
	s.replace(suf, "")
	switch s.suffix("at", "bl", "iz", "bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt") {
	case "at", "bl", "iz":
		s.w = append(s.w, 'e')
	case "":
		if len(s.w) == s.p1 && shortv(s.w, len(s.w)) {
			s.w = append(s.w, 'e')
		}
	default: // a double consonant, undoubled unless the word is e.g. "add"
		if !(len(s.w) == 3 && (s.w[0] == 'a' || s.w[0] == 'e' || s.w[0] == 'o')) {
			s.w = s.w[:len(s.w)-1]
		}
	}
}

func (s *stemmer) step1c() {
	n := len(s.w)
	if n >= 3 && (s.w[n-1] == 'y' || s.w[n-1] == 'Y') && !isVowel(s.w[n-2]) {
		s.w[n-1] = 'i'
	}
}

var step2Map = map[string]string{
	"tional": "tion", "enci": "ence", "anci": "ance", "abli": "able", "entli": "ent",
	"izer": "ize", "ization": "ize", "ational": "ate", "ation": "ate", "ator": "ate",
	"alism": "al", "aliti": "al", "alli": "al", "fulness": "ful", "ousli": "ous", "ousness": "ous",
	"iveness": "ive", "iviti": "ive", "biliti": "ble", "bli": "ble", "ogi": "og", "fulli": "ful",
	"lessli": "less", "li": "",
}

var step2Sufs = keys(step2Map)

func keys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func (s *stemmer) step2() {
	suf := s.suffix(step2Sufs...)
	if suf == "" || len(s.w)-len(suf) < s.p1 {
		return
	}
	before := byte(0)
	if i := len(s.w) - len(suf) - 1; i >= 0 {
		before = s.w[i]
	}
	switch suf {
	case "ogi":
		if before != 'l' {
			return
		}
	case "li":
		switch before {
		case 'c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't':
		default:
			return
		}
	}
	s.replace(suf, step2Map[suf])
}

var step3Map = map[string]string{
	"tional": "tion", "ational": "ate", "alize": "al", "icate": "ic", "iciti": "ic", "ical": "ic",
	"ful": "", "ness": "", "ative": "",
}

var step3Sufs = keys(step3Map)

func (s *stemmer) step3() {
	suf := s.suffix(step3Sufs...)
	start := len(s.w) - len(suf)
	if suf == "" || start < s.p1 || (suf == "ative" && start < s.p2) {
		return
	}
	s.replace(suf, step3Map[suf])
}

func (s *stemmer) step4() {
	suf := s.suffix("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement",
		"ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion")
	start := len(s.w) - len(suf)
	if suf == "" || start < s.p2 {
		return
	}
	if suf == "ion" && (start == 0 || (s.w[start-1] != 's' && s.w[start-1] != 't')) {
		return
	}
	s.replace(suf, "")
}

func (s *stemmer) step5() {
	n := len(s.w)
	if n == 0 {
		return
	}
	switch s.w[n-1] {
	case 'e':
		if n-1 >= s.p2 || (n-1 >= s.p1 && !shortv(s.w, n-1)) {
			s.w = s.w[:n-1]
		}
	case 'l':
		if n-1 >= s.p2 && n >= 2 && s.w[n-2] == 'l' {
			s.w = s.w[:n-1]
		}
	}
}
