package http

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/sillok/sillok"
)

// The map is drawn on the server from a coastline of a few dozen points
// (read off a general atlas, accurate to some kilometres): no tile server,
// no external data, printable, and nothing for an offline laptop to fetch.

// mapBounds is the drawn area: the Korean peninsula and north-east China.
const (
	mapLatMin, mapLatMax = 33.0, 46.0
	mapLonMin, mapLonMax = 119.0, 133.5
	mapWidth             = 720
)

// coast is the mainland coast from the Bohai gulf round the peninsula to
// the Russian coast, as (lat, lon).
var coast = [][2]float64{
	{46, 119}, {39.9, 119.0}, {39.9, 119.6}, {40.8, 121.1}, {40.6, 122.2}, {39.6, 121.4}, {38.85, 121.2},
	{39.0, 121.7}, {39.6, 123.0}, {39.85, 124.35}, // Yalu mouth
	{39.6, 125.0}, {39.6, 125.2}, {38.75, 125.2}, {38.25, 124.8}, {37.9, 125.2}, {38.0, 125.7},
	{37.45, 126.6}, {36.75, 126.1}, {35.95, 126.6}, {34.8, 126.4}, {34.4, 126.5}, {34.7, 127.7},
	{35.1, 129.05}, {36.0, 129.45}, {37.0, 129.4}, {37.75, 128.9}, {38.6, 128.35}, {39.15, 127.45},
	{39.85, 127.6}, {40.0, 128.4}, {40.67, 129.2}, {41.8, 129.8}, {42.25, 130.3}, {42.3, 130.7}, // Tumen mouth
	{42.6, 130.8}, {43.1, 131.9}, {42.8, 132.9}, {43.3, 133.5}, {46, 133.5},
}

// border is the Yalu–Tumen line between North Korea and China/Russia.
var border = [][2]float64{
	{39.85, 124.35}, {40.1, 124.4}, {40.45, 124.95}, {41.15, 126.3}, {41.45, 126.95}, {41.4, 128.2},
	{42.0, 128.1}, {42.2, 129.2}, {42.45, 129.75}, {42.95, 129.95}, {42.45, 130.55}, {42.3, 130.7},
}

// dmz is the military demarcation line, roughly.
var dmz = [][2]float64{{37.75, 126.1}, {37.95, 126.7}, {38.3, 127.1}, {38.3, 127.8}, {38.6, 128.35}}

// jeju is Jeju island.
var jeju = [][2]float64{{33.55, 126.2}, {33.5, 126.9}, {33.25, 126.85}, {33.2, 126.25}}

func mapHeight() int {
	return int(math.Round(float64(mapWidth) * (mercY(mapLatMax) - mercY(mapLatMin)) / ((mapLonMax - mapLonMin) * math.Pi / 180)))
}

func mercY(lat float64) float64 { return math.Log(math.Tan(math.Pi/4 + lat*math.Pi/360)) }

// project maps a coordinate to the SVG (Mercator, so that shapes look
// as on a wall map).
func project(lat, lon float64) (x, y float64) {
	x = (lon - mapLonMin) / (mapLonMax - mapLonMin) * mapWidth
	y = (mercY(mapLatMax) - mercY(lat)) / (mercY(mapLatMax) - mercY(mapLatMin)) * float64(mapHeight())
	return x, y
}

func pathOf(pts [][2]float64, closed bool) string {
	var b strings.Builder
	for i, p := range pts {
		x, y := project(p[0], p[1])
		if i == 0 {
			fmt.Fprintf(&b, "M%.1f %.1f", x, y)
		} else {
			fmt.Fprintf(&b, "L%.1f %.1f", x, y)
		}
	}
	if closed {
		b.WriteString("Z")
	}
	return b.String()
}

// markerKinds are the location types drawn distinctly, in legend order;
// anything else with coordinates is an "other" marker.
var markerKinds = []string{"kwanliso", "kyohwaso", "jipkyulso", "rodong_danryeondae", "kuryujang", "execution_site", "burial_site", "border_crossing", "china"}

func markerShape(class string, x, y float64) string {
	switch class {
	case "kwanliso":
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="10" height="10"/>`, x-5, y-5)
	case "kyohwaso", "jipkyulso", "rodong_danryeondae", "kuryujang":
		return fmt.Sprintf(`<path d="M%.1f %.1fL%.1f %.1fL%.1f %.1fZ"/>`, x, y-6, x+6, y+5, x-6, y+5)
	case "execution_site", "burial_site":
		return fmt.Sprintf(`<path d="M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f" class="cross"/>`, x-5, y-5, x+5, y+5, x+5, y-5, x-5, y+5)
	}
	return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="4"/>`, x, y)
}

type mapData struct {
	SVG    template.HTML
	Legend []legendItem
	Places []row
	Count  int
}

type legendItem struct {
	Class string
	Label string
	SVG   template.HTML
}

func (s *Server) mapPage(ctx context.Context, p *page) (string, error) {
	p.Title = p.T("map.title")
	p.Nav = "map"
	terms, err := s.web.termsFor(ctx, s.store)
	if err != nil {
		return "", err
	}
	show := map[string]bool{}
	for _, k := range markerKinds {
		show[k] = true
	}
	var places []*sillok.Record
	if err := eachRecord(ctx, s.store, sillok.Filter{Kind: sillok.KindLocation}, func(r *sillok.Record) {
		l := r.Body.(*sillok.Location)
		if l.Lat == nil || l.Lon == nil || *l.Lat < mapLatMin || *l.Lat > mapLatMax || *l.Lon < mapLonMin || *l.Lon > mapLonMax {
			return
		}
		// Administrative areas would crowd the map; facilities and sites
		// are what it is for.
		if termPath(terms, "location_type", l.Type)[0] == "admin" {
			return
		}
		places = append(places, r)
	}); err != nil {
		return "", err
	}
	sort.Slice(places, func(i, j int) bool { return places[i].ID < places[j].ID })
	h := mapHeight()
	var b strings.Builder
	title := p.T("map.title")
	fmt.Fprintf(&b, `<svg class="map" role="img" aria-label="%s" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`, html.EscapeString(title), mapWidth, h)
	fmt.Fprintf(&b, `<title>%s</title><rect class="sea" width="%d" height="%d"/>`, html.EscapeString(title), mapWidth, h)
	fmt.Fprintf(&b, `<path class="land" d="%s"/><path class="land" d="%s"/>`, pathOf(coast, true), pathOf(jeju, true))
	fmt.Fprintf(&b, `<path class="border" d="%s"/><path class="dmz" d="%s"/>`, pathOf(border, false), pathOf(dmz, false))
	for _, lbl := range []struct {
		key      string
		lat, lon float64
	}{{"map.china", 44.5, 124.5}, {"map.north", 40.3, 126.6}, {"map.south", 36.3, 127.9}, {"map.russia", 44.8, 132.2}} {
		x, y := project(lbl.lat, lbl.lon)
		fmt.Fprintf(&b, `<text class="country" x="%.0f" y="%.0f" text-anchor="middle">%s</text>`, x, y, html.EscapeString(p.T(lbl.key)))
	}
	for _, r := range places {
		l := r.Body.(*sillok.Location)
		class := "other"
		for _, c := range termPath(terms, "location_type", l.Type) {
			if show[c] {
				class = c
			}
		}
		if class == "rodong_kyoyangdae" || class == "police_waiting_room" {
			class = "kuryujang"
		}
		x, y := project(*l.Lat, *l.Lon)
		name := displayName(p, terms, r)
		fmt.Fprintf(&b, `<a href="/records/%s" class="marker %s"><title>%s — %s</title>%s</a>`,
			html.EscapeString(string(r.ID)), class, html.EscapeString(name),
			html.EscapeString(termLabel(terms, "location_type", l.Type, p.Lang)), markerShape(class, x, y))
	}
	b.WriteString(`</svg>`)
	d := mapData{SVG: template.HTML(b.String()), Count: len(places)}
	for _, k := range append(markerKinds, "other") {
		label := termLabel(terms, "location_type", k, p.Lang)
		if k == "other" {
			label = p.T("map.other")
		}
		d.Legend = append(d.Legend, legendItem{k, label, template.HTML(`<svg class="legend-mark" viewBox="-8 -8 16 16" width="16" height="16" aria-hidden="true"><g class="marker ` + k + `">` + markerShape(k, 0, 0) + `</g></svg>`)})
	}
	refs := newRefCache(s.store, p, terms)
	for _, r := range places {
		d.Places = append(d.Places, row{ID: r.ID, Label: displayName(p, terms, r), Details: s.details(ctx, p, terms, refs, r)})
	}
	p.Data = d
	return "map", nil
}
