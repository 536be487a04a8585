package extract

import (
	"fmt"
	"time"
)

// Window is a span of blob timestamps fetched as one unit: Start inclusive,
// End exclusive, both UTC. KPIggybank's API takes inclusive milliseconds,
// so a window asks for [Start, End-1ms] and adjacent windows never overlap.
type Window struct {
	Start, End time.Time
}

// StartMs is the API's start parameter.
func (w Window) StartMs() int64 { return w.Start.UnixMilli() }

// EndMs is the API's (inclusive) end parameter.
func (w Window) EndMs() int64 { return w.End.UnixMilli() - 1 }

// Contains reports whether a timestamp in milliseconds lies in the window.
func (w Window) Contains(ms int64) bool { return ms >= w.StartMs() && ms <= w.EndMs() }

func (w Window) String() string {
	return fmt.Sprintf("%s..%s", w.Start.Format("2006-01-02T15:04Z"), w.End.Format("2006-01-02T15:04Z"))
}

// DayWindows splits one UTC day into windows of the given hours (which
// must divide 24).
func DayWindows(day time.Time, hours int) []Window {
	var ws []Window
	for h := 0; h < 24; h += hours {
		start := day.Add(time.Duration(h) * time.Hour)
		ws = append(ws, Window{Start: start, End: start.Add(time.Duration(hours) * time.Hour)})
	}
	return ws
}
