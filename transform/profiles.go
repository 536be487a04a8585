package transform

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/store"
)

// maxProfileRows bounds the rows a day's counted profiles may hold: a day
// of (say) a distinct event name per blob would make them as large as
// the day. Past it the day gets no counted profiles, and the load queries
// the day for them as before. A variable for tests.
var maxProfileRows = 100_000

// profiler counts a day's profiles (store.Profiles) from the rows as they
// are written: what store.WriteProfiles's queries would find in the day's
// tables.
type profiler struct {
	rows        int // distinct keys so far
	over        bool
	eventNames  map[string]*eventNameCount
	otherValues map[otherKey]int64
	serverTypes map[string]int64
	sampleRates map[rateKey]*rateCount
}

type eventNameCount struct{ events, sessions int64 }

type otherKey struct {
	seg   int // index in persona.Segmentations
	raw   string
	isRaw bool // false: the blob had no value (NULL)
}

// rateKey groups sample rates as DuckDB groups doubles: -0 with 0 (the
// group keeps the first value seen).
type rateKey struct {
	os    string
	bits  uint64
	valid bool
}

type rateCount struct {
	rate     float64
	sessions int64
}

func newProfiler() *profiler {
	return &profiler{eventNames: map[string]*eventNameCount{}, otherValues: map[otherKey]int64{},
		serverTypes: map[string]int64{}, sampleRates: map[rateKey]*rateCount{}}
}

// grew notes a new key and gives up past maxProfileRows.
func (p *profiler) grew() {
	if p.rows++; p.rows > maxProfileRows {
		*p = profiler{over: true}
	}
}

// event counts one event; first says it is the first of its name in its
// session.
func (p *profiler) event(name string, first bool) {
	if p.over {
		return
	}
	c := p.eventNames[name]
	if c == nil {
		c = &eventNameCount{}
		p.eventNames[name] = c
		p.grew()
		if p.over {
			return
		}
	}
	c.events++
	if first {
		c.sessions++
	}
}

// session counts a session's Other values and sample rate.
func (p *profiler) session(s *session) {
	if p.over {
		return
	}
	for i, seg := range s.seg {
		if seg != persona.Other {
			continue
		}
		raw, ok := rawValues[i](s)
		k := otherKey{seg: i, raw: raw, isRaw: ok}
		if _, seen := p.otherValues[k]; !seen {
			if p.grew(); p.over {
				return
			}
		}
		p.otherValues[k]++
	}
	k := rateKey{os: s.seg[segOS], valid: s.sampleRate.ok}
	if k.valid && s.sampleRate.v != 0 { // 0 and -0 are one group
		k.bits = math.Float64bits(s.sampleRate.v)
	}
	c := p.sampleRates[k]
	if c == nil {
		c = &rateCount{rate: s.sampleRate.v}
		p.sampleRates[k] = c
		if p.grew(); p.over {
			return
		}
	}
	c.sessions++
}

// census counts a census entry.
func (p *profiler) census(c *census) {
	if p.over {
		return
	}
	if _, seen := p.serverTypes[c.typ]; !seen {
		if p.grew(); p.over {
			return
		}
	}
	p.serverTypes[c.typ]++
}

// profiles are the counted profiles, sorted so that equal days give equal
// stats files; nil past maxProfileRows.
func (p *profiler) profiles() *store.Profiles {
	if p.over {
		return nil
	}
	out := &store.Profiles{
		EventNames:  []store.EventNameCount{},
		OtherValues: []store.OtherValueCount{},
		ServerTypes: []store.ServerTypeCount{},
		SampleRates: []store.SampleRateCount{},
	}
	for name, c := range p.eventNames {
		out.EventNames = append(out.EventNames, store.EventNameCount{Name: name, Events: c.events, Sessions: c.sessions})
	}
	slices.SortFunc(out.EventNames, func(a, b store.EventNameCount) int { return cmp.Compare(a.Name, b.Name) })
	for k, n := range p.otherValues {
		r := store.OtherValueCount{Segmentation: persona.Segmentations[k.seg].Name, Sessions: n}
		if k.isRaw {
			r.Raw = &k.raw
		}
		out.OtherValues = append(out.OtherValues, r)
	}
	slices.SortFunc(out.OtherValues, func(a, b store.OtherValueCount) int {
		return cmp.Or(cmp.Compare(a.Segmentation, b.Segmentation), compareOpt(a.Raw, b.Raw))
	})
	for t, n := range p.serverTypes {
		out.ServerTypes = append(out.ServerTypes, store.ServerTypeCount{Type: t, Events: n})
	}
	slices.SortFunc(out.ServerTypes, func(a, b store.ServerTypeCount) int { return cmp.Compare(a.Type, b.Type) })
	for k, c := range p.sampleRates {
		r := store.SampleRateCount{OS: k.os, Sessions: c.sessions}
		if k.valid {
			r.SampleRate = &c.rate
		}
		out.SampleRates = append(out.SampleRates, r)
	}
	slices.SortFunc(out.SampleRates, func(a, b store.SampleRateCount) int {
		return cmp.Or(cmp.Compare(a.OS, b.OS), compareOpt(a.SampleRate, b.SampleRate))
	})
	return out
}

// compareOpt orders nil first.
func compareOpt[T cmp.Ordered](a, b *T) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

// rawValues read, for each segmentation, the raw value its segment came
// from as the sessions column persona.Segmentation.RawColumn holds it,
// cast to text as DuckDB casts it (the profile query's CAST(... AS
// VARCHAR)); ok is false for NULL.
var rawValues = func() [numSegs]func(*session) (string, bool) {
	str := func(get func(*session) opt[string]) func(*session) (string, bool) {
		return func(s *session) (string, bool) { v := get(s); return v.v, v.ok }
	}
	num := func(get func(*session) opt[int32]) func(*session) (string, bool) {
		return func(s *session) (string, bool) {
			v := get(s)
			return strconv.FormatInt(int64(v.v), 10), v.ok
		}
	}
	columns := map[string]func(*session) (string, bool){
		"os":              str(func(s *session) opt[string] { return s.os }),
		"browser":         str(func(s *session) opt[string] { return s.browser }),
		"lang":            str(func(s *session) opt[string] { return s.lang }),
		"rp_api":          str(func(s *session) opt[string] { return s.rpAPI }),
		"email_type":      str(func(s *session) opt[string] { return s.emailType }),
		"screen_width":    num(func(s *session) opt[int32] { return s.width }),
		"number_emails":   num(func(s *session) opt[int32] { return s.numberEmails }),
		"browser_version": str(func(s *session) opt[string] { return s.version }),
	}
	var fs [numSegs]func(*session) (string, bool)
	for i, seg := range persona.Segmentations {
		f, ok := columns[seg.RawColumn]
		if !ok {
			// A new segmentation's raw column must be added above; every
			// transform test fails until it is.
			panic(fmt.Sprintf("transform: no raw value for the sessions column %q", seg.RawColumn))
		}
		fs[i] = f
	}
	return fs
}()
