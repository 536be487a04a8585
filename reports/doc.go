// Package reports turns the KPI results in the DuckDB file into a static
// web site: an overview with "What changed" and one tile per KPI, a page
// per KPI version with its chart over time (per day, 7-day average, ISO
// week or month), the milestones, segments, funnel and flow over time,
// table, CSV and definition, a page per milestone comparing the week
// before with the week after, a data health page, and the census check
// (the dialog's estimate of new accounts beside the server's count).
//
// Numbers are judged as package stats judges them (measure.go): a version
// that estimates from the sample (compute/doc.go, Estimates) shows every
// value with its 95% interval, drawn as a band around each line; a range
// of days of a total, rate or mean is estimated again from its days'
// additive sums, in Go for the server-drawn pages and by stats.js in the
// browser. A change compares the last 7 days with the 7 before (a
// quantile: the same weekday a week earlier) and is coloured only when its
// interval excludes 0; "What changed" corrects for its many comparisons
// with Benjamini–Hochberg. A version that describes the sample is shown
// but never judged.
//
// Build renders every page into memory (path → content) and only reads the
// database; Write puts the files in place atomically. The pages make no
// request outside the site: the stylesheet, the scripts (report.js and
// stats.js) and the chart drawing (chart.go, drawn at three widths, and
// report.js, for the exact width) are all part of this package, and a Content-Security-Policy
// allows nothing else. Strings from the data and the configuration are
// escaped by html/template for their context (and cut to valueMax
// characters), and the chart data reaches the script as JSON inside
// <script type="application/json">. The site asks not to be indexed (meta
// robots, robots.txt): it is for internal readers only. Handler serves a
// written site for a local preview.
//
// The site grows with the days that have data, never with the span
// between the first and the last: the day axis cuts out long runs without
// data (setDays), the health page lists gaps as runs and reads only the
// day profiles of recent loaded days.
package reports
