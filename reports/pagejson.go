package reports

import (
	"encoding/json"
	"html/template"
	"math"
	"strconv"
)

// The chart data of a KPI page is written by hand: the same bytes as
// json.Marshal (which html/template would call, then escape its output
// for the script element, changing nothing in JSON it made), without
// reflection and without encoding/json validating again, byte by byte,
// the megabyte of numbers that numbers.MarshalJSON writes for the largest
// pages. TestPageJSONIsEncodingJSON holds the two together.

// js is the page data as the template writes it.
func (p pageJSON) js() template.JS {
	return template.JS(p.appendJSON(make([]byte, 0, 1<<12)))
}

func (p pageJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"kpi":`...)
	b = appendJSONString(b, p.KPI)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(p.Version), 10)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, p.Title)
	b = append(b, `,"unit":`...)
	b = appendJSONString(b, p.Unit)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, p.Kind)
	b = append(b, `,"ylabel":`...)
	b = appendJSONString(b, p.YLabel)
	b = append(b, `,"days":`...)
	b = appendJSONStrings(b, p.Days)
	b = append(b, `,"covered":`...)
	if p.Covered == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, c := range p.Covered {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendBool(b, c)
		}
		b = append(b, ']')
	}
	b = append(b, `,"steps":`...)
	b = appendJSONStrings(b, p.Steps)
	b = append(b, `,"stepColors":`...)
	b = appendJSONStrings(b, p.StepColors)
	b = append(b, `,"stepDashes":`...)
	b = appendJSONStrings(b, p.StepDashes)
	b = append(b, `,"ratio":`...)
	b = strconv.AppendBool(b, p.Ratio)
	b = append(b, `,"granular":`...)
	b = strconv.AppendBool(b, p.Granular)
	b = append(b, `,"bands":`...)
	b = strconv.AppendBool(b, p.Bands)
	b = append(b, `,"estimate":`...)
	b = appendJSONString(b, p.Estimate)
	b = append(b, `,"funnelSteps":`...)
	b = strconv.AppendInt(b, int64(p.FunnelSteps), 10)
	b = append(b, `,"segmentations":`...)
	if p.Segmentations == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, sj := range p.Segmentations {
			if i > 0 {
				b = append(b, ',')
			}
			b = sj.appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"milestones":`...)
	if p.Milestones == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, m := range p.Milestones {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"n":`...)
			b = strconv.AppendInt(b, int64(m.N), 10)
			b = append(b, `,"label":`...)
			b = appendJSONString(b, m.Label)
			b = append(b, `,"from":`...)
			b = appendJSONString(b, m.From)
			b = append(b, `,"to":`...)
			b = appendJSONString(b, m.To)
			b = append(b, `,"href":`...)
			b = appendJSONString(b, m.Href)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"defaultDays":`...)
	b = strconv.AppendInt(b, int64(p.DefaultDays), 10)
	b = append(b, `,"defaultStep":`...)
	b = strconv.AppendInt(b, int64(p.DefaultStep), 10)
	b = append(b, `,"file":`...)
	b = appendJSONString(b, p.File)
	return append(b, '}')
}

func (sj segJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"name":`...)
	b = appendJSONString(b, sj.Name)
	b = append(b, `,"segments":`...)
	if sj.Segments == nil {
		return append(b, "null}"...)
	}
	b = append(b, '[')
	for i, m := range sj.Segments {
		if i > 0 {
			b = append(b, ',')
		}
		b = m.appendJSON(b)
	}
	return append(b, "]}"...)
}

func (m segmentJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"name":`...)
	b = appendJSONString(b, m.Name)
	b = append(b, `,"color":`...)
	b = appendJSONString(b, m.Color)
	for _, f := range []struct {
		name string
		ns   []numbers
	}{{"v", m.V}, {"n", m.N}, {"d", m.D}, {"lo", m.Lo}, {"hi", m.Hi}} {
		if len(f.ns) == 0 { // omitempty
			continue
		}
		b = append(b, `,"`...)
		b = append(b, f.name...)
		b = append(b, `":[`...)
		for i, ns := range f.ns {
			if i > 0 {
				b = append(b, ',')
			}
			b = ns.appendJSON(b)
		}
		b = append(b, ']')
	}
	if len(m.S) > 0 {
		b = append(b, `,"s":[`...)
		for i, x := range m.S {
			if i > 0 {
				b = append(b, ',')
			}
			b = x.appendJSON(b)
		}
		b = append(b, ']')
	}
	if m.Base != nil {
		b = append(b, `,"base":`...)
		b = m.Base.appendJSON(b)
	}
	if m.Binary {
		b = append(b, `,"binary":true`...)
	}
	return append(b, '}')
}

func (x sumsJSON) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	for _, f := range []struct {
		name string
		ns   numbers
	}{{"N", x.N}, {"Y", x.Y}, {"Num", x.Num}, {"Den", x.Den}, {"W2", x.W2}, {"W2Y", x.W2Y}, {"W2Y2", x.W2Y2}, {"WY2", x.WY2}} {
		if len(f.ns) == 0 { // omitempty
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, f.name...)
		b = append(b, `":`...)
		b = f.ns.appendJSON(b)
	}
	return append(b, '}')
}

// appendJSON is numbers.MarshalJSON appended to b.
func (ns numbers) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, v := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
		} else {
			b = appendShortest(b, v)
		}
	}
	return append(b, ']')
}

// appendJSONStrings appends a []string as encoding/json does: null when
// nil.
func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString appends s as encoding/json writes a string (HTML
// characters, U+2028 and U+2029 escaped, invalid UTF-8 replaced).
func appendJSONString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			plain = false
			break
		}
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
