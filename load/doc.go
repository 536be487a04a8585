// Package load owns the load stage: Day replaces one day's sessions,
// events and rejects in the store with what transform staged for it, in
// one transaction together with the day's profiles and its loaded_days
// entry, checking the rows against the day's counts.
package load
