package blob

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// secondsCutoff separates timestamps sent in seconds from milliseconds:
// 1e11 ms is 1973-03-03, long before Persona; 1e11 s is the year 5138.
const secondsCutoff = 1e11

// latestTimestampMs rejects timestamps beyond 2100-01-01, which only a
// broken clock or a unit error produces.
const latestTimestampMs = 4102444800000

// ErrNoTimestamp means the blob has no timestamp field (or it is null).
var ErrNoTimestamp = errors.New("no timestamp")

// TimestampMs reads a blob's timestamp field: a number or a numeric
// string, in milliseconds or (older senders) seconds, and returns it in
// milliseconds. A numeric string must hold a JSON number (spaces around
// it allowed): "0x1p40", "Inf" or "1_000" are not timestamps.
func TimestampMs(raw json.RawMessage) (int64, error) {
	v := trimWS(raw)
	if len(v) == 0 || string(v) == "null" {
		return 0, ErrNoTimestamp
	}
	if k := Kind(v); (k == '"' && checkJSON(v) != nil) || (k != '"' && k != '0') {
		return 0, fmt.Errorf("timestamp %s is not a number", Snippet(v, 40))
	}
	f, ok := Number(v)
	if !ok {
		return 0, fmt.Errorf("timestamp %s is not a number", Snippet(v, 40))
	}
	if f <= 0 {
		return 0, fmt.Errorf("timestamp %s is not after 1970", Snippet(v, 40))
	}
	if f < secondsCutoff {
		f *= 1000
	}
	if f > latestTimestampMs {
		return 0, fmt.Errorf("timestamp %s is after 2100", Snippet(v, 40))
	}
	return int64(f), nil
}

func trimWS(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isWS(b[i]) {
		i++
	}
	for j > i && isWS(b[j-1]) {
		j--
	}
	return b[i:j]
}

// ElementDay finds the day of one raw element (a KPIggybank row or a bare
// blob) without validating the rest of it. ok is false when the element is
// not JSON or its timestamp is missing or unusable. It finds the blob as
// Split does and reads its timestamp as the transform stage does (exact
// key names, the last of duplicate keys), so that extraction files an
// element under the day its transform will find.
func ElementDay(raw []byte) (day time.Time, ok bool) {
	t := tapes.Get().(*Tape)
	defer tapes.Put(t)
	blob, _, _, err := parseElement(t, raw)
	if err != nil || t.e[blob].kind != '{' {
		return time.Time{}, false
	}
	var ts []byte
	for k := blob + 1; k < t.e[blob].next; k = t.e[k+1].next {
		if KeyIs(t.Text(k), "timestamp") {
			ts = t.Text(k + 1)
		}
	}
	if ts == nil {
		return time.Time{}, false
	}
	ms, err := TimestampMs(ts)
	if err != nil {
		return time.Time{}, false
	}
	return persona.DayOfMs(ms), true
}

// tapes lets ElementDay, called once per element, reuse its tape.
var tapes = sync.Pool{New: func() any { return new(Tape) }}
