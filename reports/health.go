package reports

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// The health page's sections on the day profiles that describe the data
// rather than its accounting: the server's census and the sample-rate mix.

// recentLoadedDays are the loaded days within otherWindowDays of the last
// one, as the profile queries count them.
func (s *site) recentLoadedDays() []loadedDay {
	ld := s.ds.loadedDays
	if len(ld) == 0 {
		return nil
	}
	from := ld[len(ld)-1].Day.AddDate(0, 0, -otherWindowDays)
	i, _ := slices.BinarySearchFunc(ld, from, func(d loadedDay, t time.Time) int { return d.Day.Compare(t) })
	for i < len(ld) && !ld[i].Day.After(from) {
		i++
	}
	return ld[i:]
}

// censusSection arranges the census entries per day and type: a column
// per known type that occurs, one for the others, a row per recent loaded
// day (a day without entries too: a census with holes cannot be trusted).
func (s *site) censusSection() censusSection {
	var c censusSection
	byDay := map[time.Time]map[string]int64{}
	other := map[time.Time]int64{}
	seen := map[string]bool{}
	for _, t := range s.ds.serverTypes {
		if !t.Type.Valid {
			other[t.Day] += t.N
			c.Other = true
			continue
		}
		if byDay[t.Day] == nil {
			byDay[t.Day] = map[string]int64{}
		}
		byDay[t.Day][t.Type.String] += t.N
		seen[t.Type.String] = true
	}
	for _, ty := range persona.ServerEventTypes {
		if seen[ty] {
			c.Types = append(c.Types, ty)
		}
	}
	days := s.recentLoadedDays()
	for i := len(days) - 1; i >= 0; i-- {
		day := days[i].Day
		row := censusRow{Day: day.Format(time.DateOnly), Other: formatCount(other[day])}
		total := other[day]
		for _, ty := range c.Types {
			n := byDay[day][ty]
			total += n
			row.Cells = append(row.Cells, formatCount(n))
		}
		row.Total, row.None = formatCount(total), total == 0
		c.Any = c.Any || total > 0
		c.Rows = append(c.Rows, row)
	}
	for _, t := range s.ds.otherTypes {
		c.Unknown = append(c.Unknown, eventRow{Name: shown(t.Type), N: formatCount(t.N)})
	}
	return c
}

// rateSection is the sample-rate mix: per recent loaded day, and per OS
// segment over those days, the share of blobs at each sample rate.
type rateSection struct {
	Rates  []rateColumn
	Days   []rateRow // every recent loaded day, newest first
	OS     []rateRow // most blobs first
	MoreOS int       // OS segments left out of OS
	Any    bool      // the days have any blob
}

// rateColumn is a sample rate, the other rates or none, with its colour.
type rateColumn struct{ Name, Class string }

type rateRow struct {
	Label  string
	Blobs  string
	Shares []string // per column of Rates
	Bar    []barPart
	Empty  bool // no blob
}

// barPart is one rate's part of a row's bar, in a 100-unit-wide SVG.
type barPart struct {
	X, W  float64
	Class string
}

// maxRateOS is how many OS segments the sample-rate table shows.
const maxRateOS = 12

// rateKey names a sample-rate column: the rate as Go writes it (shortest
// exact form), or the other rates, or none.
func rateKey(c rateCount) string {
	switch c.Kind {
	case "rate":
		if c.Rate.Valid {
			return strconv.FormatFloat(c.Rate.Float64, 'g', -1, 64)
		}
	case "other":
		return "other rates"
	}
	return "none"
}

func (s *site) rateSection() rateSection {
	var r rateSection
	byDay := map[time.Time]map[string]int64{}
	byOS := map[string]map[string]int64{}
	rates := map[string]float64{}
	for _, c := range s.ds.rates {
		k := rateKey(c)
		if c.Kind == "rate" && c.Rate.Valid {
			rates[k] = c.Rate.Float64
		}
		if byDay[c.Day] == nil {
			byDay[c.Day] = map[string]int64{}
		}
		if byOS[c.OS] == nil {
			byOS[c.OS] = map[string]int64{}
		}
		byDay[c.Day][k] += c.N
		byOS[c.OS][k] += c.N
	}
	// Columns: the rates in ascending order, then the other rates, then none.
	keys := make([]string, 0, len(rates))
	for k := range rates {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(rates[a], rates[b]) })
	for i, k := range keys {
		r.Rates = append(r.Rates, rateColumn{Name: k, Class: "c" + strconv.Itoa(i%11)})
	}
	for _, c := range s.ds.rates {
		if c.Kind == "other" {
			r.Rates = append(r.Rates, rateColumn{Name: "other rates", Class: "cother"})
			break
		}
	}
	for _, c := range s.ds.rates {
		if c.Kind == "none" {
			r.Rates = append(r.Rates, rateColumn{Name: "none", Class: "cnone"})
			break
		}
	}
	days := s.recentLoadedDays()
	for i := len(days) - 1; i >= 0; i-- {
		row := r.row(days[i].Day.Format(time.DateOnly), byDay[days[i].Day])
		r.Any = r.Any || !row.Empty
		r.Days = append(r.Days, row)
	}
	type osTotal struct {
		os string
		n  int64
	}
	var oss []osTotal
	for os, m := range byOS {
		var n int64
		for _, v := range m {
			n += v
		}
		oss = append(oss, osTotal{os, n})
	}
	slices.SortFunc(oss, func(a, b osTotal) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.os, b.os)
	})
	if len(oss) > maxRateOS {
		r.MoreOS = len(oss) - maxRateOS
		oss = oss[:maxRateOS]
	}
	for _, o := range oss {
		r.OS = append(r.OS, r.row(shown(o.os), byOS[o.os]))
	}
	return r
}

// row is one day's or one OS segment's blobs and their shares per column,
// and its bar.
func (r *rateSection) row(label string, counts map[string]int64) rateRow {
	row := rateRow{Label: label}
	var total int64
	for _, n := range counts {
		total += n
	}
	row.Blobs, row.Empty = formatCount(total), total == 0
	x := 0.0
	for _, col := range r.Rates {
		n := counts[col.Name]
		if n == 0 {
			row.Shares = append(row.Shares, "–")
			continue
		}
		row.Shares = append(row.Shares, share(n, total))
		w := float64(n) / float64(total) * 100
		row.Bar = append(row.Bar, barPart{X: r1(x), W: r1(max(w, 0.5)), Class: col.Class})
		x += w
	}
	return row
}
