package blob

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var jsonCorpus = []string{
	`{}`, `[]`, `0`, `-0`, `1.5e+10`, `-1E-2`, `"x"`, `true`, `false`, `null`, ` {"a" : [1, 2, {"b": null}] } `,
	`{"a":"\u00e9\"\\\/\b\f\n\r\t"}`, "\"\xff\xfe\"", `[[[[[]]]]]`, `{"a":{"b":{"c":[1,"]",{"d":"}"}]}}}`,
	`01`, `1.`, `.5`, `1e`, `+1`, `-`, `--1`, `0x10`, `NaN`, `Infinity`, `tru`, `nul`, `truex`,
	`{"a":1,}`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{a:1}`, `{'a':1}`, `"\x"`, `"\u12"`, `"\u12g4"`,
	"\"a\nb\"", "\"\t\"", `"abc`, `[1 2]`, `{"a":1 "b":2}`, `{} {}`, ``, ` `, `]`, `}`, `{"a":[}`,
	"[\x00]", "\u00a0{}", `{"a":1}x`, `[1]]`,
}

func TestCheckJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, doc := range jsonCorpus {
		assert.Equal(t, json.Valid([]byte(doc)), checkJSON([]byte(doc)) == nil, "%q", doc)
	}
	// Every prefix and every one-byte change of valid documents.
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`{}[]",:\/ 0123456789.eE+-abtrufnlsu` + "\x00\n\xff")
	for _, doc := range jsonCorpus {
		for i := 0; i <= len(doc); i++ {
			p := []byte(doc[:i])
			assert.Equal(t, json.Valid(p), checkJSON(p) == nil, "%q", p)
		}
		for range 200 {
			if len(doc) == 0 {
				break
			}
			b := []byte(doc)
			b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
			assert.Equal(t, json.Valid(b), checkJSON(b) == nil, "%q", b)
		}
	}
}

func FuzzCheckJSON(f *testing.F) {
	for _, doc := range jsonCorpus {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 0 && strings.Count(string(b), "[")+strings.Count(string(b), "{") >= maxDepth {
			return // deeper than we accept on purpose
		}
		if got, want := checkJSON(b) == nil, json.Valid(b); got != want {
			t.Fatalf("checkJSON(%q) valid=%v, encoding/json says %v", b, got, want)
		}
		if checkJSON(b) == nil {
			// The walkers must agree with encoding/json on what they find.
			var v any
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber() // numbers beyond float64 are valid JSON
			require.NoError(t, dec.Decode(&v))
			if m, ok := v.(map[string]any); ok {
				start := skipWS(b, 0)
				n := 0
				for it := newMembers(b[start:]); it.next(); n++ {
					s, ok := DecodeString(it.key)
					require.True(t, ok)
					_, found := m[s]
					require.True(t, found, "key %q", s)
				}
				require.GreaterOrEqual(t, n, len(m))
			}
		}
	})
}

func TestCheckJSONLimitsDepth(t *testing.T) {
	deep := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	assert.NoError(t, checkJSON([]byte(deep)))
	tooDeep := "[" + deep + "]"
	err := checkJSON([]byte(tooDeep))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nested deeper")
	// Far deeper input fails fast instead of exhausting the stack.
	assert.Error(t, checkJSON([]byte(strings.Repeat("[", 1<<20))))
}

func TestWalkers(t *testing.T) {
	obj := []byte(`{ "a" : 1 , "b":{"c":[1,2]}, "d" :"x,}", "e":[], "f":true }`)
	var keys, vals []string
	for m := newMembers(obj); m.next(); {
		keys = append(keys, string(m.key))
		vals = append(vals, string(m.val))
	}
	assert.Equal(t, []string{`"a"`, `"b"`, `"d"`, `"e"`, `"f"`}, keys)
	assert.Equal(t, []string{`1`, `{"c":[1,2]}`, `"x,}"`, `[]`, `true`}, vals)

	var elems []string
	for e := newElems([]byte(`[ 1 ,"a]" , [2,[3]] ,{"x":"]"}, null ]`)); e.next(); {
		elems = append(elems, string(e.val))
	}
	assert.Equal(t, []string{`1`, `"a]"`, `[2,[3]]`, `{"x":"]"}`, `null`}, elems)

	for e := newElems([]byte(`[]`)); e.next(); {
		t.Fatal("empty array has elements")
	}
	for m := newMembers([]byte(`{ }`)); m.next(); {
		t.Fatal("empty object has members")
	}
	// Out-of-shape text must not panic.
	for _, junk := range []string{``, `{`, `{"a`, `{"a":`, `[`, `[1,`, `"`, `{"a"}`} {
		for m := newMembers([]byte(junk)); m.next(); {
		}
		for e := newElems([]byte(junk)); e.next(); {
		}
		_ = skipValue([]byte(junk), 0)
	}
}

func TestDecodeString(t *testing.T) {
	tests := map[string]string{
		`"plain"`:              "plain",
		`"a\"b\\c\/d\n"`:       "a\"b\\c/d\n",
		`"\u00e9\ud83d\ude00"`: "é😀",
		`"\ud800"`:             "\uFFFD",
		"\"a\xffb\"":           "a\uFFFDb",
		"\"\xed\xa0\x80\"":     "\uFFFD\uFFFD\uFFFD", // an encoded surrogate is three bad bytes
		`""`:                   "",
	}
	for in, want := range tests {
		got, ok := DecodeString([]byte(in))
		assert.True(t, ok)
		assert.Equal(t, want, got, in)
	}
	_, ok := DecodeString([]byte(`12`))
	assert.False(t, ok)
}

func TestNumber(t *testing.T) {
	good := map[string]float64{
		`3`: 3, `-3`: -3, `3.0`: 3, `1e3`: 1000, `"3"`: 3, `" 3 "`: 3, `"-2.5"`: -2.5, `"1E2"`: 100,
		`123456789012345678`: 123456789012345678,
	}
	for in, want := range good {
		got, ok := Number([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{`"x"`, `""`, `"0x10"`, `"1_000"`, `"Inf"`, `"NaN"`, `"+1"`, `"1 2"`, `true`, `null`, `[1]`, `{}`, `1e999`, `"1e999"`} {
		_, ok := Number([]byte(in))
		assert.False(t, ok, in)
	}
}

func TestSnippetIsOneShortLine(t *testing.T) {
	assert.Equal(t, "a b c", Snippet([]byte("a\nb\tc"), 40))
	s := Snippet([]byte(strings.Repeat("é", 30)), 41)
	assert.Equal(t, strings.Repeat("é", 20)+"…", s)
	assert.Equal(t, "x\uFFFD", Snippet([]byte("x\xff"), 40))
}

func TestValidUTF8ReplacesEachBadByte(t *testing.T) {
	assert.Equal(t, "ok", ValidUTF8([]byte("ok")))
	assert.Equal(t, "a\uFFFD\uFFFDb", ValidUTF8([]byte("a\xff\xfeb")))
	assert.Equal(t, "\uFFFD\uFFFD", ValidUTF8([]byte("\xe2\x82"))) // a cut sequence, byte by byte
}
