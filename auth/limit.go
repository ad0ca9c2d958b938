package auth

import (
	"sync"
	"time"
)

// Limiter slows down password guessing: after Free failures for a key
// (a user name, or a client IP), each further attempt must wait
// Base·2^(failures−Free), capped at Max. A success clears the key.
// It is kept in memory: a restart forgets it, which costs an attacker a
// restart of the server, and keeps the database free of per-attempt
// writes. Keys for unknown user names are limited exactly like real ones,
// so the limiter does not reveal which accounts exist.
type Limiter struct {
	Free int
	Base time.Duration
	Max  time.Duration

	mu sync.Mutex
	m  map[string]*strikes
}

type strikes struct {
	n    int
	last time.Time
}

// maxLimiterKeys bounds memory under a flood of distinct keys (many IPs):
// beyond it, entries that have cooled down are dropped.
const maxLimiterKeys = 100_000

// Wait returns how long key must still wait before another attempt (0:
// go ahead).
func (l *Limiter) Wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.m[key]
	if s == nil || s.n < l.Free {
		return 0
	}
	until := s.last.Add(l.backoff(s.n))
	if now.Before(until) {
		return until.Sub(now)
	}
	return 0
}

func (l *Limiter) backoff(n int) time.Duration {
	d := l.Base
	for i := l.Free; i < n && d < l.Max; i++ {
		d *= 2
	}
	return min(d, l.Max)
}

// Fail records a failed attempt.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*strikes{}
	}
	if len(l.m) >= maxLimiterKeys {
		for k, s := range l.m {
			if now.Sub(s.last) > l.Max {
				delete(l.m, k)
			}
		}
	}
	s := l.m[key]
	if s == nil {
		s = &strikes{}
		l.m[key] = s
	}
	// A key quiet for twice Max starts over.
	if now.Sub(s.last) > 2*l.Max {
		s.n = 0
	}
	s.n++
	s.last = now
}

// Succeed clears key.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}
