package demo_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/sillok/sillok"
	"github.com/sillok/sillok/demo"
)

type discard struct{}

func (discard) Create(context.Context, sillok.Actor, *sillok.Record) error { return nil }

// With a store, pass demo.StoreBatch(store) instead of the BatchFunc below:
// each batch of records is then committed in its own transaction.
func ExampleGenerateBatched() {
	var truth bytes.Buffer // e.g. the file of sillok demo --truth
	batches := 0
	st, err := demo.GenerateBatched(context.Background(),
		demo.Options{People: 100, Seed: 1, Truth: &truth, BatchSize: 200},
		func(ctx context.Context, fn func(demo.Sink) error) error {
			batches++
			return fn(discard{})
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("individuals:", st.Individuals)
	fmt.Println("one truth row per person record:", bytes.Count(truth.Bytes(), []byte("\n"))-1 == st.PersonRecords)
	fmt.Println("batches of 200:", batches == (st.Total+199)/200)
	// Output:
	// individuals: 100
	// one truth row per person record: true
	// batches of 200: true
}
