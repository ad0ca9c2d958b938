package demo

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/sillok/sillok"
)

// Event kinds of the shared events.
const (
	evRepatriation = iota
	evInterrogation
	evDetention
	evExecution
	evDisappearance
)

// eventKey identifies a shared event: one per kind, place and year, so that
// many acts (and organisations) point to the same event.
type eventKey struct{ typ, place, year int }

// individual is the truth about one fictional person; records carry
// variants of it.
type individual struct {
	key        int
	name       fullName
	south      [2]string // given name taken in the South, when hasSouth
	hasSouth   bool
	nickname   bool // known to witnesses only by a nickname
	sex        sillok.Sex
	by, bm, bd int
	origin     int // county index
}

// actRef is an act as a testimony or a second report refers to it.
type actRef struct {
	id, event sillok.ID
	typ       string
	date      sillok.FuzzyDate
	loc       sillok.ID
	conn      string // the testifier's connection to the act
	own       bool   // the act's victim is the testifier
}

// reference writes the units and places.
func (g *gen) reference() {
	w := g.w
	for _, u := range w.units {
		names := []sillok.Name{
			{Value: u.ko, Lang: "ko", Script: "hangul", Type: "official"},
			{Value: u.en, Lang: "en", Script: "latin", Type: "official"},
		}
		if u.formerKo != "" {
			names = append(names, sillok.Name{Value: u.formerKo, Lang: "ko", Script: "hangul", Type: "former"})
		}
		b := &sillok.Unit{Names: names, Type: u.typ}
		if u.parent >= 0 {
			b.Parents = []sillok.UnitParent{{Parent: g.unitIDs[u.parent]}}
		}
		g.unitIDs = append(g.unitIDs, g.emit(refOrg, sillok.LevelPublic, b))
	}
	for _, p := range w.places {
		l := &sillok.Location{
			Names: []sillok.Name{
				{Value: p.ko, Lang: "ko", Script: "hangul", Type: "official"},
				{Value: p.en, Lang: "en", Script: "latin", Type: "official"},
			},
			Type: p.typ,
		}
		if p.parent >= 0 {
			l.Parent = g.placeIDs[p.parent]
		}
		if p.operator >= 0 {
			l.Operator = g.unitIDs[p.operator]
		}
		if p.lat != 0 {
			lat, lon := p.lat, p.lon
			l.Lat, l.Lon = &lat, &lon
			l.Notes = "Approximate coordinates."
		}
		if p.closed != 0 {
			l.Notes += " Reported closed around " + strconv.Itoa(p.closed) + "."
		}
		g.placeIDs = append(g.placeIDs, g.emit(refOrg, sillok.LevelPublic, l))
	}
}

// post is a unit with the titles its (fictional) perpetrators hold.
type post struct {
	unit   int
	titles []string
}

func (g *gen) posts() []post {
	w := g.w
	var ps []post
	for _, c := range w.borderCounties {
		ps = append(ps,
			post{w.countyMSS[c], []string{"보위부장 (head of the MSS office)", "예심원 (interrogator)", "예심원 (interrogator)", "보위원 (MSS officer)"}},
			post{w.countyMPS[c], []string{"안전원 (police officer)", "노동단련대 계호원 (guard)"}})
	}
	for _, f := range w.byKind[facJipkyulso] {
		ps = append(ps, post{w.places[f].operator, []string{"집결소장 (head of the holding centre)", "집결소 계호원 (guard)", "집결소 계호원 (guard)"}})
	}
	ps = append(ps,
		post{w.mpsCorrections, []string{"교화소 계호원 (prison guard)", "교화소 보안원 (prison officer)"}},
		post{w.mssCamps, []string{"관리소 경비대원 (camp guard)", "관리소 보위원 (camp MSS officer)"}},
		post{w.chinaPolice, []string{"변방대 경찰 (border police officer)"}})
	return ps
}

// perpetrators writes the fictional perpetrators with their positions,
// round-robin over the units so that every unit gets some.
func (g *gen) perpetrators() {
	r := g.r
	ps := g.posts()
	n := max(5, g.opts.People/150)
	for i := 0; i < n && g.err == nil; i++ {
		p := ps[i%len(ps)]
		sex := sillok.SexMale
		if r.Float64() < 0.12 {
			sex = sillok.SexFemale
		}
		ind := g.newIndividual(sex, 1940, 1975, g.pickCounty())
		from := 1990 + r.IntN(22)
		roles := []sillok.Role{{Role: "perpetrator", From: sillok.MustDate(strconv.Itoa(from))}}
		o := orgKFuture
		if r.Float64() < 0.4 {
			o = g.pickOrg()
		}
		id := g.emitPerson(o, sillok.LevelInternal, g.personRecord(&ind, o, roles, false), ind.key)
		pos := &sillok.Position{Person: id, Unit: g.unitIDs[p.unit], Title: p.titles[r.IntN(len(p.titles))],
			From: sillok.MustDate(strconv.Itoa(from)), Notes: Marker}
		if r.Float64() < 0.7 {
			pos.To = sillok.MustDate(strconv.Itoa(min(from+2+r.IntN(10), 2025)))
		}
		g.emit(o, sillok.LevelInternal, pos)
		g.perps[p.unit] = append(g.perps[p.unit], id)
		g.perpNames[id] = ind.name
		g.alsoReported(ind, o, roles, nil, false, sillok.LevelInternal)
	}
}

// newIndividual makes the truth about a new person and counts them.
func (g *gen) newIndividual(sex sillok.Sex, byLo, byHi, origin int) individual {
	r := g.r
	ind := individual{key: g.seq, sex: sex, origin: origin, name: newName(r, sex)}
	g.seq++
	ind.by = byLo + r.IntN(byHi-byLo+1)
	ind.bm = 1 + r.IntN(12)
	ind.bd = 1 + r.IntN(28)
	return ind
}

func (g *gen) pickCounty() int {
	w := g.w
	x := g.r.IntN(w.countyCum[len(w.countyCum)-1])
	for i, c := range w.countyCum {
		if x < c {
			return i
		}
	}
	return len(w.countyCum) - 1
}

func (g *gen) pickOrg() int {
	t := 0
	for _, o := range g.orgs {
		t += o.weight
	}
	x := g.r.IntN(t)
	for i, o := range g.orgs {
		if x < o.weight {
			return i
		}
		x -= o.weight
	}
	return 0
}

var romanSystems = []string{sysRR, sysMR, sysDPRK, sysPersonal}

// personRecord is how organisation o writes down ind. A variant is a
// second organisation's report: spellings, names and dates drift more.
func (g *gen) personRecord(ind *individual, o int, roles []sillok.Role, variant bool) *sillok.Person {
	r := g.r
	og := g.orgs[o]
	p := &sillok.Person{Sex: ind.sex, Roles: roles, Notes: Marker}
	if variant && r.Float64() < 0.05 {
		p.Sex = sillok.SexUnknown
	}
	if ind.nickname {
		sur := surnames[ind.name.sur].south
		nick := sur + "씨"
		if r.Float64() < 0.5 {
			nick = givenSyllables[ind.name.given[0]].south + "이"
		}
		p.Names = []sillok.Name{{Value: nick, Lang: "ko", Script: "hangul", Type: "nickname"}}
		if r.Float64() < 0.5 {
			p.OriginText = counties[ind.origin].ko + " 사람"
		}
		return p
	}
	typo := 0.03
	if variant {
		typo = 0.10
	}
	useSouth := ind.hasSouth && r.Float64() < 0.5
	southOnly := useSouth && r.Float64() < 0.3
	southName := fullName{sur: ind.name.sur, given: ind.south}
	if !southOnly {
		h := ind.name.hangul(r.Float64() < og.north)
		if r.Float64() < typo {
			h = typoHangul(r, h)
		}
		p.Names = append(p.Names, sillok.Name{Value: h, Lang: "ko", Script: "hangul", Type: "birth"})
	}
	if useSouth {
		p.Names = append(p.Names, sillok.Name{Value: southName.hangul(false), Lang: "ko", Script: "hangul", Type: "south"})
	}
	sys := og.system
	if variant && r.Float64() < 0.3 {
		sys = romanSystems[r.IntN(len(romanSystems))]
	}
	rn := ind.name
	if southOnly {
		rn = southName
	}
	v := rn.roman(r, sys, !og.marks || r.Float64() < 0.5, r.Float64() < 0.1)
	if r.Float64() < typo*1.5 {
		v = typoLatin(r, v)
	}
	p.Names = append(p.Names, sillok.Name{Value: v, Lang: "ko", Script: "latin", Type: "romanized", System: sys})
	if r.Float64() < 0.2 {
		// A second romanization, e.g. from a passport or a UN list.
		s2 := romanSystems[r.IntN(len(romanSystems))]
		if v2 := rn.roman(r, s2, r.Float64() < 0.7, false); v2 != v {
			p.Names = append(p.Names, sillok.Name{Value: v2, Lang: "ko", Script: "latin", Type: "romanized", System: s2})
		}
	}
	p.Birth = g.birth(ind, variant)
	switch x := r.Float64(); {
	case x < 0.7:
		p.Origin = g.placeIDs[g.w.countyPlace[ind.origin]]
	case x < 0.9:
		p.OriginText = provinces[counties[ind.origin].prov].ko + " " + counties[ind.origin].ko
	}
	return p
}

// birth is the birth date as an organisation recorded it. Variants drift:
// year only, a year off, day and month swapped, unknown, approximate.
func (g *gen) birth(ind *individual, variant bool) sillok.FuzzyDate {
	r := g.r
	y, m, d := ind.by, ind.bm, ind.bd
	if variant {
		switch x := r.Float64(); {
		case x < 0.45:
		case x < 0.65:
			return sillok.MustDate(strconv.Itoa(y))
		case x < 0.80:
			y += 1 - 2*r.IntN(2)
		case x < 0.85:
			if d <= 12 {
				m, d = d, m
			}
		case x < 0.90:
			return sillok.FuzzyDate{}
		default:
			return sillok.MustDate("~" + strconv.Itoa(y))
		}
	}
	switch x := r.Float64(); {
	case x < 0.55:
		return sillok.MustDate(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
	case x < 0.75:
		return sillok.MustDate(fmt.Sprintf("%04d-%02d", y, m))
	case x < 0.95:
		return sillok.MustDate(strconv.Itoa(y))
	default:
		return sillok.MustDate("~" + strconv.Itoa(y))
	}
}

// alsoReported schedules the reports of ind by other organisations than
// primary: most people are known to one, some to two to four. A second
// report may carry the same acts (same shared events) and a short
// testimony of its own.
func (g *gen) alsoReported(ind individual, primary int, roles []sillok.Role, acts []actRef, testified bool, level sillok.Level) {
	r := g.r
	var k int
	switch x := r.Float64(); {
	case x < 0.72:
		return
	case x < 0.89:
		k = 1
	case x < 0.97:
		k = 2
	default:
		k = 3
	}
	g.stats.Duplicated++
	others := make([]int, 0, len(g.orgs))
	for i := range g.orgs {
		if i != primary {
			others = append(others, i)
		}
	}
	r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	if r.Float64() < 0.1 {
		// The same organisation records the person a second time (another
		// interview, another staff member): linkage within one list too.
		others = append([]int{primary}, others...)
	}
	for _, o := range others[:k] {
		g.later(func() { g.secondReport(ind, o, roles, acts, testified, level) })
	}
}

func (g *gen) secondReport(ind individual, o int, roles []sillok.Role, acts []actRef, testified bool, level sillok.Level) {
	r := g.r
	id := g.emitPerson(o, level, g.personRecord(&ind, o, roles, true), ind.key)
	var mine []actRef
	for _, a := range acts {
		if !a.own || len(mine) == 2 || r.Float64() >= 0.4 {
			continue
		}
		date := a.date
		if !date.IsZero() && r.Float64() < 0.5 {
			date = sillok.MustDate(strconv.Itoa(date.Lo.Year()))
		}
		aid := g.emit(o, sillok.LevelInternal, &sillok.Act{Event: a.event, Victim: id, Type: a.typ, Date: date, Location: a.loc})
		mine = append(mine, actRef{id: aid, event: a.event, typ: a.typ, date: date, loc: a.loc, conn: "victim", own: true})
	}
	if testified && len(mine) > 0 && r.Float64() < 0.4 {
		year := 2005 + r.IntN(21)
		ko := "[" + Marker + "] 같은 사람이 다른 단체에 한 짧은 진술입니다. "
		en := "[" + Marker + "] A short statement by the same person to another organisation. "
		for _, a := range mine {
			ko += actSentenceKo(a.typ)
			en += actSentenceEn(a.typ)
		}
		g.testimony(o, id, year, ko, en, mine)
	}
}

func actSentenceKo(typ string) string {
	switch typ {
	case "forced_repatriation":
		return "중국에서 붙잡혀 강제북송되었습니다. "
	case "torture_interrogation":
		return "보위부 구류장에서 조사를 받으며 맞았습니다. "
	case "arbitrary_detention":
		return "집결소에 갇혀 있었습니다. "
	case "forced_labour":
		return "강제노동을 했습니다. "
	case "forced_abortion":
		return "강제로 낙태를 당했습니다. "
	}
	return "고초를 겪었습니다. "
}

func actSentenceEn(typ string) string {
	switch typ {
	case "forced_repatriation":
		return "I was caught in China and forcibly returned. "
	case "torture_interrogation":
		return "I was beaten during interrogation at the MSS kuryujang. "
	case "arbitrary_detention":
		return "I was held in a holding centre. "
	case "forced_labour":
		return "I was made to do forced labour. "
	case "forced_abortion":
		return "I was forced to have an abortion. "
	}
	return "I suffered ill-treatment. "
}

// event returns the shared event of kind typ at place in year, writing it
// on first use.
func (g *gen) event(typ, place, year int, date sillok.FuzzyDate) sillok.ID {
	k := eventKey{typ, place, year}
	if id, ok := g.events[k]; ok {
		return id
	}
	p := g.w.places[place]
	y := strconv.Itoa(year)
	var t sillok.Labels
	switch typ {
	case evRepatriation:
		t = sillok.Labels{Ko: y + "년 " + p.ko + " 경유 강제북송", En: "Forced repatriations through the " + p.en + ", " + y}
	case evInterrogation:
		t = sillok.Labels{Ko: y + "년 " + p.ko + " 송환자 예심", En: "Interrogation of returnees at the " + p.en + ", " + y}
	case evDetention:
		t = sillok.Labels{Ko: y + "년 " + p.ko + " 구금", En: "Detention at " + p.en + ", " + y}
	case evExecution:
		t = sillok.Labels{Ko: y + "년 " + p.ko + " 공개처형", En: "Public execution at " + p.en + ", " + y}
	case evDisappearance:
		t = sillok.Labels{Ko: y + "년 " + p.ko + " 주민 연행", En: "Arrests of residents, " + p.en + ", " + y}
	}
	if date.IsZero() {
		date = sillok.MustDate(y)
	}
	id := g.emit(refOrg, sillok.LevelPublic, &sillok.Event{Title: t, Date: date, Location: g.placeIDs[place]})
	g.events[k] = id
	return id
}

// act writes an act and its involvements.
func (g *gen) act(o int, a *sillok.Act, unit int) sillok.ID {
	id, _ := g.actBy(o, a, unit)
	return id
}

// actBy is act that also returns the name of the perpetrator named as
// having carried it out, if a person was (nil if a unit or nobody).
func (g *gen) actBy(o int, a *sillok.Act, unit int) (sillok.ID, *fullName) {
	id := g.emit(o, sillok.LevelInternal, a)
	if unit < 0 || g.r.Float64() >= 0.75 {
		// Not every account says who did it.
		return id, nil
	}
	return id, g.involve(o, id, unit)
}

// involve records who carried out an act: a named perpetrator of the unit
// when a witness could name one, else the unit; sometimes the unit above
// ordered it. It returns the perpetrator's name when a person was named.
func (g *gen) involve(o int, act sillok.ID, unit int) *fullName {
	r := g.r
	perp := g.unitIDs[unit]
	var name *fullName
	if ps := g.perps[unit]; len(ps) > 0 && r.Float64() < 0.4 {
		perp = ps[r.IntN(len(ps))]
		n := g.perpNames[perp]
		name = &n
	}
	g.emit(o, sillok.LevelInternal, &sillok.Involvement{Act: act, Perpetrator: perp, Degree: "carried_out"})
	if u := g.w.units[unit]; u.parent >= 0 && r.Float64() < 0.15 {
		g.emit(o, sillok.LevelInternal, &sillok.Involvement{Act: act, Perpetrator: g.unitIDs[u.parent], Degree: "ordered"})
	}
	return name
}

var (
	seasonNames = []string{"spring", "summer", "autumn", "winter"}
	seasonKo    = []string{"봄", "여름", "가을", "겨울"}
)

// short drops the 시/군 of a county name as people say it: 회령시 → 회령.
func short(ko string) string {
	if s, ok := strings.CutSuffix(ko, "시"); ok {
		return s
	}
	if s, ok := strings.CutSuffix(ko, "군"); ok {
		return s
	}
	return ko
}

// leftYear draws the year an escapee left North Korea: few before 2000,
// most 2000–2012, fewer after the border was sealed tighter.
func (g *gen) leftYear() int {
	switch x := g.r.Float64(); {
	case x < 0.15:
		return 1995 + g.r.IntN(5)
	case x < 0.85:
		return 2000 + g.r.IntN(13)
	default:
		return 2013 + g.r.IntN(7)
	}
}

// escapee writes one escapee's story: person, acts, relatives, fellow
// detainees, testimony, and schedules other organisations' reports.
func (g *gen) escapee() {
	r := g.r
	w := g.w
	left := g.leftYear()
	// Since 2000 about seven in ten arrivals in the South are women.
	pf := 0.45
	if left >= 2000 {
		pf = 0.72
	}
	sex := sillok.SexMale
	if r.Float64() < pf {
		sex = sillok.SexFemale
	}
	origin := g.pickCounty()
	ind := g.newIndividual(sex, 1940, min(2000, left-14), origin)
	if r.Float64() < 0.35 {
		ind.hasSouth = true
		ind.south = newName(r, sex).given
	}
	o := g.pickOrg()
	cross := origin
	if w.crossing[cross] < 0 {
		cross = w.borderCounties[r.IntN(len(w.borderCounties))]
	}
	china := counties[cross].china
	river, riverEn := "두만강", "Tumen"
	if counties[cross].prov == 1 || counties[cross].prov == 4 {
		river, riverEn = "압록강", "Yalu"
	}
	season := r.IntN(4)

	repatriated := r.Float64() < 0.25
	repYear := min(left+r.IntN(4), 2019)
	arrived := left + 1 + r.IntN(2)
	if repatriated {
		arrived = repYear + 1 + r.IntN(3)
	}
	testified := r.Float64() < 0.5 && arrived <= 2024
	witnessed := r.Float64() < 0.15
	heard := witnessed && r.Float64() < 0.2 // knows of an execution only from others
	hasRelative := r.Float64() < 0.12
	bible := repatriated && r.Float64() < 0.12

	roles := []sillok.Role{}
	if repatriated {
		roles = append(roles, sillok.Role{Role: "victim"})
	}
	if witnessed && !heard {
		roles = append(roles, sillok.Role{Role: "witness"})
	}
	if testified {
		roles = append(roles, sillok.Role{Role: "source"})
	}
	if len(roles) == 0 {
		roles = nil
	}
	me := g.emitPerson(o, sillok.LevelConfidential, g.personRecord(&ind, o, roles, false), ind.key)

	var ko, en strings.Builder
	ko.Grow(1024)
	en.Grow(768)
	ko.WriteString("[" + Marker + "] ")
	en.WriteString("[" + Marker + "] ")
	fmt.Fprintf(&ko, "저는 %d년 %s %s에서 태어났습니다. ", ind.by, provinces[counties[origin].prov].ko, counties[origin].ko)
	fmt.Fprintf(&en, "I was born in %d in %s, %s. ", ind.by, counties[origin].en, provinces[counties[origin].prov].en)
	var acts []actRef
	addAct := func(a actRef) { acts = append(acts, a) }
	// What happened before the escape comes first in the account.
	if witnessed {
		lo := max(1995, ind.by+10) // old enough to remember
		y := lo + r.IntN(max(1, left-lo+1))
		site := g.executionSite(origin)
		if a, ok := g.execution(site, y); ok {
			if heard {
				a.conn = "hearsay"
				fmt.Fprintf(&ko, "%d년 %s에서 공개처형이 있었다고 이웃에게 들었습니다. ", y, w.places[site].ko)
				fmt.Fprintf(&en, "In %d neighbours told me of a public execution at the %s. ", y, w.places[site].en)
			} else {
				fmt.Fprintf(&ko, "%d년 %s에서 공개처형을 보았습니다. 주민들을 강제로 모이게 했습니다. ", y, w.places[site].ko)
				fmt.Fprintf(&en, "In %d I saw a public execution at the %s; residents were made to attend. ", y, w.places[site].en)
			}
			addAct(a)
		}
	}

	if hasRelative && g.seq < g.opts.People {
		g.relative(o, me, &ind, left, &acts, &ko, &en)
	}

	chinaKo, chinaEn := chinaPlaces[china].ko, chinaPlaces[china].en
	// Witnesses date by what everyone remembers; the English translation
	// gives the year.
	when := strconv.Itoa(left) + "년 " + seasonKo[season]
	switch {
	case left == 2010 && r.Float64() < 0.5:
		when = "화폐개혁 이듬해 " + seasonKo[season]
	case left >= 1996 && left <= 1998 && r.Float64() < 0.5:
		when = "고난의 행군 때인 " + strconv.Itoa(left) + "년 " + seasonKo[season]
	}
	fmt.Fprintf(&ko, "%s에 %s에서 %s 건너 중국 %s 갔습니다. ", when, short(counties[cross].ko), particle(river, "을", "를"), particle(chinaKo, "으로", "로"))
	fmt.Fprintf(&en, "In the %s of %d I crossed the %s River at %s into %s, China. ", seasonNames[season], left, riverEn, counties[cross].en, chinaEn)

	jipYear := repYear
	if repatriated {
		// Forced repatriation through the crossing, by the Chinese police.
		crossPlace := w.crossing[cross]
		rs := r.IntN(4)
		if repYear == left {
			rs = season + r.IntN(4-season) // not before the crossing
		}
		date := sillok.MustDate(fmt.Sprintf("%d-%s", repYear, seasonNames[rs]))
		ev := g.event(evRepatriation, crossPlace, repYear, sillok.FuzzyDate{})
		id := g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "forced_repatriation", Date: date, Location: g.placeIDs[crossPlace],
			Consequences: []string{"separation_from_family"}, Status: "detained"}, w.chinaPolice)
		addAct(actRef{id, ev, "forced_repatriation", date, g.placeIDs[crossPlace], "victim", true})
		fmt.Fprintf(&ko, "%d년 중국 공안에 붙잡혀 %s 강제북송되었습니다. ", repYear, particle(short(counties[cross].ko), "으로", "로"))
		fmt.Fprintf(&en, "In %d I was caught by the Chinese police and forcibly returned through %s. ", repYear, counties[cross].en)

		// Interrogation under torture at the county MSS kuryujang.
		kur := w.kuryujang[cross]
		ev = g.event(evInterrogation, kur, repYear, sillok.FuzzyDate{})
		cons := []string{"injury"}
		if r.Float64() < 0.3 {
			cons = append(cons, "psychological_harm")
		}
		id, by := g.actBy(o, &sillok.Act{Event: ev, Victim: me, Type: "torture_interrogation", Date: date, Location: g.placeIDs[kur],
			Consequences: cons, Status: "detained"}, w.countyMSS[cross])
		addAct(actRef{id, ev, "torture_interrogation", date, g.placeIDs[kur], "victim", true})
		if by != nil {
			// Witnesses often name their interrogator.
			fmt.Fprintf(&ko, "%s에서 예심원 %s에게 조사를 받으며 심하게 맞았습니다. ", w.places[kur].ko, by.hangul(true))
			fmt.Fprintf(&en, "At the %s I was beaten during interrogation by an interrogator named %s. ", w.places[kur].en, by.roman(nil, sysDPRK, true, false))
		} else {
			fmt.Fprintf(&ko, "%s에서 예심원에게 조사를 받으며 심하게 맞았습니다. ", w.places[kur].ko)
			fmt.Fprintf(&en, "At the %s I was beaten during interrogation. ", w.places[kur].en)
		}
		if bible {
			id = g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "religious_persecution", Date: date, Location: g.placeIDs[kur],
				Status: "detained"}, w.countyMSS[cross])
			addAct(actRef{id, ev, "religious_persecution", date, g.placeIDs[kur], "victim", true})
			ko.WriteString("중국에서 교회에 다니고 성경을 가지고 있었다는 이유로 더 심한 조사를 받았습니다. ")
			en.WriteString("Because I had gone to a church in China and had a Bible, the interrogation was harsher. ")
		}

		// Holding centre: detention, forced labour, forced abortion.
		jip := g.holdingCentre(cross)
		jipYear = repYear
		ev = g.event(evDetention, jip, jipYear, sillok.FuzzyDate{})
		jdate := sillok.MustDate(strconv.Itoa(jipYear))
		jipUnit := w.places[jip].operator
		id = g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "arbitrary_detention", Date: jdate, Location: g.placeIDs[jip], Status: "detained"}, jipUnit)
		addAct(actRef{id, ev, "arbitrary_detention", jdate, g.placeIDs[jip], "victim", true})
		fmt.Fprintf(&ko, "그 후 %s 보내져 몇 달 동안 갇혀 있었습니다. ", particle(w.places[jip].ko, "으로", "로"))
		fmt.Fprintf(&en, "Then I was sent to the %s and held there for months. ", w.places[jip].en)
		if r.Float64() < 0.5 {
			id = g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "forced_labour", Date: jdate, Location: g.placeIDs[jip]}, jipUnit)
			addAct(actRef{id, ev, "forced_labour", jdate, g.placeIDs[jip], "victim", true})
			ko.WriteString("그곳에서 강제노동을 했습니다. ")
			en.WriteString("There I was made to do forced labour. ")
		}
		if sex == sillok.SexFemale && r.Float64() < 0.15 {
			id = g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "forced_abortion", Date: jdate, Location: g.placeIDs[jip],
				Consequences: []string{"loss_of_pregnancy", "psychological_harm"}}, jipUnit)
			addAct(actRef{id, ev, "forced_abortion", jdate, g.placeIDs[jip], "victim", true})
			ko.WriteString("중국에서 임신해 돌아왔다는 이유로 그곳에서 강제로 낙태를 당했습니다. ")
			en.WriteString("Because I had become pregnant in China, I was forced to have an abortion there. ")
		}
		if prev, ok := g.lastDetainee[eventKey{evDetention, jip, jipYear}]; ok && r.Float64() < 0.15 {
			g.emit(o, sillok.LevelConfidential, &sillok.Relationship{From: me, To: prev, Type: "co_detainee", Start: jdate})
		}
		g.lastDetainee[eventKey{evDetention, jip, jipYear}] = me

		// A fellow detainee who died there.
		if r.Float64() < 0.08 && g.seq < g.opts.People {
			fsex := sillok.SexFemale
			if r.Float64() < 0.4 {
				fsex = sillok.SexMale
			}
			fellow := g.newIndividual(fsex, 1940, min(2000, jipYear-14), cross)
			fellow.nickname = r.Float64() < 0.5
			fo := o
			froles := []sillok.Role{{Role: "victim"}}
			fid := g.emitPerson(fo, sillok.LevelConfidential, g.personRecord(&fellow, fo, froles, false), fellow.key)
			id = g.act(o, &sillok.Act{Event: ev, Victim: fid, Type: "death_in_custody", Date: jdate, Location: g.placeIDs[jip],
				Consequences: []string{"death"}, Status: "dead"}, jipUnit)
			g.emit(o, sillok.LevelConfidential, &sillok.Relationship{From: me, To: fid, Type: "co_detainee", Start: jdate})
			addAct(actRef{id, ev, "death_in_custody", jdate, g.placeIDs[jip], "fellow_detainee", false})
			fname := fellowName(&fellow)
			fmt.Fprintf(&ko, "같은 방에 있던 %s 굶주림과 구타 끝에 그곳에서 죽었습니다. ", particle(fname, "이", "가"))
			fmt.Fprintf(&en, "%s, who was held in the same cell, died there of hunger and beatings. ", fellowNameEn(&fellow))
			g.alsoReported(fellow, fo, froles, []actRef{{id, ev, "death_in_custody", jdate, g.placeIDs[jip], "", true}}, false, sillok.LevelConfidential)
		}

		// Some are sentenced on: a kyohwaso or a labour training centre.
		switch x := r.Float64(); {
		case x < 0.15:
			kyo := w.byKind[facKyohwaso][r.IntN(len(w.byKind[facKyohwaso]))]
			y := jipYear + 1
			years := 1 + r.IntN(5)
			ev = g.event(evDetention, kyo, y, sillok.FuzzyDate{})
			d := sillok.MustDate(fmt.Sprintf("%d/%d", y, y+years))
			id = g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "arbitrary_detention", Date: d, Location: g.placeIDs[kyo], Status: "detained"}, w.mpsCorrections)
			addAct(actRef{id, ev, "arbitrary_detention", d, g.placeIDs[kyo], "victim", true})
			id = g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "forced_labour", Date: d, Location: g.placeIDs[kyo]}, w.mpsCorrections)
			addAct(actRef{id, ev, "forced_labour", d, g.placeIDs[kyo], "victim", true})
			fmt.Fprintf(&ko, "%d년 %s %d년 동안 수감되어 강제노동을 했습니다. ", y, w.places[kyo].ko+"에", years)
			fmt.Fprintf(&en, "In %d I was sent to %s for %d years of forced labour. ", y, w.places[kyo].en, years)
			if r.Float64() < 0.3 {
				id = g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "starvation", Date: d, Location: g.placeIDs[kyo],
					Consequences: []string{"injury"}}, w.mpsCorrections)
				addAct(actRef{id, ev, "starvation", d, g.placeIDs[kyo], "victim", true})
				ko.WriteString("배급이 너무 적어 늘 굶주렸습니다. ")
				en.WriteString("The rations were so small that we were always starving. ")
			}
		case x < 0.30:
			// Labour training is served at home, else near the border.
			dans := w.byKind[facDanryeondae]
			dan := dans[r.IntN(len(dans))]
			for _, d := range dans {
				if c := w.countyOf(d); c == origin || c == cross && w.countyOf(dan) != origin {
					dan = d
				}
			}
			ev = g.event(evDetention, dan, jipYear, sillok.FuzzyDate{})
			id = g.act(o, &sillok.Act{Event: ev, Victim: me, Type: "forced_labour", Date: jdate, Location: g.placeIDs[dan]}, w.places[dan].operator)
			addAct(actRef{id, ev, "forced_labour", jdate, g.placeIDs[dan], "victim", true})
			fmt.Fprintf(&ko, "%s에서 노동단련형을 받았습니다. ", w.places[dan].ko)
			fmt.Fprintf(&en, "I served a labour-training sentence at the %s. ", w.places[dan].en)
		}
	}

	fmt.Fprintf(&ko, "%d년 한국에 왔습니다.", arrived)
	fmt.Fprintf(&en, "I arrived in South Korea in %d.", arrived)

	if testified {
		from := max(2005, arrived)
		year := from + r.IntN(2025-from+1)
		g.testimony(o, me, year, ko.String(), en.String(), acts)
	}
	g.alsoReported(ind, o, roles, acts, testified, sillok.LevelConfidential)
}

func fellowName(f *individual) string {
	if f.nickname {
		return surnames[f.name.sur].south + "씨"
	}
	return f.name.hangul(false)
}

func fellowNameEn(f *individual) string {
	if f.nickname {
		return "The one we called " + surnames[f.name.sur].rr + "-ssi"
	}
	return f.name.roman(nil, sysRR, true, false)
}

// holdingCentre picks the jipkyulso returnees at a crossing are sent to:
// one in the same county or province, else any.
func (g *gen) holdingCentre(cross int) int {
	w := g.w
	var same []int
	for _, f := range w.byKind[facJipkyulso] {
		c := w.countyOf(f)
		if c == cross || counties[c].prov == counties[cross].prov {
			same = append(same, f)
		}
	}
	if len(same) == 0 {
		same = w.byKind[facJipkyulso]
	}
	return same[g.r.IntN(len(same))]
}

// executionSite picks a public execution site in or near county.
func (g *gen) executionSite(county int) int {
	w := g.w
	sites := w.byKind[facExecution]
	for _, s := range sites {
		if w.countyOf(s) == county && g.r.Float64() < 0.8 {
			return s
		}
	}
	return sites[g.r.IntN(len(sites))]
}

// execution returns the act of the public execution at site in year,
// writing the event, the executed person and the act on first use. It
// reports false when the people budget is spent before the event exists.
func (g *gen) execution(site, year int) (actRef, bool) {
	r := g.r
	w := g.w
	k := eventKey{evExecution, site, year}
	if id, ok := g.execActs[k]; ok {
		ev := g.events[k]
		return actRef{id: id, event: ev, typ: "public_execution", loc: g.placeIDs[site], conn: "eyewitness"}, true
	}
	if g.seq >= g.opts.People {
		return actRef{}, false
	}
	date := sillok.MustDate(fmt.Sprintf("%04d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28)))
	ev := g.event(evExecution, site, year, date)
	sex := sillok.SexMale
	if r.Float64() < 0.25 {
		sex = sillok.SexFemale
	}
	county := w.countyOf(site)
	v := g.newIndividual(sex, 1940, min(1985, year-18), county)
	o := g.pickOrg()
	roles := []sillok.Role{{Role: "victim"}}
	vid := g.emitPerson(o, sillok.LevelConfidential, g.personRecord(&v, o, roles, false), v.key)
	a := &sillok.Act{Event: ev, Victim: vid, Type: "public_execution", Date: date, Location: g.placeIDs[site],
		Consequences: []string{"death"}, Status: "dead",
		Description: sillok.Labels{Ko: "주민들을 모아 놓고 공개처형", En: "Executed in front of assembled residents"}}
	id := g.act(o, a, w.countyMPS[county])
	g.execActs[k] = id
	g.alsoReported(v, o, roles, []actRef{{id, ev, "public_execution", date, g.placeIDs[site], "", true}}, false, sillok.LevelConfidential)
	return actRef{id: id, event: ev, typ: "public_execution", date: date, loc: g.placeIDs[site], conn: "eyewitness"}, true
}

// relatives who disappear: kin terms from the testifier's point of view
// (오빠 for a woman's elder brother, 형 for a man's), with the range of
// their birth year relative to the testifier's.
var relatives = []struct {
	typ          string // relationship_type of the relative to the testifier
	koF, koM, en string // Korean as a woman and as a man says it; English
	male         bool
	lo, hi       int
}{
	{"parent", "아버지", "아버지", "father", true, -35, -20},
	{"parent", "어머니", "어머니", "mother", false, -32, -18},
	{"spouse", "남편", "아내", "husband", true, -6, 2}, // wife for a man
	{"sibling", "오빠", "형", "elder brother", true, -8, -1},
	{"sibling", "남동생", "남동생", "younger brother", true, 1, 8},
	{"child", "아들", "아들", "son", true, 20, 30},
}

// relative writes a relative taken by the MSS and disappeared (guilt by
// association), linked to the escapee by a family relationship.
func (g *gen) relative(o int, me sillok.ID, ind *individual, left int, acts *[]actRef, ko, en *strings.Builder) {
	r := g.r
	w := g.w
	// Birth years stay within 1940–2000: when the relative drawn cannot
	// be born then, an elder or younger brother can.
	rel := relatives[r.IntN(len(relatives))]
	lo, hi := max(ind.by+rel.lo, 1940), min(ind.by+rel.hi, 2000)
	for _, alt := range []int{3, 4} {
		if lo <= hi {
			break
		}
		rel = relatives[alt]
		lo, hi = max(ind.by+rel.lo, 1940), min(ind.by+rel.hi, 2000)
	}
	kin, kinEn, sex := rel.koF, rel.en, sillok.SexFemale
	if rel.male {
		sex = sillok.SexMale
	}
	if ind.sex == sillok.SexMale {
		kin = rel.koM
		if rel.typ == "spouse" {
			kinEn, sex = "wife", sillok.SexFemale
		}
	}
	v := g.newIndividual(sex, lo, hi, ind.origin)
	if rel.typ != "spouse" && kinEn != "mother" {
		v.name.sur = ind.name.sur // same family name
	}
	year := max(1995, left-r.IntN(6))
	county := ind.origin
	ev := g.event(evDisappearance, g.w.countyPlace[county], year, sillok.FuzzyDate{})
	roles := []sillok.Role{{Role: "victim"}, {Role: "relative"}}
	vid := g.emitPerson(o, sillok.LevelConfidential, g.personRecord(&v, o, roles, false), v.key)
	date := sillok.MustDate("~" + strconv.Itoa(year))
	typ := "enforced_disappearance"
	a := &sillok.Act{Event: ev, Victim: vid, Type: typ, Date: date, Location: g.placeIDs[w.kuryujang[county]],
		Consequences: []string{"separation_from_family"}, Status: "disappeared"}
	id := g.act(o, a, w.countyMSS[county])
	if r.Float64() < 0.3 {
		a2 := &sillok.Act{Event: ev, Victim: vid, Type: "guilt_by_association", Date: date, Status: "disappeared"}
		id2 := g.act(o, a2, w.countyMSS[county])
		*acts = append(*acts, actRef{id2, ev, "guilt_by_association", date, "", "relative", false})
	}
	*acts = append(*acts, actRef{id, ev, typ, date, g.placeIDs[w.kuryujang[county]], "relative", false})
	g.emit(o, sillok.LevelConfidential, &sillok.Relationship{From: me, To: vid, Type: rel.typ, Notes: "To is From's " + kinEn})
	name := v.name.hangul(r.Float64() < 0.3)
	fmt.Fprintf(ko, "%s %s %d년쯤 %s 끌려간 뒤 소식이 없습니다. ", kin, particle(name, "은", "는"), year, counties[county].ko+" 보위부에")
	fmt.Fprintf(en, "My %s, %s, was taken by the %s MSS office around %d and we have heard nothing since. ", kinEn, v.name.roman(nil, sysRR, true, false), counties[county].en, year)
	g.alsoReported(v, o, roles, nil, false, sillok.LevelConfidential)
}

// testimony writes a testimony and the information records linking it to
// the acts it speaks of.
func (g *gen) testimony(o int, interviewee sillok.ID, year int, ko, en string, acts []actRef) {
	r := g.r
	src := &sillok.Source{
		Type:        "testimony",
		Title:       sillok.Labels{Ko: strconv.Itoa(year) + "년 탈북민 증언 (가상)", En: "Testimony of an escapee, " + strconv.Itoa(year) + " (fictional)"},
		Interviewee: interviewee,
		Interviewer: fmt.Sprintf("%s-interviewer-%02d", g.orgs[o].name, 1+r.IntN(20)),
		Date:        sillok.MustDate(fmt.Sprintf("%04d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28))),
		Place:       "Seoul",
		Languages:   []string{"ko"},
		Transcript:  sillok.Labels{Ko: ko, En: en},
	}
	if r.Float64() < 0.3 {
		src.Languages = []string{"ko", "en"}
		src.Interpreter = fmt.Sprintf("%s-interpreter-%02d", g.orgs[o].name, 1+r.IntN(5))
	}
	src.Consent = g.consent(o, interviewee, src)
	sid := g.emit(o, sillok.LevelStrict, src)
	for _, a := range acts {
		rel := "high"
		switch x := r.Float64(); {
		case a.conn == "hearsay" || x < 0.1:
			rel = "low"
		case x < 0.4:
			rel = "medium"
		case x < 0.45:
			rel = "unassessed"
		}
		g.emit(o, sillok.LevelInternal, &sillok.Information{Source: sid, Subject: a.id, Connection: a.conn, Reliability: rel})
	}
}

// consent is the witness's consent, given at the interview and recorded by
// the interviewer. It is drawn from a hash of the interviewee's ID rather
// than from the generator, so that adding it left every other record of a
// seed as it was. Most witnesses allow internal documentation and a
// prosecution; fewer UN reporting, sharing with one partner, or public use
// under a pseudonym; a few allow internal documentation only.
func (g *gen) consent(o int, interviewee sillok.ID, src *sillok.Source) *sillok.Consent {
	h := fnv.New64a()
	h.Write([]byte(interviewee))
	x := h.Sum64()
	draw := func(pct uint64) bool { // an independent slice of the hash each time
		ok := x%100 < pct
		x /= 100
		return ok
	}
	c := &sillok.Consent{Uses: []string{sillok.UseInternal}, RecordedBy: src.Interviewer}
	c.Given, _ = time.Parse("2006-01-02", src.Date.String())
	if draw(8) {
		return c // internal documentation only
	}
	if draw(80) {
		c.Uses = append(c.Uses, sillok.UseProsecution)
	}
	if draw(60) {
		c.Uses = append(c.Uses, sillok.UseUNReporting)
	}
	if draw(30) {
		c.Uses = append(c.Uses, sillok.UsePartners)
		c.Partners = []string{g.orgs[(o+1+int(x%uint64(len(g.orgs)-1)))%len(g.orgs)].name}
	}
	if draw(20) {
		c.Uses = append(c.Uses, sillok.UsePublicPseudonym)
	}
	return c
}
