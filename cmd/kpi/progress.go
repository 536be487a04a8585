package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress redraws one status line on a terminal while a long stage runs:
// days done, blobs, MB and elapsed time. Off a terminal (cron, systemd,
// pipes) it prints nothing, so logs stay clean.
type progress struct {
	w     io.Writer
	start time.Time
	last  time.Time
	shown bool
}

// newProgress returns a progress line on w when w is a terminal and
// enabled; otherwise a progress that does nothing.
func newProgress(w io.Writer, enabled bool) *progress {
	if !enabled || !isTerminal(w) {
		return &progress{}
	}
	return &progress{w: w, start: time.Now()}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Update redraws the line, at most ten times a second.
func (p *progress) Update(stage string, done, total int, blobs, bytes int64) {
	if p == nil || p.w == nil {
		return
	}
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	size := ""
	if bytes > 0 {
		size = fmt.Sprintf(" · %.1f MB", float64(bytes)/1e6)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s %d/%d days · %d blobs%s · %s",
		stage, done, total, blobs, size, now.Sub(p.start).Round(100*time.Millisecond))
}

// Clear erases the line before anything else is written.
func (p *progress) Clear() {
	if p == nil || p.w == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	p.shown = false
}
