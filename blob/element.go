package blob

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"strconv"
)

// Element is one raw element split into its row id and its blob.
type Element struct {
	// ID is the row's id (see RowID), else the sha1 of the element's text.
	ID string
	// Blob is the tape index of the blob: a row's value, or the whole
	// element (index 0) for a bare blob, whatever its kind.
	Blob int32
}

// Split validates raw as JSON, reading it into t, and finds its row id and
// its blob, which t then holds at el.Blob. The error says why raw is not
// JSON.
func Split(t *Tape, raw []byte) (el Element, err error) {
	at, idv, isRow, err := parseElement(t, raw)
	if err != nil {
		return Element{}, err
	}
	el.Blob = at
	if isRow {
		el.ID = RowID(idv)
	}
	if el.ID == "" {
		sum := sha1.Sum(raw)
		el.ID = hex.EncodeToString(sum[:])
	}
	return el, nil
}

// parseElement validates raw as JSON, reading it into t, and finds its
// blob. A row is an object with an object "value" (idv is then its "id",
// if any); anything else is a bare blob, rejected later if it is not an
// object.
func parseElement(t *Tape, raw []byte) (blob int32, idv []byte, isRow bool, err error) {
	if err := t.Parse(raw); err != nil {
		return 0, nil, false, err
	}
	if t.e[0].kind != '{' {
		return 0, nil, false, nil
	}
	for k := int32(1); k < t.e[0].next; k = t.e[k+1].next {
		switch key := t.Text(k); {
		case KeyIs(key, "value"):
			// JSON.parse keeps the last of duplicate keys; so do we.
			if isRow = t.e[k+1].kind == '{'; isRow {
				blob = k + 1
			} else {
				blob = 0
			}
		case KeyIs(key, "id"):
			idv = t.Text(k + 1)
		}
	}
	return blob, idv, isRow, nil
}

// RowID reads a row's id: a non-empty string as is, a number as its
// decimal text. Anything else (missing, null, "", a list...) is no usable
// id, "", so that Split falls back to the sha1 of the text: using "" or
// "false" as an id would merge unrelated rows as duplicates.
func RowID(v []byte) string {
	switch Kind(v) {
	case '"':
		s, _ := DecodeString(v)
		return s
	case '0':
		if bytesIndexAny(v, ".eE") < 0 {
			return string(v) // an integer, digit for digit, however long
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return string(v)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1e21 {
			return strconv.FormatFloat(f, 'f', -1, 64) // 4.2e1 → "42", as JavaScript prints it
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return ""
}

func bytesIndexAny(b []byte, chars string) int {
	for i, c := range b {
		for j := 0; j < len(chars); j++ {
			if c == chars[j] {
				return i
			}
		}
	}
	return -1
}
