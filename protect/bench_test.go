package protect

import (
	"context"
	"encoding/json"
	"flag"
	"testing"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
)

var demoPeople = flag.Int("demo-people", 100_000, "people in the demo import benchmark")

func BenchmarkSealPerson(b *testing.B) {
	a, rec := mustKey(b, "ngo-a"), mustKey(b, RecoveryHolder)
	s := mustSealer(b, a, rec, nil)
	p := &sillok.Person{Sex: sillok.SexFemale, Birth: sillok.MustDate("1971-08-23"), OriginText: "Musan-gun",
		Names: []sillok.Name{{Value: "김영희", Script: "hangul"}, {Value: "Kim Yong-hui", Script: "latin"}}}
	id := sillok.NewID(sillok.KindPerson)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.SealPerson(id, p, "V-0001", PersonFields{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenPerson(b *testing.B) {
	a, rec := mustKey(b, "ngo-a"), mustKey(b, RecoveryHolder)
	s := mustSealer(b, a, rec, nil)
	id := sillok.NewID(sillok.KindPerson)
	clear, _, err := s.SealPerson(id, &sillok.Person{Names: []sillok.Name{{Value: "김영희"}}}, "V-0001", PersonFields{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := a.OpenPerson(id, clear); err != nil {
			b.Fatal(err)
		}
	}
}

// countingSink encodes every record body, as a store would, and counts
// bytes; with a sealer it seals person bodies first.
type countingSink struct {
	sealer         *Sealer
	ps             int
	persons, bytes int
}

func (c *countingSink) Create(ctx context.Context, actor sillok.Actor, r *sillok.Record) error {
	if p, ok := r.Body.(*sillok.Person); ok {
		c.persons++
		if c.sealer != nil {
			c.ps++
			body, _, err := c.sealer.SealPerson(r.ID, p, Pseudonyms{}.Format(int64(c.ps)), PersonFields{})
			if err != nil {
				return err
			}
			r.Body = body
		}
	}
	b, err := json.Marshal(r.Body)
	if err != nil {
		return err
	}
	c.bytes += len(b)
	return nil
}

// BenchmarkDemoImport generates the demo data set (-demo-people
// individuals) into a counting sink, with person bodies in clear and
// sealed; compare the two ns/op for the cost of field encryption.
func BenchmarkDemoImport(b *testing.B) {
	a, rec := mustKey(b, "ngo-a"), mustKey(b, RecoveryHolder)
	for _, mode := range []string{"clear", "sealed"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				sink := &countingSink{}
				if mode == "sealed" {
					sink.sealer = mustSealer(b, a, rec, nil)
				}
				if _, err := demo.Generate(context.Background(), demo.Options{People: *demoPeople, Seed: 1}, sink); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(sink.persons), "persons")
				b.ReportMetric(float64(sink.bytes)/float64(sink.persons), "bytes/person")
			}
		})
	}
}
