// Package store owns the DuckDB file, the analytic store: opening it (one
// writer holding a lock, which first checkpoints any write-ahead log a
// killed writer left, or read-only readers whose connection can change
// nothing and touch no other file), its schema (the numbered SQL files in
// migrations/ and the Go data migrations registered beside them, applied
// in order and recorded in schema_migrations), refusing files that are
// not kpi's, the runs and loaded_days books, the day profiles, and the
// read models that kpi status and the report share.
package store
