package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keyDir is where key files live: beside the database for the embedded
// deployment, never inside it. A stolen database file or dump alone does
// not give them away. ($SILLOK_KEYS overrides, e.g. for a removable disk.)
func (e *env) keyDir() string {
	if d := os.Getenv("SILLOK_KEYS"); d != "" {
		return d
	}
	return filepath.Join(e.dataDir, "keys")
}

// secretKey returns the 32-byte secret in the key file name, creating it
// (mode 0600) on first use.
func (e *env) secretKey(name string) ([]byte, error) {
	path := filepath.Join(e.keyDir(), name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(e.keyDir(), 0o700); err != nil {
			return nil, fmt.Errorf("create key directory: %w", err)
		}
		key := make([]byte, 32)
		rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create key file %s: %w", path, err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("write key file %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("write key file %s: %w", path, err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("key file %s: want 64 hex digits", path)
	}
	return key, nil
}
