package blob

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// got is what a reader yields: each element's text, prefixed with "!" when
// it is flagged invalid.
func readAll(r io.Reader) ([]string, error) {
	els := NewElements(r)
	var out []string
	for i := 0; els.Next(); i++ {
		if els.Index() != i {
			return nil, errors.New("index out of step")
		}
		s := string(els.Raw())
		if els.Invalid() != nil {
			s = "!" + s
		}
		out = append(out, s)
	}
	return out, els.Err()
}

func TestElementsReadsEveryLayout(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"array", `[{"a":1},{"b":2}]`, []string{`{"a":1}`, `{"b":2}`}},
		{"array with spaces and lines", "[\n  {\"a\": 1} ,\n  {\"b\": [2, 3]}\n]\n", []string{`{"a": 1}`, `{"b": [2, 3]}`}},
		{"array of scalars", `[1, "x", null, -2.5e3, true]`, []string{`1`, `"x"`, `null`, `-2.5e3`, `true`}},
		{"strings holding brackets and quotes", `[{"a":"]}\"[{"},{"b":"\\"}]`, []string{`{"a":"]}\"[{"}`, `{"b":"\\"}`}},
		{"empty array", `[]`, nil},
		{"empty input", ``, nil},
		{"only whitespace", " \n\t\r\n", nil},
		{"ndjson", "{\"a\":1}\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}},
		{"ndjson without final newline", "{\"a\":1}\n{\"b\":2}", []string{`{"a":1}`, `{"b":2}`}},
		{"ndjson with blank lines and CRLF", "\n{\"a\":1}\r\n\r\n   \n{\"b\":2}\r\n\n", []string{`{"a":1}`, `{"b":2}`}},
		{"ndjson bad line is passed on for the parser to reject", "{\"a\":1}\n{oops\n{\"b\":2}\n", []string{`{"a":1}`, `{oops`, `{"b":2}`}},
		{"pretty concatenated values", "{\n  \"a\": 1,\n  \"b\": {\"c\": 2}\n}\n{\n  \"d\": 3\n}\n", []string{"{\n  \"a\": 1,\n  \"b\": {\"c\": 2}\n}", "{\n  \"d\": 3\n}"}},
		{"values on one line", `{"a":1} {"b":2}{"c":3}`, []string{`{"a":1}`, `{"b":2}`, `{"c":3}`}},
		{"BOM before an array", "\xEF\xBB\xBF[{\"a\":1}]", []string{`{"a":1}`}},
		{"BOM before ndjson", "\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}},
		{"BOM before pretty values", "\xEF\xBB\xBF{\n\"a\":1\n}", []string{"{\n\"a\":1\n}"}},
		{"truncated array: one invalid tail element", `[{"a":1},{"b":2},{"c":[3,`, []string{`{"a":1}`, `{"b":2}`, `!{"c":[3,`}},
		{"truncated in a string", `[{"a":1},{"b":"x]}`, []string{`{"a":1}`, `!{"b":"x]}`}},
		{"truncated after a comma", `[{"a":1},`, []string{`{"a":1}`, `!<end of stream>`}},
		{"array missing its closing bracket", "[{\"a\":1}\n", []string{`{"a":1}`, `!<end of stream>`}},
		{"just an opening bracket", `[`, []string{`!<end of stream>`}},
		{"a broken element does not end the array", `[{"a":1},{bad},{"c":3}]`, []string{`{"a":1}`, `{bad}`, `{"c":3}`}},
		{"text after the closing bracket", `[{"a":1}] trailing`, []string{`{"a":1}`, `!trailing`}},
		{"missing comma ends the array", `[{"a":1} {"b":2}, {"c":3}]`, []string{`{"a":1}`, `!{"b":2}, {"c":3}]`}},
		{"double comma ends the array", `[{"a":1},,{"b":2}]`, []string{`{"a":1}`, `!,{"b":2}]`}},
		{"truncated pretty value", "{\n\"a\": 1\n}\n{\n\"b\": [", []string{"{\n\"a\": 1\n}", "!{\n\"b\": ["}},
		{"stray comma between values", "{\n\"a\":1\n},\n{\n\"b\":2\n}", []string{"{\n\"a\":1\n}", "!,", "{\n\"b\":2\n}"}},
		{"garbage between values", "{\n\"a\":1\n} junk {\"b\":2}", []string{"{\n\"a\":1\n}", "junk", `{"b":2}`}},
	}
	readers := map[string]func(io.Reader) io.Reader{
		"whole":     func(r io.Reader) io.Reader { return r },
		"byte":      iotest.OneByteReader,
		"half":      iotest.HalfReader,
		"eof-early": iotest.DataErrReader,
	}
	for _, tt := range tests {
		for rname, wrap := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				got, err := readAll(wrap(strings.NewReader(tt.in)))
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			})
		}
	}
}

func TestElementsReadErrorIsNotATruncation(t *testing.T) {
	boom := errors.New("connection reset")
	for name, in := range map[string]string{
		"array":  `[{"a":1},{"b":`,
		"ndjson": "{\"a\":1}\n{\"b\":",
		"values": "{\n\"a\":1\n}\n{\"b\":",
	} {
		t.Run(name, func(t *testing.T) {
			r := io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom))
			got, err := readAll(r)
			assert.ErrorIs(t, err, boom)
			for _, g := range got {
				assert.False(t, strings.HasPrefix(g, "!"), "a read error must not become an invalid element: %q", g)
			}
		})
	}
	_, err := readAll(iotest.ErrReader(boom))
	assert.ErrorIs(t, err, boom)

	// bufio reports a read error once; one that the underlying reader
	// does not repeat must not be lost either.
	for _, in := range []string{"[", "[{", `[{"a":1}`, "{", "{\"a\":1}\n{", "\xEF\xBB"} {
		_, err := readAll(&oneShotErr{r: strings.NewReader(in), err: boom})
		assert.ErrorIs(t, err, boom, "input %q", in)
	}
}

// oneShotErr returns err once after r's data, then io.EOF.
type oneShotErr struct {
	r    io.Reader
	err  error
	sent bool
}

func (o *oneShotErr) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if err == io.EOF && !o.sent {
		o.sent = true
		return n, o.err
	}
	return n, err
}

func TestElementsRawIsValidUntilNext(t *testing.T) {
	els := NewElements(strings.NewReader(`[{"a":1},{"bb":22}]`))
	require.True(t, els.Next())
	first := append([]byte(nil), els.Raw()...)
	require.True(t, els.Next())
	assert.Equal(t, `{"a":1}`, string(first))
	assert.Equal(t, `{"bb":22}`, string(els.Raw()))
	assert.False(t, els.Next())
	assert.False(t, els.Next(), "Next stays false at the end")
}

func TestElementsLongNDJSONFirstLineIsStillRead(t *testing.T) {
	// A first line longer than the sniffing window is read as values,
	// which parses NDJSON just as well.
	long := `{"a":"` + strings.Repeat("x", readBuffer+10) + `"}`
	got, err := readAll(strings.NewReader(long + "\n{\"b\":2}\n"))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, long, got[0])
	assert.Equal(t, `{"b":2}`, got[1])
}

func TestElementsOversizedElementIsSkipped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 64 MiB element")
	}
	huge := `{"a":"` + strings.Repeat("x", maxElement) + `"}`
	for name, in := range map[string]string{
		"array":  `[{"a":1},` + huge + `,{"b":2}]`,
		"ndjson": "{\"a\":1}\n" + huge + "\n{\"b\":2}\n",
	} {
		t.Run(name, func(t *testing.T) {
			els := NewElements(strings.NewReader(in))
			var raws []int
			var invalid []bool
			for els.Next() {
				raws = append(raws, len(els.Raw()))
				invalid = append(invalid, els.Invalid() != nil)
			}
			require.NoError(t, els.Err())
			assert.Equal(t, []int{7, maxInvalidTail, 7}, raws)
			assert.Equal(t, []bool{false, true, false}, invalid)
		})
	}
}

func TestElementsKeepsUnreadableTailBounded(t *testing.T) {
	in := `[{"a":1}] ` + strings.Repeat("z", 3*maxInvalidTail)
	els := NewElements(bytes.NewReader([]byte(in)))
	require.True(t, els.Next())
	require.True(t, els.Next())
	require.Error(t, els.Invalid())
	assert.Len(t, els.Raw(), maxInvalidTail)
	assert.Contains(t, els.Invalid().Error(), "cut")
	assert.False(t, els.Next())
}

// FuzzElements: any text is read to its end without panicking, in a
// bounded number of steps, and a well-formed array reads back exactly.
func FuzzElements(f *testing.F) {
	for _, s := range []string{`[{"a":1},{"b":"]"}]`, "{\"a\":1}\n{\"b\":2}\n", "{\n}\n{", `[1,,2]`, "\xEF\xBB\xBF[", `"a\"` + "\n" + `b"`, `}{][`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		els := NewElements(bytes.NewReader(in))
		n := 0
		for els.Next() {
			n++
			if n > len(in)+1 {
				t.Fatalf("more elements (%d) than bytes (%d)", n, len(in))
			}
			if len(els.Raw()) == 0 {
				t.Fatal("empty element")
			}
		}
		if els.Err() != nil {
			t.Fatalf("read error from a bytes.Reader: %v", els.Err())
		}
	})
}

func TestLineElementsKeepABrokenFirstLineToItself(t *testing.T) {
	// Two broken lines first: nothing tells NDJSON from a broken value.
	text := "{\"id\": \"cut\n[1,\n\n{\"id\":\"x\"}\n"
	var got []string
	els := NewLineElements(strings.NewReader(text))
	for els.Next() {
		got = append(got, string(els.Raw()))
	}
	require.NoError(t, els.Err())
	assert.Equal(t, []string{`{"id": "cut`, `[1,`, `{"id":"x"}`}, got)

	// Sniffed, the same text is read as one broken value.
	n := 0
	for els := NewElements(strings.NewReader(text)); els.Next(); {
		n++
	}
	assert.Equal(t, 1, n)
}

func TestElementsSniffNDJSONWhoseFirstLineIsBroken(t *testing.T) {
	read := func(text string) []string {
		var got []string
		els := NewElements(strings.NewReader(text))
		for els.Next() {
			got = append(got, string(els.Raw()))
		}
		require.NoError(t, els.Err())
		return got
	}
	assert.Equal(t, []string{`{"id": "cut`, `{"id":"x"}`, `{"id":"y"}`},
		read("{\"id\": \"cut\n\n{\"id\":\"x\"}\n{\"id\":\"y\"}\n"))
	// A pretty-printed value is still read whole.
	assert.Equal(t, []string{"{\n  \"id\": \"x\",\n  \"n\": [1, 2]\n}"},
		read("{\n  \"id\": \"x\",\n  \"n\": [1, 2]\n}\n"))
}
