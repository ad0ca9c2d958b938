package bundle_test

import (
	"context"
	"testing"

	"github.com/sillok/sillok/bundle"
)

// BenchmarkVerify1000 verifies a bundle of 1,000 items (1,334 blobs,
// 1,334 events with proofs), small files: it measures per-file work
// (hashing, note and proof checks), not disk throughput.
//
//	go test ./bundle -run '^$' -bench Verify1000 -benchtime 5x
func BenchmarkVerify1000(b *testing.B) {
	f := newFixture(b, 1000)
	dir := f.export(b)
	b.ResetTimer()
	for b.Loop() {
		r, err := bundle.Verify(context.Background(), dir, bundle.Options{Key: f.key.VerifierKey})
		if err != nil || !r.OK() {
			b.Fatalf("%v %v", err, r.Problems)
		}
	}
}
