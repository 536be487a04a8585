package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/persona"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRow is a row of fakeRowList: an id at a blob timestamp.
type fakeRow struct {
	id string
	ts int64
}

// fakeRowList is a RowSource over a fixed slice of rows sorted by time.
type fakeRowList []fakeRow

func (l fakeRowList) Rows(w Window, fn func(row []byte) error) error {
	for _, r := range l {
		if !w.Contains(r.ts) {
			continue
		}
		row := fmt.Appendf(nil, `{"id":%q,"key":%d,"value":{"timestamp":%d,"event_stream":[["screen.rp_info",0]]}}`, r.id, r.ts, r.ts)
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

var (
	fakeDay1 = time.Date(2013, 3, 1, 0, 0, 0, 0, time.UTC)
	fakeDay2 = fakeDay1.AddDate(0, 0, 1)
)

func at(day time.Time, hms string, ms int) int64 {
	d, err := time.ParseDuration(hms)
	if err != nil {
		panic(err)
	}
	return day.Add(d).UnixMilli() + int64(ms)
}

// fakeRows straddles the served days (fakeDay1, fakeDay2) and their
// window edges.
var fakeRows = fakeRowList{
	{"before", fakeDay1.UnixMilli() - 1},
	{"d1-0000", at(fakeDay1, "0s", 0)},
	{"d1-0559", at(fakeDay1, "5h59m59s", 999)},
	{"d1-0600", at(fakeDay1, "6h", 0)},
	{"d1-1200", at(fakeDay1, "12h", 0)},
	{"d1-2359", at(fakeDay1, "23h59m59s", 999)},
	{"d2-0000", at(fakeDay2, "0s", 0)},
	{"d2-1800", at(fakeDay2, "18h", 0)},
	{"after", fakeDay2.AddDate(0, 0, 1).UnixMilli()},
}

var servedIDs = []string{"d1-0000", "d1-0559", "d1-0600", "d1-1200", "d1-2359", "d2-0000", "d2-1800"}

func startFake(t *testing.T, f *FakeServer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// getIDs fetches a query and returns the ids of the array it answers.
func getIDs(t *testing.T, srv *httptest.Server, query string) []string {
	t.Helper()
	resp, err := http.Get(srv.URL + "/wsapi/interaction_data" + query)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var rows []struct {
		ID    string `json:"id"`
		Key   int64  `json:"key"`
		Value struct {
			Timestamp int64 `json:"timestamp"`
		} `json:"value"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rows))
	ids := []string{}
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestFakeServerFiltersByInclusiveRange(t *testing.T) {
	srv := startFake(t, &FakeServer{Rows: fakeRows, From: fakeDay1, To: fakeDay2})
	q := func(start, end any) string {
		parts := []string{}
		if start != nil {
			parts = append(parts, fmt.Sprintf("start=%v", start))
		}
		if end != nil {
			parts = append(parts, fmt.Sprintf("end=%v", end))
		}
		if len(parts) == 0 {
			return ""
		}
		return "?" + strings.Join(parts, "&")
	}
	cases := []struct {
		name  string
		query string
		want  []string
	}{
		{"no parameters serve every served day", q(nil, nil), servedIDs},
		{"a row exactly at start and at end is included", q(at(fakeDay1, "6h", 0), at(fakeDay1, "12h", 0)), []string{"d1-0600", "d1-1200"}},
		{"one millisecond short of a row excludes it", q(at(fakeDay1, "6h", 1), at(fakeDay1, "12h", -1)), []string{}},
		{"start only runs to the last served day", q(fakeDay2.UnixMilli(), nil), []string{"d2-0000", "d2-1800"}},
		{"end only runs from the first served day", q(nil, at(fakeDay1, "5h59m59s", 999)), []string{"d1-0000", "d1-0559"}},
		{"a wider range is clipped to the served days", q(0, int64(1)<<62), servedIDs},
		{"negative start is fine", q(-5, at(fakeDay1, "0s", 0)), []string{"d1-0000"}},
		{"start after end is empty", q(at(fakeDay1, "12h", 0), at(fakeDay1, "6h", 0)), []string{}},
		{"outside the served days is empty", q(fakeDay1.AddDate(0, 0, -3).UnixMilli(), fakeDay1.UnixMilli()-1), []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, getIDs(t, srv, tc.query))
		})
	}
}

func TestFakeServerAdjacentWindowsNeverRepeatARow(t *testing.T) {
	srv := startFake(t, &FakeServer{Rows: fakeRows, From: fakeDay1, To: fakeDay2})
	for _, hours := range []int{1, 6, 24} {
		t.Run(fmt.Sprintf("%dh", hours), func(t *testing.T) {
			var got []string
			for _, day := range persona.Days(fakeDay1, fakeDay2) {
				for _, w := range DayWindows(day, hours) {
					got = append(got, getIDs(t, srv, fmt.Sprintf("?start=%d&end=%d", w.StartMs(), w.EndMs()))...)
				}
			}
			assert.Equal(t, servedIDs, got, "each served row exactly once, in order")
		})
	}
}

func TestFakeServerRejectsBadParameters(t *testing.T) {
	srv := startFake(t, &FakeServer{Rows: fakeRows, From: fakeDay1, To: fakeDay2})
	cases := []struct{ query, name string }{
		{"?start=abc", "start"},
		{"?start=1&end=1.5", "end"},
		{"?end=1e3", "end"},
		{"?start=", "start"},
		{"?start=12345678901234567890", "start"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/wsapi/interaction_data" + tc.query)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			line := strings.TrimSuffix(string(body), "\n")
			assert.NotContains(t, line, "\n", "one line")
			assert.True(t, strings.HasPrefix(line, tc.name+" must be a whole number of milliseconds"), line)
		})
	}
}

func TestFakeServerPingCountAndUnknownPaths(t *testing.T) {
	get := func(t *testing.T, srv *httptest.Server, path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	srv := startFake(t, &FakeServer{Rows: fakeRows, From: fakeDay1, To: fakeDay2})

	code, body := get(t, srv, "/wsapi/ping")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "pong", body)

	code, body = get(t, srv, "/wsapi/interaction_data/count")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, fmt.Sprint(len(servedIDs)), body, "counted over the served days")

	counted := startFake(t, &FakeServer{Rows: fakeRows, From: fakeDay1, To: fakeDay2, Count: func() int64 { return 123456789 }})
	_, body = get(t, counted, "/wsapi/interaction_data/count")
	assert.Equal(t, "123456789", body)

	for _, path := range []string{"/", "/wsapi", "/wsapi/interaction_data/", "/wsapi/interaction_data/last", "/wsapi/ping/x"} {
		code, _ = get(t, srv, path)
		assert.Equal(t, http.StatusNotFound, code, path)
	}
	resp, err := http.Post(srv.URL+"/wsapi/interaction_data", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.NotEqual(t, http.StatusOK, resp.StatusCode, "the fake is read-only")
}

// failingRows yields n rows and then fails, like a broken backend.
type failingRows struct{ n int }

func (f failingRows) Rows(w Window, fn func(row []byte) error) error {
	pad := strings.Repeat("x", 200)
	for i := range f.n {
		if err := fn(fmt.Appendf(nil, `{"id":"%d","key":%d,"value":{"timestamp":%d,"pad":%q}}`, i, w.StartMs(), w.StartMs(), pad)); err != nil {
			return err
		}
	}
	return errors.New("disk on fire")
}

func TestFakeServerRowSourceFailure(t *testing.T) {
	t.Run("before anything is sent: 500", func(t *testing.T) {
		srv := startFake(t, &FakeServer{Rows: failingRows{n: 1}, From: fakeDay1, To: fakeDay1})
		resp, err := http.Get(srv.URL + "/wsapi/interaction_data")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	})
	t.Run("mid-response: the body is cut off", func(t *testing.T) {
		srv := startFake(t, &FakeServer{Rows: failingRows{n: 2000}, From: fakeDay1, To: fakeDay1})
		s, _, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", HTTPOptions{Retries: 1})
		var got landingRecorder
		err := s.Fetch(context.Background(), DayWindows(fakeDay1, 24)[0], got.open)
		require.Error(t, err)
		assert.Regexp(t, `cut off after \d+ bytes \(after 2 attempts\)$`, err.Error())
	})
}

func TestHTTPSourceAgainstFakeServer(t *testing.T) {
	srv := startFake(t, &FakeServer{Rows: fakeRows, From: fakeDay1, To: fakeDay2})
	s, _, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", HTTPOptions{})
	ctx := context.Background()

	require.NoError(t, s.Ping(ctx))
	n, err := s.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(len(servedIDs)), n)

	var ids []string
	for _, w := range DayWindows(fakeDay1, 6) {
		var got landingRecorder
		require.NoError(t, s.Fetch(ctx, w, got.open))
		var rows []struct{ ID string }
		require.NoError(t, json.Unmarshal([]byte(got.last()), &rows))
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
	}
	assert.Equal(t, servedIDs[:5], ids)
}

func TestFakeServerServesTheGenerator(t *testing.T) {
	gen := Generator{Seed: 7, PerDay: 3000}
	srv := startFake(t, &FakeServer{Rows: gen, From: fakeDay1, To: fakeDay2})
	s, _, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", HTTPOptions{})

	var got landingRecorder
	require.NoError(t, s.Fetch(context.Background(), Window{Start: fakeDay2, End: fakeDay2.AddDate(0, 0, 1)}, got.open))
	var rows []json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(got.last()), &rows))
	require.NotZero(t, gen.DayCount(fakeDay2))
	assert.Len(t, rows, gen.DayCount(fakeDay2))
}

// syncBuffer is a log sink safe to read while a server goroutine logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestFakeServerListenAndServe(t *testing.T) {
	logs := &syncBuffer{}
	f := &FakeServer{Rows: fakeRows, From: fakeDay1, To: fakeDay2, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.ListenAndServe(ctx, "127.0.0.1:0") }()

	addrRe := regexp.MustCompile(`msg="fake KPIggybank listening" addr=(127\.0\.0\.1:\d+)`)
	var addr string
	for deadline := time.Now().Add(30 * time.Second); addr == "" && time.Now().Before(deadline); {
		if m := addrRe.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	require.NotEmpty(t, addr, "listening address logged")

	s, _, _ := newTestHTTP(t, "http://"+addr+"/wsapi/interaction_data", HTTPOptions{})
	require.NoError(t, s.Ping(ctx))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}
	assert.Contains(t, logs.String(), "fake KPIggybank stopped")
	_, err := http.Get("http://" + addr + "/wsapi/ping")
	assert.Error(t, err, "no longer listening")
}

func TestFakeServerListenAndServeChecksItsConfig(t *testing.T) {
	ctx := context.Background()
	err := (&FakeServer{From: fakeDay1, To: fakeDay2}).ListenAndServe(ctx, "127.0.0.1:0")
	assert.ErrorContains(t, err, "no row source")
	err = (&FakeServer{Rows: fakeRows, From: fakeDay2, To: fakeDay1}).ListenAndServe(ctx, "127.0.0.1:0")
	assert.ErrorContains(t, err, "bad day range")
	err = (&FakeServer{Rows: fakeRows, From: fakeDay1, To: fakeDay2}).ListenAndServe(ctx, "127.0.0.1:notaport")
	assert.Error(t, err)
}
