package extract

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bodySource serves a fixed body per window; its first `flaky` attempts of
// every window write half the body and fail, as a dropped connection would.
type bodySource struct {
	body     func(w Window) string
	piece    int // the body is written in pieces of this size (0: whole)
	flaky    int
	mu       sync.Mutex // Land fetches days concurrently
	attempts map[Window]int
	failAt   time.Time // a window starting here always fails
}

func (s *bodySource) attempt(w Window) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attempts == nil {
		s.attempts = map[Window]int{}
	}
	s.attempts[w]++
	return s.attempts[w]
}

func (s *bodySource) Name() string { return "test" }

func (s *bodySource) Fetch(ctx context.Context, start, end time.Time, open func() (io.Writer, error)) error {
	w := Window{Start: start, End: end}
	for {
		n := s.attempt(w)
		dst, err := open()
		if err != nil {
			return err
		}
		body := s.body(w)
		if w.Start.Equal(s.failAt) {
			io.WriteString(dst, body[:len(body)/2])
			return errors.New("connection reset")
		}
		if n <= s.flaky {
			io.WriteString(dst, body[:len(body)/2])
			continue
		}
		for rest := body; ; {
			n := len(rest)
			if s.piece > 0 {
				n = min(n, s.piece)
			}
			if _, err := io.WriteString(dst, rest[:n]); err != nil || n == len(rest) {
				return err
			}
			rest = rest[n:]
		}
	}
}

func readUnit(t *testing.T, l Landing, day time.Time, u Unit) string {
	t.Helper()
	rc, err := l.Open(day, u)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b)
}

func TestExtractWindowsLandsEachWindowExactlyAsReceived(t *testing.T) {
	l := Landing{Dir: t.TempDir()}
	day := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	src := &bodySource{flaky: 1, body: func(w Window) string { return fmt.Sprintf(`[{"id":"%d"}]`, w.StartMs()) }}

	res, err := windowed{fetcher: src, hours: 6, log: slog.New(slog.DiscardHandler)}.Land(context.Background(), l, Request{Days: []time.Time{day, day.AddDate(0, 0, 1)}})
	require.NoError(t, err)
	assert.Equal(t, []time.Time{day, day.AddDate(0, 0, 1)}, res.Days)
	assert.Equal(t, 8, res.Units)

	m, err := l.Manifest(day)
	require.NoError(t, err)
	assert.Equal(t, "test", m.Source)
	require.Len(t, m.Units, 4)
	assert.Equal(t, "window-0000-0600.json.zst", m.Units[0].File)
	assert.Equal(t, "window-1800-2400.json.zst", m.Units[3].File)
	for i, u := range m.Units {
		w := DayWindows(day, 6)[i]
		// The half body of the failed first attempt is gone.
		assert.Equal(t, fmt.Sprintf(`[{"id":"%d"}]`, w.StartMs()), readUnit(t, l, day, u))
		assert.Equal(t, KindWindow, u.Kind)
		assert.Positive(t, u.Bytes)
	}
	days, err := l.Days()
	require.NoError(t, err)
	assert.Equal(t, res.Days, days)
}

// TestExtractWindowsStopsAtAFailedDay lands days two at a time: the
// failing day's own error ends the extract (not the cancellation it
// causes), it is not landed, the days after the next one are not
// started, and the days landed are returned in order.
func TestExtractWindowsStopsAtAFailedDay(t *testing.T) {
	l := Landing{Dir: t.TempDir()}
	first := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	var days []time.Time
	for i := range 6 {
		days = append(days, first.AddDate(0, 0, i))
	}
	bad := days[2]
	src := &bodySource{body: func(Window) string { return `["x"]` }, failAt: bad}
	res, err := windowed{fetcher: src, hours: 24, log: slog.New(slog.DiscardHandler)}.Land(context.Background(), l, Request{Days: days})
	require.ErrorContains(t, err, "extract day 2013-05-03: connection reset")
	assert.NotContains(t, err.Error(), "canceled")
	assert.True(t, slices.IsSortedFunc(res.Days, func(a, b time.Time) int { return a.Compare(b) }))
	assert.NotContains(t, res.Days, bad)
	assert.Subset(t, res.Days, days[:2], "the days before it")
	landed, err := l.Days()
	require.NoError(t, err)
	assert.Equal(t, res.Days, landed)
	for _, d := range landed {
		assert.True(t, d.Before(days[4]), "%s was started after the failure", d.Format(time.DateOnly))
	}
}

func TestExtractWindowsFailureKeepsThePreviousDay(t *testing.T) {
	l := Landing{Dir: t.TempDir()}
	day := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	good := &bodySource{body: func(Window) string { return `["old"]` }}
	_, err := windowed{fetcher: good, hours: 24, log: slog.New(slog.DiscardHandler)}.Land(context.Background(), l, Request{Days: []time.Time{day}})
	require.NoError(t, err)

	bad := &bodySource{body: func(Window) string { return `["new"]` }, failAt: day.Add(12 * time.Hour)}
	_, err = windowed{fetcher: bad, hours: 12, log: slog.New(slog.DiscardHandler)}.Land(context.Background(), l, Request{Days: []time.Time{day}})
	require.ErrorContains(t, err, "extract day 2013-05-01: connection reset")

	m, err := l.Manifest(day)
	require.NoError(t, err)
	require.Len(t, m.Units, 1)
	assert.Equal(t, `["old"]`, readUnit(t, l, day, m.Units[0]))
	entries, err := os.ReadDir(l.RawDir())
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{areaMarker, "day=2013-05-01"}, names, "no temporary directory is left behind")
}

func TestManifestOfADayNeverExtracted(t *testing.T) {
	l := Landing{Dir: t.TempDir()}
	_, err := l.Manifest(time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC))
	assert.ErrorIs(t, err, ErrNotLanded)
	days, err := l.Days()
	require.NoError(t, err)
	assert.Empty(t, days)
	require.NoError(t, os.MkdirAll(filepath.Join(l.RawDir(), "day=2013-05-02"), 0o755))
	days, err = l.Days()
	require.NoError(t, err)
	assert.Empty(t, days, "a day directory without a manifest is not landed")
}

func TestDayWindowsCoverTheDayWithoutOverlap(t *testing.T) {
	day := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, hours := range []int{1, 6, 24} {
		ws := DayWindows(day, hours)
		require.Len(t, ws, 24/hours)
		assert.Equal(t, day.UnixMilli(), ws[0].StartMs())
		assert.Equal(t, day.AddDate(0, 0, 1).UnixMilli()-1, ws[len(ws)-1].EndMs())
		for i := 1; i < len(ws); i++ {
			assert.Equal(t, ws[i-1].EndMs()+1, ws[i].StartMs())
		}
	}
}

func TestContentHashFollowsTheTextNotTheFetch(t *testing.T) {
	day := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	hashOf := func(body string, flaky int) string {
		l := Landing{Dir: t.TempDir()}
		src := &bodySource{flaky: flaky, body: func(Window) string { return body }}
		_, err := windowed{fetcher: src, hours: 24, log: slog.New(slog.DiscardHandler)}.Land(context.Background(), l, Request{Days: []time.Time{day}})
		require.NoError(t, err)
		m, err := l.Manifest(day)
		require.NoError(t, err)
		return m.ContentHash()
	}
	a := hashOf(`[{"id":"1"}]`, 0)
	assert.Equal(t, a, hashOf(`[{"id":"1"}]`, 2), "a retried fetch of the same text hashes the same")
	assert.NotEqual(t, a, hashOf(`[{"id":"2"}]`, 0))
}

// Landings written by kpi versions before zstd hold gzip units (several
// members one after another); they stay readable, so no day has to be
// fetched again after an upgrade.
func TestOpenReadsGzipUnitsOfEarlierVersions(t *testing.T) {
	l := Landing{Dir: t.TempDir()}
	day := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, os.MkdirAll(l.DayDir(day), 0o755))
	var members bytes.Buffer
	for _, part := range []string{`[{"id":"a"},`, `{"id":"b"}]`} {
		zw := gzip.NewWriter(&members)
		_, err := zw.Write([]byte(part))
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	}
	u := Unit{File: "window-0000-2400.json.gz", Kind: KindWindow, Bytes: int64(members.Len())}
	require.NoError(t, os.WriteFile(filepath.Join(l.DayDir(day), u.File), members.Bytes(), 0o644))
	assert.Equal(t, `[{"id":"a"},{"id":"b"}]`, readUnit(t, l, day, u))
}
