package fulltext_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/fulltext"
	"github.com/sillok/sillok/protect"
)

// TestSealedRecords: sealed persons and testimonies are found through
// Reveal (in the process) and their snippets show nothing sealed.
func TestSealedRecords(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			key, _ := protect.NewOrgKey("org-a")
			rec, _ := protect.NewOrgKey(protect.RecoveryHolder)
			kr, err := protect.NewKeyring(rec.Holder(), nil, key)
			if err != nil {
				t.Fatal(err)
			}
			ix := fulltext.New([]byte("k"))
			ix.Reveal = kr.RevealContext
			raw := be.open(t, ix)
			st := protect.NewStore(raw, nil, kr)
			p := &sillok.Record{Kind: sillok.KindPerson, Org: "org-a", Level: sillok.LevelConfidential,
				Body: &sillok.Person{Names: []sillok.Name{{Value: "탁옥련화"}}, Pseudonym: "V-0001"}}
			if err := st.Create(ctx, actor, p); err != nil {
				t.Fatal(err)
			}
			src := &sillok.Record{Kind: sillok.KindSource, Org: "org-a", Level: sillok.LevelStrict,
				Body: &sillok.Source{Type: "testimony", Interviewee: p.ID, Transcript: sillok.Labels{Ko: "저는 무산 출신 탁옥련화입니다. 보위부에 끌려갔습니다."}}}
			if err := st.Create(ctx, actor, src); err != nil {
				t.Fatal(err)
			}
			// A second reader without the stash: a fresh keyring opens
			// from the key, as after a restart.
			kr2, _ := protect.NewKeyring(rec.Holder(), nil, key)
			for _, reveal := range []*protect.Keyring{kr, kr2} {
				ix.Reveal = reveal.RevealContext
				for _, tc := range []struct {
					q    string
					want sillok.ID
				}{{"탁옥련화", p.ID}, {"보위부", src.ID}} {
					res, err := ix.Search(ctx, raw, fulltext.Request{Query: tc.q})
					if err != nil {
						t.Fatal(err)
					}
					found := false
					for _, h := range res.Hits {
						found = found || h.Record.ID == tc.want
						for _, f := range h.Snippet {
							if strings.Contains(f.Text, "탁옥련화") || strings.Contains(f.Text, "보위부") {
								t.Errorf("snippet of %s shows sealed text", h.Record.ID)
							}
						}
					}
					if !found {
						t.Errorf("query %d: %s not found among %d hits", len(tc.q), tc.want, len(res.Hits))
					}
				}
			}
			// Without the keys nothing sealed is confirmed.
			ix.Reveal = nil
			res, err := ix.Search(ctx, raw, fulltext.Request{Query: "보위부"})
			if err != nil || res.Total != 0 {
				t.Fatalf("without keys: %v, %d hits", err, res.Total)
			}
		})
	}
}
