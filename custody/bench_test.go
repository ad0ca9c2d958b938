package custody

import (
	"context"
	"flag"
	"testing"
)

var verifyEvents = flag.Int("verify.events", 10000, "events in the log BenchmarkVerify checks (the issue's figure is 1000000)")

// BenchmarkAppend measures appended events per second with many
// concurrent appenders sharing group commits.
//
//	go test ./custody -run '^$' -bench Append -cpu 2
func BenchmarkAppend(b *testing.B) {
	for _, bc := range []struct {
		name string
		st   func(b *testing.B) Storage
	}{
		{"mem", func(b *testing.B) Storage { return NewMemStorage() }},
		{"file", func(b *testing.B) Storage {
			s, err := OpenFileStorage(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l, err := Open(context.Background(), bc.st(b), Config{Key: testKey(b)})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			b.SetParallelism(64) // appenders per CPU: a busy repository
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := l.Append(context.Background(), ev(i)); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkVerify measures a full Verify of a log of -verify.events
// events in MemStorage (so it measures hashing and tree work, not disk),
// with a signed checkpoint every 1000 events.
//
//	go test ./custody -run '^$' -bench Verify -verify.events 1000000 -benchtime 1x
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	key := testKey(b)
	st := NewMemStorage()
	l, err := Open(ctx, st, Config{Key: key})
	if err != nil {
		b.Fatal(err)
	}
	l.Close()
	const batch = 1000
	for n := 0; n < *verifyEvents; n += batch {
		leaves := make([][]byte, 0, batch)
		for i := n; i < min(n+batch, *verifyEvents); i++ {
			d, _ := ev(i).Marshal()
			leaves = append(leaves, d)
		}
		appendLeaves(b, st, leaves)
		size, _ := st.Size(ctx)
		l.checkpoint(ctx, size)
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := Verify(ctx, st, key.Verifier)
		if err != nil || !rep.OK() {
			b.Fatalf("Verify: %v %v", err, rep.Problems)
		}
	}
	b.ReportMetric(float64(*verifyEvents), "events")
}
