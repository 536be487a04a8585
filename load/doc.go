// Package load owns the load stage: a day's sessions, events, rejects and
// census entries replace the day's rows in the store in one transaction
// (Ingest), together with the day's profiles and its loaded_days entry,
// checked against the day's counts and with one copy of each row id kept
// across days. Day loads what transform staged as Parquet (kpi load);
// kpi run hands transform's Arrow records to an Ingest as they are built.
package load
