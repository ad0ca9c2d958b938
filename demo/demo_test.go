package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sillok/sillok"
)

// collect is a Sink that keeps every record as the store would see it.
type collect struct {
	recs   []*sillok.Record
	actors []sillok.Actor
}

func (c *collect) Create(_ context.Context, a sillok.Actor, r *sillok.Record) error {
	c.recs = append(c.recs, r)
	c.actors = append(c.actors, a)
	return nil
}

// run generates a data set in memory with its truth.
func run(t testing.TB, people int, seed uint64) (*collect, *Stats, []byte) {
	t.Helper()
	var c collect
	var truth bytes.Buffer
	st, err := Generate(context.Background(), Options{People: people, Seed: seed, Truth: &truth}, &c)
	if err != nil {
		t.Fatalf("Generate(people=%d, seed=%d): %v", people, seed, err)
	}
	return &c, st, truth.Bytes()
}

// stream is the canonical text of a record stream: what a store would keep
// of it, one line per record.
func stream(t testing.TB, recs []*sillok.Record) []string {
	t.Helper()
	out := make([]string, len(recs))
	for i, r := range recs {
		b, err := sillok.EncodeBody(r.Body)
		if err != nil {
			t.Fatalf("record %d (%s): %v", i, r.ID, err)
		}
		out[i] = fmt.Sprintf("%s %s %s %s %s", r.ID, r.Kind, r.Org, r.Level, b)
	}
	return out
}

func thesaurusCodes(t testing.TB) map[[2]string]bool {
	t.Helper()
	sh, err := sillok.ShippedThesauri()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[[2]string]bool{}
	for _, term := range sh.Terms {
		codes[[2]string{term.Thesaurus, term.Code}] = true
	}
	return codes
}

// checkStream checks what a store checks, and more: every record valid,
// IDs unique and of the record's kind, references only to earlier records
// of the allowed kinds, thesaurus codes shipped, bodies surviving a JSON
// round trip with unknown fields disallowed.
func checkStream(t testing.TB, recs []*sillok.Record, actors []sillok.Actor, codes map[[2]string]bool) {
	t.Helper()
	seen := make(map[sillok.ID]sillok.Kind, len(recs))
	fails := 0
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
		if fails++; fails > 20 {
			t.FailNow()
		}
	}
	for i, r := range recs {
		if r.Body == nil || r.Body.Kind() != r.Kind {
			fail("record %d %s: kind %s, body %T", i, r.ID, r.Kind, r.Body)
			continue
		}
		if sillok.KindOf(r.ID) != r.Kind {
			fail("record %d %s: ID prefix does not name kind %s", i, r.ID, r.Kind)
		}
		if _, dup := seen[r.ID]; dup {
			fail("record %d: duplicate ID %s", i, r.ID)
		}
		if !r.Level.Valid() {
			fail("record %d %s: level %q", i, r.ID, r.Level)
		}
		if !strings.HasPrefix(r.Org, "demo-") || actors[i].Org != r.Org {
			fail("record %d %s: org %q actor %+v: want a demo- organisation acting for itself", i, r.ID, r.Org, actors[i])
		}
		if err := r.Body.Validate(); err != nil {
			fail("record %d %s: %v", i, r.ID, err)
		}
		for _, ref := range r.Body.Refs() {
			k, ok := seen[ref.To]
			if !ok {
				fail("record %d %s: field %s refers to %s, not written before", i, r.ID, ref.Field, ref.To)
				continue
			}
			if len(ref.Kinds) > 0 && !slices.Contains(ref.Kinds, k) {
				fail("record %d %s: field %s refers to a %s, want %v", i, r.ID, ref.Field, k, ref.Kinds)
			}
		}
		for _, tr := range r.Body.Terms() {
			if !codes[[2]string{tr.Thesaurus, tr.Code}] {
				fail("record %d %s: field %s: %q is not in thesaurus %s", i, r.ID, tr.Field, tr.Code, tr.Thesaurus)
			}
		}
		enc, err := sillok.EncodeBody(r.Body)
		if err != nil {
			fail("record %d %s: encode: %v", i, r.ID, err)
			continue
		}
		if !utf8.Valid(enc) {
			fail("record %d %s: body is not valid UTF-8", i, r.ID)
		}
		dec, err := sillok.DecodeBody(r.Kind, enc)
		if err != nil {
			fail("record %d %s: decode: %v", i, r.ID, err)
			continue
		}
		if enc2, _ := sillok.EncodeBody(dec); !bytes.Equal(enc, enc2) {
			fail("record %d %s: body changes in a JSON round trip:\n%s\n%s", i, r.ID, enc, enc2)
		}
		seen[r.ID] = r.Kind
	}
}

func TestGenerateValid(t *testing.T) {
	codes := thesaurusCodes(t)
	for _, tc := range []struct {
		people int
		seed   uint64
	}{
		{MinPeople, 1},
		{3000, 2},
		{3000, 1<<64 - 1},
	} {
		t.Run(fmt.Sprintf("people=%d/seed=%d", tc.people, tc.seed), func(t *testing.T) {
			c, st, _ := run(t, tc.people, tc.seed)
			checkStream(t, c.recs, c.actors, codes)

			// The stats count what was written.
			counts := map[sillok.Kind]int{}
			for _, r := range c.recs {
				counts[r.Kind]++
			}
			for _, k := range sillok.Kinds() {
				if counts[k] != st.Records[k] {
					t.Errorf("Stats.Records[%s] = %d, stream has %d", k, st.Records[k], counts[k])
				}
			}
			if st.Total != len(c.recs) || st.PersonRecords != counts[sillok.KindPerson] || st.Individuals != tc.people {
				t.Errorf("stats %+v: stream has %d records, %d persons; want %d individuals", st, len(c.recs), counts[sillok.KindPerson], tc.people)
			}
			// Every kind the model has appears but terms (the store ships
			// those), links (record linkage makes those) and evidence (it
			// needs files), and the proportions stay near what the store
			// benchmarks were sized for.
			for _, k := range sillok.Kinds() {
				if k != sillok.KindTerm && k != sillok.KindLink && k != sillok.KindEvidence && k != sillok.KindShare && counts[k] == 0 {
					t.Errorf("no %s records", k)
				}
			}
			if tc.people >= 1000 {
				perPerson := func(k sillok.Kind) float64 { return float64(counts[k]) / float64(tc.people) }
				var ratios []string
				for _, k := range sillok.Kinds() {
					ratios = append(ratios, fmt.Sprintf("%s %.2f", k, perPerson(k)))
				}
				t.Logf("records per person: %s; total %.2f", strings.Join(ratios, ", "), float64(st.Total)/float64(tc.people))
				for _, want := range []struct {
					k      sillok.Kind
					lo, hi float64
				}{
					{sillok.KindPerson, 1.2, 1.6},
					{sillok.KindAct, 0.8, 1.8},
					{sillok.KindSource, 0.3, 0.6},
				} {
					if got := perPerson(want.k); got < want.lo || got > want.hi {
						t.Errorf("%s records per person = %.2f, want %.1f–%.1f", want.k, got, want.lo, want.hi)
					}
				}
				if st.Duplicated < tc.people/10 {
					t.Errorf("%d of %d individuals reported by several organisations, want at least a tenth", st.Duplicated, tc.people)
				}
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	a, _, ta := run(t, 800, 7)
	b, _, tb := run(t, 800, 7)
	sa, sb := stream(t, a.recs), stream(t, b.recs)
	if len(sa) != len(sb) {
		t.Fatalf("same seed: %d and %d records", len(sa), len(sb))
	}
	for i := range sa {
		if sa[i] != sb[i] {
			t.Fatalf("same seed: record %d differs:\n%s\n%s", i, sa[i], sb[i])
		}
	}
	if !bytes.Equal(ta, tb) {
		t.Error("same seed: truth files differ")
	}

	c, _, tc := run(t, 800, 8)
	sc := stream(t, c.recs)
	same := 0
	for i := range min(len(sa), len(sc)) {
		if sa[i] == sc[i] {
			same++
		}
	}
	if same > 0 || bytes.Equal(ta, tc) {
		t.Errorf("seeds 7 and 8: %d identical records, truth equal %v; want different data sets", same, bytes.Equal(ta, tc))
	}
}

func TestPeopleRange(t *testing.T) {
	for _, n := range []int{-1, 0, MinPeople - 1, MaxPeople + 1} {
		_, err := Generate(context.Background(), Options{People: n}, &collect{})
		if !errors.Is(err, sillok.ErrInvalid) {
			t.Errorf("People=%d: err %v, want ErrInvalid", n, err)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, Options{People: 5000}, &collect{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v, want context.Canceled", err)
	}
}

// failSink fails after n records.
type failSink struct {
	n   int
	err error
}

func (f *failSink) Create(context.Context, sillok.Actor, *sillok.Record) error {
	if f.n == 0 {
		return f.err
	}
	f.n--
	return nil
}

func TestSinkError(t *testing.T) {
	boom := errors.New("disk full")
	c, _, _ := run(t, 200, 3)
	names := personNames(c.recs)
	for _, n := range []int{0, 150, 400} {
		_, err := Generate(context.Background(), Options{People: 200, Seed: 3}, &failSink{n: n, err: boom})
		if !errors.Is(err, boom) {
			t.Fatalf("fail after %d: err %v, want the sink's error", n, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "record "+strconv.Itoa(n)) || !strings.Contains(msg, string(c.recs[n].ID)) {
			t.Errorf("fail after %d: %q does not name record %d (%s)", n, msg, n, c.recs[n].ID)
		}
		for _, name := range names {
			if strings.Contains(msg, name) {
				t.Errorf("error %q contains a person's name", msg)
			}
		}
	}
}

func TestLogs(t *testing.T) {
	var logs bytes.Buffer
	var c collect
	_, err := Generate(context.Background(), Options{People: 300, Seed: 23, Log: slog.New(slog.NewTextHandler(&logs, nil))}, &c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "demo: done") || !strings.Contains(logs.String(), "people=300") {
		t.Errorf("logs lack the summary:\n%s", logs.String())
	}
	for _, name := range personNames(c.recs) {
		if strings.Contains(logs.String(), name) {
			t.Fatalf("logs contain a person's name:\n%s", logs.String())
		}
	}
}

func personNames(recs []*sillok.Record) []string {
	var ns []string
	for _, r := range recs {
		if p, ok := r.Body.(*sillok.Person); ok {
			for _, n := range p.Names {
				ns = append(ns, n.Value)
			}
		}
	}
	return ns
}

// batchRecorder is a BatchFunc that commits into a collect, remembering
// batch sizes; it fails batch number failAt (1-based) if set.
type batchRecorder struct {
	c      collect
	sizes  []int
	failAt int
}

func (b *batchRecorder) batch(ctx context.Context, fn func(Sink) error) error {
	var tx collect
	if err := fn(&tx); err != nil {
		return err
	}
	b.sizes = append(b.sizes, len(tx.recs))
	if len(b.sizes) == b.failAt {
		return errors.New("commit failed")
	}
	b.c.recs = append(b.c.recs, tx.recs...)
	b.c.actors = append(b.c.actors, tx.actors...)
	return nil
}

func TestGenerateBatched(t *testing.T) {
	direct, st, truth := run(t, 1000, 5)
	var b batchRecorder
	var bt bytes.Buffer
	bst, err := GenerateBatched(context.Background(), Options{People: 1000, Seed: 5, BatchSize: 700, Truth: &bt}, b.batch)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stream(t, direct.recs), stream(t, b.c.recs)) || !bytes.Equal(truth, bt.Bytes()) {
		t.Error("batched stream or truth differs from the direct one")
	}
	if bst.Total != st.Total {
		t.Errorf("batched total %d, direct %d", bst.Total, st.Total)
	}
	for i, n := range b.sizes {
		if n == 0 || n > 700 || i < len(b.sizes)-1 && n != 700 {
			t.Errorf("batch sizes %v: want full batches of 700 and a last one of at most 700", b.sizes)
			break
		}
	}

	// StoreBatch hands each batch's transaction to the generator.
	var fs fakeStore
	if _, err := GenerateBatched(context.Background(), Options{People: 1000, Seed: 5, BatchSize: 700}, StoreBatch(&fs)); err != nil {
		t.Fatal(err)
	}
	if fs.batches != len(b.sizes) || !slices.Equal(stream(t, direct.recs), stream(t, fs.c.recs)) {
		t.Errorf("StoreBatch: %d transactions (want %d), or a different stream", fs.batches, len(b.sizes))
	}

	f := batchRecorder{failAt: 2}
	_, err = GenerateBatched(context.Background(), Options{People: 1000, Seed: 5, BatchSize: 700}, f.batch)
	if err == nil || !strings.Contains(err.Error(), "commit failed") || !strings.Contains(err.Error(), "700–1399") {
		t.Errorf("failed commit: err %v, want it named with the batch's record range", err)
	}
	if len(f.c.recs) != 700 || len(f.sizes) != 2 {
		t.Errorf("failed commit: %d records kept after %d batches, want 700 after 2", len(f.c.recs), len(f.sizes))
	}
}

// fakeStore is the Batch of a store whose transactions only create.
type fakeStore struct {
	c       collect
	batches int
}

type fakeTx struct {
	sillok.Tx // other methods are not called: nil
	c         *collect
}

func (tx fakeTx) Create(ctx context.Context, a sillok.Actor, r *sillok.Record) error {
	return tx.c.Create(ctx, a, r)
}

func (s *fakeStore) Batch(ctx context.Context, fn func(sillok.Tx) error) error {
	s.batches++
	return fn(fakeTx{c: &s.c})
}

// readTruth parses a truth file into record → key.
func readTruth(t testing.TB, data []byte) map[sillok.ID]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("truth: %v", err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"record_id", "person_key"}) {
		t.Fatalf("truth header %v", rows[:min(1, len(rows))])
	}
	m := map[sillok.ID]string{}
	for i, row := range rows[1:] {
		id := sillok.ID(row[0])
		if _, dup := m[id]; dup {
			t.Errorf("truth row %d: record %s listed twice", i+1, id)
		}
		m[id] = row[1]
	}
	return m
}

func TestTruth(t *testing.T) {
	const people = 4000
	c, st, data := run(t, people, 11)
	truth := readTruth(t, data)

	byKey := map[string][]*sillok.Person{}
	persons := 0
	for _, r := range c.recs {
		p, ok := r.Body.(*sillok.Person)
		if !ok {
			if _, listed := truth[r.ID]; listed {
				t.Errorf("truth lists %s, a %s", r.ID, r.Kind)
			}
			continue
		}
		persons++
		if !p.Birth.IsZero() && (p.Birth.Lo.Year() < 1939 || p.Birth.Hi.Year() > 2001) {
			t.Errorf("person %s: birth %s outside 1940–2000 (±1 for a variant)", r.ID, p.Birth)
		}
		key, ok := truth[r.ID]
		if !ok {
			t.Errorf("person %s is not in the truth", r.ID)
			continue
		}
		byKey[key] = append(byKey[key], p)
		// The truth must not leak into the records.
		enc, _ := sillok.EncodeBody(r.Body)
		if bytes.Contains(enc, []byte(key)) {
			t.Errorf("person %s: body contains its truth key", r.ID)
		}
	}
	if len(truth) != persons || len(byKey) != people || st.Individuals != people {
		t.Fatalf("truth: %d rows for %d person records, %d keys for %d people (stats %d)", len(truth), persons, len(byKey), people, st.Individuals)
	}

	// Linkage must have work: duplicates that differ, in the ways the
	// issue names.
	var dupKeys, nameDiff, northSouth, romanDiff, birthDiff, southName int
	for _, ps := range byKey {
		if len(ps) < 2 {
			continue
		}
		dupKeys++
		a, b := ps[0], ps[1]
		ha, hb := nameOf(a, "birth"), nameOf(b, "birth")
		if ha != "" && hb != "" && ha != hb {
			nameDiff++
			if isNorthSouth(ha, hb) {
				northSouth++
			}
		}
		if ra, rb := nameOf(a, "romanized"), nameOf(b, "romanized"); ra != "" && rb != "" && ra != rb {
			romanDiff++
		}
		if a.Birth.String() != b.Birth.String() {
			birthDiff++
		}
		if nameOf(a, "south") != "" || nameOf(b, "south") != "" {
			southName++
		}
	}
	if dupKeys != st.Duplicated {
		t.Errorf("%d individuals with several records, stats say %d", dupKeys, st.Duplicated)
	}
	t.Logf("%d duplicated individuals: hangul differs %d (north/south %d), romanized differs %d, birth differs %d, south name %d",
		dupKeys, nameDiff, northSouth, romanDiff, birthDiff, southName)
	for _, c := range []struct {
		what string
		n    int
	}{{"hangul names differ", nameDiff}, {"North/South spellings", northSouth}, {"romanizations differ", romanDiff},
		{"birth dates differ", birthDiff}, {"a name taken in the South", southName}} {
		if c.n < dupKeys/50 || c.n == 0 {
			t.Errorf("%s in %d of %d duplicate pairs: too few for linkage to have work", c.what, c.n, dupKeys)
		}
	}
	if nameDiff > dupKeys/2 {
		t.Errorf("hangul names differ in %d of %d pairs: too many to be the same people", nameDiff, dupKeys)
	}
}

func nameOf(p *sillok.Person, typ string) string {
	for _, n := range p.Names {
		if n.Type == typ {
			return n.Value
		}
	}
	return ""
}

// isNorthSouth reports whether a and b differ only by the initial-sound
// rule in the surname or a given-name syllable.
func isNorthSouth(a, b string) bool {
	pairs := map[[2]rune]bool{}
	for _, p := range [][2]string{{"리", "이"}, {"림", "임"}, {"류", "유"}, {"로", "노"}, {"량", "양"}, {"라", "나"}, {"련", "연"}, {"룡", "용"}, {"례", "예"}} {
		x, y := []rune(p[0])[0], []rune(p[1])[0]
		pairs[[2]rune{x, y}], pairs[[2]rune{y, x}] = true, true
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	diff := false
	for i := range ra {
		if ra[i] != rb[i] {
			if !pairs[[2]rune{ra[i], rb[i]}] {
				return false
			}
			diff = true
		}
	}
	return diff
}

func TestFictional(t *testing.T) {
	c, _, _ := run(t, 1000, 13)
	testimonies := 0
	for _, r := range c.recs {
		switch b := r.Body.(type) {
		case *sillok.Person:
			if b.Notes != Marker {
				t.Fatalf("person %s: notes %q, want the fictional marker", r.ID, b.Notes)
			}
		case *sillok.Source:
			if b.Type != "testimony" {
				continue
			}
			testimonies++
			if y := b.Date.Lo.Year(); y < 2005 || y > 2025 || b.Place != "Seoul" || !slices.Contains(b.Languages, "ko") ||
				b.Transcript.Ko == "" || b.Transcript.En == "" || b.Interviewer == "" {
				t.Errorf("testimony %s: date %s place %q languages %v interviewer %q: want 2005–2025 in Seoul, in Korean, with both transcripts",
					r.ID, b.Date, b.Place, b.Languages, b.Interviewer)
			}
			if !strings.Contains(b.Transcript.Ko, Marker) || !strings.Contains(b.Transcript.En, Marker) ||
				!strings.Contains(b.Title.En, "fictional") || !strings.Contains(b.Title.Ko, "가상") {
				t.Fatalf("testimony %s: title or transcript without the fictional marker", r.ID)
			}
		}
	}
	if testimonies == 0 {
		t.Fatal("no testimonies")
	}
}

var crossedRe = regexp.MustCompile(`In the \w+ of (\d{4}) I crossed`)

// TestSexRatio checks that about seven in ten of those who left after
// 2000 are women, reading the year they left from their testimonies.
func TestSexRatio(t *testing.T) {
	c, _, _ := run(t, 6000, 17)
	sex := map[sillok.ID]sillok.Sex{}
	var women, all, womenBefore, allBefore int
	for _, r := range c.recs {
		switch b := r.Body.(type) {
		case *sillok.Person:
			sex[r.ID] = b.Sex
		case *sillok.Source:
			m := crossedRe.FindStringSubmatch(b.Transcript.En)
			if m == nil {
				continue
			}
			y, _ := strconv.Atoi(m[1])
			s, ok := sex[b.Interviewee]
			if !ok {
				t.Fatalf("testimony %s: interviewee %s unknown", r.ID, b.Interviewee)
			}
			if y >= 2000 {
				all++
				if s == sillok.SexFemale {
					women++
				}
			} else {
				allBefore++
				if s == sillok.SexFemale {
					womenBefore++
				}
			}
		}
	}
	if all < 1000 || allBefore < 100 {
		t.Fatalf("%d testimonies of people who left after 2000, %d before: too few to judge", all, allBefore)
	}
	share := float64(women) / float64(all)
	before := float64(womenBefore) / float64(allBefore)
	t.Logf("women: %.3f of %d who left since 2000, %.3f of %d before", share, all, before, allBefore)
	if share < 0.65 || share > 0.80 {
		t.Errorf("women are %.3f of those who left since 2000, want 0.70–0.75 give or take sampling", share)
	}
	if before >= share {
		t.Errorf("women are %.3f before 2000 and %.3f after: want fewer before", before, share)
	}
}

// TestSurnameFrequency checks the surname distribution of the people
// (first record of each individual) against the 2015 census.
func TestSurnameFrequency(t *testing.T) {
	c, _, data := run(t, 8000, 19)
	truth := readTruth(t, data)
	first := map[string]bool{}
	counts := map[string]int{}
	n := 0
	south := map[string]string{}
	for _, s := range surnames {
		south[s.south] = s.south
		if s.north != "" {
			south[s.north] = s.south
		}
	}
	for _, r := range c.recs {
		p, ok := r.Body.(*sillok.Person)
		if !ok || first[truth[r.ID]] {
			continue
		}
		first[truth[r.ID]] = true
		h := nameOf(p, "birth")
		if h == "" {
			h = nameOf(p, "south")
		}
		if h == "" {
			continue // known by nickname only
		}
		sur, _ := utf8.DecodeRuneInString(h)
		counts[south[string(sur)]]++
		n++
	}
	share := func(s string) float64 { return float64(counts[s]) / float64(n) }
	t.Logf("김 %.3f 이 %.3f 박 %.3f 최 %.3f 정 %.3f of %d", share("김"), share("이"), share("박"), share("최"), share("정"), n)
	for _, want := range []struct {
		sur    string
		lo, hi float64
	}{{"김", 0.20, 0.29}, {"이", 0.13, 0.20}, {"박", 0.07, 0.12}, {"최", 0.035, 0.07}} {
		if s := share(want.sur); s < want.lo || s > want.hi {
			t.Errorf("surname %s: share %.3f, want %.3f–%.3f", want.sur, s, want.lo, want.hi)
		}
	}
	if counts[""] != 0 {
		t.Errorf("%d names with a surname not in the table", counts[""])
	}
}

func BenchmarkGenerate(b *testing.B) {
	const people = 100_000
	var recs int
	for b.Loop() {
		st, err := Generate(context.Background(), Options{People: people, Seed: 1, Truth: io.Discard}, countSink{})
		if err != nil {
			b.Fatal(err)
		}
		recs = st.Total
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(recs)/perRun, "records/s")
	b.ReportMetric(perRun*MaxPeople/people, "s/1M-people")
}

type countSink struct{}

func (countSink) Create(context.Context, sillok.Actor, *sillok.Record) error { return nil }

func FuzzGenerate(f *testing.F) {
	codes := thesaurusCodes(f)
	f.Add(uint64(0))
	f.Add(uint64(42))
	f.Add(uint64(1<<64 - 1))
	f.Fuzz(func(t *testing.T, seed uint64) {
		c, _, data := run(t, MinPeople, seed)
		checkStream(t, c.recs, c.actors, codes)
		if tr := readTruth(t, data); len(tr) == 0 {
			t.Fatal("empty truth")
		}
	})
}
