package persona

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestIDHashIsStable pins IDHash's values: databases keep them.
func TestIDHashIsStable(t *testing.T) {
	assert.Equal(t, uint64(0x2d06800538d394c2), IDHash(""))
	assert.Equal(t, uint64(0x78af5f94892f3950), IDHash("abc"))
	assert.NotEqual(t, IDHash("a"), IDHash("b"))
}
