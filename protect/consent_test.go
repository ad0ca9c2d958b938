package protect

import (
	"reflect"
	"testing"
	"time"

	"github.com/sillok/sillok"
)

// Consent stays in clear on a sealed source: exports enforce it without
// the organisation's key.
func TestSealSourceKeepsConsent(t *testing.T) {
	a, rec := mustKey(t, "ngo-a"), mustKey(t, RecoveryHolder)
	s := mustSealer(t, a, rec, nil)
	c := &sillok.Consent{Uses: []string{"internal", "prosecution"}, Given: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), RecordedBy: "kim",
		Withdrawals: []sillok.ConsentWithdrawal{{When: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Uses: []string{"prosecution"}, RecordedBy: "lee"}}}
	id := sillok.NewID(sillok.KindSource)
	out, _, err := s.SealSource(id, &sillok.Source{Type: "testimony", Interviewee: "per_x", Transcript: sillok.Labels{Ko: "증언"}, Consent: c})
	if err != nil {
		t.Fatal(err)
	}
	if out.Sealed == nil || out.Transcript.Ko != "" {
		t.Fatalf("source not sealed: %+v", out)
	}
	if !reflect.DeepEqual(out.Consent, c) {
		t.Errorf("sealed source's consent = %+v, want %+v in clear", out.Consent, c)
	}
}
