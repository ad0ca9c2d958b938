package custody

import (
	"bytes"
	"context"
	"encoding/hex"
	"testing"

	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/tlog"
)

// appendLeaves stores raw leaves (not events) the way the Log does.
func appendLeaves(t testing.TB, s Storage, leaves [][]byte) {
	t.Helper()
	ctx := context.Background()
	n, _ := s.Size(ctx)
	o := &overlay{ctx: ctx, st: s, base: tlog.StoredHashIndex(0, n)}
	for i, l := range leaves {
		hs, err := tlog.StoredHashes(n+int64(i), l, o)
		if err != nil {
			t.Fatal(err)
		}
		o.pending = append(o.pending, hs...)
	}
	if err := s.Append(ctx, n, leaves, o.pending); err != nil {
		t.Fatal(err)
	}
}

func hx(s string) tlog.Hash {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		panic(s)
	}
	copy(h[:], b)
	return h
}

// TestRFC6962Vectors checks roots and proofs against the published RFC
// 6962 test vectors of github.com/transparency-dev/merkle: the roots from
// its testonly package, the proofs copied from its proof/verify_test.go
// (Apache License 2.0, Copyright 2017 Google LLC), where leaf numbers are
// 1-based.
func TestRFC6962Vectors(t *testing.T) {
	ctx := context.Background()
	key := testKey(t)
	leaves := testonly.LeafInputs()
	roots := testonly.RootHashes()
	for size := 1; size <= len(leaves); size++ {
		st := NewMemStorage()
		appendLeaves(t, st, leaves[:size])
		l, err := Open(ctx, st, Config{Key: key})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := l.Latest()
		if c.Size != int64(size) || !bytes.Equal(c.Root[:], roots[size]) {
			t.Errorf("size %d: root %x, want %x", size, c.Root[:], roots[size])
		}
		l.Close()
	}

	st := NewMemStorage()
	appendLeaves(t, st, leaves)
	l, err := Open(ctx, st, Config{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, v := range []struct {
		leaf, size int64
		proof      []string
	}{
		{1, 1, nil},
		{1, 8, []string{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
		{6, 8, []string{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
		{3, 3, []string{"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
		{2, 5, []string{"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	} {
		p, err := l.ProveInclusion(ctx, v.leaf-1, v.size)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != len(v.proof) {
			t.Errorf("inclusion of leaf %d in %d: %d hashes, want %d", v.leaf, v.size, len(p), len(v.proof))
			continue
		}
		for i := range p {
			if p[i] != hx(v.proof[i]) {
				t.Errorf("inclusion of leaf %d in %d: hash %d = %v, want %s", v.leaf, v.size, i, p[i], v.proof[i])
			}
		}
		var root tlog.Hash
		copy(root[:], roots[v.size])
		if err := tlog.CheckRecord(p, v.size, root, v.leaf-1, tlog.RecordHash(leaves[v.leaf-1])); err != nil {
			t.Errorf("tlog.CheckRecord(leaf %d in %d): %v", v.leaf, v.size, err)
		}
	}
	for _, v := range []struct {
		size1, size2 int64
		proof        []string
	}{
		{1, 1, nil},
		{1, 8, []string{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
		{6, 8, []string{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
		{2, 5, []string{"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
		{6, 7, []string{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	} {
		p, err := l.ProveConsistency(ctx, v.size1, v.size2)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != len(v.proof) {
			t.Errorf("consistency %d→%d: %d hashes, want %d", v.size1, v.size2, len(p), len(v.proof))
			continue
		}
		for i := range p {
			if p[i] != hx(v.proof[i]) {
				t.Errorf("consistency %d→%d: hash %d = %v, want %s", v.size1, v.size2, i, p[i], v.proof[i])
			}
		}
		var r1, r2 tlog.Hash
		copy(r1[:], roots[v.size1])
		copy(r2[:], roots[v.size2])
		if err := tlog.CheckTree(p, v.size2, r2, v.size1, r1); err != nil {
			t.Errorf("tlog.CheckTree(%d→%d): %v", v.size1, v.size2, err)
		}
	}
}
