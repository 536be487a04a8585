package persona

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCountsAddUp(t *testing.T) {
	day1 := Counts{Fetched: 12, Loaded: 6, ServerEvents: 2, Duplicates: 3, Rejected: 1}
	day2 := Counts{Fetched: 5, Loaded: 5}
	assert.Equal(t, Counts{Fetched: 17, Loaded: 11, ServerEvents: 2, Duplicates: 3, Rejected: 1}, day1.Add(day2))
	assert.NoError(t, day1.Add(day2).Check())
	assert.NoError(t, Counts{}.Check())

	err := Counts{Fetched: 12, Loaded: 6, Duplicates: 3}.Check()
	assert.EqualError(t, err, "fetched 12 != loaded 6 + server events 0 + duplicates 3 + rejected 0")
	assert.Equal(t, "fetched 17 = loaded 11 + server events 2 + duplicates 3 + rejected 1", day1.Add(day2).String())
}
