package blob

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameAsWalkers checks a tape against the byte walkers of json.go: the
// same members and elements, with the same text, at every level.
func sameAsWalkers(t *testing.T, tp *Tape, at int32, text []byte) {
	t.Helper()
	require.Equal(t, string(text), string(tp.Text(at)))
	switch tp.e[at].kind {
	case '{':
		m := newMembers(text)
		for k := at + 1; k < tp.e[at].next; k = tp.e[k+1].next {
			require.True(t, m.next(), "%q", text)
			require.Equal(t, string(m.key), string(tp.Text(k)))
			sameAsWalkers(t, tp, k+1, m.val)
		}
		require.False(t, m.next(), "%q", text)
	case '[':
		e := newElems(text)
		for k := at + 1; k < tp.e[at].next; k = tp.e[k].next {
			require.True(t, e.next(), "%q", text)
			sameAsWalkers(t, tp, k, e.val)
		}
		require.False(t, e.next(), "%q", text)
	default:
		require.Equal(t, tp.e[at].next, at+1)
		require.Equal(t, Kind(text), tp.e[at].kind)
	}
}

func checkTape(t *testing.T, doc []byte) {
	t.Helper()
	var tp Tape
	ok := tp.parse(doc)
	require.Equal(t, checkJSON(doc) == nil, ok, "%q", doc)
	if ok {
		start := skipWS(doc, 0)
		sameAsWalkers(t, &tp, 0, doc[start:skipValue(doc, start)])
		require.EqualValues(t, len(tp.e), tp.e[0].next)
	}
}

func TestTapeAgreesWithCheckJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte(`{}[]",:\/ 0123456789.eE+-abtrufnlsu` + "\x00\n\xff")
	corpus := append([]string{minimal(""), rowText("r", `, "lang": "e\u00e9\"", "screen_size": {"width": 3}`)}, jsonCorpus...)
	for _, doc := range corpus {
		for i := 0; i <= len(doc); i++ {
			checkTape(t, []byte(doc[:i]))
		}
		for range 300 {
			if len(doc) == 0 {
				break
			}
			b := []byte(doc)
			b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
			checkTape(t, b)
		}
	}
}

// TestStrStopMaskFindsTheFirstStop checks the eight-byte scan of strings
// against strStop: every byte value at every position of a word, among
// neighbours that do and do not stop the scan (a borrow from one byte may
// flag the next, so only the first flag may be read).
func TestStrStopMaskFindsTheFirstStop(t *testing.T) {
	firstStop := func(w [8]byte) int {
		for i, c := range w {
			if strStop[c] {
				return i
			}
		}
		return 8
	}
	fillers := []byte{'a', ' ', 0x7f, 0x80, 0xff, 0x21, 0x5b, 0x5d, 0x23, 0x20, 0x1f, 0x00, '"', '\\'}
	for _, fill := range fillers {
		for pos := range 8 {
			for v := range 256 {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(v)
				want := firstStop(w)
				got := 8
				if m := strStopMask(binary.LittleEndian.Uint64(w[:])); m != 0 {
					got = bits.TrailingZeros64(m) / 8
				}
				require.Equal(t, want, got, "word %q", w[:])
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200_000 {
		var w [8]byte
		for i := range w {
			w[i] = fillers[rng.IntN(len(fillers))]
			if rng.IntN(3) == 0 {
				w[i] = byte(rng.IntN(256))
			}
		}
		got := 8
		if m := strStopMask(binary.LittleEndian.Uint64(w[:])); m != 0 {
			got = bits.TrailingZeros64(m) / 8
		}
		require.Equal(t, firstStop(w), got, "word %q", w[:])
	}
}

// TestTapeReadsLongStringsLikeCheckJSON runs strings longer than a word,
// with a quote, a backslash or a control character at every offset,
// through the tape and the validator.
func TestTapeReadsLongStringsLikeCheckJSON(t *testing.T) {
	for n := range 40 {
		for _, special := range []string{`\"`, `\\`, `\n`, `\u00e9`, "\x01", "\x1f", `"`, "\xc3\xa9", "\x7f"} {
			for at := 0; at <= n; at++ {
				body := strings.Repeat("x", at) + special + strings.Repeat("y", n-at)
				checkTape(t, []byte(`{"k":"`+body+`","n":[1,"`+body+`"]}`))
				checkTape(t, []byte(`"`+body))
			}
		}
	}
}

func TestTapeLimitsDepthLikeCheckJSON(t *testing.T) {
	for _, n := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			doc := strings.Repeat(open, n) + "1" + strings.Repeat(map[string]string{"[": "]", `{"a":`: "}"}[open], n)
			var tp Tape
			assert.Equal(t, checkJSON([]byte(doc)) == nil, tp.parse([]byte(doc)), "depth %d %s", n, open)
		}
	}
}

func FuzzTape(f *testing.F) {
	for _, doc := range jsonCorpus {
		f.Add([]byte(doc))
	}
	f.Add([]byte(minimal("")))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkTape(t, b)
	})
}

// BenchmarkTapeParse validates generated rows and records their structure,
// the first step of every element's transform.
func BenchmarkTapeParse(b *testing.B) {
	var rows [][]byte
	var size int64
	for i := range 1000 {
		r := []byte(rowText(strconv.Itoa(i), `, "lang": "en-US", "screen_size": {"width": 1280, "height": 800}, "user_agent": {"os": "Windows 7", "browser": "Firefox", "version": "23.0"}, "event_stream": [["screen.rp_info", 120], ["screen.authenticate", 1500], ["authenticate.enter_password", 4000], ["assertion_generated", 5200], ["window.unload", 5300]]`))
		rows = append(rows, r)
		size += int64(len(r))
	}
	var tp Tape
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		for _, r := range rows {
			if !tp.parse(r) {
				b.Fatal("not JSON")
			}
		}
	}
}
