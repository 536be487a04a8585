package transform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxInvalidTail caps the text kept for the unreadable rest of a stream
// (a JSON array cut off in the middle); the reject says it was cut.
const maxInvalidTail = 1 << 20

// Elements reads the elements of one raw unit: a JSON array (KPIggybank's
// response), NDJSON, or concatenated JSON values, each element a
// KPIggybank row or a bare blob. It streams: one element is held at a time.
//
//	r := NewElements(rd)
//	for r.Next() { use(r.Raw(), r.Invalid()) }
//	if err := r.Err(); err != nil { ... }
type Elements struct {
	br      *bufio.Reader
	mode    int
	dec     *json.Decoder
	raw     []byte
	line    []byte
	invalid error
	err     error
	done    bool
	pending bool
	index   int
}

const (
	modeUnknown = iota
	modeArray
	modeLines
	modeValues
)

// NewElements returns a reader of r's elements.
func NewElements(r io.Reader) *Elements {
	return &Elements{br: bufio.NewReaderSize(r, 1<<20), index: -1}
}

// Raw is the current element's text as received. It is valid until the
// next call to Next.
func (e *Elements) Raw() []byte { return e.raw }

// Index is the current element's position in the unit, from 0.
func (e *Elements) Index() int { return e.index }

// Invalid says why the current element is not usable JSON, or nil. A line
// of NDJSON is not checked here: the parser that reads it says so.
func (e *Elements) Invalid() error { return e.invalid }

// Err is the read error that ended the stream early, if any.
func (e *Elements) Err() error { return e.err }

// Next advances to the next element.
func (e *Elements) Next() bool {
	if e.done {
		return false
	}
	e.raw, e.invalid = nil, nil
	if e.mode == modeUnknown && !e.sniff() {
		return false
	}
	var ok bool
	switch e.mode {
	case modeLines:
		ok = e.nextLine()
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

// sniff picks the mode from the first bytes: '[' is an array; a first line
// that is a whole JSON value is NDJSON; anything else is read as a
// sequence of (possibly pretty-printed) JSON values.
func (e *Elements) sniff() bool {
	if err := skipSpaceAndBOM(e.br); err != nil {
		if !errors.Is(err, io.EOF) {
			e.err = err
		}
		e.done = true
		return false
	}
	first, _ := e.br.Peek(1)
	if first[0] == '[' {
		e.mode = modeArray
		e.dec = json.NewDecoder(e.br)
		if _, err := e.dec.Token(); err != nil {
			e.err = err
			e.done = true
			return false
		}
		return true
	}
	line, err := e.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		e.err = err
		e.done = true
		return false
	}
	if json.Valid(bytes.TrimSpace(line)) {
		e.mode = modeLines
		// Hand the line already read to the first nextLine call.
		e.line = append(e.line[:0], line...)
		e.pending = true
		return true
	}
	e.mode = modeValues
	e.dec = json.NewDecoder(io.MultiReader(bytes.NewReader(append([]byte(nil), line...)), e.br))
	return true
}

func skipSpaceAndBOM(br *bufio.Reader) error {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	for {
		b, err := br.Peek(1)
		if err != nil {
			return err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.Discard(1)
		default:
			return nil
		}
	}
}

// readLine returns the next line without its newline, in e.line's storage.
func (e *Elements) readLine() ([]byte, error) {
	e.line = e.line[:0]
	for {
		chunk, err := e.br.ReadSlice('\n')
		e.line = append(e.line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(e.line) > 0 && e.line[len(e.line)-1] == '\n' {
			e.line = e.line[:len(e.line)-1]
		}
		if err != nil && len(e.line) > 0 && errors.Is(err, io.EOF) {
			return e.line, nil
		}
		return e.line, err
	}
}

func (e *Elements) nextLine() bool {
	for {
		var line []byte
		if e.pending {
			line, e.pending = e.line, false
		} else {
			var err error
			line, err = e.readLine()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					e.err = err
				}
				return false
			}
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		e.raw = line
		return true
	}
}

func (e *Elements) nextValue() bool {
	if e.mode == modeArray && !e.dec.More() {
		// Expect the closing bracket, then nothing but space.
		if _, err := e.dec.Token(); err != nil {
			return e.invalidRest(err)
		}
		if _, err := e.dec.Token(); !errors.Is(err, io.EOF) {
			return e.invalidRest(fmt.Errorf("text after the closing ]"))
		}
		return false
	}
	var msg json.RawMessage
	if err := e.dec.Decode(&msg); err != nil {
		if errors.Is(err, io.EOF) && e.mode == modeValues {
			return false
		}
		return e.invalidRest(err)
	}
	e.raw = msg
	return true
}

// invalidRest turns the unreadable remainder of the stream into one
// invalid element, so that nothing is dropped without a trace.
func (e *Elements) invalidRest(cause error) bool {
	if errors.Is(cause, io.ErrUnexpectedEOF) || errors.Is(cause, io.EOF) {
		cause = errors.New("the stream ends in the middle of a JSON value")
	}
	rest, _ := io.ReadAll(io.LimitReader(io.MultiReader(e.dec.Buffered(), e.br), maxInvalidTail+1))
	rest = bytes.TrimSpace(rest)
	if len(rest) > maxInvalidTail {
		rest = rest[:maxInvalidTail]
		cause = fmt.Errorf("%w (text kept cut to %d bytes)", cause, maxInvalidTail)
	}
	if len(rest) == 0 {
		rest = []byte("<end of stream>")
	}
	e.raw, e.invalid = rest, cause
	e.done = true
	return true
}
