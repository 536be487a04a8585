package generate

import (
	"encoding/binary"
	"encoding/hex"
	"unicode/utf8"
)

const lowerHex = "0123456789abcdef"

// appendJSONString appends s as a JSON string. It escapes only what JSON
// requires (quote, backslash, control characters) and replaces invalid
// UTF-8, so hostile values such as "</script>" or U+2028 reach the landing
// data unchanged, as a real backend would deliver them.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKey appends "name": (names are constants that need no escaping).
func appendJSONKey(b []byte, name string) []byte {
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// appendHex128 appends a and b as 32 lowercase hex digits, CouchDB's id
// shape.
func appendHex128(buf []byte, a, b uint64) []byte {
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], a)
	binary.BigEndian.PutUint64(raw[8:], b)
	return hex.AppendEncode(buf, raw[:])
}
