package custody

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func ev(i int) Event {
	rev := tlog.RecordHash(fmt.Appendf(nil, "rev %d", i))
	return Event{Kind: RecordRevised, Actor: "staff-1", Record: fmt.Sprintf("r%d", i%7),
		Revision: fmt.Sprintf("%x", rev[:]), Time: t0.Add(time.Duration(i) * time.Second)}
}

func newLog(t *testing.T, n int) (*Log, *MemStorage, *Key) {
	t.Helper()
	st := NewMemStorage()
	key := testKey(t)
	l, err := Open(context.Background(), st, Config{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	for i := range n {
		if _, err := l.Append(context.Background(), ev(i)); err != nil {
			t.Fatal(err)
		}
	}
	return l, st, key
}

func TestProofsCheckWithTlog(t *testing.T) {
	ctx := context.Background()
	l, _, key := newLog(t, 37)
	c, signed := l.Latest()
	// The checkpoint opens with note.Open alone.
	n, err := note.Open(signed, note.VerifierList(key.Verifier))
	if err != nil {
		t.Fatal(err)
	}
	if n.Text != string(c.Text()) || !strings.HasPrefix(n.Text, "sillok.example/test\n37\n") {
		t.Errorf("checkpoint text %q", n.Text)
	}
	for i := range c.Size {
		data, _, err := l.Event(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		p, err := l.ProveInclusion(ctx, i, c.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(p, c.Size, c.Root, i, tlog.RecordHash(data)); err != nil {
			t.Errorf("event %d: %v", i, err)
		}
		if err := tlog.CheckRecord(p, c.Size, c.Root, i, tlog.RecordHash(append(data, ' '))); err == nil {
			t.Errorf("event %d: proof checks for altered data", i)
		}
	}
	old := c
	for i := 37; i < 50; i++ {
		l.Append(ctx, ev(i))
	}
	c, _ = l.Latest()
	p, err := l.ProveConsistency(ctx, old.Size, c.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(p, c.Size, c.Root, old.Size, old.Root); err != nil {
		t.Errorf("consistency %d→%d: %v", old.Size, c.Size, err)
	}
	proofs, pc, _, err := l.Prove(ctx, []int64{0, 49})
	if err != nil || len(proofs) != 2 || pc != c {
		t.Fatalf("Prove = %d proofs, %v, %v", len(proofs), pc, err)
	}
}

func TestConcurrentAppendsBatch(t *testing.T) {
	ctx := context.Background()
	st := NewMemStorage()
	key := testKey(t)
	l, err := Open(ctx, st, Config{Key: key, MaxBatch: 64})
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	var wg sync.WaitGroup
	idx := make(chan int64, n)
	for i := range n {
		wg.Go(func() {
			r, err := l.Append(ctx, ev(i))
			if err != nil {
				t.Error(err)
				return
			}
			// Group commit's promise: the receipt's checkpoint includes
			// the event, and that checkpoint is stored.
			data, _, _ := l.Event(ctx, r.Index)
			p, _ := l.ProveInclusion(ctx, r.Index, r.Checkpoint.Size)
			if err := tlog.CheckRecord(p, r.Checkpoint.Size, r.Checkpoint.Root, r.Index, tlog.RecordHash(data)); err != nil {
				t.Errorf("event %d not in its receipt's checkpoint: %v", r.Index, err)
			}
			idx <- r.Index
		})
	}
	wg.Wait()
	l.Close()
	close(idx)
	seen := map[int64]bool{}
	for i := range idx {
		seen[i] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct indexes for %d appends", len(seen), n)
	}
	var cps int
	st.Checkpoints(ctx, func(int64, []byte) error { cps++; return nil })
	t.Logf("%d events in %d checkpoints", n, cps)
	if _, err := l.Append(ctx, ev(0)); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v, want ErrClosed", err)
	}
}

func problemsText(r *Report) string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.Error() + "\n")
	}
	return b.String()
}

func TestVerifyTamper(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(st *MemStorage)
		want   []string // each must appear in the report
	}{
		{"intact", func(*MemStorage) {}, nil},
		{"leaf byte changed", func(st *MemStorage) {
			st.leaves[5] = bytes.Replace(st.leaves[5], []byte("staff-1"), []byte("staff-2"), 1)
		}, []string{"event 5: stored hash", "checkpoint of size 6: signed root"}},
		{"leaf made non-canonical", func(st *MemStorage) {
			st.leaves[3] = append(st.leaves[3], ' ')
		}, []string{"event 3: invalid custody event", "event 3: stored hash"}},
		{"last event dropped", func(st *MemStorage) {
			st.leaves = st.leaves[:19]
			st.hashes = st.hashes[:tlog.StoredHashCount(19)]
		}, []string{"checkpoint of size 20: covers 20 events but the log holds 19"}},
		{"middle event dropped, hashes rebuilt", func(st *MemStorage) {
			leaves := append(append([][]byte(nil), st.leaves[:7]...), st.leaves[8:]...)
			fresh := NewMemStorage()
			appendLeaves(t, fresh, leaves)
			st.leaves, st.hashes = fresh.leaves, fresh.hashes
		}, []string{"checkpoint of size 8: signed root", "checkpoint of size 19: signed root", "checkpoint of size 20: covers 20"}},
		{"checkpoint signature changed", func(st *MemStorage) {
			s := st.cps[4].signed
			s[len(s)-20] ^= 1 // inside the signature's base64
		}, []string{"checkpoint of size 4: invalid checkpoint"}},
		{"stored hash changed", func(st *MemStorage) {
			st.hashes[tlog.StoredHashIndex(0, 11)][0] ^= 1
		}, []string{"event 11: stored hash (level 0)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st, key := newLog(t, 20)
			tt.tamper(st)
			rep, err := Verify(ctx, st, key.Verifier)
			if err != nil {
				t.Fatal(err)
			}
			got := problemsText(rep)
			if len(tt.want) == 0 && !rep.OK() {
				t.Fatalf("intact log reported:\n%s", got)
			}
			if len(tt.want) > 0 && rep.OK() {
				t.Fatal("tampered log passed Verify")
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("report lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestVerifyOtherKey(t *testing.T) {
	_, st, _ := newLog(t, 3)
	other, err := GenerateKeyFile(t.TempDir()+"/k", "sillok.example/test")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(context.Background(), st, other.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.Checkpoints != 4 {
		t.Errorf("Verify with another key: ok=%v, %d checkpoints", rep.OK(), rep.Checkpoints)
	}
	if _, err := Open(context.Background(), st, Config{Key: other}); err == nil {
		t.Error("Open accepted a log signed by another key")
	}
}

func TestCompareRevisions(t *testing.T) {
	_, st, key := newLog(t, 21)
	rep, _ := Verify(context.Background(), st, key.Verifier)
	current := map[string]string{}
	for id, rev := range rep.Revisions {
		current[id] = rev
	}
	if probs := CompareRevisions(rep.Revisions, current); len(probs) != 0 {
		t.Fatalf("identical states differ: %v", probs)
	}
	current["r3"] = h1    // row edited in the database
	delete(current, "r5") // row deleted
	current["r99"] = h2   // row inserted without an event
	probs := CompareRevisions(rep.Revisions, current)
	var got []string
	for _, p := range probs {
		got = append(got, p.Record)
	}
	if fmt.Sprint(got) != "[r3 r5 r99]" {
		t.Errorf("CompareRevisions named %v, want [r3 r5 r99]: %v", got, probs)
	}
}

func TestKeyFile(t *testing.T) {
	path := t.TempDir() + "/log.key"
	k, err := GenerateKeyFile(path, "sillok.example/key-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateKeyFile(path, "sillok.example/key-test"); err == nil {
		t.Error("GenerateKeyFile overwrote an existing key")
	}
	back, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.VerifierKey != k.VerifierKey || back.Origin() != "sillok.example/key-test" {
		t.Errorf("loaded key %q, want %q", back.VerifierKey, k.VerifierKey)
	}
	pub, _ := os.ReadFile(path + ".pub")
	if strings.TrimSpace(string(pub)) != k.VerifierKey {
		t.Errorf(".pub holds %q", pub)
	}
	// The derived verifier checks what the signer signs.
	msg, _ := note.Sign(&note.Note{Text: "x\n"}, back.Signer)
	if _, err := note.Open(msg, note.VerifierList(back.Verifier)); err != nil {
		t.Errorf("derived verifier rejects the signer's note: %v", err)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadKeyFile(path); err == nil {
		t.Error("LoadKeyFile accepted a world-readable key")
	}
}

// TestNoteStrictBase64: note.Open accepts a signature whose last base64
// character differs only in padding bits; OpenCheckpoint must not, or a
// changed byte in a checkpoint would go unnoticed.
func TestNoteStrictBase64(t *testing.T) {
	l, _, key := newLog(t, 2)
	_, signed := l.Latest()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	mod := append([]byte(nil), signed...)
	i := bytes.LastIndexByte(mod, '=') - 1 // last data character
	mod[i] = alphabet[strings.IndexByte(alphabet, mod[i])^1]
	if _, err := note.Open(mod, note.VerifierList(key.Verifier)); err != nil {
		t.Skipf("note.Open now rejects non-canonical base64 (%v); the extra check is moot", err)
	}
	if _, err := OpenCheckpoint(mod, key.Verifier); err == nil {
		t.Error("OpenCheckpoint accepted a signature with changed padding bits")
	}
	if _, err := OpenCheckpoint(signed, key.Verifier); err != nil {
		t.Errorf("original: %v", err)
	}
}

func TestOpenRefusesDamagedTree(t *testing.T) {
	l, st, key := newLog(t, 6)
	l.Close()
	st.hashes[tlog.StoredHashIndex(1, 2)][0] ^= 1 // the node over leaves 4 and 5, part of the root
	if _, err := Open(context.Background(), st, Config{Key: key}); err == nil || !strings.Contains(err.Error(), "run verify") {
		t.Errorf("Open on a damaged tree: %v", err)
	}
}

func TestAppendAllOneCheckpoint(t *testing.T) {
	ctx := context.Background()
	l, st, key := newLog(t, 3)
	es := make([]Event, 2500) // more than MaxBatch: still one checkpoint
	for i := range es {
		es[i] = ev(100 + i)
	}
	rs, err := l.AppendAll(ctx, es)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(es) {
		t.Fatalf("%d receipts for %d events", len(rs), len(es))
	}
	for i, r := range rs {
		if r.Index != int64(3+i) || r.Checkpoint.Size != 3+int64(len(es)) {
			t.Fatalf("receipt %d: index %d in checkpoint %d", i, r.Index, r.Checkpoint.Size)
		}
	}
	n := 0
	st.Checkpoints(ctx, func(int64, []byte) error { n++; return nil })
	if n != 5 { // the empty tree at Open, three single appends, one for the whole batch
		t.Errorf("%d checkpoints, want 5", n)
	}
	// In order: leaf 3+i is es[i].
	for _, i := range []int{0, 1, 1234, len(es) - 1} {
		_, got, err := l.Event(ctx, int64(3+i))
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != es[i].Revision {
			t.Errorf("leaf %d holds the wrong event", 3+i)
		}
	}
	rep, err := Verify(ctx, st, key.Verifier)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
	// Encoded events go in as they are; a non-canonical one is refused.
	d, _ := ev(9999).Marshal()
	r2, err := l.AppendEncoded(ctx, [][]byte{d})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := l.Event(ctx, r2[0].Index); !bytes.Equal(got, d) {
		t.Errorf("AppendEncoded stored %s, want %s", got, d)
	}
	if _, err := l.AppendEncoded(ctx, [][]byte{append([]byte(" "), d...)}); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("non-canonical event: %v", err)
	}
	// One invalid event fails the call and logs nothing.
	bad := []Event{ev(1), {Kind: RecordCreated}}
	if _, err := l.AppendAll(ctx, bad); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("invalid batch: %v", err)
	}
	if c, _ := l.Latest(); c.Size != 4+int64(len(es)) {
		t.Errorf("size %d after a refused batch", c.Size)
	}
}
