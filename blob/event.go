package blob

import (
	"fmt"
	"math"
)

// maxOffset is the largest offset kept exactly: a float64 holds integers
// up to 2^53, and no dialog stays open for 285 000 years.
const maxOffset = 1 << 53

// Event is one element of a blob's event stream.
type Event struct {
	// RawName is the event's name as its JSON string literal, quotes and
	// escapes included: a reader of many blobs can share each name's
	// string by its literal and decode it once (DecodeString).
	RawName []byte
	// Offset is when the event happened, in milliseconds since the dialog
	// opened, rounded to the nearest millisecond.
	Offset int64
}

// Event reads the event at tape index at, an element of an event stream.
// The error says why the element is not an event; it does not say where
// the element is in its stream.
//
// The shape is checked strictly and values are kept as sent:
//   - An event must be exactly [name, offset]. The dialog never sends a
//     third element, so an event that has one was written by something
//     else, and guessing which element is the offset could corrupt every
//     duration computed from it.
//   - The name must be a string and the offset a number (or a string
//     holding one) within ±2^53.
//   - A fractional offset is rounded to the nearest millisecond; negative
//     offsets are kept (the dialog measured them with the wall clock).
func (t *Tape) Event(at int32) (Event, error) {
	if t.e[at].kind != '[' {
		return Event{}, fmt.Errorf("%s is not a [name, offset] pair", Snippet(t.Text(at), 40))
	}
	var parts [2]int32
	np := 0
	for q := at + 1; q < t.e[at].next; q, np = t.e[q].next, np+1 {
		if np < 2 {
			parts[np] = q
		}
	}
	if np != 2 {
		return Event{}, fmt.Errorf("%s has %d elements, want [name, offset]", Snippet(t.Text(at), 40), np)
	}
	name, offset := t.Text(parts[0]), t.Text(parts[1])
	if t.e[parts[0]].kind != '"' {
		return Event{}, fmt.Errorf("name %s is not a string", Snippet(name, 40))
	}
	off, ok := Number(offset)
	if !ok {
		return Event{}, fmt.Errorf("offset %s is not a number", Snippet(offset, 40))
	}
	if math.Abs(off) > maxOffset {
		return Event{}, fmt.Errorf("offset %s is out of range", Snippet(offset, 40))
	}
	return Event{RawName: name, Offset: int64(math.Round(off))}, nil
}
