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

func TestEventSaysWhyAnElementIsNotAnEvent(t *testing.T) {
	tests := map[string]string{
		`"screen.rp_info"`:        `"screen.rp_info" is not a [name, offset] pair`,
		`{"a": 1}`:                `{"a": 1} is not a [name, offset] pair`,
		`["a"]`:                   `["a"] has 1 elements, want [name, offset]`,
		`[]`:                      `[] has 0 elements, want [name, offset]`,
		`["a", 1, 2]`:             `["a", 1, 2] has 3 elements, want [name, offset]`,
		`[1, 2]`:                  `name 1 is not a string`,
		`[null, 2]`:               `name null is not a string`,
		`["a", "x"]`:              `offset "x" is not a number`,
		`["a", null]`:             `offset null is not a number`,
		`["a", true]`:             `offset true is not a number`,
		`["a", 1e300]`:            `offset 1e300 is out of range`,
		`["a", 9007199254740994]`: `offset 9007199254740994 is out of range`,
	}
	for text, want := range tests {
		_, err := event(t, text)
		require.Error(t, err, text)
		assert.Equal(t, want, err.Error(), text)
	}
}
