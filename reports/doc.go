// Package reports turns the KPI results in the DuckDB file into a static
// web site: an overview with one tile per KPI, a page per KPI version with
// its daily chart, segments, funnel, table, CSV and definition, and a data
// health page.
//
// Build renders every page into memory (path → content) and only reads the
// database; Write puts the files in place atomically. The pages make no
// request outside the site: the stylesheet, the script (report.js) and the
// chart drawing (chart.go and report.js) are all part of this package, and
// a Content-Security-Policy allows nothing else. Strings from the data are
// escaped by html/template for their context, and the chart data reaches
// the script as JSON inside <script type="application/json">.
package reports
