package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	sillokhttp "github.com/sillok/sillok/http"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDemoSeal loads the demo data set ($SILLOK_BENCH_PEOPLE people,
// 1000 by default) into a fresh embedded repository with confidential
// identities in clear and sealed: the ratio of the two is the cost of
// field encryption on import. The machine may be shared, so CPU seconds
// (user+sys of the process) are reported beside the wall time.
func BenchmarkDemoSeal(b *testing.B) {
	people := 1000
	if s := os.Getenv("SILLOK_BENCH_PEOPLE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		people = n
	}
	b.Setenv("SILLOK_ORG", "demo-nkdb")
	b.Setenv("SILLOK_KEYS", "")
	for _, seal := range []bool{false, true} {
		name := map[bool]string{false: "clear", true: "sealed"}[seal]
		b.Run(name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				dir := filepath.Join(b.TempDir(), "data")
				var errb strings.Builder
				c0 := cpuTime()
				code := run(context.Background(), []string{"--data", dir, "demo", "--people", strconv.Itoa(people), fmt.Sprintf("--seal=%v", seal)},
					strings.NewReader(""), io.Discard, &errb)
				cpu += cpuTime() - c0
				if code != 0 {
					b.Fatalf("demo: %s", errb.String())
				}
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(people), "people")
		})
	}
}

// BenchmarkIntakeUpload uploads a 16 MiB file to a confidential testimony
// through the web intake of a server wired as serve wires it: on a
// repository without keys (stored in clear) and with keys (sealed under
// the testimony's record key, an evidence record and custody events, the
// file attached in the sealed fields). The ratio is the cost of sealing
// evidence on upload; CPU seconds beside wall time, as the machine may be
// shared.
func BenchmarkIntakeUpload(b *testing.B) {
	const size = 16 << 20
	file := make([]byte, size)
	rand.Read(file)
	b.Setenv("SILLOK_USER", "doc1")
	b.Setenv("SILLOK_ORG", "ngo-a")
	b.Setenv("SILLOK_KEYS", "")
	b.Setenv("SILLOK_LOG_KEY", "")
	for _, seal := range []bool{false, true} {
		name := map[bool]string{false: "clear", true: "sealed"}[seal]
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			e := &env{dataDir: filepath.Join(b.TempDir(), "data"), noSeal: !seal, stdin: strings.NewReader(""),
				stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
			repo, err := e.openRepo(ctx, "")
			if err != nil {
				b.Fatal(err)
			}
			defer repo.Close()
			if (e.keys != nil) != seal {
				b.Fatalf("keys loaded: %v, want %v", e.keys != nil, seal)
			}
			srv := httptest.NewServer(sillokhttp.NewServer(e.writeStore(repo), e.serverOptions(repo, nil)))
			defer srv.Close()
			res, err := http.PostForm(srv.URL+"/intake", url.Values{"name": {"Anonymous"}, "level": {"confidential"}})
			if err != nil {
				b.Fatal(err)
			}
			res.Body.Close()
			src, ok := strings.CutSuffix(strings.TrimPrefix(res.Request.URL.Path, "/intake/"), "/circumstances")
			if !ok {
				b.Fatalf("draft: %s at %s", res.Status, res.Request.URL.Path)
			}
			var cpu time.Duration
			b.SetBytes(size)
			for b.Loop() {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				w, _ := mw.CreateFormFile("file", "interview.bin")
				w.Write(file)
				file[0]++ // a new file each time: the clear store would keep one copy of the same bytes
				mw.Close()
				c0 := cpuTime()
				res, err := http.Post(srv.URL+"/intake/"+src+"/evidence", mw.FormDataContentType(), &buf)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				cpu += cpuTime() - c0
				if res.StatusCode != http.StatusOK || (res.Request.URL.Query().Get("receipt") != "") != seal {
					b.Fatalf("upload: %s at %s", res.Status, res.Request.URL)
				}
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
