package blob

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimestampMs(t *testing.T) {
	good := map[string]int64{
		`1795177800000`:   1795177800000,
		`1795177800`:      1795177800000, // seconds
		`1795177800.5`:    1795177800500, // fractional seconds
		`"1795177800000"`: 1795177800000,
		`" 1795177800 "`:  1795177800000,
		`1.7951778e12`:    1795177800000,
		`"1.7951778e12"`:  1795177800000,
		` 1795177800000 `: 1795177800000,
		`1795177800000.9`: 1795177800000, // sub-millisecond dropped
		`1000000000`:      1000000000000, // 2001, in seconds
		`100000000000`:    100000000000,  // the cutoff: already ms
		`4102444800000`:   4102444800000,
	}
	for in, want := range good {
		got, err := TimestampMs(json.RawMessage(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{``, `null`, ` null `} {
		_, err := TimestampMs(json.RawMessage(in))
		assert.ErrorIs(t, err, ErrNoTimestamp, in)
	}
	bad := map[string]string{
		`"soon"`:          "not a number",
		`""`:              "not a number",
		`true`:            "not a number",
		`{}`:              "not a number",
		`[1]`:             "not a number",
		`"0x1p40"`:        "not a number",
		`"Infinity"`:      "not a number",
		`"1_795_177_800"`: "not a number",
		`0`:               "not after 1970",
		`-1795177800`:     "not after 1970",
		`4102444800001`:   "after 2100",
		`1e300`:           "after 2100",
		`1e999`:           "not a number",
		`"abc`:            "not a number",
	}
	for in, want := range bad {
		_, err := TimestampMs(json.RawMessage(in))
		require.Error(t, err, in)
		assert.NotErrorIs(t, err, ErrNoTimestamp, in)
		assert.Contains(t, err.Error(), want, in)
	}
	// A long or broken value is clipped to valid UTF-8 in the message.
	_, err := TimestampMs(json.RawMessage(`"` + string(make([]byte, 100)) + "\xff\"x"))
	require.Error(t, err)
	assert.True(t, utf8.ValidString(err.Error()))
	assert.Less(t, len(err.Error()), 100)
}

func TestElementDay(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"row", rowText("r1", ""), true},
		{"bare blob", `{"timestamp": 1795177800}`, true},
		{"row with a string timestamp", `{"id": 1, "value": {"timestamp": "1795177800000"}}`, true},
		{"row's value wins over a top-level timestamp", `{"timestamp": 1, "value": {"timestamp": 1795177800000}}`, true},
		{"value null: the element is the blob", `{"timestamp": 1795177800000, "value": null}`, true},
		{"no timestamp", `{"value": {"event_stream": []}}`, false},
		{"key case matters", `{"Timestamp": 1795177800000}`, false},
		{"bad timestamp", `{"timestamp": "soon"}`, false},
		{"not JSON", `{"timestamp": 1795177800000`, false},
		{"not an object", `[1795177800000]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day, ok := ElementDay([]byte(tt.in))
			assert.Equal(t, tt.ok, ok)
			if tt.ok {
				assert.Equal(t, testDay, day)
			} else {
				assert.True(t, day.IsZero())
			}
		})
	}
}
