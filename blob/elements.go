package blob

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxInvalidTail caps the text kept for the unreadable rest of a stream
// (a JSON array cut off in the middle) or an oversized element; the
// reject says it was cut.
const maxInvalidTail = 1 << 20

// maxElement caps one element: a blob is a few kilobytes, and holding a
// runaway value whole would make memory depend on the input. A longer
// element is skipped (its first maxInvalidTail bytes are kept) and
// reading goes on after it.
const maxElement = 64 << 20

// readBuffer is the read buffer size; sniffing looks at most this far.
const readBuffer = 1 << 20

// Kinds of Invalid elements that say something of the whole stream, not
// of one element: a reader fetching a unit over the network may take
// them as a transfer to try again, while an element that is merely bad
// is the parser's to reject alone.
var (
	// ErrCutOff: the stream ends inside the array or inside a value.
	ErrCutOff = errors.New("stream cut off")
	// ErrStructure: broken structure between elements (a missing comma,
	// text after the closing bracket).
	ErrStructure = errors.New("broken structure between elements")
)

// streamError is an Invalid reason of one of the kinds above.
type streamError struct {
	msg  string
	kind error
}

func (e *streamError) Error() string        { return e.msg }
func (e *streamError) Is(target error) bool { return target == e.kind }

// Elements reads the elements of one raw unit: a JSON array (KPIggybank's
// response), NDJSON, or concatenated JSON values, each element a
// KPIggybank row or a bare blob. It streams: one element is held at a time.
//
//	r := NewElements(rd)
//	for r.Next() { use(r.Raw(), r.Invalid()) }
//	if err := r.Err(); err != nil { ... }
//
// Elements only finds where each element starts and ends (by brackets and
// strings); whether its text is valid JSON is for the parser that reads
// it. So one broken element in an array does not take the rest of the
// array with it; only broken structure between elements (a missing comma,
// text after the closing bracket, the stream ending inside the array) ends
// the unit, as one invalid element holding the rest of the text.
type Elements struct {
	br      *bufio.Reader
	mode    int
	buf     []byte // the current element's storage, reused
	size    int    // the current element's full length (buf is capped)
	raw     []byte
	invalid error
	err     error
	done    bool
	started bool // array mode: an element has been read
	index   int
}

const (
	modeUnknown = iota
	modeArray
	modeLines
	modeValues
)

// NewElements returns a reader of r's elements, its layout sniffed from
// the first bytes.
func NewElements(r io.Reader) *Elements {
	return &Elements{br: bufio.NewReaderSize(r, readBuffer), index: -1}
}

// NewLineElements returns a reader of r taken as one element per line,
// without sniffing: a unit known to be NDJSON stays line by line even when
// its first line is broken.
func NewLineElements(r io.Reader) *Elements {
	e := NewElements(r)
	e.mode = modeLines
	return e
}

// Raw is the current element's text as received, without surrounding
// whitespace. It is valid until the next call to Next.
func (e *Elements) Raw() []byte { return e.raw }

// Index is the current element's position in the unit, from 0.
func (e *Elements) Index() int { return e.index }

// Invalid says why the current element cannot be used, or nil: the
// stream ended inside it, it is the unreadable rest of the stream, or it
// is too long. An element that is merely not valid JSON is not flagged
// here: the parser that reads it says so.
func (e *Elements) Invalid() error { return e.invalid }

// Err is the read error that ended the stream early, if any. A stream
// that is cut short (io.EOF in the middle of the JSON) is not a read
// error: its tail is an Invalid element.
func (e *Elements) Err() error { return e.err }

// Next advances to the next element.
func (e *Elements) Next() bool {
	if e.done {
		return false
	}
	e.raw, e.invalid = nil, nil
	if e.mode == modeUnknown && !e.sniff() {
		e.done = true
		return false
	}
	var ok bool
	switch e.mode {
	case modeLines:
		ok = e.nextLine()
	case modeArray:
		ok = e.nextInArray()
	default:
		ok = e.nextValue()
	}
	if ok {
		e.index++
	} else {
		e.done = true
	}
	return ok
}

// sniff picks the mode from the first bytes without consuming them: '['
// is an array; NDJSON (read line by line, so one bad line costs only
// itself) when the first line is a whole JSON value, or when it is broken
// but the next non-blank line is whole — the second line of a
// pretty-printed value ("id": ...,) never is; anything else, including a
// first line longer than the read buffer, is read as a sequence of
// (possibly pretty-printed) JSON values.
func (e *Elements) sniff() bool {
	if err := skipSpaceAndBOM(e.br); err != nil {
		if !errors.Is(err, io.EOF) {
			e.err = err
		}
		return false
	}
	if first, _ := e.br.Peek(1); first[0] == '[' {
		_, _ = e.br.Discard(1)
		e.mode = modeArray
		return true
	}
	peek, err := e.br.Peek(readBuffer)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		e.err = err
		return false
	}
	e.mode = modeValues
	line := peek
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		line = peek[:i]
	} else if err == nil {
		return true // no line end in sight: not NDJSON we could read by lines
	}
	if checkJSON(line) == nil || checkJSON(secondLine(peek[len(line):])) == nil {
		e.mode = modeLines
	}
	return true
}

// secondLine is the first non-blank line of rest that ends within it, or
// nil.
func secondLine(rest []byte) []byte {
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return nil
		}
		if line := bytes.TrimSpace(rest[:i]); len(line) > 0 {
			return line
		}
		rest = rest[i+1:]
	}
	return nil
}

func skipSpaceAndBOM(br *bufio.Reader) error {
	b, err := br.Peek(3)
	if err != nil && !errors.Is(err, io.EOF) {
		// bufio hands out a read error once: keep it rather than peek on.
		return err
	}
	if bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	_, err = peekNonSpace(br)
	return err
}

// peekNonSpace discards whitespace and returns the next byte unread.
func peekNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		if !isWS(b[0]) {
			return b[0], nil
		}
		_, _ = br.Discard(1)
	}
}

// keep appends p to the current element, up to maxElement bytes.
func (e *Elements) keep(p []byte) {
	e.size += len(p)
	if room := maxElement - len(e.buf); room > 0 {
		e.buf = append(e.buf, p[:min(len(p), room)]...)
	}
}

// emit makes the kept bytes the current element.
func (e *Elements) emit() bool {
	e.raw = e.buf
	if e.size > maxElement {
		e.raw = e.buf[:maxInvalidTail]
		e.invalid = fmt.Errorf("element of %d bytes is longer than the %d allowed (text kept cut to %d bytes)",
			e.size, maxElement, maxInvalidTail)
	}
	return true
}

func (e *Elements) readLine() error {
	e.buf, e.size = e.buf[:0], 0
	for {
		chunk, err := e.br.ReadSlice('\n')
		e.keep(chunk)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !(errors.Is(err, io.EOF) && e.size > 0) {
			return err
		}
		return nil
	}
}

func (e *Elements) nextLine() bool {
	for {
		if err := e.readLine(); err != nil {
			if !errors.Is(err, io.EOF) {
				e.err = err
			}
			return false
		}
		line := bytes.TrimSpace(e.buf)
		if len(line) == 0 {
			continue
		}
		e.raw = line
		if e.size > maxElement {
			return e.emit()
		}
		return true
	}
}

func (e *Elements) nextInArray() bool {
	c, err := peekNonSpace(e.br)
	if err != nil {
		return e.cutShort(err)
	}
	if e.started || c == ']' {
		switch c {
		case ',':
			_, _ = e.br.Discard(1)
			if c, err = peekNonSpace(e.br); err != nil {
				return e.cutShort(err)
			}
		case ']':
			_, _ = e.br.Discard(1)
			if _, err := peekNonSpace(e.br); err == nil {
				return e.invalidRest(errors.New("text after the closing ]"))
			} else if !errors.Is(err, io.EOF) {
				e.err = err
			}
			return false
		default:
			return e.invalidRest(fmt.Errorf("expected , or ] after element %d, found %q", e.index, c))
		}
	}
	e.started = true
	if c == ',' || c == ']' || c == '}' || c == ':' {
		return e.invalidRest(fmt.Errorf("expected an element, found %q", c))
	}
	return e.readValue(c)
}

func (e *Elements) nextValue() bool {
	c, err := peekNonSpace(e.br)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			e.err = err
		}
		return false
	}
	if c == ',' || c == ']' || c == '}' || c == ':' {
		// A stray separator between values (rows pasted out of an array)
		// is its own invalid element; the values after it still count.
		_, _ = e.br.Discard(1)
		e.buf = append(e.buf[:0], c)
		e.raw, e.invalid = e.buf, fmt.Errorf("unexpected %q between JSON values", c)
		return true
	}
	return e.readValue(c)
}

// readValue reads one value that starts with c (not yet consumed).
func (e *Elements) readValue(c byte) bool {
	e.buf, e.size = e.buf[:0], 0
	var err error
	switch c {
	case '{', '[':
		err = e.scan(0, false)
	case '"':
		_, _ = e.br.Discard(1)
		e.keep([]byte{'"'})
		err = e.scan(0, true)
	default:
		err = e.scanScalar()
	}
	switch {
	case errors.Is(err, io.EOF):
		e.done = true
		e.raw = e.buf[:min(len(e.buf), maxInvalidTail)]
		e.invalid = &streamError{"the stream ends in the middle of a JSON value", ErrCutOff}
		return true
	case err != nil:
		e.err = err
		return false
	}
	return e.emit()
}

// scan reads up to the end of the string or bracketed value being read,
// following nesting and strings (with their escapes) only.
func (e *Elements) scan(depth int, inString bool) error {
	escaped := false
	for {
		chunk, err := e.buffered()
		if err != nil {
			return err
		}
		n, done := 0, false
	loop:
		for ; n < len(chunk); n++ {
			c := chunk[n]
			if inString {
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
					if depth == 0 {
						n++
						done = true
						break loop
					}
				}
				continue
			}
			switch c {
			case '"':
				inString = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth <= 0 {
					n++
					done = true
					break loop
				}
			}
		}
		e.keep(chunk[:n])
		_, _ = e.br.Discard(n)
		if done {
			return nil
		}
	}
}

// scanScalar reads a number, literal or stray word up to the next
// separator; the end of the stream ends it too.
func (e *Elements) scanScalar() error {
	for {
		chunk, err := e.buffered()
		if err != nil {
			if errors.Is(err, io.EOF) && e.size > 0 {
				return nil
			}
			return err
		}
		n := 0
		for n < len(chunk) && !isWS(chunk[n]) && bytes.IndexByte([]byte(",]}[{\""), chunk[n]) < 0 {
			n++
		}
		if n == 0 && e.size == 0 {
			n = 1 // cannot start a value: take the byte as the (invalid) element
		}
		e.keep(chunk[:n])
		_, _ = e.br.Discard(n)
		if n < len(chunk) {
			return nil
		}
	}
}

// buffered returns the unread buffered bytes, reading more if none.
func (e *Elements) buffered() ([]byte, error) {
	if e.br.Buffered() == 0 {
		if _, err := e.br.Peek(1); err != nil {
			return nil, err
		}
	}
	return e.br.Peek(e.br.Buffered())
}

// cutShort handles the end of the stream inside an array: io.EOF means
// the text was cut, which becomes an invalid element so that the loss is
// counted; any other error is a read error.
func (e *Elements) cutShort(err error) bool {
	if !errors.Is(err, io.EOF) {
		e.err = err
		return false
	}
	e.done = true
	e.raw = []byte("<end of stream>")
	e.invalid = &streamError{"the stream ends before the array is closed", ErrCutOff}
	return true
}

// invalidRest turns the unreadable remainder of the stream into one
// invalid element, so that nothing is dropped without a trace.
func (e *Elements) invalidRest(cause error) bool {
	e.done = true
	e.buf, e.size = e.buf[:0], 0
	for e.size <= maxInvalidTail {
		chunk, err := e.buffered()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				e.err = err
				return false
			}
			break
		}
		e.keep(chunk)
		_, _ = e.br.Discard(len(chunk))
	}
	rest := bytes.TrimSpace(e.buf)
	if len(rest) > maxInvalidTail {
		rest = rest[:maxInvalidTail]
		cause = fmt.Errorf("%w (text kept cut to %d bytes)", cause, maxInvalidTail)
	}
	if len(rest) == 0 {
		rest = []byte("<end of stream>")
	}
	e.raw, e.invalid = rest, &streamError{cause.Error(), ErrStructure}
	return true
}
