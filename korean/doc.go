// Package korean handles Korean personal names for Sillok: Hangul syllable
// arithmetic, the one normal form in which names are stored (Normalize),
// the initial-sound rule that separates North and South Korean spellings
// (FoldInitialSound), romanization in the Revised Romanization, in
// McCune–Reischauer and in the DPRK's style, a table of family names with
// their spellings and census shares (Surnames), and a script-independent
// phonetic key for record linkage, blocking and blind indexes (Key,
// SurnameKey, SyllableKeys).
//
// The same witness, perpetrator or victim appears as 리영희 in one
// testimony, 이영희 in a South Korean register, "Ri Yong Hui" in a UN
// document and "Lee Young-hee" in an NGO spreadsheet. Key gives all four
// the key "i yonghi", so that linkage compares them, while 김영희 and
// 이영수 keep keys of their own.
//
// Everything except Unicode normalisation (golang.org/x/text) is written
// here by hand: no maintained Go library does RR and MR romanization,
// initial-sound folding and romanization-variant tables together, the
// rules are short and well specified, and a name key that other packages
// persist (blind indexes) must not change under a dependency's update. The
// sound classes and rewrites of the key are documented in key.go; changing
// them changes stored keys and needs a re-index.
//
// Keys are for comparison, not secrecy: a name key has little entropy, so
// a blind index must store a keyed MAC of it, and even then a holder of
// the MAC key can test guesses. Key documents what it merges and its
// limits (Western name order, given names alone, unhyphenated vowel
// sequences).
//
// Errors: the functions take any string and do not fail; they neither log
// nor return errors, so no name can leak through either. Non-Hangul runes
// pass through the Hangul functions unchanged; letters that are neither
// Hangul nor Latin are ignored by the key functions. The package keeps no
// mutable state: its tables are read-only and the lookup indexes over them
// are built once, on first use.
package korean
