package blob

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// A Tape is the structure of one JSON text, found in a single validating
// pass: one entry per value and per object key, in document order, each
// with its byte span and, for containers, where their contents end. The
// walkers of json.go rescan bytes at every level (validating an element,
// skipping a row's value to find its id, skipping each field of the blob,
// then each event pair): five passes over an event stream. With a tape,
// the bytes are read once and the rest is index arithmetic.
//
// Entries are numbered from 0, the whole text's value. Walking the
// container at index c:
//
//	for k := c + 1; k < t.Next(c); k = t.Next(k + 1) { key, val := k, k+1 } // an object
//	for k := c + 1; k < t.Next(c); k = t.Next(k) { elem := k }             // an array
//
// A tape accepts exactly what the validator of json.go, checkJSON,
// accepts (TestTapeAgreesWithCheckJSON), which then says why a text is
// refused. The zero Tape is ready to use; reusing one across texts reuses
// its memory.
type Tape struct {
	b []byte
	e []tapeEntry
	// open holds the indexes of the containers being read.
	open []int32
}

// tapeEntry is one value (or object key) of a Tape.
type tapeEntry struct {
	start, end int32 // the value's text is b[start:end]
	// next is the index of the entry after this value and its contents:
	// the next member's key, the next element, or the end of the parent.
	next int32
	kind byte // as Kind: '{', '[', '"', 't', 'f', 'n' or '0'
}

// strStop marks the bytes that end the fast scan of a string: the quote,
// the backslash and the control characters JSON forbids in strings.
var strStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const (
	lsb = 0x0101010101010101 // the lowest bit of every byte
	msb = 0x8080808080808080 // the highest bit of every byte
)

// strStopMask flags, in its byte's high bit, the first byte of the eight
// in x (little-endian) that strStop marks: a quote, a backslash or a byte
// below 0x20. Bytes after the first flagged one may be flagged wrongly
// (borrows), so only the lowest flag is read.
func strStopMask(x uint64) uint64 {
	quote := x ^ ('"' * lsb)
	backslash := x ^ ('\\' * lsb)
	zero := func(v uint64) uint64 { return (v - lsb) &^ v & msb }
	below := (x - 0x20*lsb) &^ x & msb
	return zero(quote) | zero(backslash) | below
}

// Parse reads b into the tape, or says why b is not exactly one JSON
// value (surrounding whitespace allowed). The tape keeps b.
func (t *Tape) Parse(b []byte) error {
	if !t.parse(b) {
		if err := checkJSON(b); err != nil {
			return err
		}
		return &syntaxError{0, "not JSON"} // unreachable: the two agree
	}
	return nil
}

// parse is Parse without the reason. Offsets are 32-bit: elements are
// capped far below (maxElement), and a longer text is refused.
func (t *Tape) parse(b []byte) bool {
	if len(b) > 1<<31-1 {
		return false
	}
	t.b, t.e, t.open = b, t.e[:0], t.open[:0]
	i := skipWS(b, 0)
	if i == len(b) {
		return false
	}
	for {
		// A value starts at b[i].
		var ok bool
		switch c := b[i]; c {
		case '{', '[':
			if len(t.open) >= maxDepth {
				return false
			}
			t.open = append(t.open, int32(len(t.e)))
			t.e = append(t.e, tapeEntry{start: int32(i), kind: c})
			i = skipWS(b, i+1)
			if i >= len(b) {
				return false
			}
			if c == '{' {
				if b[i] == '}' {
					i = t.close(i)
					break
				}
				if i, ok = t.key(i); !ok {
					return false
				}
				continue
			}
			if b[i] == ']' {
				i = t.close(i)
				break
			}
			continue
		case '"':
			end, ok := t.str(i)
			if !ok {
				return false
			}
			t.scalar(i, end, '"')
			i = end
		case 't', 'f', 'n':
			lit := "null"
			if c == 't' {
				lit = "true"
			} else if c == 'f' {
				lit = "false"
			}
			if !bytes.HasPrefix(b[i:], []byte(lit)) {
				return false
			}
			t.scalar(i, i+len(lit), c)
			i += len(lit)
		default:
			end := numberEnd(b, i)
			if end < 0 {
				return false
			}
			t.scalar(i, end, '0')
			i = end
		}
		// After a value: the end, or a separator, or a container's close.
		for {
			i = skipWS(b, i)
			if len(t.open) == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			parent := t.e[t.open[len(t.open)-1]].kind
			c := b[i]
			if c == ',' {
				i = skipWS(b, i+1)
				if i >= len(b) {
					return false
				}
				if parent == '{' {
					if i, ok = t.key(i); !ok {
						return false
					}
				}
				break
			}
			if (parent == '{' && c == '}') || (parent == '[' && c == ']') {
				i = t.close(i)
				continue
			}
			return false
		}
	}
}

// key reads an object key and its colon at b[i]; the value starts at the
// returned index.
func (t *Tape) key(i int) (int, bool) {
	b := t.b
	if b[i] != '"' {
		return i, false
	}
	end, ok := t.str(i)
	if !ok {
		return i, false
	}
	t.e = append(t.e, tapeEntry{start: int32(i), end: int32(end), next: int32(len(t.e) + 1), kind: '"'})
	i = skipWS(b, end)
	if i >= len(b) || b[i] != ':' {
		return i, false
	}
	i = skipWS(b, i+1)
	return i, i < len(b)
}

// close ends the innermost container at its closing bracket b[i].
func (t *Tape) close(i int) int {
	top := t.open[len(t.open)-1]
	t.open = t.open[:len(t.open)-1]
	t.e[top].end = int32(i + 1)
	t.e[top].next = int32(len(t.e))
	return i + 1
}

func (t *Tape) scalar(start, end int, kind byte) {
	t.e = append(t.e, tapeEntry{start: int32(start), end: int32(end), next: int32(len(t.e) + 1), kind: kind})
}

// str returns the index after the string literal starting at b[i], as
// scanString accepts it.
func (t *Tape) str(i int) (int, bool) {
	b := t.b
	j := i + 1
	for {
		// Eight bytes at a time to the first byte that may stop the
		// scan (strings are most of a blob's text), then byte by byte.
		for j+8 <= len(b) {
			if m := strStopMask(binary.LittleEndian.Uint64(b[j:])); m != 0 {
				j += bits.TrailingZeros64(m) / 8
				break
			}
			j += 8
		}
		for j < len(b) && !strStop[b[j]] {
			j++
		}
		if j >= len(b) {
			return j, false
		}
		switch b[j] {
		case '"':
			return j + 1, true
		case '\\':
			if j+1 >= len(b) {
				return j, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return j, false
				}
				j += 6
			default:
				return j, false
			}
		default: // a control character
			return j, false
		}
	}
}

// numberEnd is the index after the JSON number at b[i], or -1 when b[i:]
// does not start with one.
func numberEnd(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && isDigit(b[i]):
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i
}

// Text is the text of entry i: a value as written, or an object key as
// its string literal.
func (t *Tape) Text(i int32) []byte {
	e := &t.e[i]
	return t.b[e.start:e.end]
}

// Kind is the JSON type of entry i, as Kind tells it from a value's text.
func (t *Tape) Kind(i int32) byte { return t.e[i].kind }

// Next is the index of the entry after entry i and its contents: the
// next member's key, the next element, or the end of i's parent.
func (t *Tape) Next(i int32) int32 { return t.e[i].next }
