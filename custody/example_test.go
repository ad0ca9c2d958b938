package custody_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sillok/sillok/custody"
	"golang.org/x/mod/sumdb/tlog"
)

// Output notes: Open signs a checkpoint of the empty log, so one append
// leaves two checkpoints.
//
// The life of a custody log, as `sillok evidence add`, `sillok log verify`
// and `sillok bundle export` will use it.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "custody-example")
	defer os.RemoveAll(dir)

	// Once per repository: the key lives outside the database.
	key, err := custody.GenerateKeyFile(filepath.Join(dir, "log.key"), "sillok.example/repo-1")
	if err != nil {
		panic(err)
	}
	st, _ := custody.OpenFileStorage(filepath.Join(dir, "log"))
	defer st.Close()
	l, err := custody.Open(ctx, st, custody.Config{Key: key})
	if err != nil {
		panic(err)
	}

	// An original is received; the witness's file is protected, so the
	// event carries a commitment and the salt goes to encrypted metadata.
	commitment, salt, _ := custody.Protect([]byte("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"))
	_ = salt
	r, err := l.Append(ctx, custody.Event{Kind: custody.EvidenceReceived, Actor: "staff-1",
		Commitment: commitment, Source: "src-17", Channel: "in person", Time: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	fmt.Println("event", r.Index, "in checkpoint of size", r.Checkpoint.Size)

	// Proof for a bundle, checked with x/mod alone.
	proofs, cp, _, _ := l.Prove(ctx, []int64{r.Index})
	fmt.Println("proof checks:", tlog.CheckRecord(proofs[0].Proof, cp.Size, cp.Root, r.Index, tlog.RecordHash(proofs[0].Data)) == nil)
	l.Close()

	// log verify.
	rep, _ := custody.Verify(ctx, st, key.Verifier)
	fmt.Println("verify ok:", rep.OK(), "events:", rep.Size, "checkpoints:", rep.Checkpoints)
	// Output:
	// event 0 in checkpoint of size 1
	// proof checks: true
	// verify ok: true events: 1 checkpoints: 2
}
