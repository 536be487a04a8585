package blob

import (
	"crypto/sha1"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitFindsTheRowID(t *testing.T) {
	sha := func(s string) string { sum := sha1.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	blob := `{"timestamp": 1}`
	tests := []struct {
		name, text, id, blob string
	}{
		{"string id", `{"id": "abc-123", "key": 1, "value": ` + blob + `}`, "abc-123", blob},
		{"integer id", `{"id": 42, "value": ` + blob + `}`, "42", blob},
		{"long integer id keeps every digit", `{"id": 123456789012345678901234567890, "value": ` + blob + `}`, "123456789012345678901234567890", blob},
		{"integral decimal id", `{"id": 4.2e1, "value": ` + blob + `}`, "42", blob},
		{"fractional id", `{"id": 1.5, "value": ` + blob + `}`, "1.5", blob},
		{"escaped id", `{"id": "a\"b", "value": ` + blob + `}`, `a"b`, blob},
		{"row without id", `{"key": 1, "value": ` + blob + `}`, sha(`{"key": 1, "value": ` + blob + `}`), blob},
		{"null id", `{"id": null, "value": ` + blob + `}`, sha(`{"id": null, "value": ` + blob + `}`), blob},
		{"empty id", `{"id": "", "value": ` + blob + `}`, sha(`{"id": "", "value": ` + blob + `}`), blob},
		{"boolean id", `{"id": true, "value": ` + blob + `}`, sha(`{"id": true, "value": ` + blob + `}`), blob},
		{"bare blob", blob, sha(blob), blob},
		{"bare blob with an id field is still bare", `{"id": "x", "timestamp": 1}`, sha(`{"id": "x", "timestamp": 1}`), `{"id": "x", "timestamp": 1}`},
		{"value null is a bare blob", `{"id": "x", "value": null}`, sha(`{"id": "x", "value": null}`), `{"id": "x", "value": null}`},
		{"last value wins", `{"id": "x", "value": ` + blob + `, "value": 3}`, sha(`{"id": "x", "value": ` + blob + `, "value": 3}`), `{"id": "x", "value": ` + blob + `, "value": 3}`},
		{"not an object", `[1]`, sha(`[1]`), `[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tp Tape
			el, err := Split(&tp, []byte(tt.text))
			require.NoError(t, err)
			assert.Equal(t, tt.id, el.ID)
			assert.Equal(t, tt.blob, string(tp.Text(el.Blob)))
		})
	}
	_, err := Split(new(Tape), []byte(`{"id": "x", "value": {`))
	assert.Error(t, err)
}
