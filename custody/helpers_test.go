package custody

import "testing"

func testKey(t testing.TB) *Key {
	t.Helper()
	k, err := GenerateKeyFile(t.TempDir()+"/log.key", "sillok.example/test")
	if err != nil {
		t.Fatal(err)
	}
	return k
}
