package blob

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// This file is a small JSON toolkit over raw bytes: a validator, cursors
// that walk text the validator accepted (the reference the Tape is tested
// against), and the readers of scalar values. It exists because
// encoding/json matches struct keys case-insensitively (a "Timestamp"
// would be read as "timestamp", which the dialog never sent) and because
// the blob is read once per element, where reflection and maps cost more
// than the rest of the stage.

// maxDepth bounds nesting. Real blobs are three levels deep; anything far
// deeper is garbage, and the limit keeps the recursive validator's stack
// small whatever the input.
const maxDepth = 256

// syntaxError says where and why an element is not JSON.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("not JSON: %s at byte %d", e.msg, e.off)
}

// checkJSON reports whether b holds exactly one JSON value (RFC 8259),
// with optional surrounding whitespace. Like encoding/json it does not
// check UTF-8 inside strings: invalid bytes are replaced when decoded.
func checkJSON(b []byte) error {
	i := skipWS(b, 0)
	if i == len(b) {
		return &syntaxError{i, "no value"}
	}
	end, err := scanValue(b, i, 0)
	if err != nil {
		return err
	}
	if end = skipWS(b, end); end != len(b) {
		return &syntaxError{end, "text after the value"}
	}
	return nil
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

func unexpected(b []byte, i int) error {
	if i >= len(b) {
		return &syntaxError{i, "unexpected end"}
	}
	return &syntaxError{i, fmt.Sprintf("unexpected %q", b[i])}
}

func scanValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, unexpected(b, i)
	}
	switch c := b[i]; {
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return i, &syntaxError{i, fmt.Sprintf("nested deeper than %d levels", maxDepth)}
		}
		if c == '{' {
			return scanObject(b, i, depth+1)
		}
		return scanArray(b, i, depth+1)
	case c == '"':
		return scanString(b, i)
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	}
	return i, unexpected(b, i)
}

func scanObject(b []byte, i, depth int) (int, error) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, unexpected(b, i)
		}
		var err error
		if i, err = scanString(b, i); err != nil {
			return i, err
		}
		if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
			return i, unexpected(b, i)
		}
		if i, err = scanValue(b, skipWS(b, i+1), depth); err != nil {
			return i, err
		}
		if i = skipWS(b, i); i >= len(b) {
			return i, unexpected(b, i)
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, unexpected(b, i)
		}
	}
}

func scanArray(b []byte, i, depth int) (int, error) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = scanValue(b, i, depth); err != nil {
			return i, err
		}
		if i = skipWS(b, i); i >= len(b) {
			return i, unexpected(b, i)
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, unexpected(b, i)
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func scanString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); {
		switch c := b[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			if j+1 >= len(b) {
				return j + 1, unexpected(b, j+1)
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				for k := j + 2; k < j+6; k++ {
					if k >= len(b) || !isHex(b[k]) {
						return k, &syntaxError{k, "bad \\u escape in string"}
					}
				}
				j += 6
			default:
				return j + 1, &syntaxError{j + 1, fmt.Sprintf("bad escape \\%c in string", b[j+1])}
			}
		case c < 0x20:
			return j, &syntaxError{j, "control character in string"}
		default:
			j++
		}
	}
	return len(b), &syntaxError{len(b), "unterminated string"}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber accepts -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, the
// grammar numberEnd implements for the tape parser.
func scanNumber(b []byte, i int) (int, error) {
	end := numberEnd(b, i)
	if end < 0 {
		return i, &syntaxError{i, "bad number"}
	}
	return end, nil
}

func scanLiteral(b []byte, i int, lit string) (int, error) {
	if !bytes.HasPrefix(b[i:], []byte(lit)) {
		return i, unexpected(b, i)
	}
	return i + len(lit), nil
}

// isNumberText reports whether s is exactly a JSON number.
func isNumberText(s []byte) bool {
	if len(s) == 0 || !(s[0] == '-' || isDigit(s[0])) {
		return false
	}
	end, err := scanNumber(s, 0)
	return err == nil && end == len(s)
}

// The functions below walk text that checkJSON accepted. They stay in
// bounds on any input, but only valid JSON gives meaningful results.

// skipString returns the index after the string literal starting at b[i].
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); {
		switch b[j] {
		case '\\':
			j += 2
		case '"':
			return j + 1
		default:
			j++
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	default:
		for i < len(b) && !isWS(b[i]) && b[i] != ',' && b[i] != ']' && b[i] != '}' {
			i++
		}
		return i
	}
}

// members iterates over an object's members: for m := newMembers(obj);
// m.next(); { use(m.key, m.val) }.
type members struct {
	b        []byte
	i        int
	key, val []byte
}

func newMembers(obj []byte) members { return members{b: obj, i: 1} }

func (m *members) next() bool {
	i := skipWS(m.b, m.i)
	if i < len(m.b) && m.b[i] == ',' {
		i = skipWS(m.b, i+1)
	}
	if i >= len(m.b) || m.b[i] != '"' {
		m.i = len(m.b)
		return false
	}
	ke := skipString(m.b, i)
	m.key = m.b[i:ke]
	i = skipWS(m.b, ke)
	i = skipWS(m.b, i+1) // past ':'
	ve := skipValue(m.b, i)
	m.val = m.b[min(i, ve):ve]
	m.i = ve
	return true
}

// elems iterates over an array's elements like members.
type elems struct {
	b   []byte
	i   int
	val []byte
}

func newElems(arr []byte) elems { return elems{b: arr, i: 1} }

func (e *elems) next() bool {
	i := skipWS(e.b, e.i)
	if i < len(e.b) && e.b[i] == ',' {
		i = skipWS(e.b, i+1)
	}
	if i >= len(e.b) || e.b[i] == ']' {
		e.i = len(e.b)
		return false
	}
	ve := skipValue(e.b, i)
	if ve <= i { // a stray '}' or ':' where a value should be: stop
		e.i = len(e.b)
		return false
	}
	e.val = e.b[i:ve]
	e.i = ve
	return true
}

// Kind is the JSON type of a value's text, by its first byte: '{', '[',
// '"', 't' or 'f' (a boolean), 'n' (null), '0' (a number), or 0 for no
// value.
func Kind(v []byte) byte {
	if len(v) == 0 {
		return 0
	}
	switch c := v[0]; c {
	case '{', '[', '"', 't', 'f', 'n':
		return c
	}
	return '0'
}

// KindName names a Kind for messages: "an object", "a list", ...
func KindName(k byte) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// KeyIs reports whether the raw key literal names want; keys with escapes
// are decoded first, as JavaScript's JSON.parse would.
func KeyIs(key []byte, want string) bool {
	if len(key) < 2 {
		return false
	}
	inner := key[1 : len(key)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == want
	}
	s, _ := DecodeString(key)
	return s == want
}

// DecodeString decodes a string literal; invalid UTF-8 becomes U+FFFD.
// ok is false when v is not a string.
func DecodeString(v []byte) (s string, ok bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	// Rare path: escapes or bad bytes. encoding/json turns lone
	// surrogates and each invalid byte into U+FFFD.
	if err := json.Unmarshal(v, &s); err != nil {
		return ValidUTF8(inner), true
	}
	return s, true
}

// ValidUTF8 returns b as a string with each invalid byte replaced by U+FFFD.
func ValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = append(out, "\uFFFD"...)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}

// Number reads a JSON number or a string holding one (surrounding spaces
// allowed, as senders pad them). The text must be a JSON number: hex,
// "Inf", "1_000" and the like are not numbers here.
func Number(v []byte) (float64, bool) {
	switch Kind(v) {
	case '0':
		if !isNumberText(v) {
			return 0, false
		}
		if n, ok := smallInt(v); ok {
			return float64(n), true
		}
	case '"':
		s, _ := DecodeString(v)
		v = bytes.TrimSpace([]byte(s))
		if !isNumberText(v) {
			return 0, false
		}
		if n, ok := smallInt(v); ok {
			return float64(n), true
		}
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// smallInt parses an optionally negative run of at most 15 digits, the
// common case, without allocating.
func smallInt(v []byte) (int64, bool) {
	neg := len(v) > 0 && v[0] == '-'
	d := v
	if neg {
		d = v[1:]
	}
	if len(d) == 0 || len(d) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range d {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Snippet renders a value for a one-line reject detail: valid UTF-8, no
// line breaks, at most n bytes.
func Snippet(v []byte, n int) string {
	s := ValidUTF8(v)
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return OneLine(s)
}

// OneLine replaces control characters so that a message stays on one line.
func OneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] < 0x20 || b[j] == 0x7f {
					b[j] = ' '
				}
			}
			return string(b)
		}
	}
	return s
}
