package custody

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFileStorage opens log files with arbitrary content (a damaged or
// hand-edited log): opening and verifying must fail cleanly or report
// problems, never panic or hang, and never pass a log whose checkpoints
// do not verify.
func FuzzFileStorage(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, '{', '}'}, []byte{}, []byte{})
	f.Add([]byte{0, 0, 0, 1}, make([]byte, 32), []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 'x'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, []byte{1}, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0})
	key := testKey(f)
	f.Fuzz(func(t *testing.T, leaves, hashes, cps []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "leaves"), leaves, 0o600)
		os.WriteFile(filepath.Join(dir, "hashes"), hashes, 0o600)
		os.WriteFile(filepath.Join(dir, "checkpoints"), cps, 0o600)
		s, err := OpenFileStorage(dir)
		if err != nil {
			return
		}
		defer s.Close()
		rep, err := Verify(context.Background(), s, key.Verifier)
		if err != nil {
			return
		}
		if rep.OK() && rep.Size > 0 {
			t.Fatalf("random log of %d events verified", rep.Size)
		}
	})
}

func FuzzParseKey(f *testing.F) {
	skey := "PRIVATE+KEY+sillok.example/fuzz+6d1c3a3b+AUQ4ZbnKW3eA8bfUl9M4szmn1rP4Y6IlwCUQ4ivjDFgo"
	f.Add(skey)
	f.Add("PRIVATE+KEY+a+00000000+AQ==")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			return
		}
		// Whatever parses signs notes its own verifier accepts.
		c := Checkpoint{Origin: k.Origin(), Size: 1}
		signed, err := SignCheckpoint(c, k.Signer)
		if err != nil {
			return // a name note accepts but a checkpoint origin does not
		}
		if _, err := OpenCheckpoint(signed, k.Verifier); err != nil {
			t.Fatalf("key %q: own checkpoint does not verify: %v", s, err)
		}
	})
}
