// Package load owns the DuckDB file: opening it (one writer, or read-only
// readers), creating and upgrading its schema from the versioned migration
// files in sql/migrations, replacing a day's sessions, events and rejects
// from the Parquet written by transform in one transaction, and the runs
// table that records every run with counts that add up.
package load
