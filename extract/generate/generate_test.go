package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genMonday is a Monday in Persona's busy years, where the trend factor is 1.
var genMonday = time.Date(2013, 6, 3, 0, 0, 0, 0, time.UTC)

// genCensusMonday is a Monday of the census era (from 2013-10-01).
var genCensusMonday = time.Date(2013, 11, 11, 0, 0, 0, 0, time.UTC)

func genDayWindow(day time.Time) window { return window{Start: day, End: day.AddDate(0, 0, 1)} }

// genDayWindows splits a day into windows of the given hours.
func genDayWindows(day time.Time, hours int) []window {
	var ws []window
	for h := 0; h < 24; h += hours {
		start := day.Add(time.Duration(h) * time.Hour)
		ws = append(ws, window{Start: start, End: start.Add(time.Duration(hours) * time.Hour)})
	}
	return ws
}

// contains reports whether a timestamp in ms lies in w.
func (w window) contains(ms int64) bool { return ms >= w.Start.UnixMilli() && ms < w.End.UnixMilli() }

func genCollect(t testing.TB, g Generator, w window) []string {
	t.Helper()
	var rows []string
	require.NoError(t, g.Rows(w.Start, w.End, func(row []byte) error {
		rows = append(rows, string(row))
		return nil
	}))
	return rows
}

type genRow struct {
	ID    string                     `json:"id"`
	Key   json.RawMessage            `json:"key"`
	Value map[string]json.RawMessage `json:"value"`
	raw   string
}

// genEvent is one element of an event stream: [name, offset], plus the
// duration and the repeat count of an XHR event (-1 when absent).
type genEvent struct {
	name       string
	at         int64
	dur, count int64
	elems      int
}

func genParse(t testing.TB, rows []string) []genRow {
	t.Helper()
	out := make([]genRow, len(rows))
	for i, s := range rows {
		require.Truef(t, json.Valid([]byte(s)), "row %d is not valid JSON: %s", i, s)
		require.NoError(t, json.Unmarshal([]byte(s), &out[i]), s)
		out[i].raw = s
	}
	return out
}

// numberMs reads a JSON number or numeric string in ms or seconds, as the
// pipeline does, and returns ms.
func genNumberMs(t testing.TB, raw json.RawMessage) int64 {
	t.Helper()
	s := strings.Trim(string(raw), `"`)
	v, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err, string(raw))
	if v < 1e11 {
		v *= 1000
	}
	return v
}

// isCensus says whether the row is a server census entry, not a blob.
func (r genRow) isCensus() bool {
	_, ok := r.Value["type"]
	return ok
}

// stream parses a blob's event_stream as docs/data.md 1.3 describes it: a
// string name, a numeric offset, optionally a numeric duration and repeat
// count; ok is false for every unusable shape.
func (r genRow) stream() (events []genEvent, ok bool) {
	raw, has := r.Value["event_stream"]
	if !has {
		return nil, false
	}
	var pairs []json.RawMessage
	if json.Unmarshal(raw, &pairs) != nil || len(pairs) == 0 {
		return nil, false
	}
	for _, p := range pairs {
		var elems []json.RawMessage
		if json.Unmarshal(p, &elems) != nil || len(elems) < 2 || len(elems) > 4 {
			return nil, false
		}
		e := genEvent{dur: -1, count: -1, elems: len(elems)}
		if elems[0][0] != '"' || json.Unmarshal(elems[0], &e.name) != nil {
			return nil, false
		}
		for i, n := range []*int64{&e.at, &e.dur, &e.count}[:len(elems)-1] {
			v := elems[i+1]
			if v[0] == '"' || string(v) == "null" || json.Unmarshal(v, n) != nil {
				return nil, false
			}
		}
		events = append(events, e)
	}
	return events, true
}

// genBlobs keeps the blobs whose stream is usable, with their events.
func genBlobs(rows []genRow) (blobs []genRow, streams [][]genEvent) {
	for _, r := range rows {
		if ev, ok := r.stream(); ok {
			blobs = append(blobs, r)
			streams = append(streams, ev)
		}
	}
	return blobs, streams
}

func isXHR(name string) bool { return strings.HasPrefix(name, "xhr") }

func (r genRow) str(field string) string {
	var s string
	_ = json.Unmarshal(r.Value[field], &s)
	return s
}

func (r genRow) sub(field, key string) json.RawMessage {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(r.Value[field], &m)
	return m[key]
}

// hasEvent says whether an event's name starts with prefix.
func hasEventPrefix(events []genEvent, prefix string) bool {
	for _, e := range events {
		if strings.HasPrefix(e.name, prefix) {
			return true
		}
	}
	return false
}

func hasEvents(events []genEvent, names ...string) bool {
	for _, n := range names {
		found := false
		for _, e := range events {
			if e.name == n {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func TestGeneratorIsDeterministicPerSeed(t *testing.T) {
	w := window{Start: genMonday.Add(9 * time.Hour), End: genMonday.Add(12 * time.Hour)}
	a := genCollect(t, Generator{Seed: 7, PerDay: 2000}, w)
	b := genCollect(t, Generator{Seed: 7, PerDay: 2000}, w)
	c := genCollect(t, Generator{Seed: 8, PerDay: 2000}, w)
	require.NotEmpty(t, a)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)

	ids := map[string]bool{}
	for _, r := range genParse(t, a) {
		ids[r.ID] = true
	}
	for _, r := range genParse(t, c) {
		assert.Falsef(t, ids[r.ID], "seed 8 reuses id %s of seed 7", r.ID)
	}
}

func TestGeneratorWindowSplitsYieldTheSameRows(t *testing.T) {
	g := Generator{Seed: 3, PerDay: 2000}
	whole := genCollect(t, g, genDayWindow(genMonday))
	require.NotEmpty(t, whole)

	odd := []window{
		{Start: genMonday, End: genMonday.Add(7*time.Hour + 5*time.Minute)},
		{Start: genMonday.Add(7*time.Hour + 5*time.Minute), End: genMonday.Add(7*time.Hour + 10*time.Minute)},
		{Start: genMonday.Add(7*time.Hour + 10*time.Minute), End: genMonday.Add(7*time.Hour + 10*time.Minute + time.Millisecond)},
		{Start: genMonday.Add(7*time.Hour + 10*time.Minute + time.Millisecond), End: genMonday.AddDate(0, 0, 1)},
	}
	tests := []struct {
		name    string
		windows []window
	}{
		{"hourly", genDayWindows(genMonday, 1)},
		{"six-hourly", genDayWindows(genMonday, 6)},
		{"uneven edges", odd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, w := range tt.windows {
				got = append(got, genCollect(t, g, w)...)
			}
			assert.Equal(t, whole, got)
		})
	}

	t.Run("across midnight", func(t *testing.T) {
		evening := window{Start: genMonday.Add(-4 * time.Hour), End: genMonday}
		morning := window{Start: genMonday, End: genMonday.Add(4 * time.Hour)}
		want := append(genCollect(t, g, evening), genCollect(t, g, morning)...)
		got := genCollect(t, g, window{Start: evening.Start, End: morning.End})
		assert.Equal(t, want, got)
	})

	t.Run("census era, hourly", func(t *testing.T) {
		whole := genCollect(t, g, genDayWindow(genCensusMonday))
		var got []string
		for _, w := range genDayWindows(genCensusMonday, 1) {
			got = append(got, genCollect(t, g, w)...)
		}
		assert.Equal(t, whole, got)
	})
}

var genIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestGeneratorRowsLieInTheirWindowOnTenMinuteBoundaries(t *testing.T) {
	g := Generator{Seed: 1, PerDay: 5000}
	for _, day := range []time.Time{genMonday, genCensusMonday} {
		t.Run(day.Format(time.DateOnly), func(t *testing.T) {
			// Edges inside slots: only the slots starting at 10:10 .. 13:20 count.
			w := window{Start: day.Add(10*time.Hour + 5*time.Minute), End: day.Add(13*time.Hour + 25*time.Minute)}
			rows := genParse(t, genCollect(t, g, w))
			require.NotEmpty(t, rows)
			prev := int64(0)
			for _, r := range rows {
				assert.Regexp(t, genIDPattern, r.ID)
				key := genNumberMs(t, r.Key)
				ms := key
				if ts, ok := r.Value["timestamp"]; ok {
					ms = genNumberMs(t, ts)
					assert.JSONEq(t, string(ts), string(r.Key), "the key is the row's timestamp")
				}
				assert.Truef(t, w.contains(ms), "timestamp %d outside %s", ms, w)
				assert.Zero(t, ms%genSlotMs, "timestamp not rounded down to 10 minutes")
				assert.GreaterOrEqual(t, ms, prev, "rows out of timestamp order")
				prev = ms
			}
			assert.Equal(t, day.Add(10*time.Hour+10*time.Minute).UnixMilli(), genNumberMs(t, rows[0].Key))
		})
	}
}

func TestGeneratorEmptyAndZeroVolume(t *testing.T) {
	assert.Empty(t, genCollect(t, Generator{Seed: 1, PerDay: 0}, genDayWindow(genMonday)))
	assert.Zero(t, Generator{Seed: 1, PerDay: 0}.DayCount(genMonday))
	assert.Empty(t, genCollect(t, Generator{Seed: 1, PerDay: 2000}, window{Start: genMonday, End: genMonday}))
	// 10:01..10:09 holds no slot start.
	assert.Empty(t, genCollect(t, Generator{Seed: 1, PerDay: 2000},
		window{Start: genMonday.Add(10*time.Hour + time.Minute), End: genMonday.Add(10*time.Hour + 9*time.Minute)}))
}

var blobWhitelist = map[string]bool{
	"event_stream": true, "timestamp": true, "sample_rate": true, "lang": true,
	"screen_size": true, "user_agent": true, "number_emails": true,
	"number_sites_signed_in": true, "number_sites_logged_in": true, "sites_signed_in": true,
	"number_sites_remembered": true, "new_account": true, "email_type": true,
	"rp_api": true, "orphaned": true,
}

// censusTypes are the census entries' types (docs/data.md 1.4).
var censusTypes = map[string]bool{
	"signin": true, "verify": true, "stage_user.success": true, "stage_email.success": true,
	"stage_reset.success": true, "stage_reverify.success": true, "stage_transition.success": true,
	"complete_user_creation.success": true, "complete_email_confirmation.success": true,
	"complete_reset.success": true, "complete_transition.success": true,
	"idp.auth_return": true, "idp.auth_cancel": true, "idp.create_new_user": true,
}

func TestGeneratorBlobsHaveOnlyWhitelistedFields(t *testing.T) {
	for _, day := range []time.Time{genMonday, genCensusMonday} {
		rows := genParse(t, genCollect(t, Generator{Seed: 2, PerDay: 2000}, genDayWindow(day)))
		for _, r := range rows {
			if r.isCensus() {
				continue // TestGeneratorCensusEntriesHaveTheServersFields
			}
			for k := range r.Value {
				assert.Truef(t, blobWhitelist[k], "field %q is not whitelisted: %s", k, r.raw)
			}
			// A second name for the sites count is only ever a zero.
			nonZero := 0
			for _, k := range []string{"number_sites_signed_in", "number_sites_logged_in", "sites_signed_in"} {
				if v, ok := r.Value[k]; ok && strings.Trim(string(v), `"`) != "0" {
					nonZero++
				}
			}
			assert.LessOrEqual(t, nonZero, 1, r.raw)
		}
	}
}

func TestGeneratorCensusEntriesHaveTheServersFields(t *testing.T) {
	rows := genParse(t, genCollect(t, Generator{Seed: 2, PerDay: 2000}, genDayWindow(genCensusMonday)))
	seen := map[string]int{}
	for _, r := range rows {
		if !r.isCensus() {
			continue
		}
		typ := r.str("type")
		seen[typ]++
		require.Truef(t, censusTypes[typ], "unknown type: %s", r.raw)
		want := []string{"rp", "timestamp", "type", "user_agent"}
		if strings.HasPrefix(typ, "idp.") {
			want = append(want, "idp")
			assert.NotEmpty(t, r.str("idp"), r.raw)
		}
		var got []string
		for k := range r.Value {
			got = append(got, k)
		}
		assert.ElementsMatchf(t, want, got, "fields of %s", r.raw)
		assert.Regexp(t, `^https?://[a-z.]+$`, r.str("rp"), r.raw)
		var ua map[string]string
		require.NoError(t, json.Unmarshal(r.Value["user_agent"], &ua), r.raw)
		assert.Len(t, ua, 3, r.raw)
		for _, k := range []string{"os", "browser", "version"} {
			assert.NotEmptyf(t, ua[k], "user_agent.%s: %s", k, r.raw)
		}
		assert.Equal(t, genNumberMs(t, r.Value["timestamp"]), genMustInt(t, r.Value["timestamp"]), "timestamps in ms")
	}
	for typ := range censusTypes {
		assert.Positivef(t, seen[typ], "census type %q never occurs", typ)
	}
	// Every dialog session is served (signin); about two in three end in
	// an assertion that a site verifies.
	assert.Greater(t, seen["signin"], seen["verify"])
	assert.Greater(t, seen["verify"], seen["signin"]/3)
	assert.Greater(t, seen["stage_user.success"], seen["complete_user_creation.success"])
}

func TestGeneratorFetchWritesKPIggybankArray(t *testing.T) {
	g := Generator{Seed: 4, PerDay: 3000}
	tests := []struct {
		name string
		w    window
	}{
		{"six hours", window{Start: genMonday.Add(6 * time.Hour), End: genMonday.Add(12 * time.Hour)}},
		{"no slot", window{Start: genMonday.Add(time.Minute), End: genMonday.Add(2 * time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := genCollect(t, g, tt.w)
			var buf bytes.Buffer
			opened := 0
			require.NoError(t, g.Fetch(context.Background(), tt.w.Start, tt.w.End, func() (io.Writer, error) {
				opened++
				buf.Reset()
				return &buf, nil
			}))
			assert.Equal(t, 1, opened)
			var arr []json.RawMessage
			require.NoError(t, json.Unmarshal(buf.Bytes(), &arr))
			assert.Len(t, arr, len(rows))
			assert.Equal(t, "["+strings.Join(rows, ",")+"]", buf.String())
		})
	}
}

func TestGeneratorFetchReportsFailures(t *testing.T) {
	g := Generator{Seed: 4, PerDay: 2000}
	w := genDayWindow(genMonday)
	boom := errors.New("disk full")

	err := g.Fetch(context.Background(), w.Start, w.End, func() (io.Writer, error) { return nil, boom })
	assert.ErrorIs(t, err, boom)

	err = g.Fetch(context.Background(), w.Start, w.End, func() (io.Writer, error) { return genFailWriter{boom}, nil })
	assert.ErrorIs(t, err, boom)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = g.Fetch(ctx, w.Start, w.End, func() (io.Writer, error) { return io.Discard, nil })
	assert.ErrorIs(t, err, context.Canceled)
}

type genFailWriter struct{ err error }

func (f genFailWriter) Write([]byte) (int, error) { return 0, f.err }

func TestGeneratorRowsStopsAtTheFirstError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Generator{Seed: 1, PerDay: 2000}.Rows(genMonday, genMonday.AddDate(0, 0, 1), func([]byte) error {
		n++
		if n == 5 {
			return stop
		}
		return nil
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 5, n)
}

func TestGeneratorDayCountEqualsTheDaysRows(t *testing.T) {
	tests := []struct {
		g   Generator
		day time.Time
	}{
		{Generator{Seed: 1, PerDay: 2000}, genMonday},
		{Generator{Seed: 9, PerDay: 500}, genMonday.AddDate(0, 0, 5)},
		{Generator{Seed: -3, PerDay: 20000}, time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC)},
		{Generator{Seed: 1, PerDay: 1}, genMonday},
	}
	for _, tt := range tests {
		t.Run(tt.g.Name()+"/"+tt.day.Format("2006-01-02"), func(t *testing.T) {
			n := 0
			require.NoError(t, tt.g.Rows(tt.day, tt.day.AddDate(0, 0, 1), func([]byte) error { n++; return nil }))
			assert.Equal(t, n, tt.g.DayCount(tt.day))
			assert.Equal(t, n, tt.g.DayCount(tt.day.Add(15*time.Hour)), "any time of the day names the day")
		})
	}
}

func TestGeneratorWeeklyVolumeFollowsPerDayWithQuietWeekends(t *testing.T) {
	// PerDay counts blobs; census entries come on top from 2013-10-01.
	weekTotal := func(g Generator, monday time.Time) (total int, weekdays, weekend []int) {
		for i := 0; i < 7; i++ {
			n, _ := g.dayCounts(monday.AddDate(0, 0, i))
			total += n
			if i < 5 {
				weekdays = append(weekdays, n)
			} else {
				weekend = append(weekend, n)
			}
		}
		return total, weekdays, weekend
	}
	tests := []struct {
		name   string
		g      Generator
		monday time.Time
	}{
		{"2013", Generator{Seed: 5, PerDay: 2000}, genMonday},
		{"2026", Generator{Seed: 6, PerDay: 800}, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
		{"1999", Generator{Seed: 7, PerDay: 100000}, time.Date(1999, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, time.Monday, tt.monday.Weekday())
			total, weekdays, weekend := weekTotal(tt.g, tt.monday)
			// Rows include the 0.3% of duplicates; the trend stays within 8%.
			per := float64(tt.g.PerDay)
			assert.InDelta(t, per, float64(total)/7, per*0.12)
			sort.Ints(weekdays)
			for _, n := range weekend {
				assert.Less(t, n, weekdays[0])
			}
		})
	}

	t.Run("growth", func(t *testing.T) {
		g := Generator{Seed: 5, PerDay: 2000}
		before, _, _ := weekTotal(g, genMonday)
		after, _, _ := weekTotal(g, genMonday.AddDate(0, 0, 364))
		assert.Greater(t, after, before)
	})
}

func TestGeneratorDayHasEveryFlow(t *testing.T) {
	// A day with staging continuations and window.unload.
	day := time.Date(2013, 6, 17, 0, 0, 0, 0, time.UTC)
	rows := genParse(t, genCollect(t, Generator{Seed: 11, PerDay: 2000}, genDayWindow(day)))
	isTrue := func(r genRow, f string) bool { return string(r.Value[f]) == "true" }
	flows := []struct {
		name string
		is   func(r genRow, ev []genEvent) bool
	}{
		{"returning user picks an email", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "window.dom_loading", "window.channel_established", "screen.rp_info",
				"xhr_complete.GET/wsapi/session_context", "xhr_complete.GET/wsapi/list_emails", "screen.pick_email",
				"user.can_interact", "generate_assertion", "screen.generate_assertion", "assertion_generated", "window.unload")
		}},
		{"a certificate is signed", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "xhr_complete.POST/wsapi/cert_key", "assertion_generated")
		}},
		{"password sign-in", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.authenticate", "xhr_complete.GET/wsapi/address_info", "authenticate.enter_password",
				"authenticate.password_submitted", "xhr_complete.POST/wsapi/authenticate_user", "authenticate.password_success", "assertion_generated")
		}},
		{"is this your computer", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.is_this_your_computer", "xhr_complete.POST/wsapi/prolong_session")
		}},
		{"wrong password then success", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "authenticate.password_fail", "authenticate.password_success", "assertion_generated")
		}},
		{"new user, secondary email, confirmed", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.set_password", "xhr_complete.POST/wsapi/stage_user", "user.user_staged", "screen.check_registration",
				"xhr_complete.GET/wsapi/user_creation_status", "user.user_confirmed", "assertion_generated") &&
				!hasEvents(ev, "staging_continuation") && r.str("email_type") == "secondary" && isTrue(r, "new_account")
		}},
		{"new user, secondary email, left waiting", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "user.user_staged") && !hasEvents(ev, "user.user_confirmed") && isTrue(r, "orphaned")
		}},
		{"new user, primary email", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.verify_primary_user", "window.redirect_to_primary", "screen.provision_primary_user",
				"xhr_complete.POST/wsapi/auth_with_assertion", "assertion_generated") &&
				isTrue(r, "new_account") && r.str("email_type") == "primary"
		}},
		{"returning primary user provisioned", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.provision_primary_user", "assertion_generated") && string(r.Value["new_account"]) == "false"
		}},
		{"password reset", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "xhr_complete.POST/wsapi/stage_reset", "user.reset_password_staged",
				"xhr_complete.GET/wsapi/password_reset_status", "user.reset_password_confirmed", "assertion_generated")
		}},
		{"email addition", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.add_email", "xhr_complete.POST/wsapi/stage_email", "user.email_staged",
				"xhr_complete.GET/wsapi/email_addition_status", "user.email_confirmed", "assertion_generated")
		}},
		{"email re-verification", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "user.reverify_email_staged", "user.reverify_email_confirmed", "assertion_generated")
		}},
		{"bounce, dialog usable", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.rp_info", "screen.authenticate", "user.can_interact") && len(ev) == 7 &&
				ev[len(ev)-1].name == "window.unload"
		}},
		{"bounce before the dialog is usable", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.rp_info") && !hasEvents(ev, "user.can_interact") && !hasEventPrefix(ev, "screen.error")
		}},
		{"cancel", func(r genRow, ev []genEvent) bool { return hasEvents(ev, "screen.cancel") }},
		{"error screen with a status", func(r genRow, ev []genEvent) bool {
			for _, e := range ev {
				if genStatusErr.MatchString(e.name) {
					return true
				}
			}
			return false
		}},
		{"cookies disabled", func(r genRow, ev []genEvent) bool { return hasEvents(ev, "screen.error.cookiesDisabled") }},
		{"bare error screen", func(r genRow, ev []genEvent) bool { return hasEvents(ev, "screen.error.") }},
		{"staging continuation", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "screen.set_password", "user.user_staged", "window.unload", "staging_continuation", "user.user_confirmed", "assertion_generated")
		}},
		{"logout", func(r genRow, ev []genEvent) bool {
			return hasEvents(ev, "user.logout", "xhr_complete.POST/wsapi/logout")
		}},
		{"polls folded", func(r genRow, ev []genEvent) bool {
			for _, e := range ev {
				if e.elems == 4 && strings.HasSuffix(e.name, "_status") && e.count >= 3 {
					return true
				}
			}
			return false
		}},
		{"out of order", func(r genRow, ev []genEvent) bool {
			for i := 1; i < len(ev); i++ {
				if ev[i].at < ev[i-1].at {
					return true
				}
			}
			return false
		}},
		{"no window.unload", func(r genRow, ev []genEvent) bool { return ev[len(ev)-1].name != "window.unload" }},
	}
	counts := make([]int, len(flows))
	for _, r := range rows {
		ev, ok := r.stream()
		if !ok {
			continue
		}
		for i, f := range flows {
			if f.is(r, ev) {
				counts[i]++
			}
		}
	}
	for i, f := range flows {
		assert.Positivef(t, counts[i], "no blob of flow %q", f.name)
	}
}

// genCheckOffsets checks a stream's offsets and says whether they
// increase. The dialog's own events are logged in time order. An XHR
// event carries the offset of its request and is logged when its answer
// arrives, which is after the event before it.
func genCheckOffsets(t testing.TB, r genRow, ev []genEvent) (increasing bool) {
	t.Helper()
	lastPlain := int64(-1)
	increasing = true
	for j, e := range ev {
		require.GreaterOrEqual(t, e.at, int64(0), r.raw)
		if !isXHR(e.name) {
			require.Greaterf(t, e.at, lastPlain, "offsets of the dialog's events must increase: %s", r.raw)
			lastPlain = e.at
		} else {
			require.Positivef(t, e.dur, "XHR event without a duration: %s", r.raw)
			if j > 0 {
				require.GreaterOrEqualf(t, e.at+e.dur, ev[j-1].at, "XHR event logged before its answer: %s", r.raw)
			}
		}
		if j > 0 && e.at < ev[j-1].at {
			increasing = false
		}
	}
	return increasing
}

func TestGeneratorStreamsAreRealistic(t *testing.T) {
	rows := genParse(t, genCollect(t, Generator{Seed: 12, PerDay: 4000}, genDayWindow(genMonday)))
	var desktopCrypto, mobileCrypto []int64
	var desktopLoad, phoneLoad []int64
	var confirmWaits []int64
	blobs, streams := genBlobs(rows)
	outOfOrder := 0
	for i, r := range blobs {
		ev := streams[i]
		if !genCheckOffsets(t, r, ev) {
			outOfOrder++
		}
		var width int
		_ = json.Unmarshal(r.sub("screen_size", "width"), &width)
		var start, staged int64 = -1, -1
		for _, e := range ev {
			switch e.name {
			case "generate_assertion":
				start = e.at
			case "assertion_generated":
				require.GreaterOrEqual(t, start, int64(0), r.raw)
				if width >= 1024 {
					desktopCrypto = append(desktopCrypto, e.at-start)
				} else if width > 0 {
					mobileCrypto = append(mobileCrypto, e.at-start)
				}
			case "user.can_interact":
				if width >= 1024 {
					desktopLoad = append(desktopLoad, e.at)
				} else if width > 0 && width <= 640 {
					phoneLoad = append(phoneLoad, e.at)
				}
			case "user.user_staged":
				staged = e.at
			case "user.user_confirmed":
				if staged >= 0 {
					confirmWaits = append(confirmWaits, e.at-staged)
				}
			}
		}
	}
	med := func(v []int64) int64 {
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		return v[len(v)/2]
	}
	require.NotEmpty(t, desktopCrypto)
	require.NotEmpty(t, mobileCrypto)
	require.NotEmpty(t, confirmWaits)
	// generate_assertion → assertion_generated includes cert_key's request
	// when a certificate is needed.
	assert.Greater(t, med(mobileCrypto), 2*med(desktopCrypto), "crypto is slower on mobile")
	assert.Greater(t, med(desktopCrypto), int64(50))
	assert.Less(t, med(mobileCrypto), int64(5000))
	assert.Greater(t, med(confirmWaits), int64(time.Minute/time.Millisecond), "confirming an email takes minutes")
	// The load time users felt: 1.5 to 3 s on a desktop, slower on phones.
	assert.InDelta(t, 2250, med(desktopLoad), 750)
	assert.Greater(t, med(phoneLoad), med(desktopLoad)*3/2)
	share := float64(outOfOrder) / float64(len(blobs))
	assert.Greater(t, share, 0.01, "some XHR events come after later events")
	assert.Less(t, share, 0.1)
}

func TestGeneratorMixesAreRealistic(t *testing.T) {
	rows := genParse(t, genCollect(t, Generator{Seed: 13, PerDay: 4000}, genDayWindow(genMonday)))
	seen := map[string]map[string]int{}
	count := func(field, v string) {
		if seen[field] == nil {
			seen[field] = map[string]int{}
		}
		seen[field][v]++
	}
	for _, r := range rows {
		var os, browser string
		_ = json.Unmarshal(r.sub("user_agent", "os"), &os)
		_ = json.Unmarshal(r.sub("user_agent", "browser"), &browser)
		count("os", os)
		count("browser", browser)
		count("lang", r.str("lang"))
		count("rp_api", r.str("rp_api"))
		count("email_type", r.str("email_type"))
		count("sample_rate", strings.Trim(string(r.Value["sample_rate"]), `"`))

		var width int
		if err := json.Unmarshal(r.sub("screen_size", "width"), &width); err != nil {
			continue // missing or sent as a string
		}
		switch os {
		case "iPhone", "iPod", "FirefoxOS":
			assert.LessOrEqualf(t, width, 640, "phone screen: %s", r.raw)
		case "iPad":
			assert.Truef(t, width > 640 && width < 1024, "tablet screen: %s", r.raw)
		case "Android":
			assert.Lessf(t, width, 1024, "android screen: %s", r.raw)
		case "Windows NT 6.1", "Windows NT 6.2", "Windows NT 5.1", "Windows NT 6.0", "Macintosh", "Linux":
			assert.GreaterOrEqualf(t, width, 1024, "desktop screen: %s", r.raw)
		}
	}
	want := map[string][]string{
		"os": {"Windows NT 6.1", "Windows NT 6.2", "Windows NT 5.1", "Windows NT 6.0", "Macintosh",
			"Linux", "Android", "iPhone", "iPad", "iPod", "FirefoxOS", "Windows NT 6.3"},
		"browser":     {"Firefox", "Chrome", "MSIE", "Safari", "Opera"},
		"lang":        {"en", "en-US", "es", "pt-BR", "de", "fr", "it", "pl", "tr", "ru", "nl", "ja"},
		"rp_api":      {"get", "getVerifiedEmail", "watch_with_onready", "watch_without_onready", "internal", "unknown"},
		"email_type":  {"primary", "secondary"},
		"sample_rate": {"0.1", "0.3", "0.5", "0.7"},
	}
	for field, values := range want {
		for _, v := range values {
			assert.Positivef(t, seen[field][v], "%s %q never occurs", field, v)
		}
	}
	assert.Greater(t, seen["os"]["Windows NT 6.1"], seen["os"]["Linux"])
	assert.Greater(t, seen["lang"]["en-US"], seen["lang"]["ja"])
	assert.Zero(t, seen["rp_api"]["stateless"], "stateless appears in 2013-10")
}

// genAgentRate is the sample rate the server gave a user agent.
func genAgentRate(os string, width int) float64 {
	switch os {
	case "FirefoxOS":
		return 0.7
	case "iPad":
		return 0.3
	case "iPhone", "iPod", "Windows Phone", "BlackBerry":
		return 0.5
	case "Android":
		if width > 640 {
			return 0.3 // a tablet
		}
		return 0.5
	}
	return 0.1
}

func TestGeneratorSampleRatesFollowTheUserAgent(t *testing.T) {
	rows := genParse(t, genCollect(t, Generator{Seed: 14, PerDay: 4000}, genDayWindow(genCensusMonday)))
	byRate := map[float64]int{}
	checked := 0
	for _, r := range rows {
		var rate float64
		var os string
		var width int
		if r.isCensus() || json.Unmarshal(r.Value["sample_rate"], &rate) != nil ||
			json.Unmarshal(r.sub("user_agent", "os"), &os) != nil || json.Unmarshal(r.sub("screen_size", "width"), &width) != nil ||
			strings.ContainsAny(os, "<>'{") {
			continue // missing, sent as a string, or hostile
		}
		byRate[rate]++
		assert.Equalf(t, genAgentRate(os, width), rate, "sample rate of %s: %s", os, r.raw)
		checked++
	}
	require.Greater(t, checked, 3000)
	// Phones are a minority of sessions but, sampled five times as much,
	// send about as many blobs as desktops.
	assert.Greater(t, byRate[0.5]+byRate[0.7], byRate[0.1]/3)
	assert.Greater(t, byRate[0.1], byRate[0.3])
}

// genOutcome is a blob's new-user outcome by the KPI rules (docs/data.md
// 2.3): "" when the dialog was not shown.
func genOutcome(r genRow, ev []genEvent) string {
	has := map[string]bool{}
	for _, e := range ev {
		has[e.name] = true
	}
	if !has["screen.rp_info"] {
		return ""
	}
	engaged := has["screen.set_password"] || has["screen.pick_email"] || has["screen.provision_primary_user"] ||
		has["screen.verify_primary_user"] || has["authenticate.enter_password"]
	newUserSteps := has["screen.set_password"] && !has["authenticate.enter_password"]
	if has["staging_continuation"] {
		newUserSteps = has["assertion_generated"]
	}
	switch {
	case !engaged:
		return "bounce"
	case !has["assertion_generated"]:
		return "fail"
	case newUserSteps:
		return "fallback"
	case string(r.Value["new_account"]) == "true" && has["screen.provision_primary_user"]:
		return "idp"
	}
	return "assertion"
}

// genWeight is a blob's weight, 1/sample_rate (1 when the rate is unusable).
func genWeight(r genRow) float64 {
	rate, err := strconv.ParseFloat(strings.Trim(string(r.Value["sample_rate"]), `"`), 64)
	if err != nil || rate <= 0 || rate > 1 {
		return 1
	}
	return 1 / rate
}

func TestGeneratorPhonesBehaveDifferently(t *testing.T) {
	rows := genParse(t, genCollect(t, Generator{Seed: 15, PerDay: 6000}, genDayWindow(genCensusMonday)))
	blobs, streams := genBlobs(rows)
	type tally struct{ shown, bounce, newUsers, created float64 }
	var phone, desktop tally
	var n, w, nBounce, wBounce float64
	for i, r := range blobs {
		out := genOutcome(r, streams[i])
		if out == "" {
			continue
		}
		var width int
		if json.Unmarshal(r.sub("screen_size", "width"), &width) != nil {
			continue
		}
		tl := &desktop
		if width <= 640 {
			tl = &phone
		} else if width < 1024 {
			continue // tablets
		}
		tl.shown++
		if out == "bounce" {
			tl.bounce++
		}
		if hasEvents(streams[i], "screen.set_password") {
			tl.newUsers++
			if out == "fallback" {
				tl.created++
			}
		}
		wt := genWeight(r)
		n++
		w += wt
		if out == "bounce" {
			nBounce++
			wBounce += wt
		}
	}
	require.Positive(t, phone.shown)
	require.Positive(t, desktop.shown)
	assert.Greater(t, phone.bounce/phone.shown, desktop.bounce/desktop.shown+0.06, "phones bounce more")
	assert.Less(t, phone.created/phone.newUsers, desktop.created/desktop.newUsers-0.08, "fewer new users get through on phones")
	// Phones weigh five times less than desktops, so the unweighted bounce
	// rate overstates the population's.
	assert.Greater(t, nBounce/n, wBounce/w+0.015)
}

func TestGeneratorDayHasEveryQuirk(t *testing.T) {
	raw := genCollect(t, Generator{Seed: 21, PerDay: 2000}, genDayWindow(genMonday))
	rows := genParse(t, raw)

	byID := map[string][]string{}
	for _, r := range rows {
		byID[r.ID] = append(byID[r.ID], r.raw)
	}
	dups := 0
	for id, texts := range byID {
		require.LessOrEqualf(t, len(texts), 2, "id %s delivered %d times", id, len(texts))
		if len(texts) == 2 {
			dups++
			assert.Equal(t, texts[0], texts[1], "a duplicate is an exact repeat")
		}
	}
	assert.Positive(t, dups, "no duplicated row")

	isString := func(r genRow, fields ...string) bool {
		for _, f := range fields {
			if v := r.Value[f]; len(v) > 0 && v[0] == '"' {
				return true
			}
		}
		return false
	}
	quirks := []struct {
		name string
		is   func(r genRow) bool
	}{
		{"number as a string", func(r genRow) bool {
			return isString(r, "number_emails", "number_sites_signed_in", "number_sites_logged_in", "sites_signed_in", "number_sites_remembered")
		}},
		{"timestamp in seconds", func(r genRow) bool {
			ts, ok := r.Value["timestamp"]
			return ok && genNumberMs(t, ts) != genMustInt(t, ts) && string(ts) == string(r.Key)
		}},
		{"number_sites_signed_in", func(r genRow) bool { _, ok := r.Value["number_sites_signed_in"]; return ok }},
		{"number_sites_logged_in", func(r genRow) bool { _, ok := r.Value["number_sites_logged_in"]; return ok }},
		{"sites_signed_in", func(r genRow) bool { _, ok := r.Value["sites_signed_in"]; return ok }},
		{"two names for the sites count", func(r genRow) bool {
			_, a := r.Value["number_sites_logged_in"]
			_, b := r.Value["number_sites_signed_in"]
			return a && b
		}},
		{"missing lang", func(r genRow) bool { _, ok := r.Value["lang"]; return !ok }},
		{"missing user_agent", func(r genRow) bool { _, ok := r.Value["user_agent"]; return !ok }},
		{"missing number_emails", func(r genRow) bool { _, ok := r.Value["number_emails"]; return !ok }},
		{"missing event_stream", func(r genRow) bool { _, ok := r.Value["event_stream"]; return !ok }},
		{"empty event_stream", func(r genRow) bool { return string(r.Value["event_stream"]) == "[]" }},
		{"event_stream not a list", func(r genRow) bool {
			v := r.Value["event_stream"]
			return len(v) > 0 && v[0] != '['
		}},
		{"malformed pair (any)", func(r genRow) bool {
			v := r.Value["event_stream"]
			var pairs []json.RawMessage
			if json.Unmarshal(v, &pairs) != nil || len(pairs) == 0 {
				return false
			}
			_, ok := r.stream()
			return !ok
		}},
		{"missing timestamp", func(r genRow) bool { _, ok := r.Value["timestamp"]; return !ok }},
	}
	for _, q := range quirks {
		n := 0
		for _, r := range rows {
			if q.is(r) {
				n++
			}
		}
		assert.Positivef(t, n, "quirk %q never occurs", q.name)
		assert.Lessf(t, n, len(rows)*9/10, "quirk %q is not rare", q.name)
	}

	unusable := 0
	for _, r := range rows {
		_, hasTS := r.Value["timestamp"]
		if _, ok := r.stream(); !ok || !hasTS {
			unusable++
		}
	}
	share := float64(unusable) / float64(len(rows))
	assert.Greater(t, share, 0.005)
	assert.Less(t, share, 0.06)
}

// pairs reads the elements of a stream that is a JSON array.
func (r genRow) pairs() []json.RawMessage {
	var pairs []json.RawMessage
	_ = json.Unmarshal(r.Value["event_stream"], &pairs)
	return pairs
}

func TestGeneratorMalformedPairsTakeEveryShape(t *testing.T) {
	g := Generator{Seed: 41, PerDay: 5000}
	var rows []genRow
	for i := 0; i < 3; i++ {
		rows = append(rows, genParse(t, genCollect(t, g, genDayWindow(genMonday.AddDate(0, 0, i))))...)
	}
	shapes := []struct {
		name string
		is   func(p json.RawMessage) bool
	}{
		{"name without offset", func(p json.RawMessage) bool {
			var a []string
			return json.Unmarshal(p, &a) == nil && len(a) == 1
		}},
		{"number for a name", func(p json.RawMessage) bool {
			var a []int64
			return json.Unmarshal(p, &a) == nil && len(a) == 2
		}},
		{"bare name", func(p json.RawMessage) bool { return p[0] == '"' }},
		{"null offset", func(p json.RawMessage) bool { return bytes.HasSuffix(p, []byte(",null]")) }},
		{"empty pair", func(p json.RawMessage) bool { return string(p) == "[]" }},
		{"five elements", func(p json.RawMessage) bool {
			var a []json.RawMessage
			return json.Unmarshal(p, &a) == nil && len(a) == 5
		}},
		{"duration not a number", func(p json.RawMessage) bool {
			var a []json.RawMessage
			return json.Unmarshal(p, &a) == nil && len(a) == 3 && a[2][0] == '"'
		}},
		{"repeat count not a number", func(p json.RawMessage) bool {
			var a []json.RawMessage
			return json.Unmarshal(p, &a) == nil && len(a) == 4 && a[3][0] == '"'
		}},
		{"null for a name", func(p json.RawMessage) bool { return bytes.HasPrefix(p, []byte("[null,")) }},
	}
	malformed := 0
	for _, r := range rows {
		if _, ok := r.stream(); !ok && len(r.pairs()) > 0 {
			malformed++
		}
	}
	assert.Less(t, malformed, len(rows)/100, "malformed events are rare")
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			n := 0
			for _, r := range rows {
				for _, p := range r.pairs() {
					if sh.is(p) {
						n++
					}
				}
			}
			assert.Positive(t, n)
		})
	}
}

func genMustInt(t testing.TB, raw json.RawMessage) int64 {
	v, err := strconv.ParseInt(strings.Trim(string(raw), `"`), 10, 64)
	require.NoError(t, err)
	return v
}

func TestGeneratorHostileStringsAreRareAndValidJSON(t *testing.T) {
	g := Generator{Seed: 31, PerDay: 5000}
	hostile, total := 0, 0
	for i := 0; i < 7; i++ {
		require.NoError(t, g.Rows(genMonday.AddDate(0, 0, i), genMonday.AddDate(0, 0, i).AddDate(0, 0, 1), func(row []byte) error {
			total++
			require.Truef(t, json.Valid(row), "invalid JSON: %s", row)
			var r genRow
			require.NoError(t, json.Unmarshal(row, &r))
			r.raw = string(row)
			ev, _ := r.stream()
			var os, browser string
			_ = json.Unmarshal(r.sub("user_agent", "os"), &os)
			_ = json.Unmarshal(r.sub("user_agent", "browser"), &browser)
			values := []string{r.str("lang"), os, browser}
			for _, e := range ev {
				values = append(values, e.name)
			}
			for _, v := range values {
				if strings.ContainsAny(v, "<>\"'{:\u2028\x00") {
					hostile++
					break
				}
			}
			return nil
		}))
	}
	assert.Positive(t, hostile)
	assert.Less(t, hostile, total/1000)
}

// genEras are days of each era of the production format (docs/data.md
// 1.3–1.6, and the dates of generate_era.go) with what their data holds.
var genEras = []struct {
	name string
	day  time.Time
	// xhr prefixes XHR event names ("" when there are none); elems is the
	// most elements an event has.
	xhr          string
	elems        int
	query        bool // xhr.<url>?email=<address>
	startup      [2]string
	typo         bool // user.email_confrimed
	oldPick      bool // emails_displayed, user.email_count:N
	resetScreen  bool
	bareError    bool
	continuation bool
	unload       bool
	census       bool // census entries and rp_api stateless
}{
	{name: "2012-06, typo, no XHR", day: time.Date(2012, 6, 12, 0, 0, 0, 0, time.UTC), elems: 2,
		startup: [2]string{"window.javascript_start", "window.get_called"}, typo: true, oldPick: true, bareError: true, unload: true},
	{name: "2012-11, xhr.<url>?email=", day: time.Date(2012, 11, 13, 0, 0, 0, 0, time.UTC), xhr: "xhr./wsapi/", elems: 3, query: true,
		startup: [2]string{"window.javascript_start", "window.get_called"}, resetScreen: true, bareError: true, unload: true},
	{name: "2013-03, xhr_complete", day: time.Date(2013, 3, 12, 0, 0, 0, 0, time.UTC), xhr: "xhr_complete.", elems: 3,
		startup: [2]string{"window.dom_loading", "window.channel_established"}, bareError: true, unload: true},
	{name: "2013-06, repeat counts", day: time.Date(2013, 6, 18, 0, 0, 0, 0, time.UTC), xhr: "xhr_complete.", elems: 4,
		startup: [2]string{"window.dom_loading", "window.channel_established"}, bareError: true, continuation: true, unload: true},
	{name: "2013-11, census", day: time.Date(2013, 11, 12, 0, 0, 0, 0, time.UTC), xhr: "xhr_complete.", elems: 4,
		startup: [2]string{"window.dom_loading", "window.channel_established"}, continuation: true, census: true},
	{name: "2026, as make run", day: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), xhr: "xhr_complete.", elems: 4,
		startup: [2]string{"window.dom_loading", "window.channel_established"}, continuation: true, census: true},
}

var (
	genQueryName = regexp.MustCompile(`^xhr\./wsapi/[a-z_]+\?email=user[0-9]+(%40|@)example\.(com|org)$`)
	genQuery     = regexp.MustCompile(`\?email=user[0-9]+(%40|@)example\.(com|org)"`)
	genStatusErr = regexp.MustCompile(`^screen\.error\.[a-zA-Z]+\.[45][0-9][0-9]$`)
)

func TestGeneratorSendsTheFormatOfEachEra(t *testing.T) {
	for _, c := range genEras {
		t.Run(c.name, func(t *testing.T) {
			rows := genParse(t, genCollect(t, Generator{Seed: 21, PerDay: 3000}, genDayWindow(c.day)))
			blobs, streams := genBlobs(rows)
			require.Greater(t, len(blobs), 2000)
			names := map[string]int{} // blobs holding each name
			elems := map[int]int{}    // events by number of elements
			var withContext, shown, withStartup, closed, unloaded, census, stateless int
			for i, r := range blobs {
				ev := streams[i]
				genCheckOffsets(t, r, ev)
				seen := map[string]bool{}
				for _, e := range ev {
					elems[e.elems]++
					if !seen[e.name] {
						seen[e.name] = true
						names[e.name]++
					}
					if isXHR(e.name) {
						require.NotEmptyf(t, c.xhr, "XHR event before 2012-10-09: %s", r.raw)
						require.Truef(t, strings.HasPrefix(e.name, c.xhr), "XHR event %q in the %s era", e.name, c.xhr)
					}
					if strings.Contains(e.name, "?") {
						require.Truef(t, c.query, "query string after 2013-02-13: %s", e.name)
						require.Regexp(t, genQueryName, e.name)
					}
					if e.elems == 4 {
						assert.GreaterOrEqual(t, e.count, int64(2), r.raw)
						assert.Truef(t, strings.HasSuffix(e.name, "_status"), "only polls repeat: %s", r.raw)
					}
				}
				if seen[endpoints[epSessionContext].names[xhrComplete]] || seen[endpoints[epSessionContext].names[xhrURL]] {
					withContext++
				}
				if seen["screen.rp_info"] {
					shown++
					if seen[c.startup[0]] && seen[c.startup[1]] {
						withStartup++
					}
				}
				if seen["assertion_generated"] {
					closed++
					if ev[len(ev)-1].name == "window.unload" {
						unloaded++
					}
				}
				if r.str("rp_api") == "stateless" {
					stateless++
				}
			}
			for _, r := range rows {
				if r.isCensus() {
					census++
				}
				// Made-up addresses appear in xhr.<url>?email= names only.
				raw := r.raw
				if c.query && !r.isCensus() {
					raw = genQuery.ReplaceAllString(raw, `"`)
				}
				assert.NotContainsf(t, raw, "@", "an address outside an XHR name: %s", r.raw)
				assert.NotContainsf(t, raw, "%40", "an address outside an XHR name: %s", r.raw)
			}
			n := len(blobs)

			assert.Equal(t, shown, withStartup, "start-up events %v", c.startup)
			assert.Greater(t, names["user.can_interact"], n*8/10)
			for _, old := range []string{"window.javascript_start", "window.get_called", "window.dom_loading", "window.channel_established"} {
				if old != c.startup[0] && old != c.startup[1] {
					assert.Zerof(t, names[old], "%s in this era", old)
				}
			}
			if c.xhr == "" {
				assert.Zero(t, elems[3]+elems[4], "pairs only")
				assert.Zero(t, withContext)
			} else {
				assert.Greater(t, withContext, n*95/100, "the session context first, in nearly every blob")
				assert.Positive(t, elems[3])
			}
			for k := range elems {
				assert.LessOrEqualf(t, k, c.elems, "events of %d elements", k)
			}
			if c.elems == 4 {
				assert.Positive(t, elems[4])
			}
			queries := 0
			for name, k := range names {
				if genQueryName.MatchString(name) {
					queries += k
				}
			}
			assert.Equal(t, c.query, queries > 0, "xhr.<url>?email= names")

			confirmed, typo := names["user.email_confirmed"], names["user.email_confrimed"]
			if c.typo {
				assert.Positive(t, typo)
				assert.Zero(t, confirmed)
			} else {
				assert.Positive(t, confirmed)
				assert.Zero(t, typo)
			}
			assert.Equal(t, c.oldPick, names["emails_displayed"] > 0, "emails_displayed")
			assert.Equal(t, c.day.Year() == 2012, names["screen.required_email"] > 0, "screen.required_email")
			assert.Equal(t, c.resetScreen, names["screen.reset_password"] > 0, "screen.reset_password")
			assert.Equal(t, c.bareError, names["screen.error."] > 0, "bare screen.error.")
			statusErrors := 0
			for name, k := range names {
				if genStatusErr.MatchString(name) {
					statusErrors += k
				}
			}
			assert.Positive(t, statusErrors, "screen.error.<key>.<status>")
			assert.Positive(t, names["screen.error.cookiesDisabled"])
			assert.Positive(t, names["user.reverify_email_staged"])
			assert.Positive(t, names["user.logout"])
			assert.Equal(t, c.continuation, names["staging_continuation"] > 0, "staging_continuation")
			if c.unload {
				assert.Greater(t, unloaded, closed*9/10, "closed dialogs end with window.unload")
			} else {
				assert.Zero(t, names["window.unload"], "window.unload after 2013-09-05")
			}
			assert.Equal(t, c.census, census > 0, "census entries")
			assert.Equal(t, c.census, stateless > 0, "rp_api stateless")
		})
	}
}

func TestGeneratorCensusAgreesWithTheWeightedBlobs(t *testing.T) {
	for _, day := range []time.Time{time.Date(2013, 11, 12, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)} {
		t.Run(day.Format(time.DateOnly), func(t *testing.T) {
			g := Generator{Seed: 16, PerDay: 4000}
			rows := genParse(t, genCollect(t, g, genDayWindow(day)))
			// A row id counts once, as in the pipeline.
			byID := map[string]string{}
			census := map[string]float64{}
			var unique []genRow
			dups := 0
			for _, r := range rows {
				if prev, ok := byID[r.ID]; ok {
					assert.Equal(t, prev, r.raw, "a duplicate is an exact repeat")
					if r.isCensus() {
						dups++
					}
					continue
				}
				byID[r.ID] = r.raw
				if r.isCensus() {
					census[r.str("type")]++
				} else {
					unique = append(unique, r)
				}
			}
			assert.Positive(t, dups, "some census entries are delivered twice")
			// Horvitz–Thompson totals of the fallback and IdP outcomes
			// (docs/data.md 2.5.2) against the server's counts (2.5.8).
			blobs, streams := genBlobs(unique)
			var fallback, fallbackVar, idp, idpVar float64
			for i, r := range blobs {
				w := genWeight(r)
				switch genOutcome(r, streams[i]) {
				case "fallback":
					fallback += w
					fallbackVar += w * (w - 1)
				case "idp":
					idp += w
					idpVar += w * (w - 1)
				}
			}
			require.Positive(t, fallback)
			assert.InDelta(t, fallback, census["complete_user_creation.success"], 4*math.Sqrt(fallbackVar),
				"complete_user_creation.success against the weighted fallback outcomes")
			assert.InDelta(t, idp, census["idp.create_new_user"], 4*math.Sqrt(idpVar),
				"idp.create_new_user against the weighted idp outcomes")
			// The census counts every session: signin against all blobs weighted.
			var sessions, sessionsVar float64
			for _, r := range unique {
				w := genWeight(r)
				sessions += w
				sessionsVar += w * (w - 1)
			}
			assert.InDelta(t, sessions, census["signin"], 4*math.Sqrt(sessionsVar))
		})
	}
}

func TestGeneratorCensusDoesNotDependOnSampling(t *testing.T) {
	// DayCount counts census entries with dry runs of every session, Rows
	// builds the sampled ones whole: both must decide the same entries.
	e := eraOf(epochDay(2013, 11, 12))
	var whole, dry simBlob
	sampled := 0
	for i := 0; i < 20000; i++ {
		seed := mixSeed(99, uint64(i))
		s := whole.start(seed, &e)
		whole.simulate(seed, true)
		require.Equal(t, s, dry.start(seed, &e))
		dry.simulate(seed, false)
		require.Positive(t, whole.nCensus)
		require.Equal(t, whole.census, dry.census, "session %d", i)
		require.Empty(t, dry.events, "a dry run records no events")
		if s {
			sampled++
		}
	}
	assert.InDelta(t, meanSampleRate, float64(sampled)/20000, 0.01)
}

func TestAppendJSONStringRoundTrips(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain", "plain"},
		{`quote " and \ backslash`, `quote " and \ backslash`},
		{"</script><script>alert(1)</script>", "</script><script>alert(1)</script>"},
		{"line\u2028sep\u2029", "line\u2028sep\u2029"},
		{"ctl\x00\x01\x1f\n\r\t", "ctl\x00\x01\x1f\n\r\t"},
		{"ünï©ødé 日本", "ünï©ødé 日本"},
		{"bad\xffutf8", "bad\ufffdutf8"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			b := appendJSONString(nil, tt.in)
			require.True(t, json.Valid(b), string(b))
			var got string
			require.NoError(t, json.Unmarshal(b, &got))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestGeneratorName(t *testing.T) {
	assert.Equal(t, "generate(seed=1,per_day=2000)", Generator{Seed: 1, PerDay: 2000}.Name())
}

func BenchmarkGeneratorRows(b *testing.B) { benchGeneratorDay(b, genMonday) }

// BenchmarkGeneratorCensusRows is BenchmarkGeneratorRows on a day of the
// census era: every session is simulated, and yields census rows.
func BenchmarkGeneratorCensusRows(b *testing.B) { benchGeneratorDay(b, genCensusMonday) }

// benchGeneratorDay generates one hour of a busy day per iteration.
func benchGeneratorDay(b *testing.B, day time.Time) {
	g := Generator{Seed: 1, PerDay: 200000}
	// A census row's value starts at a fixed place (32-digit id, ms key).
	census := []byte(`,"value":{"type":`)
	rows, blobs, size := 0, 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := day.Add(time.Duration(i%24) * time.Hour)
		_ = g.Rows(start, start.Add(time.Hour), func(row []byte) error {
			rows++
			size += len(row)
			if len(row) < 60 || !bytes.HasPrefix(row[60:], census) {
				blobs++
			}
			return nil
		})
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(blobs)/b.Elapsed().Seconds(), "blobs/s")
	b.ReportMetric(float64(size)/float64(rows), "B/row")
}

func TestFirstRowsIsTheStartOfRows(t *testing.T) {
	g := Generator{Seed: 3, PerDay: 200}
	end := genMonday.AddDate(0, 0, 1)
	var all [][]byte
	require.NoError(t, g.Rows(genMonday, end, func(row []byte) error {
		all = append(all, bytes.Clone(row))
		return nil
	}))
	require.Greater(t, len(all), 50)
	first := func(n int) [][]byte {
		var got [][]byte
		require.NoError(t, g.FirstRows(genMonday, end, n, func(row []byte) error {
			got = append(got, bytes.Clone(row))
			return nil
		}))
		return got
	}
	assert.Equal(t, all[:50], first(50))
	assert.Equal(t, all, first(len(all)+10), "fewer rows than asked: all of them")
	assert.Empty(t, first(0))

	stop := errors.New("stop")
	assert.ErrorIs(t, g.FirstRows(genMonday, end, 10, func([]byte) error { return stop }), stop)
}
