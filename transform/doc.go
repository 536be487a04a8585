// Package transform owns turning one day's raw units into Parquet: it
// reads their elements (KPIggybank rows or bare blobs, through package
// blob), deduplicates them by row id, validates and normalizes each blob
// (docs/data.md §1.2–1.5 and §2.2: the whitelist, coercions, the historical quirks,
// the segments), and writes the day's sessions, events and rejects as
// Parquet files shaped like the DuckDB tables of
// store/migrations/0001_init.sql, plus a stats file with the day's counts
// and profiles (store.Profiles, counted from the rows as they are
// written). The same Arrow records can also be handed over in parts
// while the day is built (Options.Parts), which is how kpi run loads
// them without reading the Parquet back.
//
// Every element ends up in exactly one place: a session (with its
// events), a reject row with a reason code (see Reasons), or the
// duplicate count; Stats.Fetched = Loaded + Duplicates + Rejected.
//
// Decisions on cases the rules leave open:
//   - Invalid JSON has no knowable id, so it is never deduplicated; every
//     other element has a row id (a KPIggybank row's "id", else the sha1
//     of its text), which rejects.id records.
//   - A row id must be a non-empty string or a number; "", null or a
//     boolean fall back to the sha1, so unrelated rows are never merged.
//   - Checks run in a fixed order and the first failure is the reason:
//     JSON, object, timestamp, day, event stream, then the whitelisted
//     fields in docs/data.md order.
//   - Keys are matched exactly (as the dialog and JSON.parse do); the last
//     of duplicate keys wins.
//   - A browser version may be a number (kept as its text); other string
//     fields given a number are bad_field.
//   - Whole numbers may be written 3.0 or "3e0"; 3.5 where a count is
//     expected is bad_field. Booleans accept true/false, "true"/"false",
//     1/0 and "1"/"0" only.
//   - Event pairs must be exactly [name, offset] and fractional offsets
//     are rounded (see blob.Tape.Event); negative and decreasing offsets
//     are kept as sent (see normalizer.eventStream for why).
package transform
