package korean

import "testing"

var benchNames = []string{"리영희", "Lee Young-hee", "Kim Jong Un", "남궁민수", "Yi Yŏng-hŭi", "Choe Ryong Hae", "박정희", "Rhee Yeong-hui"}

func BenchmarkKey(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = Key(benchNames[i%len(benchNames)])
		i++
	}
}

func BenchmarkKeyHangul(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Key("리영희")
	}
}

func BenchmarkKeyRomanized(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Key("Rhee Yeong-hui")
	}
}

func BenchmarkSyllableKeys(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = SyllableKeys("Lee Young-hee")
	}
}

func BenchmarkRomanizeRR(b *testing.B) {
	const text = "조선민주주의인민공화국 평양 대관령 왕십리 학여울"
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = RomanizeRR(text)
	}
}

func BenchmarkRomanizeName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = RomanizeName("김영희", MR)
	}
}

func BenchmarkHangulCandidates(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = HangulCandidates("Ri Yong Hui", 10)
	}
}
