package reports

import (
	"regexp"
	"strings"
)

// subject is what a KPI version counts or measures, in words for its
// page: its unit text, its axis and its definition.
//
// It follows from the relations the version's query reads, the contract
// compute/doc.go ("What a query reads") sets between a KPI's SQL and the
// store: kpi_server_events holds the server's census entries (one row per
// server-side event, not sampled), kpi_sessions, kpi_blobs, kpi_segments,
// kpi_events and kpi_event_lists hold dialog sessions (one blob each) or
// what their streams hold. A query reading
// only the first counts census entries, one reading only the others
// counts sessions; one reading both, or none (a version not computed yet
// has no SQL in the registry), gets words that name neither.
type subject struct {
	// Plural names the things counted: "sessions", "census entries", or
	// "" when unknown.
	Plural string
	// Count is the unit text of a count ("a count of dialog sessions").
	Count string
	// Axis is a daily count's axis label ("Sessions per day").
	Axis string
	// Each is what a mean or median is per ("session").
	Each string
	// Note is what the definition adds about what counts.
	Note string
}

var (
	dialogSubject = subject{Plural: "sessions", Count: "a count of dialog sessions", Axis: "Sessions", Each: "session",
		Note: "Only sessions with a non-empty event stream count."}
	censusSubject = subject{Plural: "census entries", Count: "a count of the server’s census entries", Axis: "Census entries", Each: "census entry",
		Note: "Census entries are the Persona server’s own records, one per server-side event and not sampled: exact counts, not estimates."}
	unknownSubject = subject{Count: "a count", Axis: "Count"}
)

var (
	censusRelations = regexp.MustCompile(`\bkpi_server_events\b`)
	dialogRelations = regexp.MustCompile(`\bkpi_(sessions|blobs|segments|events|event_lists)\b`)
	// sqlNoise is what is not a relation name in SQL text: comments and
	// string literals.
	sqlNoise = regexp.MustCompile(`(?s)--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'`)
)

// factRelation is a fact's table as a KPI query reads it (compute.FactRef).
var factRelation = regexp.MustCompile(`\bfact_[a-z][a-z0-9_]*_v[1-9][0-9]*\b`)

// subjectOf says what a version whose query is sqlText counts. A fact's
// table reads what the fact's own query reads: facts maps each fact's
// table name to its SQL (the facts registry), and a fact whose SQL is not
// known reads nothing that can be named.
func subjectOf(sqlText string, facts map[string]string) subject {
	return newSubjects(facts).of(sqlText)
}

// subjects says what versions count, reading each fact's SQL once for all
// of them: the facts' queries are long, and most versions read the same
// few facts.
type subjects struct {
	facts    map[string]string
	expanded map[factAt]string
}

// factAt is a fact's table met at a depth of expandFacts.
type factAt struct {
	table string
	depth int
}

func newSubjects(facts map[string]string) *subjects {
	return &subjects{facts: facts, expanded: map[factAt]string{}}
}

// of is subjectOf(sqlText, the facts).
func (x *subjects) of(sqlText string) subject {
	q := x.expandFacts(sqlNoise.ReplaceAllString(sqlText, " "), 0)
	census, dialog := censusRelations.MatchString(q), dialogRelations.MatchString(q)
	switch {
	case census && !dialog:
		return censusSubject
	case dialog && !census:
		return dialogSubject
	}
	return unknownSubject
}

// yLabel is the y axis label of a KPI. A rate's denominator differs from
// KPI to KPI (sessions, shown dialogs, new-user outcomes), so a rate is
// labelled with its title rather than as a share of something it may not
// be.
func yLabel(d kpiDef) string {
	switch d.Unit {
	case "rate":
		return d.Title
	case "mean":
		return strings.TrimSpace("Mean per " + d.Counts.Each)
	case "median":
		return strings.TrimSpace("Median per " + d.Counts.Each)
	case "ms":
		return "Milliseconds"
	}
	if d.Kind == "funnel" {
		return d.Counts.Axis + " reaching the step"
	}
	return d.Counts.Axis + " per day"
}

// unitName says in words what a KPI's value is, for the definition
// section.
func unitName(d kpiDef) string {
	switch d.Unit {
	case "rate":
		return "a rate (numerator ÷ denominator), shown as a percentage"
	case "mean":
		return "a mean (sum ÷ count)"
	case "median":
		return "a median"
	case "ms":
		return "a duration in milliseconds"
	}
	return d.Counts.Count
}

// estimateText says in words how a version's values relate to all dialog
// sessions, for the definition section: its method, and what its
// intervals mean.
func estimateText(d kpiDef) string {
	switch d.method() {
	case "total":
		return "Estimated for all dialog sessions: each sampled blob stands for 1 ÷ its sample rate sessions, and the total is their weighted sum (Horvitz–Thompson), with a 95% interval from the sampling variance. Any range of days is estimated again from its days’ sums."
	case "rate":
		return "Estimated for all dialog sessions: each sampled blob weighs 1 ÷ its sample rate, and the share is the weighted numerator over the weighted denominator (a ratio estimate), with a Wilson 95% interval on its effective sample size. Any range of days is estimated again from its days’ sums."
	case "mean":
		return "Estimated for all dialog sessions: each sampled blob weighs 1 ÷ its sample rate, and the mean is the weighted sum over the weights (a ratio estimate), with a normal 95% interval. Any range of days is estimated again from its days’ sums."
	case "quantiles":
		return "Estimated for all dialog sessions: the weighted quantile of the observations, each weighing 1 ÷ its session’s sample rate, with a 95% interval from the order statistics (Woodruff). Quantiles cannot be combined across days."
	case "census":
		return "Exact: a count of the server’s census entries, which are not sampled, so the value is its own interval."
	}
	if d.Counts == censusSubject {
		return "Counts the server’s census entries as stored; the version does not mark them as an exact census, so the pages judge no change."
	}
	return "Has no interval (estimate: sample): it describes the sampled sessions, or weights them without an interval, so the pages judge no change."
}

// expandFacts appends to q the SQL of every fact it reads, and of the
// facts those read; depth stops a registry whose facts read each other in
// a circle (compute refuses one, but the registry is read as it is).
func (x *subjects) expandFacts(q string, depth int) string {
	if depth > 8 {
		return q
	}
	var more strings.Builder
	for _, t := range factRelation.FindAllString(q, -1) {
		f, ok := x.facts[t]
		if !ok {
			continue
		}
		at := factAt{t, depth}
		e, done := x.expanded[at]
		if !done {
			e = x.expandFacts(sqlNoise.ReplaceAllString(f, " "), depth+1)
			x.expanded[at] = e
		}
		more.WriteString(" ")
		more.WriteString(e)
	}
	return q + more.String()
}
