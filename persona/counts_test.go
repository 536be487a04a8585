package persona

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCountsAddUp(t *testing.T) {
	day1 := Counts{Fetched: 10, Loaded: 6, Duplicates: 3, Rejected: 1}
	day2 := Counts{Fetched: 5, Loaded: 5}
	assert.Equal(t, Counts{Fetched: 15, Loaded: 11, Duplicates: 3, Rejected: 1}, day1.Add(day2))
	assert.NoError(t, day1.Add(day2).Check())
	assert.NoError(t, Counts{}.Check())

	err := Counts{Fetched: 10, Loaded: 6, Duplicates: 3}.Check()
	assert.EqualError(t, err, "fetched 10 != loaded 6 + duplicates 3 + rejected 0")
}
