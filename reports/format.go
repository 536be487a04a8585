package reports

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// formatValue writes a KPI value for people: counts with thousands
// separators, rates as percentages, means with two decimals, durations in
// ms or s. The same rules live in report.js (fmtValue).
func formatValue(unit string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	switch unit {
	case "rate":
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case "mean":
		return groupThousands(strconv.FormatFloat(v, 'f', 2, 64))
	case "median":
		return groupThousands(trimZeros(strconv.FormatFloat(v, 'f', 1, 64)))
	case "ms":
		switch a := math.Abs(v); {
		case a >= 2*3600e3:
			return groupThousands(strconv.FormatFloat(v/3600e3, 'f', 1, 64)) + " h"
		case a >= 120e3:
			return strconv.FormatFloat(v/60e3, 'f', 1, 64) + " min"
		case a >= 10e3:
			return strconv.FormatFloat(v/1e3, 'f', 1, 64) + " s"
		}
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64)) + " ms"
	}
	return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
}

// share writes part/whole as a percentage, "<0.1%" for a sliver.
func share(part, whole int64) string {
	if whole <= 0 {
		return ""
	}
	p := float64(part) / float64(whole) * 100
	if p > 0 && p < 0.05 {
		return "<0.1%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// formatCount writes an integer count with thousands separators.
func formatCount(n int64) string { return groupThousands(strconv.FormatInt(n, 10)) }

// formatTick writes an axis tick: shorter than formatValue, and with the
// step's precision so ticks read 0, 2.5, 5 rather than 0, 2.50, 5.00.
func formatTick(unit string, v, step float64) string {
	dec := 0
	for s := step; dec < 6 && math.Abs(s-math.Round(s)) > 1e-9; s *= 10 {
		dec++
	}
	if unit == "rate" {
		dec = max(0, dec-2)
		return strconv.FormatFloat(v*100, 'f', dec, 64) + "%"
	}
	if math.Abs(v) >= 1e6 && dec == 0 {
		return trimZeros(strconv.FormatFloat(v/1e6, 'f', 2, 64)) + "M"
	}
	return groupThousands(strconv.FormatFloat(v, 'f', dec, 64))
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// groupThousands puts commas into the integer part of a decimal number.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if len(intPart) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.WriteString(sign)
	lead := len(intPart) % 3
	if lead > 0 {
		b.WriteString(intPart[:lead])
	}
	for i := lead; i < len(intPart); i += 3 {
		if b.Len() > len(sign) {
			b.WriteByte(',')
		}
		b.WriteString(intPart[i : i+3])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// change describes latest against a baseline: points for rates, percent
// otherwise. dir is "up", "down" or "flat"; text is "" when there is no
// comparison to make.
func change(unit string, latest, base float64) (text, dir string) {
	if math.IsNaN(latest) || math.IsNaN(base) {
		return "", ""
	}
	d, suffix := (latest-base)*100, " pts"
	if unit != "rate" {
		if base == 0 {
			return "", ""
		}
		d, suffix = (latest-base)/math.Abs(base)*100, "%"
	}
	abs := strconv.FormatFloat(math.Abs(d), 'f', 1, 64) + suffix
	switch {
	case math.Abs(d) < 0.05:
		return "±0.0" + suffix, "flat"
	case d > 0:
		return "+" + abs, "up"
	default:
		return "−" + abs, "down"
	}
}

// The longest values from the data a page shows, in characters: a longer
// one is cut and ends in "…". The database keeps every value whole, and
// so does the CSV of a version's data.
const (
	valueMax   = 200  // raw values, event names, census types, segments and steps
	messageMax = 1000 // a run's error and source
)

// cut keeps the first n characters of s, and marks a cut with "…".
func cut(s string, n int) string {
	if len(s) <= n { // bytes: at least as many as characters
		return s
	}
	chars := 0
	for i := range s {
		if chars == n {
			return s[:i] + "…"
		}
		chars++
	}
	return s
}

// name is a segment, segmentation or step as a page shows it.
func name(s string) string { return cut(s, valueMax) }

func names(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = name(s)
	}
	return out
}

// shown is a raw value from the data as the health page shows it: cut to
// valueMax characters, invisible ones written as \u escapes.
func shown(s string) string { return visible(cut(s, valueMax)) }

// visible writes control and invisible characters as \u escapes so that a
// maintainer sees exactly what a raw value holds. Escaping for HTML stays
// with html/template.
func visible(s string) string {
	if s == "" {
		return `""`
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) || unicode.Is(unicode.Cf, r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// csvSafe keeps a text cell from being read as a formula by spreadsheet
// programs: segment values come from end users' browsers.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
