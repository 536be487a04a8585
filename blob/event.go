package blob

import (
	"fmt"
	"math"
)

// maxOffset is the largest offset kept exactly: a float64 holds integers
// up to 2^53, and no dialog stays open for 285 000 years.
const maxOffset = 1 << 53

// Event is one element of a blob's event stream, as the production
// dialog sent them (docs/data.md §1.3): [name, offset_ms] for most
// events, [name, offset_ms, duration_ms] for XHR completions (since
// 2012-10-09), and [name, offset_ms, duration_ms, repeat_count] for
// consecutive identical XHR events folded into one (since 2013-04-02).
type Event struct {
	// RawName is the event's name as its JSON string literal, quotes and
	// escapes included: a reader of many blobs can share each name's
	// string by its literal and decode it once (DecodeString).
	RawName []byte
	// Offset is when the event happened, in milliseconds since the dialog
	// opened, rounded to the nearest millisecond. For an XHR event it is
	// when the request started: the event is recorded when the answer
	// came, so offsets in a stream do not always increase.
	Offset int64
	// Duration is the request's time in ms as the user felt it (the third
	// element), valid when HasDuration.
	Duration    int64
	HasDuration bool
	// Repeat is how many identical consecutive events this one stands for
	// (the fourth element), valid when HasRepeat.
	Repeat    int32
	HasRepeat bool
}

// maxRepeat bounds a repeat count: polling every few seconds for a day
// is under 100,000.
const maxRepeat = 1 << 30

// eventShape names the elements of an event in messages.
const eventShape = "[name, offset] plus an optional duration and repeat count"

// Event reads the event at tape index at, an element of an event stream.
// The error says why the element is not an event, naming the part at
// fault; it does not say where the element is in its stream.
//
// The shape is checked strictly and values are kept as sent:
//   - An event is a list of 2 to 4 elements: a name, an offset, then
//     optionally a duration and a repeat count.
//   - The name must be a string; the offset and duration numbers (or
//     strings holding one) within ±2^53, rounded to the nearest
//     millisecond; negative values are kept (the dialog measured them
//     with the wall clock). A repeat count must be a whole number from 1.
func (t *Tape) Event(at int32) (Event, error) {
	if t.e[at].kind != '[' {
		return Event{}, fmt.Errorf("%s is not a list %s", Snippet(t.Text(at), 40), eventShape)
	}
	var parts [4]int32
	np := 0
	for q := at + 1; q < t.e[at].next; q, np = t.e[q].next, np+1 {
		if np < len(parts) {
			parts[np] = q
		}
	}
	if np < 2 || np > len(parts) {
		return Event{}, fmt.Errorf("%s has %d elements, want %s", Snippet(t.Text(at), 40), np, eventShape)
	}
	name := t.Text(parts[0])
	if t.e[parts[0]].kind != '"' {
		return Event{}, fmt.Errorf("name %s is not a string", Snippet(name, 40))
	}
	ev := Event{RawName: name}
	var err error
	if ev.Offset, err = t.millis(parts[1], "offset"); err != nil {
		return Event{}, err
	}
	if np >= 3 {
		if ev.Duration, err = t.millis(parts[2], "duration"); err != nil {
			return Event{}, err
		}
		ev.HasDuration = true
	}
	if np == 4 {
		text := t.Text(parts[3])
		n, ok := Number(text)
		if !ok || n < 1 || n > maxRepeat || n != math.Trunc(n) {
			return Event{}, fmt.Errorf("repeat count %s is not a whole number from 1", Snippet(text, 40))
		}
		ev.Repeat, ev.HasRepeat = int32(n), true
	}
	return ev, nil
}

// millis reads an event's number of milliseconds (its offset or
// duration), rounded.
func (t *Tape) millis(at int32, what string) (int64, error) {
	text := t.Text(at)
	v, ok := Number(text)
	if !ok {
		return 0, fmt.Errorf("%s %s is not a number", what, Snippet(text, 40))
	}
	if math.Abs(v) > maxOffset {
		return 0, fmt.Errorf("%s %s is out of range", what, Snippet(text, 40))
	}
	return int64(math.Round(v)), nil
}
