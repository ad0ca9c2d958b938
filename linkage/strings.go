package linkage

// String comparison functions. All work on Unicode code points (runes), not
// bytes, so that a Hangul syllable counts as one character, as it does in
// Python (jellyfish), which the FEBRL reference figures were computed with.

// Jaro returns the Jaro similarity of a and b in [0, 1]. Two empty strings,
// or one empty string, score 0 (the jellyfish convention: nothing in common).
func Jaro(a, b string) float64 {
	return jaroRunes([]rune(a), []rune(b), false)
}

// JaroWinkler returns the Jaro–Winkler similarity of a and b in [0, 1],
// pinned to the common convention (Winkler 1990, jellyfish, recordlinkage):
// prefix scale 0.1, at most 4 common prefix characters, and the prefix boost
// applied only when the Jaro similarity exceeds 0.7.
func JaroWinkler(a, b string) float64 {
	return jaroRunes([]rune(a), []rune(b), true)
}

func jaroRunes(s1, s2 []rune, winkler bool) float64 {
	n1, n2 := len(s1), len(s2)
	if n1 == 0 || n2 == 0 {
		return 0
	}
	rng := max(n1, n2)/2 - 1
	if rng < 0 {
		rng = 0
	}
	// Flags live on the stack for short strings (names), avoiding allocation.
	var buf1, buf2 [64]bool
	var f1, f2 []bool
	if n1 <= len(buf1) && n2 <= len(buf2) {
		f1, f2 = buf1[:n1], buf2[:n2]
	} else {
		f1, f2 = make([]bool, n1), make([]bool, n2)
	}
	common := 0
	for i, c := range s1 {
		lo := max(0, i-rng)
		hi := min(i+rng, n2-1)
		for j := lo; j <= hi; j++ {
			if !f2[j] && s2[j] == c {
				f1[i], f2[j] = true, true
				common++
				break
			}
		}
	}
	if common == 0 {
		return 0
	}
	k, trans := 0, 0
	for i := range s1 {
		if !f1[i] {
			continue
		}
		j := k
		for ; j < n2; j++ {
			if f2[j] {
				k = j + 1
				break
			}
		}
		if s1[i] != s2[j] {
			trans++
		}
	}
	trans /= 2
	c := float64(common)
	w := (c/float64(n1) + c/float64(n2) + (c-float64(trans))/c) / 3
	if winkler && w > 0.7 {
		p := 0
		for p < min(n1, n2, 4) && s1[p] == s2[p] {
			p++
		}
		w += float64(p) * 0.1 * (1 - w)
	}
	return w
}

// Levenshtein returns the edit distance (insertions, deletions,
// substitutions) between a and b.
func Levenshtein(a, b string) int {
	return levenshteinRunes([]rune(a), []rune(b), -1)
}

// LevenshteinSimilarity returns 1 − distance / length of the longer string
// (the recordlinkage convention); two empty strings score 1.
func LevenshteinSimilarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	n := max(len(ra), len(rb))
	if n == 0 {
		return 1
	}
	return 1 - float64(levenshteinRunes(ra, rb, -1))/float64(n)
}

// levenshteinRunes computes the edit distance; when limit ≥ 0 it may stop
// early and return limit+1 as soon as the distance must exceed limit, which
// makes thresholded comparison levels cheap on dissimilar pairs.
func levenshteinRunes(a, b []rune, limit int) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	if limit >= 0 && len(a)-len(b) > limit {
		return limit + 1
	}
	if len(b) == 0 {
		return len(a)
	}
	var buf [65]int
	var row []int
	if len(b)+1 <= len(buf) {
		row = buf[:len(b)+1]
	} else {
		row = make([]int, len(b)+1)
	}
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		prev := row[0]
		row[0] = i
		best := row[0]
		for j := 1; j <= len(b); j++ {
			cur := row[j]
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			row[j] = min(row[j]+1, row[j-1]+1, prev+cost)
			prev = cur
			best = min(best, row[j])
		}
		if limit >= 0 && best > limit {
			return limit + 1
		}
	}
	return row[len(b)]
}

// DamerauLevenshtein returns the unrestricted Damerau–Levenshtein distance
// (insertions, deletions, substitutions and transpositions of adjacent
// characters, with edits allowed between transposed characters; the
// Lowrance–Wagner algorithm, as jellyfish computes it).
func DamerauLevenshtein(a, b string) int {
	return damerauRunes([]rune(a), []rune(b))
}

func damerauRunes(a, b []rune) int {
	n1, n2 := len(a), len(b)
	inf := n1 + n2
	// lastRow[c] is the last row of a where rune c occurred; names have few
	// distinct runes, so a short list beats a map.
	type seen struct {
		r   rune
		row int
	}
	var lastBuf [32]seen
	last := lastBuf[:0]
	lastRow := func(r rune) int {
		for _, s := range last {
			if s.r == r {
				return s.row
			}
		}
		return 0
	}
	w := n2 + 2
	var dbuf [1024]int
	var d []int
	if (n1+2)*w <= len(dbuf) {
		d = dbuf[:(n1+2)*w]
	} else {
		d = make([]int, (n1+2)*w)
	}
	d[0] = inf
	for i := 0; i <= n1; i++ {
		d[(i+1)*w] = inf
		d[(i+1)*w+1] = i
	}
	for j := 0; j <= n2; j++ {
		d[j+1] = inf
		d[w+j+1] = j
	}
	for i := 1; i <= n1; i++ {
		db := 0
		for j := 1; j <= n2; j++ {
			i1 := lastRow(b[j-1])
			j1 := db
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
				db = j
			}
			d[(i+1)*w+j+1] = min(
				d[i*w+j]+cost,
				d[(i+1)*w+j]+1,
				d[i*w+j+1]+1,
				d[i1*w+j1]+(i-i1-1)+1+(j-j1-1),
			)
		}
		found := false
		for k := range last {
			if last[k].r == a[i-1] {
				last[k].row, found = i, true
				break
			}
		}
		if !found {
			last = append(last, seen{a[i-1], i})
		}
	}
	return d[(n1+1)*w+n2+1]
}

// damerauWithin reports whether the Damerau–Levenshtein distance is at most
// k. The Levenshtein distance bounds it from both sides (DL ≤ L ≤ 2·DL, a
// transposition being two edits), so the cheap bounded Levenshtein settles
// most pairs.
func damerauWithin(a, b []rune, k int) bool {
	if abs(len(a)-len(b)) > k {
		return false
	}
	lev := levenshteinRunes(a, b, 2*k)
	if lev <= k {
		return true
	}
	if lev > 2*k {
		return false
	}
	return damerauRunes(a, b) <= k
}
