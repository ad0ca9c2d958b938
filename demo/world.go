package demo

// The fixed world: real place names and real kinds of units and facilities
// with approximate coordinates. Only the people, and what happened to them,
// are invented. The tables are literal data; world() turns them into the
// indexed structure the stories draw on.

// unitDef is a unit as created in the stream; parent is an index into
// world.units or -1.
type unitDef struct {
	ko, en, formerKo string
	typ              string
	parent           int
}

// placeDef is a location; parent and operator are indices or -1.
type placeDef struct {
	ko, en   string
	typ      string
	parent   int
	operator int
	lat, lon float64
	closed   int // last year a closed facility operated; 0 if open
}

type province struct {
	ko, en   string
	lat, lon float64
}

type county struct {
	ko, en   string
	prov     int // index into provinces
	lat, lon float64
	weight   int // how often escapees come from here
	// crossing into China, if the county is on the border
	crossKo, crossEn string
	china            int // index into chinaPlaces; -1 when crossKo is empty
}

var provinces = []province{
	{"함경북도", "North Hamgyong Province", 41.8, 129.6},
	{"양강도", "Ryanggang Province", 41.2, 128.0},
	{"함경남도", "South Hamgyong Province", 40.1, 127.6},
	{"평안남도", "South Pyongan Province", 39.4, 125.9},
	{"평안북도", "North Pyongan Province", 40.1, 124.7},
	{"자강도", "Chagang Province", 40.9, 126.6},
	{"황해북도", "North Hwanghae Province", 38.5, 126.3},
	{"강원도", "Kangwon Province", 38.9, 127.4},
	{"평양시", "Pyongyang", 39.02, 125.75},
}

// chinaPlaces are places in China; the first is the autonomous prefecture
// the others in Yanbian sit in (parent index 0), the rest hang off China.
var chinaPlaces = []struct {
	ko, en   string
	yanbian  bool
	lat, lon float64
}{
	{"연변조선족자치주", "Yanbian Korean Autonomous Prefecture", false, 42.9, 129.5},
	{"도문", "Tumen", true, 42.97, 129.84},
	{"연길", "Yanji", true, 42.89, 129.51},
	{"용정", "Longjing", true, 42.77, 129.42},
	{"화룡", "Helong", true, 42.52, 129.0},
	{"장백", "Changbai", false, 41.42, 128.19},
	{"단동", "Dandong", false, 40.12, 124.38},
	{"심양", "Shenyang", false, 41.80, 123.43},
}

var counties = []county{
	{"회령시", "Hoeryong", 0, 42.44, 129.75, 14, "회령–삼합", "Hoeryong–Sanhe", 3},
	{"온성군", "Onsong", 0, 42.95, 129.99, 10, "온성–도문 (남양)", "Onsong–Tumen (Namyang)", 1},
	{"무산군", "Musan", 0, 42.23, 129.21, 10, "무산–남평", "Musan–Nanping", 4},
	{"청진시", "Chongjin", 0, 41.80, 129.78, 12, "", "", -1},
	{"새별군", "Saebyol", 0, 42.78, 130.22, 4, "새별–도문", "Saebyol–Tumen", 1},
	{"김책시", "Kimchaek", 0, 40.67, 129.20, 3, "", "", -1},
	{"화성군", "Hwasong", 0, 41.10, 129.45, 1, "", "", -1},
	{"혜산시", "Hyesan", 1, 41.40, 128.18, 14, "혜산–장백", "Hyesan–Changbai", 5},
	{"보천군", "Pochon", 1, 41.18, 128.28, 3, "", "", -1},
	{"대홍단군", "Taehongdan", 1, 42.10, 128.85, 2, "", "", -1},
	{"함흥시", "Hamhung", 2, 39.92, 127.54, 5, "", "", -1},
	{"단천시", "Tanchon", 2, 40.46, 128.91, 3, "", "", -1},
	{"요덕군", "Yodok", 2, 39.75, 127.00, 1, "", "", -1},
	{"개천시", "Kaechon", 3, 39.70, 125.90, 2, "", "", -1},
	{"평성시", "Pyongsong", 3, 39.25, 125.87, 3, "", "", -1},
	{"북창군", "Pukchang", 3, 39.50, 126.00, 1, "", "", -1},
	{"증산군", "Jungsan", 3, 39.05, 125.13, 1, "", "", -1},
	{"신의주시", "Sinuiju", 4, 40.10, 124.40, 4, "신의주–단동", "Sinuiju–Dandong", 6},
	{"강계시", "Kanggye", 5, 40.97, 126.60, 2, "", "", -1},
	{"사리원시", "Sariwon", 6, 38.51, 125.76, 1, "", "", -1},
	{"원산시", "Wonsan", 7, 39.15, 127.44, 1, "", "", -1},
	{"중구역", "Central District", 8, 39.02, 125.75, 2, "", "", -1},
}

// facility kinds, in the order a story may pass through them.
const (
	facKuryujang = iota // county MSS pre-trial detention
	facJipkyulso
	facDanryeondae
	facKyohwaso
	facKwanliso
	facExecution
	facCount
)

// namedFacility is a facility with a proper name (the camps and prisons
// the databases record), in a county given by index.
type namedFacility struct {
	kind     int
	ko, en   string
	county   int
	lat, lon float64
	closed   int
}

var namedFacilities = []namedFacility{
	{facKwanliso, "관리소 14호 (개천)", "Kwanliso No. 14 (Kaechon)", 13, 39.60, 126.05, 0},
	{facKwanliso, "관리소 15호 (요덕)", "Kwanliso No. 15 (Yodok)", 12, 39.66, 126.85, 0},
	{facKwanliso, "관리소 16호 (화성)", "Kwanliso No. 16 (Hwasong)", 6, 41.10, 129.45, 0},
	{facKwanliso, "관리소 25호 (청진)", "Kwanliso No. 25 (Chongjin)", 3, 41.84, 129.72, 0},
	{facKwanliso, "관리소 22호 (회령)", "Kwanliso No. 22 (Hoeryong)", 0, 42.32, 129.55, 2012},
	{facKwanliso, "관리소 18호 (북창)", "Kwanliso No. 18 (Pukchang)", 15, 39.55, 126.05, 2006},
	{facKyohwaso, "전거리 교화소 (12호)", "Chongori Kyohwaso (No. 12)", 0, 42.38, 129.64, 0},
	{facKyohwaso, "개천 교화소 (1호)", "Kaechon Kyohwaso (No. 1)", 13, 39.70, 125.89, 0},
	{facKyohwaso, "증산 교화소 (11호)", "Jungsan Kyohwaso (No. 11)", 16, 39.06, 125.14, 0},
	{facKyohwaso, "함흥 교화소 (9호)", "Hamhung Kyohwaso (No. 9)", 10, 39.90, 127.58, 0},
	{facJipkyulso, "함경북도 도집결소 (농포)", "North Hamgyong provincial holding centre (Nongpo)", 3, 41.77, 129.73, 0},
	{facJipkyulso, "회령 집결소", "Hoeryong holding centre", 0, 42.43, 129.74, 0},
	{facJipkyulso, "온성 집결소", "Onsong holding centre", 1, 42.94, 129.98, 0},
	{facJipkyulso, "양강도 도집결소 (혜산)", "Ryanggang provincial holding centre (Hyesan)", 7, 41.39, 128.19, 0},
	{facJipkyulso, "신의주 도집결소", "North Pyongan provincial holding centre (Sinuiju)", 17, 40.09, 124.41, 0},
	{facDanryeondae, "회령시 노동단련대", "Hoeryong labour training centre", 0, 42.45, 129.76, 0},
	{facDanryeondae, "무산군 노동단련대", "Musan labour training centre", 2, 42.22, 129.22, 0},
	{facDanryeondae, "혜산시 노동단련대", "Hyesan labour training centre", 7, 41.41, 128.17, 0},
	{facDanryeondae, "온성군 노동단련대", "Onsong labour training centre", 1, 42.96, 129.99, 0},
	{facExecution, "회령시 장마당 옆 공터", "Hoeryong market grounds", 0, 42.44, 129.76, 0},
	{facExecution, "혜산 비행장", "Hyesan airfield", 7, 41.38, 128.22, 0},
	{facExecution, "온성 두만강 강변", "Onsong riverside", 1, 42.95, 130.00, 0},
	{facExecution, "무산 광산 앞 공터", "Musan mine grounds", 2, 42.24, 129.20, 0},
	{facExecution, "청진 수남시장 옆 공터", "Chongjin Sunam market grounds", 3, 41.79, 129.77, 0},
	{facExecution, "신의주 역전 광장", "Sinuiju station square", 17, 40.10, 124.40, 0},
}

// world is the reference data with the indices stories need.
type world struct {
	units  []unitDef
	places []placeDef

	mss, mps, borderGuard, mssCamps, mpsCorrections, chinaPolice int
	provMSS, provMPS                                             []int // by province
	countyMSS, countyMPS                                         []int // by county
	countyPlace                                                  []int // place index by county
	provincePlace                                                []int
	chinaPlace                                                   []int // place index by chinaPlaces index
	crossing                                                     []int // place index by county, -1 if none
	kuryujang                                                    []int // place index by county
	byKind                                                       [facCount][]int
	countyCum                                                    []int // cumulative county weights
	borderCounties                                               []int
}

func (w *world) unit(u unitDef) int { w.units = append(w.units, u); return len(w.units) - 1 }
func (w *world) place(p placeDef) int {
	w.places = append(w.places, p)
	return len(w.places) - 1
}

// newWorld builds the reference data. Units come before places in the
// stream because facilities name their operator.
func newWorld() *world {
	w := &world{}
	w.mss = w.unit(unitDef{"국가보위성", "Ministry of State Security (MSS, bowibu)", "국가안전보위부", "state_security", -1})
	w.mps = w.unit(unitDef{"사회안전성", "Ministry of Social Security (MPS, anjeonbu)", "인민보안성", "social_security", -1})
	w.borderGuard = w.unit(unitDef{"국경경비총국", "Border Guard General Bureau", "", "border_guard", -1})
	w.mssCamps = w.unit(unitDef{"국가보위성 7국 (농장지도국)", "MSS 7th Bureau (camp administration)", "", "camp_administration", w.mss})
	w.mpsCorrections = w.unit(unitDef{"사회안전성 교화국", "MPS Correctional Bureau", "", "camp_administration", w.mps})
	w.chinaPolice = w.unit(unitDef{"연변조선족자치주 공안국", "Yanbian Public Security Bureau (China)", "", "foreign_authority", -1})
	for _, p := range provinces {
		w.provMSS = append(w.provMSS, w.unit(unitDef{p.ko + " 보위국", p.en + " MSS bureau", p.ko + " 보위부", "state_security", w.mss}))
		w.provMPS = append(w.provMPS, w.unit(unitDef{p.ko + " 안전국", p.en + " MPS bureau", p.ko + " 보안국", "social_security", w.mps}))
	}
	for _, c := range counties {
		w.countyMSS = append(w.countyMSS, w.unit(unitDef{c.ko + " 보위부", c.en + " MSS office", "", "state_security", w.provMSS[c.prov]}))
		w.countyMPS = append(w.countyMPS, w.unit(unitDef{c.ko + " 안전부", c.en + " MPS office", c.ko + " 보안서", "social_security", w.provMPS[c.prov]}))
	}

	nk := w.place(placeDef{"조선민주주의인민공화국", "Democratic People's Republic of Korea", "country", -1, -1, 0, 0, 0})
	cn := w.place(placeDef{"중국", "China", "country", -1, -1, 0, 0, 0})
	for _, p := range provinces {
		w.provincePlace = append(w.provincePlace, w.place(placeDef{p.ko, p.en, "province", nk, -1, p.lat, p.lon, 0}))
	}
	for _, c := range counties {
		w.countyPlace = append(w.countyPlace, w.place(placeDef{c.ko, c.en, "county", w.provincePlace[c.prov], -1, c.lat, c.lon, 0}))
	}
	yanbian := -1
	for _, c := range chinaPlaces {
		parent := cn
		if c.yanbian {
			parent = yanbian
		}
		i := w.place(placeDef{c.ko, c.en, "china", parent, -1, c.lat, c.lon, 0})
		if yanbian < 0 {
			yanbian = i
		}
		w.chinaPlace = append(w.chinaPlace, i)
	}
	for i, c := range counties {
		cross := -1
		if c.crossKo != "" {
			cross = w.place(placeDef{c.crossKo, c.crossEn + " border crossing", "border_crossing", w.countyPlace[i], w.borderGuard, c.lat + 0.01, c.lon + 0.01, 0})
			w.borderCounties = append(w.borderCounties, i)
		}
		w.crossing = append(w.crossing, cross)
		k := w.place(placeDef{c.ko + " 보위부 구류장", c.en + " MSS kuryujang (pre-trial detention)", "kuryujang", w.countyPlace[i], w.countyMSS[i], c.lat - 0.005, c.lon + 0.005, 0})
		w.kuryujang = append(w.kuryujang, k)
		w.byKind[facKuryujang] = append(w.byKind[facKuryujang], k)
	}
	for _, f := range namedFacilities {
		c := counties[f.county]
		var typ string
		var op int
		switch f.kind {
		case facKwanliso:
			typ, op = "kwanliso", w.mssCamps
		case facKyohwaso:
			typ, op = "kyohwaso", w.mpsCorrections
		case facJipkyulso:
			typ, op = "jipkyulso", w.provMPS[c.prov]
		case facDanryeondae:
			typ, op = "rodong_danryeondae", w.countyMPS[f.county]
		case facExecution:
			typ, op = "execution_site", -1
		}
		i := w.place(placeDef{f.ko, f.en, typ, w.countyPlace[f.county], op, f.lat, f.lon, f.closed})
		w.byKind[f.kind] = append(w.byKind[f.kind], i)
	}
	t := 0
	for _, c := range counties {
		t += c.weight
		w.countyCum = append(w.countyCum, t)
	}
	return w
}

// countyOf returns the county index of a facility place (its parent).
func (w *world) countyOf(place int) int {
	p := w.places[place].parent
	for i, cp := range w.countyPlace {
		if cp == p {
			return i
		}
	}
	return -1
}
