package blob

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// event reads text, one event stream element, as Tape.Event does.
func event(t *testing.T, text string) (Event, error) {
	t.Helper()
	var tp Tape
	require.NoError(t, tp.Parse([]byte(text)))
	return tp.Event(0)
}

func TestEventReadsNameAndOffset(t *testing.T) {
	tests := []struct {
		text, name string
		offset     int64
	}{
		{`["screen.rp_info", 120]`, `"screen.rp_info"`, 120},
		{` [ "a\u002eb" , "15" ] `, `"a\u002eb"`, 15},
		{`["b", 20.6]`, `"b"`, 21},
		{`["c", " 30 "]`, `"c"`, 30},
		{`["d", -5]`, `"d"`, -5},
		{`["e", 9007199254740992]`, `"e"`, 1 << 53},
	}
	for _, tt := range tests {
		ev, err := event(t, tt.text)
		require.NoError(t, err, tt.text)
		assert.Equal(t, tt.name, string(ev.RawName), tt.text)
		assert.Equal(t, tt.offset, ev.Offset, tt.text)
	}
}

func TestEventReadsDurationAndRepeatCount(t *testing.T) {
	tests := []struct {
		text              string
		offset, duration  int64
		repeat            int32
		hasDur, hasRepeat bool
	}{
		{`["xhr_complete.GET/wsapi/session_context", 2723, 294]`, 2723, 294, 0, true, false},
		{`["xhr_complete.GET/wsapi/user_creation_status", 9000, 120.4, 17]`, 9000, 120, 17, true, true},
		{`["x", "5", "7", "2"]`, 5, 7, 2, true, true},
		{`["x", 5, -3]`, 5, -3, 0, true, false},
		{`["x", 5]`, 5, 0, 0, false, false},
	}
	for _, tt := range tests {
		ev, err := event(t, tt.text)
		require.NoError(t, err, tt.text)
		assert.Equal(t, tt.offset, ev.Offset, tt.text)
		assert.Equal(t, tt.hasDur, ev.HasDuration, tt.text)
		assert.Equal(t, tt.duration, ev.Duration, tt.text)
		assert.Equal(t, tt.hasRepeat, ev.HasRepeat, tt.text)
		assert.Equal(t, tt.repeat, ev.Repeat, tt.text)
	}
}

func TestEventSaysWhyAnElementIsNotAnEvent(t *testing.T) {
	const shape = "want [name, offset] plus an optional duration and repeat count"
	tests := map[string]string{
		`"screen.rp_info"`:        `"screen.rp_info" is not a list [name, offset] plus an optional duration and repeat count`,
		`{"a": 1}`:                `{"a": 1} is not a list [name, offset] plus an optional duration and repeat count`,
		`["a"]`:                   `["a"] has 1 elements, ` + shape,
		`[]`:                      `[] has 0 elements, ` + shape,
		`["a", 1, 2, 3, 4]`:       `["a", 1, 2, 3, 4] has 5 elements, ` + shape,
		`[1, 2]`:                  `name 1 is not a string`,
		`[null, 2]`:               `name null is not a string`,
		`["a", "x"]`:              `offset "x" is not a number`,
		`["a", null]`:             `offset null is not a number`,
		`["a", true]`:             `offset true is not a number`,
		`["a", 1e300]`:            `offset 1e300 is out of range`,
		`["a", 9007199254740994]`: `offset 9007199254740994 is out of range`,
		`["a", 1, "slow"]`:        `duration "slow" is not a number`,
		`["a", 1, null]`:          `duration null is not a number`,
		`["a", 1, 1e300]`:         `duration 1e300 is out of range`,
		`["a", 1, 2, "x"]`:        `repeat count "x" is not a whole number from 1`,
		`["a", 1, 2, 0]`:          `repeat count 0 is not a whole number from 1`,
		`["a", 1, 2, 2.5]`:        `repeat count 2.5 is not a whole number from 1`,
		`["a", 1, 2, [3]]`:        `repeat count [3] is not a whole number from 1`,
	}
	for text, want := range tests {
		_, err := event(t, text)
		require.Error(t, err, text)
		assert.Equal(t, want, err.Error(), text)
	}
}
