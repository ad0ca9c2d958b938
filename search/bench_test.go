package search

import (
	"database/sql"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The corpus benchmark's size: go test -bench SQLiteCorpus -benchtime 1x
// -search.n 1000000 builds and queries a million synthetic testimonies.
var (
	benchN   = flag.Int("search.n", 20000, "synthetic testimonies in BenchmarkSQLiteCorpus")
	benchDir = flag.String("search.dir", "", "directory for BenchmarkSQLiteCorpus's database (default: a temporary one)")
	// rankWindow is how many of the latest hits the windowed query ranks,
	// and countCap how far hits are counted.
	rankWindow = flag.Int("search.window", 10000, "BM25-rank only the first `n` hits in rowid order in BenchmarkSQLiteCorpus")
	countCap   = flag.Int("search.countcap", 10001, "count hits up to `n` in BenchmarkSQLiteCorpus")
	prefix1    = flag.Bool("search.prefix1", false, "give the FTS5 table a one-character prefix index (faster one-syllable queries, larger index)")
)

// Vocabulary of the synthetic testimonies (fictional; names are made of
// common syllables, not taken from any record).
var (
	synPlaces   = strings.Fields("평양 회령 온성 청진 혜산 신의주 함흥 개천 요덕 북창 화성 무산 남포 원산 평성 강계 사리원 해주 김책 단천 길주 명천 경성 부령 은덕 나선 안주 순천 덕천 희천 만포 자강 양강도 함경북도 함경남도 평안남도 평안북도 황해도 강원도 개성")
	synPlacesEn = strings.Fields("Pyongyang Hoeryong Onsong Chongjin Hyesan Sinuiju Hamhung Kaechon Yodok Pukchang Hwasong Musan Nampo Wonsan Pyongsong Kanggye Sariwon Haeju Kimchaek Tanchon")
	synFacility = strings.Fields("정치범수용소 교화소 집결소 구류장 노동단련대 관리소 노동교양대 대기실 감옥 수용소")
	synFacEn    = []string{"political prison camp", "kyohwaso", "jipkyulso", "MSS detention centre", "labour training camp", "holding centre", "police station", "kuryujang"}
	synUnits    = strings.Fields("보위부 안전부 보안서 국경경비대 보위원 안전원 검찰소 당위원회")
	synActs     = strings.Fields("구타 고문 강제노동 공개처형 강제낙태 굶주림 강제송환 체포 조사 감금 성폭력 실종 비밀처형 영아살해")
	synActsEn   = strings.Fields("beaten tortured executed arrested interrogated starved detained repatriated disappeared abused")
	synParticle = strings.Fields("에서 에 으로 의 는 이 가 을 를 와 에게 까지 부터")
	synVerbs    = strings.Fields("당했다 목격했다 들었다 보았다 받았다 했다 있었다 갇혔다 끌려갔다 증언했다")
	synSurnames = strings.Fields("김 리 이 박 최 정 강 조 윤 장 림 한 오 서 신 권 황 안 송 류")
	synGiven    = strings.Fields("영 철 순 명 광 혜 은 성 민 수 희 호 남 옥 금 춘 경 진 일 숙")
	synSeasons  = strings.Fields("봄 여름 가을 겨울")
	synFiller   = strings.Fields("그때 그날 매일 밤에 아침에 몇 달 동안 함께 다시 결국 모두 사람들이 아이들이 어머니가 동생이")
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// synVocab holds the generated part of the vocabulary: places beyond the
// well-known ones, made of common syllables and drawn Zipf-distributed
// (a few places recur in many testimonies, most in few), as in real
// collections.
type synVocab struct {
	places []string
	zipf   *rand.Zipf
}

func newSynVocab(r *rand.Rand) *synVocab {
	syl := strings.Fields("가 강 고 구 금 남 덕 동 룡 리 명 무 문 백 봉 부 산 상 서 석 성 송 수 신 안 양 연 영 오 용 운 원 은 읍 장 전 정 주 중 창 천 청 충 태 평 포 풍 하 학 함 화 회 흥")
	v := &synVocab{places: slices.Clone(synPlaces)}
	seen := make(map[string]bool)
	for _, p := range v.places {
		seen[p] = true
	}
	suffix := strings.Fields("리 동 군 읍 구")
	for len(v.places) < 5000 {
		p := pick(r, syl) + pick(r, syl)
		if r.IntN(3) == 0 {
			p += pick(r, syl)
		}
		p += pick(r, suffix)
		if !seen[p] {
			seen[p] = true
			v.places = append(v.places, p)
		}
	}
	v.zipf = rand.NewZipf(r, 1.1, 1, uint64(len(v.places)-1))
	return v
}

func (v *synVocab) place() string { return v.places[v.zipf.Uint64()] }

func synName(r *rand.Rand) string {
	return pick(r, synSurnames) + pick(r, synGiven) + pick(r, synGiven)
}

// synTestimony returns a synthetic testimony of 4 to 9 sentences, most in
// Korean, some in English.
func synTestimony(r *rand.Rand, v *synVocab) string {
	var b strings.Builder
	n := 4 + r.IntN(6)
	for i := 0; i < n; i++ {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		year := 1990 + r.IntN(30)
		switch r.IntN(10) {
		case 0, 1, 2:
			fmt.Fprintf(&b, "%d년 %s, %s %s%s %s%s %s", year, pick(r, synSeasons), v.place(), pick(r, synFacility),
				pick(r, synParticle), pick(r, synActs), pick(r, synParticle), pick(r, synVerbs))
		case 3, 4:
			fmt.Fprintf(&b, "%s %s%s %s%s %s %s%s %s.", pick(r, synFiller), pick(r, synUnits), pick(r, synParticle),
				synName(r), pick(r, synParticle), pick(r, synFiller), pick(r, synActs), pick(r, synParticle), pick(r, synVerbs))
		case 5, 6:
			fmt.Fprintf(&b, "%s%s %s %s%s %s.", v.place(), pick(r, synParticle), pick(r, synFiller),
				pick(r, synActs), pick(r, synParticle), pick(r, synVerbs))
		case 7, 8:
			fmt.Fprintf(&b, "In %d the witness was %s at the %s in %s.", year, pick(r, synActsEn), pick(r, synFacEn), pick(r, synPlacesEn))
		default:
			fmt.Fprintf(&b, "%s said that %s were %s by the guards of Camp %d.", synName(r), "prisoners", pick(r, synActsEn), 10+r.IntN(20))
		}
	}
	return b.String()
}

// synQuery returns a query of the mixed workload and its class.
func synQuery(r *rand.Rand, v *synVocab) (q, class string) {
	switch x := r.IntN(100); {
	case x < 20:
		return v.place(), "korean-place"
	case x < 30:
		return pick(r, append(slices.Clone(synFacility), synActs...)), "korean-act"
	case x < 35:
		return pick(r, synSurnames), "one-syllable"
	case x < 45:
		return synName(r), "name"
	case x < 60:
		return pick(r, append(slices.Clone(synPlacesEn), synActsEn...)), "english-term"
	case x < 72:
		if r.IntN(2) == 0 {
			return `"` + pick(r, synFacEn) + `"`, "phrase"
		}
		return `"` + v.place() + " " + pick(r, synFacility) + `"`, "phrase"
	case x < 85:
		return v.place() + " " + pick(r, synActs), "and"
	case x < 95:
		return v.place() + " OR " + pick(r, synPlacesEn), "or"
	default:
		return pick(r, synFacility) + " -" + v.place(), "not"
	}
}

func BenchmarkTerms(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	v := newSynVocab(rand.New(rand.NewPCG(9, 10)))
	var texts []string
	size := 0
	for range 100 {
		t := synTestimony(r, v)
		texts = append(texts, t)
		size += len(t)
	}
	terms := 0
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, t := range texts {
			terms += len(Terms(t))
		}
	}
	b.ReportMetric(float64(terms)/b.Elapsed().Seconds(), "terms/s")
}

func BenchmarkParseQuery(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	v := newSynVocab(rand.New(rand.NewPCG(9, 10)))
	var qs []string
	for range 100 {
		q, _ := synQuery(r, v)
		qs = append(qs, q)
	}
	for b.Loop() {
		for _, q := range qs {
			if _, err := ParseQuery(q); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSQLiteCorpus indexes -search.n synthetic testimonies in an FTS5
// table (batches of 10,000 per transaction, as a bulk import would), then
// runs 1,000 mixed queries for the top 10 hits by BM25 and their count.
// It reports index size against raw text, indexing throughput, and the
// p50 and p95 query latency.
func BenchmarkSQLiteCorpus(b *testing.B) {
	dir := *benchDir
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("search-bench-%d.db", *benchN))
	os.Remove(path)
	defer os.Remove(path)
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(wal)&_pragma=synchronous(normal)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ddl := SQLiteSchema("fts")
	if *prefix1 {
		ddl = strings.Replace(ddl, "tokenize=", "prefix='1', tokenize=", 1)
	}
	if _, err := db.Exec(ddl); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	v := newSynVocab(rand.New(rand.NewPCG(9, 10)))
	var rawBytes, nterms int64
	start := time.Now()
	var tokenize time.Duration
	const batch = 10000
	for i := 0; i < *benchN; i += batch {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare("INSERT INTO fts(rowid, terms) VALUES (?, ?)")
		if err != nil {
			b.Fatal(err)
		}
		for j := i; j < min(i+batch, *benchN); j++ {
			text := synTestimony(r, v)
			rawBytes += int64(len(text))
			t0 := time.Now()
			terms := FTS5Terms(text)
			tokenize += time.Since(t0)
			nterms += int64(strings.Count(terms, " ") + 1)
			if _, err := st.Exec(j+1, terms); err != nil {
				b.Fatalf("index testimony %d: %v", j+1, err)
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec("INSERT INTO fts(fts) VALUES ('optimize')"); err != nil {
		b.Fatal(err)
	}
	indexTime := time.Since(start)
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	var pages, pageSize int64
	db.QueryRow("PRAGMA page_count").Scan(&pages)
	db.QueryRow("PRAGMA page_size").Scan(&pageSize)
	indexBytes := pages * pageSize

	qr := rand.New(rand.NewPCG(7, 8))
	qv := newSynVocab(rand.New(rand.NewPCG(9, 10))) // the same places, its own draws
	type sample struct {
		full, window, plain, count time.Duration
		class                      string
		hasFull                    bool
	}
	run := func(query string, args ...any) {
		rows, err := db.Query(query, args...)
		if err != nil {
			b.Fatalf("%s: %v", query, err)
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
	}
	var samples []sample
	b.ResetTimer()
	for b.Loop() {
		samples = samples[:0]
		for range 1000 {
			s, class := synQuery(qr, qv)
			q, err := ParseQuery(s)
			if err != nil {
				b.Fatalf("query %q: %v", s, err)
			}
			m := q.FTS5()
			var sm sample
			sm.class = class
			// Top 10 of all hits by BM25, for every 10th query (slow).
			if len(samples)%10 == 0 {
				t0 := time.Now()
				run("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT 10", m)
				sm.full, sm.hasFull = time.Since(t0), true
			}
			// Top 10 by BM25 of the first rankWindow hits in rowid order.
			// Ascending: FTS5 streams doclists forwards and stops at the
			// LIMIT, while descending order reads whole doclists. (A store
			// that wants the newest hits first gives its FTS5 rows rowids
			// that decrease with time.) BM25 is computed rankWindow times
			// at most.
			t0 := time.Now()
			run("SELECT id FROM (SELECT rowid AS id, bm25(fts) AS r FROM fts WHERE fts MATCH ? ORDER BY rowid LIMIT ?) ORDER BY r LIMIT 10", m, *rankWindow)
			sm.window = time.Since(t0)
			// The same window unranked: what BM25 itself costs. (FTS5's
			// bm25() first counts every hit of each phrase for its IDF.)
			t0 = time.Now()
			run("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid LIMIT ?", m, *rankWindow)
			sm.plain = time.Since(t0)
			t0 = time.Now()
			// The number of hits, counted up to countCap ("10,000+").
			run("SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT ?)", m, *countCap)
			sm.count = time.Since(t0)
			samples = append(samples, sm)
		}
	}
	b.StopTimer()
	pct := func(ss []sample, get func(sample) time.Duration, p float64) float64 {
		ds := make([]time.Duration, len(ss))
		for i, s := range ss {
			ds[i] = get(s)
		}
		slices.Sort(ds)
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	full := func(s sample) time.Duration { return s.full + s.count }
	window := func(s sample) time.Duration { return s.window + s.count }
	withFull := func(ss []sample) []sample {
		var out []sample
		for _, s := range ss {
			if s.hasFull {
				out = append(out, s)
			}
		}
		return out
	}
	b.ReportMetric(pct(samples, window, 0.50), "p50-ms")
	b.ReportMetric(pct(samples, window, 0.95), "p95-ms")
	b.ReportMetric(pct(withFull(samples), full, 0.50), "fullrank-p50-ms")
	b.ReportMetric(pct(withFull(samples), full, 0.95), "fullrank-p95-ms")
	b.ReportMetric(float64(indexBytes)/float64(rawBytes), "index/raw")
	b.ReportMetric(float64(*benchN)/indexTime.Seconds(), "indexed-docs/s")
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average at the end: %s", strings.TrimSpace(string(la)))
	}
	b.Logf("rank window %d, count cap %d, one-character prefix index %v", *rankWindow, *countCap, *prefix1)
	b.Logf("%d testimonies, %.1f MB raw text, %d terms; index %.1f MB (%.2f× raw); indexing %.1f s (%.0f docs/s, %.1f MB/s; tokenizing %.1f s)",
		*benchN, float64(rawBytes)/1e6, nterms, float64(indexBytes)/1e6, float64(indexBytes)/float64(rawBytes),
		indexTime.Seconds(), float64(*benchN)/indexTime.Seconds(), float64(rawBytes)/1e6/indexTime.Seconds(), tokenize.Seconds())
	classes := make(map[string][]sample)
	for _, s := range samples {
		classes[s.class] = append(classes[s.class], s)
	}
	// The table goes to stderr: the testing package cuts a benchmark's log
	// after ten lines.
	fmt.Fprintf(os.Stderr, "%-13s %7s  %26s  %-12s %s\n", "class", "queries", "windowed top 10 + count", "count alone", "window unranked")
	for _, c := range slices.Sorted(maps.Keys(classes)) {
		ss := classes[c]
		fmt.Fprintf(os.Stderr, "%-13s %7d  p50 %6.1f p95 %7.1f ms  p95 %7.1f ms  p50 %6.1f p95 %7.1f ms\n", c, len(ss),
			pct(ss, window, 0.5), pct(ss, window, 0.95),
			pct(ss, func(s sample) time.Duration { return s.count }, 0.95),
			pct(ss, func(s sample) time.Duration { return s.plain }, 0.5),
			pct(ss, func(s sample) time.Duration { return s.plain }, 0.95))
	}
}
