package search

import "testing"

// Pairs from the Snowball project's published English vocabulary and
// output (Porter2), plus the special cases of its algorithm description.
func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"consign", "consign"}, {"consigned", "consign"}, {"consigning", "consign"},
		{"consignment", "consign"}, {"consist", "consist"}, {"consisted", "consist"},
		{"consistency", "consist"}, {"consistent", "consist"}, {"consistently", "consist"},
		{"consisting", "consist"}, {"consists", "consist"}, {"consolation", "consol"},
		{"consolations", "consol"}, {"consolatory", "consolatori"}, {"console", "consol"},
		{"consoled", "consol"}, {"consoles", "consol"}, {"consolidate", "consolid"},
		{"consolidated", "consolid"}, {"consolidating", "consolid"}, {"consoling", "consol"},
		{"consolingly", "consol"}, {"consols", "consol"}, {"consonant", "conson"},
		{"consort", "consort"}, {"consorted", "consort"}, {"consorting", "consort"},
		{"conspicuous", "conspicu"}, {"conspicuously", "conspicu"}, {"conspiracy", "conspiraci"},
		{"conspirator", "conspir"}, {"conspirators", "conspir"}, {"conspire", "conspir"},
		{"conspired", "conspir"}, {"conspiring", "conspir"}, {"constable", "constabl"},
		{"constables", "constabl"}, {"constance", "constanc"}, {"constancy", "constanc"},
		{"constant", "constant"},
		{"knack", "knack"}, {"knackeries", "knackeri"}, {"knacks", "knack"}, {"knave", "knave"},
		{"knaves", "knave"}, {"kneaded", "knead"}, {"kneading", "knead"}, {"knee", "knee"},
		{"kneel", "kneel"}, {"kneeled", "kneel"}, {"kneeling", "kneel"}, {"kneels", "kneel"},
		{"knees", "knee"}, {"knell", "knell"}, {"knelt", "knelt"}, {"knew", "knew"},
		{"knife", "knife"}, {"knight", "knight"}, {"knightly", "knight"}, {"knights", "knight"},
		{"knit", "knit"}, {"knits", "knit"}, {"knitted", "knit"}, {"knitting", "knit"},
		{"knives", "knive"}, {"knob", "knob"}, {"knocked", "knock"}, {"knocker", "knocker"},
		{"knockers", "knocker"}, {"knocking", "knock"}, {"knot", "knot"}, {"knots", "knot"},
		// Algorithm description's examples and special words.
		{"ties", "tie"}, {"cries", "cri"}, {"gas", "gas"}, {"this", "this"}, {"gaps", "gap"},
		{"kiwis", "kiwi"}, {"hopping", "hop"}, {"hoping", "hope"}, {"agreed", "agre"},
		{"feed", "feed"}, {"generalization", "general"}, {"communism", "communism"},
		{"arsenal", "arsenal"}, {"skies", "sky"}, {"dying", "die"}, {"news", "news"},
		{"succeed", "succeed"}, {"evening", "evening"}, {"cry", "cri"}, {"by", "by"},
		{"say", "say"}, {"happy", "happi"}, {"added", "add"}, {"running", "run"},
		{"generously", "generous"}, {"relational", "relat"},
		// Words of the domain.
		{"executed", "execut"}, {"executions", "execut"}, {"detention", "detent"},
		{"tortured", "tortur"}, {"camps", "camp"}, {"prisoners", "prison"}, {"arrested", "arrest"},
	}
	for _, tt := range tests {
		if got := stem(tt.in); got != tt.want {
			t.Errorf("stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
