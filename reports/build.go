package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
)

// Options tells Build what to put on the pages besides the database.
type Options struct {
	// Config gives the milestones drawn on the charts and the order of
	// segments.
	Config config.Config
	// GeneratedAt is shown as the site's generation time.
	GeneratedAt time.Time
	// RunID is the run the site reports on (kpi run passes its own); zero
	// means the latest successful run in the runs table.
	RunID int64
	// Logger receives one line per build; nil discards.
	Logger *slog.Logger
}

// DefaultDays is the date range a KPI page opens with.
const DefaultDays = 90

// sparkDays is how many days the index sparklines cover.
const sparkDays = 30

// markerFile is written into every site, so Write only ever replaces a
// directory it wrote itself.
const markerFile = ".kpi-site"

// Build reads the database (it only reads) and renders the whole site:
// path → content. Paths are slash-separated and relative to the site root.
func Build(ctx context.Context, db *sql.DB, opt Options) (map[string][]byte, error) {
	start := time.Now()
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.GeneratedAt.IsZero() {
		opt.GeneratedAt = time.Now()
	}
	ds, err := readDataset(ctx, db, opt)
	if err != nil {
		return nil, err
	}
	read := time.Since(start)
	s, err := newSite(ds, opt)
	if err != nil {
		return nil, err
	}
	files, err := s.render()
	if err != nil {
		return nil, err
	}
	var size int
	for _, b := range files {
		size += len(b)
	}
	for _, id := range s.unknownMilestoneKPIs() {
		log.Warn("a milestone names a KPI the database does not have", "kpi", id)
	}
	log.Info("report built", "files", len(files), "bytes", size, "kpis", len(s.latest),
		"read", read.Round(time.Millisecond), "took", time.Since(start).Round(time.Millisecond))
	return files, nil
}

// site is the dataset arranged for the pages.
type site struct {
	ds      *dataset
	opt     Options
	files   map[string][]byte
	assets  assets
	latest  []kpiDef            // latest version of each KPI, in display order
	byID    map[string][]kpiDef // every version, ascending
	slugs   map[string]string
	miles   []milestoneView
	pages   *templates
	navList []navItem
}

type assets struct{ CSS, JS, Stats, Icon string }

func newSite(ds *dataset, opt Options) (*site, error) {
	s := &site{ds: ds, opt: opt, files: map[string][]byte{}, byID: map[string][]kpiDef{}, slugs: map[string]string{}}
	// index, health and the census check are the site's own pages.
	used := map[string]bool{"index": true, "health": true, checkPage: true}
	for _, d := range ds.defs {
		if _, ok := s.byID[d.ID]; !ok {
			slug := slugify(d.ID)
			for base, i := slug, 2; used[slug]; i++ {
				slug = base + "-" + strconv.Itoa(i)
			}
			used[slug] = true
			s.slugs[d.ID] = slug
		}
		s.byID[d.ID] = append(s.byID[d.ID], d)
	}
	for _, d := range ds.defs {
		vs := s.byID[d.ID]
		if vs[len(vs)-1].Version == d.Version {
			s.latest = append(s.latest, d)
		}
	}
	var err error
	if s.miles, err = newMilestones(opt.Config.Milestones, used); err != nil {
		return nil, err
	}
	for _, d := range s.latest {
		s.navList = append(s.navList, navItem{Href: s.href(d.ID, 0), Title: d.Title, ID: d.ID})
	}
	return s, nil
}

// unknownMilestoneKPIs lists the KPI ids milestones name that no KPI has:
// most likely typos.
func (s *site) unknownMilestoneKPIs() []string {
	var out []string
	for _, m := range s.miles {
		for _, id := range m.KPIs {
			if _, ok := s.byID[id]; !ok && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// slugify makes a KPI id safe as a file name: [a-z0-9_-] only.
func slugify(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "kpi"
	}
	return b.String()
}

// href is a KPI page's file name; version 0 is the latest-version page.
func (s *site) href(id string, version int) string {
	if version == 0 {
		return s.slugs[id] + ".html"
	}
	return s.slugs[id] + ".v" + strconv.Itoa(version) + ".html"
}

func (s *site) csvName(d kpiDef) string {
	return s.slugs[d.ID] + ".v" + strconv.Itoa(d.Version) + ".csv"
}

// addAsset stores a static file under a name carrying its content hash, so
// a host may cache it forever.
func (s *site) addAsset(name string) (string, error) {
	b, err := fs.ReadFile(staticFS, "static/"+name)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	out := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
	s.files[out] = b
	return out, nil
}

func (s *site) render() (map[string][]byte, error) {
	var err error
	for _, a := range []struct {
		name string
		dst  *string
	}{{"report.css", &s.assets.CSS}, {"report.js", &s.assets.JS}, {"stats.js", &s.assets.Stats}, {"favicon.svg", &s.assets.Icon}} {
		if *a.dst, err = s.addAsset(a.name); err != nil {
			return nil, fmt.Errorf("asset %s: %w", a.name, err)
		}
	}
	if s.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	// Each page and CSV is made on its own from the dataset, which no
	// longer changes: they are made side by side, on every core.
	var parts []part
	parts = append(parts,
		s.page("index", func() any { return s.indexPage() }, "index.html"),
		s.page("health", func() any { return s.healthPage() }, "health.html"),
		s.page("census", func() any { return s.censusPage() }, checkPage+".html"))
	for _, m := range s.miles {
		parts = append(parts, s.page("milestone", func() any { return s.milestonePage(m) }, m.Href))
	}
	for _, d := range s.ds.defs {
		names := []string{s.href(d.ID, d.Version)}
		if s.isLatest(d) {
			// The latest version's page under the KPI's own name too:
			// the same page, rendered once.
			names = append(names, s.href(d.ID, 0))
		}
		parts = append(parts, s.page("kpi", func() any { return s.kpiPage(d) }, names...),
			part{names: []string{s.csvName(d)}, make: func() ([]byte, error) { return s.csv(d) }})
	}
	made := make([][]byte, len(parts))
	errs := make([]error, len(parts))
	forEach(len(parts), runtime.GOMAXPROCS(0), func(i int) { made[i], errs[i] = parts[i].make() })
	for i, p := range parts {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for _, name := range p.names {
			s.files[name] = made[i]
		}
	}
	// The pages hold raw user-agent and locale strings: an internal site
	// (see README, Protecting the published site).
	s.files["robots.txt"] = []byte("User-agent: *\nDisallow: /\n")
	s.files[markerFile] = []byte("This directory was written by `kpi report`; the next report replaces it whole.\n")
	return s.files, nil
}

// part is a file of the site, or the same content under several names,
// and how to make it.
type part struct {
	names []string
	make  func() ([]byte, error)
}

// page is the part rendering template tmpl with the data data returns.
func (s *site) page(tmpl string, data func() any, names ...string) part {
	return part{names: names, make: func() ([]byte, error) {
		var buf bytes.Buffer
		if err := s.pages.execute(&buf, tmpl, data()); err != nil {
			return nil, fmt.Errorf("render %s: %w", names[0], err)
		}
		return buf.Bytes(), nil
	}}
}

// forEach calls f(0) … f(n-1) on up to workers goroutines at once and
// returns when all have returned.
func forEach(n, workers int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(workers, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

func (s *site) isLatest(d kpiDef) bool {
	vs := s.byID[d.ID]
	return vs[len(vs)-1].Version == d.Version
}

// layout is what every page shares.
type layout struct {
	Title       string
	Description string // what the page answers, for its meta description
	Assets      assets
	Nav         []navItem
	Page        string // index, health or kpi
	Active      string // the KPI id of a kpi page
	Fresh       freshness
}

type navItem struct{ Href, Title, ID string }

type freshness struct {
	Through   string
	Generated string
	RunID     int64
	HasRun    bool
	StaleDays int
}

func (s *site) layout(title, description, page, active string) layout {
	f := freshness{Generated: s.opt.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")}
	if t, ok := s.ds.through(); ok {
		f.Through = t.Format(time.DateOnly)
		gen := s.opt.GeneratedAt.UTC().Truncate(24 * time.Hour)
		f.StaleDays = int(gen.Sub(t).Hours()/24) - 1
	}
	if s.ds.run != nil {
		f.RunID, f.HasRun = s.ds.run.ID, true
	}
	return layout{Title: title, Description: description, Assets: s.assets, Nav: s.navList, Page: page, Active: active, Fresh: f}
}

// The values a chart and a tile show.

// values returns one series' daily values over days[from:], counts
// being zero on covered days without a row ("no qualifying blobs").
func (s *site) values(d kpiDef, ser *series, from int) []float64 {
	out := make([]float64, len(s.ds.days)-from)
	for i := range out {
		v := math.NaN()
		if ser != nil {
			v = ser.v[from+i]
		}
		if math.IsNaN(v) && d.Unit == "count" && s.ds.covered[from+i] {
			v = 0
		}
		out[i] = v
	}
	return out
}

// aggregate combines days [from, to] of a series: a count's sum, a
// ratio's sum of numerators over sum of denominators, else the mean of
// the daily values. perDay turns a count's sum into a daily mean.
func (s *site) aggregate(d kpiDef, ser *series, from, to int, perDay bool) float64 {
	var days []int
	for i := max(from, 0); i <= to; i++ {
		days = append(days, i)
	}
	return s.aggregateDays(d, ser, days, perDay)
}

// aggregateDays is aggregate over the day indices days.
func (s *site) aggregateDays(d kpiDef, ser *series, days []int, perDay bool) float64 {
	if ser == nil || len(days) == 0 {
		return math.NaN()
	}
	var sum, num, den float64
	var covered, vals, pairs int
	for _, i := range days {
		if s.ds.covered[i] {
			covered++
		}
		if v := ser.v[i]; !math.IsNaN(v) {
			sum += v
			vals++
		}
		if n, dd := ser.n[i], ser.d[i]; !math.IsNaN(n) && !math.IsNaN(dd) {
			num += n
			den += dd
			pairs++
		}
	}
	switch {
	case d.Unit == "count":
		if covered == 0 {
			return math.NaN()
		}
		if perDay {
			return sum / float64(covered)
		}
		return sum
	case pairs > 0 && pairs == vals && den != 0:
		return num / den
	case vals > 0:
		return sum / float64(vals)
	}
	return math.NaN()
}

func (s *site) results(d kpiDef) *kpiResults { return s.ds.results[kpiKey{d.ID, d.Version}] }

func (s *site) total(d kpiDef, step string) *series {
	r := s.results(d)
	if r == nil {
		return nil
	}
	return r.cells["Total"]["Total"][step]
}

// mainStep is the step a KPI's headline and single line show: the median
// of a quantiles KPI, else the first step ("" for a plain time series).
func mainStep(d kpiDef, r *kpiResults) string {
	if d.Kind == "quantiles" {
		if slices.Contains(r.steps, "p50") {
			return "p50"
		}
		if len(r.steps) > 0 {
			return r.steps[len(r.steps)/2]
		}
	}
	return firstStep(r)
}

func firstStep(r *kpiResults) string {
	if len(r.steps) == 0 {
		return ""
	}
	return r.steps[0]
}

// segmentOrder lists a segmentation's segments as the configuration lists
// them, then any others alphabetically, then Other.
func (s *site) segmentOrder(segmentation string, present map[string]map[string]*series) []string {
	var out []string
	listed := map[string]bool{}
	for _, v := range s.opt.Config.Segmentations[segmentation] {
		listed[v] = true
		if _, ok := present[v]; ok {
			out = append(out, v)
		}
	}
	var rest []string
	for v := range present {
		if !listed[v] && v != "Other" {
			rest = append(rest, v)
		}
	}
	slices.Sort(rest)
	out = append(out, rest...)
	if _, ok := present["Other"]; ok {
		out = append(out, "Other")
	}
	return out
}

// segmentations lists the segmentations a KPI version has results for:
// Total first, then in the configured display order.
func (s *site) segmentations(r *kpiResults) []string {
	out := []string{"Total"}
	if r == nil {
		return out
	}
	seen := map[string]bool{"Total": true}
	for _, name := range persona.SegmentationNames {
		if _, ok := r.cells[name]; ok {
			out = append(out, name)
			seen[name] = true
		}
	}
	var rest []string
	for name := range r.cells {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

func colorClass(i int, name string) string {
	if name == "Other" {
		return "cother"
	}
	return "c" + strconv.Itoa(i%11)
}

// csvHead is the long form of kpi_results, as a version's CSV has it.
var csvHead = []string{"kpi", "version", "day", "segmentation", "segment", "step", "value", "numerator", "denominator",
	"lo", "hi", "n", "s_blobs", "s_y", "s_wy", "s_w", "s_w2", "s_w2y", "s_w2y2", "s_wy2"}

// csv writes every result of one KPI version in the long form of
// kpi_results, its interval, n and sums included (empty where NULL).
//
// It writes what encoding/csv writes for those records, but quotes each
// series' text fields once, not once a row, and appends the numbers
// straight into the buffer: a version's CSV can hold a few hundred
// thousand rows.
func (s *site) csv(d kpiDef) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(csvHead)
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	r := s.results(d)
	if r == nil {
		return buf.Bytes(), nil
	}
	head, err := csvFields(csvSafe(d.ID), strconv.Itoa(d.Version))
	if err != nil {
		return nil, err
	}
	days := make([]string, len(s.ds.days))
	for i := r.first; i <= r.last; i++ {
		days[i] = s.ds.days[i].Format(time.DateOnly)
	}
	// The series in the file's order, with their quoted names and rows.
	type part struct {
		ser  *series
		mid  string
		rows int
	}
	var parts []part
	size := buf.Len()
	for _, seg := range s.segmentations(r) {
		bySeg := r.cells[seg]
		for _, segment := range s.segmentOrder(seg, bySeg) {
			for _, step := range r.steps {
				ser := bySeg[segment][step]
				if ser == nil {
					continue
				}
				mid, err := csvFields(csvSafe(seg), csvSafe(segment), csvSafe(step))
				if err != nil {
					return nil, err
				}
				p := part{ser: ser, mid: mid}
				for i := r.first; i <= r.last; i++ {
					if !math.IsNaN(ser.v[i]) {
						p.rows++
					}
				}
				parts = append(parts, p)
				// About 8 bytes a number: a buffer that rarely grows, as
				// growing one of megabytes copies it into new memory.
				size += p.rows * (len(head) + len(mid) + 14 + 14*8)
			}
		}
	}
	b := append(make([]byte, 0, size), buf.Bytes()...)
	for _, p := range parts {
		ser, mid := p.ser, p.mid
		for i := r.first; i <= r.last; i++ {
			if math.IsNaN(ser.v[i]) {
				continue
			}
			b = append(b, head...)
			b = append(b, ',')
			b = append(b, days[i]...)
			b = append(b, ',')
			b = append(b, mid...)
			for _, v := range [...]float64{ser.v[i], ser.n[i], ser.d[i], ser.lo[i], ser.hi[i], ser.obs[i]} {
				b = appendCSVNum(append(b, ','), v)
			}
			if ser.sums == nil || ser.sums[i].N == 0 {
				b = append(b, ",,,,,,,,"...)
			} else {
				x := ser.sums[i]
				for _, v := range [...]float64{x.N, x.Y, x.Num, x.Den, x.W2, x.W2Y, x.W2Y2, x.WY2} {
					b = appendCSVNum(append(b, ','), v)
				}
			}
			b = append(b, '\n')
		}
	}
	return b, nil
}

// csvFields is fields as encoding/csv writes them within a record, without
// the line's end: each field quoted as it needs, comma-separated. There
// are at least two, so a lone empty field's special case does not arise.
func csvFields(fields ...string) (string, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(fields)
	w.Flush()
	if err := w.Error(); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// appendCSVNum appends v as FormatFloat's shortest 'g' form, nothing for
// NaN (NULL). Numbers never need quoting.
func appendCSVNum(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return b
	}
	return appendShortest(b, v)
}

// appendShortest appends strconv.AppendFloat(b, v, 'g', -1, 64). About
// half the numbers of a site are whole and under a million, which that
// form writes as their digits: those are appended as integers, several
// times faster (the site holds about two million numbers).
func appendShortest(b []byte, v float64) []byte {
	if v > -1e6 && v < 1e6 && v == math.Trunc(v) && (v != 0 || !math.Signbit(v)) {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
