package korean

import (
	"slices"
	"testing"
)

func TestSyllableCandidates(t *testing.T) {
	tests := []struct {
		in      string
		want    []string // must be present, in this order
		notWant []string
	}{
		{"yeong", []string{"영"}, []string{"용"}},
		{"young", []string{"영"}, []string{"용"}},
		{"yong", []string{"영", "용", "룡"}, nil},
		{"Yŏng", []string{"영", "용", "룡"}, nil},
		{"hee", []string{"희"}, nil},
		{"hui", []string{"희"}, nil},
		{"hŭi", []string{"희"}, nil},
		{"sung", []string{"성", "승"}, nil},
		{"cheol", []string{"철"}, nil},
		{"chul", []string{"철"}, nil},
		{"ch'ŏl", []string{"철"}, nil},
		{"woo", []string{"우"}, nil},
		{"ryon", []string{"련"}, nil},
		{"yeon", []string{"연", "련"}, nil},
		{"xq", nil, nil},
	}
	for _, tt := range tests {
		got := SyllableCandidates(tt.in)
		if tt.want == nil && got != nil && len(got) > 0 {
			t.Errorf("SyllableCandidates(%q) = %q, want none", tt.in, got)
		}
		last := -1
		for _, w := range tt.want {
			i := slices.Index(got, w)
			if i < 0 {
				t.Errorf("SyllableCandidates(%q) = %q, missing %q", tt.in, got, w)
				continue
			}
			if i < last {
				t.Errorf("SyllableCandidates(%q) = %q, %q out of order", tt.in, got, w)
			}
			last = i
		}
		for _, w := range tt.notWant {
			if slices.Contains(got, w) {
				t.Errorf("SyllableCandidates(%q) = %q, has %q", tt.in, got, w)
			}
		}
	}
}

func TestSurnameCandidates(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Chun", []string{"전", "천"}},
		{"So", []string{"서", "소"}},
		{"Song", []string{"송", "성"}},
		{"Lee", []string{"이"}},
		{"Ri", []string{"이"}},
		{"Kimm", []string{"김"}},
		{"Namgoong", []string{"남궁"}},
		{"Zzyzx", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range SurnameCandidates(tt.in) {
			got = append(got, s.Hangul)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("SurnameCandidates(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHangulCandidates(t *testing.T) {
	tests := []struct {
		in    string
		first string
		has   []string
	}{
		{"Ri Yong Hui", "이영희", []string{"이용희", "이룡희"}},
		{"Lee Young-hee", "이영희", nil},
		{"Kim Jong Un", "김정은", []string{"김종은"}},
		{"Han Boknam", "한복남", nil},
		{"Park Chung-hee", "박정희", nil},
		{"Choi Minsu", "최민수", nil},
		{"Kim Jiwon", "김지원", nil},
		{"Kim", "김", nil},
	}
	for _, tt := range tests {
		got := HangulCandidates(tt.in, 10)
		if len(got) == 0 || got[0] != tt.first {
			t.Errorf("HangulCandidates(%q) = %q, want %q first", tt.in, got, tt.first)
			continue
		}
		for _, h := range tt.has {
			if !slices.Contains(got, h) {
				t.Errorf("HangulCandidates(%q) = %q, missing %q", tt.in, got, h)
			}
		}
		// Every candidate has the name's key.
		for _, h := range got {
			if Key(h) != Key(tt.in) {
				t.Errorf("HangulCandidates(%q) has %q with key %q, not %q", tt.in, h, Key(h), Key(tt.in))
			}
		}
	}
	if got := HangulCandidates("Kim Xq", 5); got != nil {
		t.Errorf("HangulCandidates(Kim Xq) = %q, want nil", got)
	}
	if got := HangulCandidates("Kim Yong Hui", 2); len(got) != 2 {
		t.Errorf("limit 2 gave %d candidates", len(got))
	}
}

func TestGivenNameCandidates(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string // first candidate of each syllable
	}{
		{"Younghee", [][]string{{"영"}, {"희"}}},
		{"Yong-hui", [][]string{{"영"}, {"희"}}},
		{"Boknam", [][]string{{"복"}, {"남"}}},
		{"Minsu", [][]string{{"민"}, {"수"}}},
	}
	for _, tt := range tests {
		got := GivenNameCandidates(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("GivenNameCandidates(%q) = %q, want %d syllables", tt.in, got, len(tt.want))
			continue
		}
		for i := range got {
			if len(got[i]) == 0 || got[i][0] != tt.want[i][0] {
				t.Errorf("GivenNameCandidates(%q)[%d] = %q, want %q first", tt.in, i, got[i], tt.want[i][0])
			}
		}
	}
}

func FuzzHangulCandidates(f *testing.F) {
	for _, s := range []string{"Ri Yong Hui", "Lee Younghee", "Kim", "Namgoong Minsu", "Chun Doo-hwan"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := HangulCandidates(s, 5)
		if len(got) > 5 {
			t.Fatalf("HangulCandidates(%q, 5) gave %d", s, len(got))
		}
		for _, h := range got {
			for _, r := range h {
				if !IsSyllable(r) {
					t.Fatalf("HangulCandidates(%q) = %q: %q is not a syllable", s, got, r)
				}
			}
		}
	})
}
