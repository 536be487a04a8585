package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
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
// milliseconds.
func TimestampMs(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, ErrNoTimestamp
	}
	if len(s) >= 2 && s[0] == '"' {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return 0, fmt.Errorf("timestamp %s is not a number", s)
		}
		s = strings.TrimSpace(str)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("timestamp %s is not a number", clip(string(raw), 40))
	}
	if f <= 0 {
		return 0, fmt.Errorf("timestamp %s is not after 1970", clip(string(raw), 40))
	}
	if f < secondsCutoff {
		f *= 1000
	}
	if f > latestTimestampMs {
		return 0, fmt.Errorf("timestamp %s is after 2100", clip(string(raw), 40))
	}
	return int64(f), nil
}

// Day is the UTC calendar day of a timestamp in milliseconds.
func Day(ms int64) time.Time {
	t := time.UnixMilli(ms).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ElementDay finds the day of one raw element (a KPIggybank row or a bare
// blob) without validating the rest of it. ok is false when the element is
// not JSON or its timestamp is missing or unusable.
func ElementDay(raw []byte) (day time.Time, ok bool) {
	var probe struct {
		Value     json.RawMessage `json:"value"`
		Timestamp json.RawMessage `json:"timestamp"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return time.Time{}, false
	}
	ts := probe.Timestamp
	if len(probe.Value) > 0 && probe.Value[0] == '{' {
		var inner struct {
			Timestamp json.RawMessage `json:"timestamp"`
		}
		if err := json.Unmarshal(probe.Value, &inner); err != nil {
			return time.Time{}, false
		}
		ts = inner.Timestamp
	}
	ms, err := TimestampMs(ts)
	if err != nil {
		return time.Time{}, false
	}
	return Day(ms), true
}

// clip shortens s to n bytes for an error message, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
