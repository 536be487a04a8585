// Package persona is the vocabulary of Persona's sign-in dialog data that
// every stage shares (docs/data.md §1.6 and §2.2), so that each fact has one home:
//
//   - the segmentations: each one's name, the blob field its raw value
//     comes from, and the sessions columns holding that value and the
//     segment (Segmentations);
//   - the dialog's event vocabulary: the names the pipeline looks for
//     (EmailConfirmed, ...), every exact name and name family the dialog
//     sent (EventNames, EventPatterns, KnownEvent), the census entry types
//     (ServerEventTypes), and the clean-up of names on the way in
//     (EventName: query strings stripped, e-mail addresses masked);
//   - the UTC day a blob belongs to, and runs of days (Day, DayOfMs, Days);
//   - the accounting of a day's or a run's elements: every element fetched
//     is loaded, a census entry, a duplicate or rejected (Counts);
//   - the hash of a row id that transform dedupes a day by and the store
//     keeps beside each session for the cross-day dedupe (IDHash).
//
// It imports nothing from this module, so that any stage can stand on it.
package persona
