package korean

import (
	"slices"
	"strings"
	"testing"
)

// sameKey lists groups of spellings of one name: each group must give one
// key, and different groups different keys.
var sameKey = []struct {
	key   string
	names []string
}{
	{"i yonghi", []string{"리영희", "이영희", "Ri Yong Hui", "Lee Young-hee", "Yi Yŏng-hŭi", "Rhee Yeong-hui", "Yi Yong-hui", "I Yeonghui", "LEE YOUNG HEE", "Lee, Young-hee", "Rhie Younghee", "이 영희", "리 영 희", "Lee Yŏnghŭi", "Ｌｅｅ Ｙｏｕｎｇ-ｈｅｅ"}},
	{"gim jonkon", []string{"김정은", "Kim Jong Un", "Kim Jong-un", "Gim Jeong-eun", "Kim Chŏng-ŭn", "Kim Jungeun"}},
	{"gim yongnam", []string{"김룡남", "김용남", "Kim Ryong Nam", "Kim Yong-nam", "Gim Yongnam", "Kim Ryongnam"}},
	{"choe yonghe", []string{"최룡해", "최용해", "Choe Ryong Hae", "Choi Yong-hae", "Ch'oe Ryong-hae"}},
	{"bak jonghi", []string{"박정희", "Park Chung-hee", "Pak Chŏng-hŭi", "Bak Jeonghui", "Pak Jong Hui"}},
	{"han poknam", []string{"한복남", "Han Boknam", "Han Pok-nam", "Hahn Bok-nam"}},
	{"im yonhi", []string{"림련희", "임연희", "Rim Ryon Hui", "Lim Yeon-hee", "Im Yŏn-hŭi"}},
	{"yu myongsok", []string{"류명석", "유명석", "Ryu Myong Sok", "Yoo Myung-suk", "Yu Myŏng-sŏk"}},
	{"no yonso", []string{"로연수", "노연수", "Ro Yon Su", "Roh Yeon-soo", "Noh Yeonsu"}},
	{"yang sonyol", []string{"량선률", "양선율", "Ryang Son Ryul", "Yang Sun-yul", "Yang Seon-yul"}},
	{"namgung minso", []string{"남궁민수", "남궁 민수", "Namgoong Min-su", "Namgung Minsu", "Namkung Min Soo"}},
	{"gim oki", []string{"김옥희", "Kim Ok-hee", "Kim Okhee", "Kim Ok Hui"}},
	{"gim jo-on", []string{"김주은", "Kim Ju-eun", "Kim Joo-eun", "Kim Chu Un"}},
	{"gim jon", []string{"김준", "Kim Joon", "Kim Jun", "Gim Jun"}},
	{"tae yongho", []string{"태영호", "Thae Yong Ho", "Tae Young-ho", "T'ae Yŏng-ho"}},
	{"jeon tohwan", []string{"전두환", "Chun Doo-hwan", "Jeon Duhwan", "Chŏn Tu-hwan"}},
	{"an jongkon", []string{"안중근", "Ahn Jung-geun", "An Jung-geun", "An Chung-gŭn"}},
	{"hyeon sonkwol", []string{"현송월", "Hyon Song Wol", "Hyun Song-wol", "Hyeon Songwol"}},
	{"i soljo", []string{"리설주", "이설주", "Ri Sol Ju", "Lee Seol-ju"}},
	{"seo ji-won", []string{"서지원", "Seo Ji-won", "Suh Jiwon", "So Ji Won"}},
	{"gim", []string{"김", "Kim", "Gim", "KIM"}},
	{"", []string{"", "  ", "-", "123"}},
}

func TestKey(t *testing.T) {
	seen := map[string]string{}
	for _, g := range sameKey {
		for _, n := range g.names {
			if got := Key(n); got != g.key {
				t.Errorf("Key(%q) = %q, want %q", n, got, g.key)
			}
		}
		if other, ok := seen[g.key]; ok {
			t.Errorf("groups %q and %q share key %q", other, g.names[0], g.key)
		}
		seen[g.key] = g.names[0]
	}
}

func TestKeyDiffers(t *testing.T) {
	pairs := [][2]string{
		{"김영희", "이영희"},
		{"김영희", "김민수"},
		{"김영희", "김영수"},
		{"Kim Young-hee", "Park Young-hee"},
		{"박정희", "박정호"},
		{"김준", "김주은"},
		{"김민", "김민아"},
		{"Lee Min-ho", "Lee Min-hee"},
		{"조영희", "최영희"},
		{"정영희", "장영희"},
		{"김영희", "김형희"},
		{"김은희", "김인희"},
		{"김혜진", "김해진"},
	}
	for _, p := range pairs {
		if a, b := Key(p[0]), Key(p[1]); a == b {
			t.Errorf("Key(%q) == Key(%q) == %q, want different", p[0], p[1], a)
		}
	}
}

func TestKeyIdempotent(t *testing.T) {
	for _, g := range sameKey {
		for _, n := range g.names {
			k := Key(n)
			if kk := Key(k); kk != k {
				t.Errorf("Key(Key(%q)) = Key(%q) = %q", n, k, kk)
			}
		}
	}
}

func TestKeyVariants(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Young-hee Lee", []string{"yonghi i", "i yonghi"}},
		{"Lee Young-hee", []string{"i yonghi", "yonghi i"}},
		{"이영희", []string{"i yonghi"}},
		{"Lee, Young-hee", []string{"i yonghi"}}, // a comma fixes the order
		{"Kim", []string{"gim"}},
	}
	for _, tt := range tests {
		if got := KeyVariants(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("KeyVariants(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Western order matches family-name-first order through a variant.
	a, b := KeyVariants("Young-hee Lee"), KeyVariants("리영희")
	if !slices.ContainsFunc(a, func(k string) bool { return slices.Contains(b, k) }) {
		t.Errorf("KeyVariants(Young-hee Lee) = %q and KeyVariants(리영희) = %q share nothing", a, b)
	}
}

func TestSurnameKey(t *testing.T) {
	groups := []struct {
		key   string
		names []string
	}{
		{"gim", []string{"Kim", "Gim", "김", "KIM", "Kimm", "Ghim"}},
		{"i", []string{"Lee", "Yi", "Ri", "Rhee", "Rhie", "Li", "I", "리", "이"}},
		{"bak", []string{"Park", "Pak", "Bak", "박"}},
		{"choe", []string{"Choi", "Choe", "Ch'oe", "최"}},
		{"jeong", []string{"Jung", "Jong", "Chung", "Jeong", "Chŏng", "정"}},
		{"im", []string{"Lim", "Im", "Rim", "림", "임"}},
		{"yu", []string{"Ryu", "Yu", "Yoo", "류", "유"}},
		{"no", []string{"Noh", "Roh", "No", "Ro", "로", "노"}},
		{"yang", []string{"Yang", "Ryang", "량", "양"}},
		{"o", []string{"Oh", "O", "오"}},
		{"seo", []string{"Seo", "Suh", "Sŏ", "서"}},
		{"jeon", []string{"Jeon", "Jun", "Chun", "Chŏn", "전"}},
		{"namgung", []string{"Namgoong", "Namgung", "Namkung", "남궁"}},
	}
	seen := map[string]bool{}
	for _, g := range groups {
		for _, n := range g.names {
			if got := SurnameKey(n); got != g.key {
				t.Errorf("SurnameKey(%q) = %q, want %q", n, got, g.key)
			}
		}
		if seen[g.key] {
			t.Errorf("duplicate key %q", g.key)
		}
		seen[g.key] = true
	}
	// Names outside the table fall back to their sound classes, the same
	// from either script.
	if a, b := SurnameKey("견"), SurnameKey("Gyeon"); a != b || a == "" {
		t.Errorf("SurnameKey(견) = %q, SurnameKey(Gyeon) = %q, want equal and non-empty", a, b)
	}
	if k := SurnameKey(""); k != "" {
		t.Errorf(`SurnameKey("") = %q`, k)
	}
}

func TestSyllableKeys(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"리영희", []string{"i", "yong", "hi"}},
		{"Lee Young-hee", []string{"i", "yong", "hi"}},
		{"Ri Yong Hui", []string{"i", "yong", "hi"}},
		{"남궁민수", []string{"namgung", "min", "so"}},
		{"Kim Ju-eun", []string{"gim", "jo", "on"}},
		{"김주은", []string{"gim", "jo", "on"}},
		{"Kim", []string{"gim"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := SyllableKeys(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SyllableKeys(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The syllable keys put together are the key.
	for _, g := range sameKey {
		for _, n := range g.names {
			sk := SyllableKeys(n)
			if len(sk) == 0 {
				continue
			}
			joined := sk[0]
			if len(sk) > 1 {
				joined += " " + joinSyllables(sk[1:])
			}
			if k := Key(n); joined != k {
				t.Errorf("SyllableKeys(%q) = %q do not make Key %q", n, sk, k)
			}
		}
	}
}

// joinSyllables concatenates syllable keys as join does units: with a
// hyphen between two vowels.
func joinSyllables(ss []string) string {
	var b strings.Builder
	for i, s := range ss {
		if i > 0 && strings.ContainsRune("aeio", rune(ss[i-1][len(ss[i-1])-1])) && strings.ContainsRune("aeiowy", rune(s[0])) {
			b.WriteByte('-')
		}
		b.WriteString(s)
	}
	return b.String()
}

func TestGivenKey(t *testing.T) {
	for _, n := range []string{"영희", "Young-hee", "Yŏng-hŭi", "Yong Hui", "령희"} {
		if got := GivenKey(n); got != "yonghi" {
			t.Errorf("GivenKey(%q) = %q, want yonghi", n, got)
		}
	}
}

func FuzzKey(f *testing.F) {
	for _, g := range sameKey {
		for _, n := range g.names {
			f.Add(n)
		}
	}
	f.Add("ng-ng ㄱ 가\u11A8 ' - , ,")
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		if k != Normalize(k) || strings.ToLower(k) != k {
			t.Fatalf("Key(%q) = %q is not lower-case normal", s, k)
		}
		for _, r := range k {
			if !(r >= 'a' && r <= 'z' || r == ' ' || r == '-') {
				t.Fatalf("Key(%q) = %q has %q outside the key alphabet", s, k, r)
			}
		}
		if kk := Key(k); kk != k {
			t.Fatalf("Key(%q) = %q, but Key(%q) = %q", s, k, k, kk)
		}
		_ = KeyVariants(s)
		_ = SyllableKeys(s)
		_ = SurnameKey(s)
		_ = FoldInitialSound(s)
		_ = InitialSoundVariants(s)
	})
}

// TestKeyResolution guards against a key that merges too much: among the
// 3,600 two-syllable given names made from the 60 commonest name
// syllables, the share with a key of their own (no other name of the set
// merges with it) must stay above 40 %, and the keys must number more
// than 60 % of the names. (Measured when written: 2,325 keys.)
func TestKeyResolution(t *testing.T) {
	syl := []rune(nameSyllables)[:60]
	keys := map[string]int{}
	n := 0
	for _, a := range syl {
		for _, b := range syl {
			keys[GivenKey(string(a)+string(b))]++
			n++
		}
	}
	alone := 0
	for _, c := range keys {
		if c == 1 {
			alone++
		}
	}
	t.Logf("%d names, %d keys, %d names alone on their key", n, len(keys), alone)
	if len(keys)*100 < n*60 {
		t.Errorf("%d keys for %d names: the key merges too much", len(keys), n)
	}
	if alone*100 < n*40 {
		t.Errorf("only %d of %d names have a key of their own", alone, n)
	}
}
