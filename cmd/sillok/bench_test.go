package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
