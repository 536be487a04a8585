// Package pipeline is kpi's composition root: it runs the stages in order
// for the days that are due and keeps the books of each run.
//
// Run does what `kpi run` and `kpi backfill` do: it opens the store for
// writing, records the run, removes what a killed run left in the storage
// areas, works out the due days (after the last loaded day through
// yesterday, plus the look-back; the last 30 days on an empty database;
// the flags' range when given), lands them from the source, skips days
// whose input hash is unchanged (unless backfilling), transforms and
// loads the others, computes the KPIs of the days it changed, records
// what it did, and writes the report site. Each stage also runs alone
// (Extract, Transform, LoadDays, Compute, Report), as the single-stage
// commands do. Schedule runs Run on a cron schedule.
//
// The clock is Options.Now, so the due-day and look-back rules can be
// tested at any date.
package pipeline
