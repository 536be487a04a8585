package kpiggybank

import (
	"fmt"
	"time"
)

// window is a span of blob timestamps [Start, End) asked for in one
// request. The API takes inclusive milliseconds, so a window asks for
// [Start, End-1ms] and adjacent windows never overlap.
type window struct {
	Start, End time.Time
}

// StartMs is the API's start parameter.
func (w window) StartMs() int64 { return w.Start.UnixMilli() }

// EndMs is the API's (inclusive) end parameter.
func (w window) EndMs() int64 { return w.End.UnixMilli() - 1 }

func (w window) String() string {
	return fmt.Sprintf("%s..%s", w.Start.Format("2006-01-02T15:04Z"), w.End.Format("2006-01-02T15:04Z"))
}
