// Package blob owns the format of what sources deliver, and is the one
// parser of it that every stage imports:
//
//   - a stream of elements (Elements): a JSON array (KPIggybank's
//     response), NDJSON, or concatenated and pretty-printed JSON values,
//     each element a KPIggybank row {"id", "key", "value": {blob}} or a
//     bare blob;
//   - the one-pass JSON parser that validates an element and records its
//     structure (Tape), and the readers of its values (Kind, KeyIs,
//     DecodeString, Number) and of their text in messages (Snippet,
//     OneLine, ValidUTF8);
//   - splitting an element into its row id and its blob (Split, RowID);
//   - the timestamp rules: seconds or milliseconds, the valid range, the
//     day an element belongs to (TimestampMs, ElementDay);
//   - the shape of one event of a blob's event stream (Tape.Event).
//
// What the fields of a blob mean, which are kept and how they are
// normalized is the transform stage's; the names of Persona's events and
// segmentations are package persona's.
package blob
