package korean

import (
	"slices"
	"testing"
)

func TestFoldInitialSound(t *testing.T) {
	tests := []struct{ in, want string }{
		{"리영희", "이영희"},
		{"림룡남", "임용남"},
		{"류", "유"},
		{"로명수", "노명수"},
		{"량", "양"},
		{"려은", "여은"},
		{"김련희", "김연희"},
		{"김룡", "김용"},
		{"김녀", "김여"},
		{"김뉴", "김유"},
		{"김니나", "김이나"},
		{"라미란", "나미란"},
		{"뢰성", "뇌성"},
		{"리 련희", "이 연희"},
		{"김 룡 남", "김 용 남"}, // a spaced given name is one name
		{"김 남 룡", "김 남 룡"},
		{"김 선 률", "김 선 율"},
		{"김하륜", "김하륜"}, // inside the given name ㄹ stays
		{"정신립", "정신립"},
		{"김선률", "김선율"}, // 률 after ㄴ
		{"김하렬", "김하열"}, // 렬 after a vowel
		{"김명렬", "김명렬"}, // after ㅇ it stays
		{"이영희", "이영희"},
		{"Ri Yong Hui", "Ri Yong Hui"},
		{"  리영희 ", "이영희"},
	}
	for _, tt := range tests {
		if got := FoldInitialSound(tt.in); got != tt.want {
			t.Errorf("FoldInitialSound(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldWord(t *testing.T) {
	for in, want := range map[string]string{"리": "이", "로동": "노동", "녀자": "여자", "냉면": "냉면", "Ri": "Ri", "": ""} {
		if got := FoldWord(in); got != want {
			t.Errorf("FoldWord(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInitialSoundVariants(t *testing.T) {
	tests := []struct {
		in      string
		want    []string // must all be present
		notWant []string
	}{
		{"이영희", []string{"이영희", "리영희", "이령희", "리령희"}, []string{"이영리"}},
		{"리영희", []string{"이영희", "리영희"}, nil},
		{"노명수", []string{"노명수", "로명수"}, []string{"노명주"}},
		{"김선율", []string{"김선율", "김선률"}, nil},
		{"Kim Yong Hui", []string{"Kim Yong Hui"}, nil},
	}
	for _, tt := range tests {
		got := InitialSoundVariants(tt.in)
		if got[0] != FoldInitialSound(tt.in) {
			t.Errorf("InitialSoundVariants(%q)[0] = %q, want the South form %q", tt.in, got[0], FoldInitialSound(tt.in))
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("InitialSoundVariants(%q) = %q, missing %q", tt.in, got, w)
			}
		}
		for _, w := range tt.notWant {
			if slices.Contains(got, w) {
				t.Errorf("InitialSoundVariants(%q) = %q, has %q", tt.in, got, w)
			}
		}
		for _, v := range got {
			if f := FoldInitialSound(v); f != got[0] {
				t.Errorf("variant %q of %q folds to %q, not %q", v, tt.in, f, got[0])
			}
		}
	}
}

func FuzzFoldInitialSound(f *testing.F) {
	for _, s := range []string{"리영희", "림 룡 남", "김선률", "려렬", "Ri Yong Hui", "남궁련"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		south := FoldInitialSound(s)
		if again := FoldInitialSound(south); again != south {
			t.Fatalf("FoldInitialSound not idempotent: %q → %q → %q", s, south, again)
		}
		vs := InitialSoundVariants(s)
		if len(vs) == 0 || vs[0] != south || len(vs) > maxVariants*3 {
			t.Fatalf("InitialSoundVariants(%q) = %q", s, vs)
		}
		for _, v := range vs {
			if FoldInitialSound(v) != south {
				t.Fatalf("variant %q of %q folds to %q, not %q", v, s, FoldInitialSound(v), south)
			}
			if Key(v) != Key(south) {
				t.Fatalf("variant %q of %q has key %q, %q has %q", v, s, Key(v), south, Key(south))
			}
		}
	})
}
