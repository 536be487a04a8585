package transform

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/blob"
	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
)

// syntheticNDJSON returns n realistic rows, one per line: ~15 events each,
// a mix of segments, some duplicates and a few broken blobs.
func syntheticNDJSON(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	events := []string{"screen.rp_info", "screen.authenticate", "screen.pick_email", "screen.set_password",
		"authenticate.enter_password", "authenticate.password_submitted", "authenticate.password_success",
		"user.user_staged", "user.user_confirmed", "generate_assertion", "assertion_generated",
		"user.email_confrimed", "screen.check_registration", "window.redirect_to_primary"}
	var b bytes.Buffer
	for i := range n {
		id := i
		if i%50 == 49 {
			id = i - 1 // a duplicate row
		}
		fmt.Fprintf(&b, `{"id":"%08x-4b1c-9a6e-%012d","key":%d,"value":{"timestamp":%d,"sample_rate":1,"lang":%q,`,
			id, id, tsMs, tsMs-int64(rng.IntN(12))*600000, pick("en", "en-US", "es", "pt-BR", "de", "fr", "ja"))
		fmt.Fprintf(&b, `"screen_size":{"width":%d,"height":%d},"user_agent":{"os":%q,"browser":%q,"version":"%d.0"},`,
			rng.IntN(1600)+320, rng.IntN(1000)+480, pick("Windows NT 6.1", "Macintosh", "Linux", "iPhone", "Android"),
			pick("Firefox", "Chrome", "Safari", "MSIE"), rng.IntN(30)+3)
		fmt.Fprintf(&b, `"number_emails":%d,"number_sites_signed_in":%d,"number_sites_remembered":%d,"new_account":%v,`,
			rng.IntN(5), rng.IntN(8), rng.IntN(8), rng.IntN(2) == 0)
		fmt.Fprintf(&b, `"email_type":%q,"rp_api":%q,"orphaned":false,"event_stream":[`,
			pick("primary", "secondary"), pick("get", "watch_with_onready", "watch_without_onready", "internal"))
		off := 0
		k := 10 + rng.IntN(10)
		for j := range k {
			if j > 0 {
				b.WriteByte(',')
			}
			off += rng.IntN(3000)
			if j == 3 && i%97 == 0 {
				off -= 5000 // a clock change: decreasing, maybe negative
			}
			fmt.Fprintf(&b, `[%q,%d]`, events[rng.IntN(len(events))], off)
		}
		fmt.Fprintf(&b, `,["window.unload",%d]]}}`, off+50)
		if i%1000 == 500 {
			b.WriteString(`,"truncated`) // an invalid line now and then
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func BenchmarkTransformDay(b *testing.B) {
	const blobs = 50000
	data := syntheticNDJSON(blobs)
	dir := b.TempDir()
	in := Input{Name: "synthetic.ndjson", Source: "bench", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
	o := Options{Day: testDay, Inputs: []Input{in}, OutDir: dir, Config: config.Default()}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		st, err := TransformDay(context.Background(), o)
		if err != nil || st.Fetched != blobs {
			b.Fatalf("stats %+v, err %v", st, err)
		}
	}
	b.ReportMetric(float64(blobs)*float64(b.N)/b.Elapsed().Seconds(), "blobs/s")
}

func TestSyntheticDayAddsUp(t *testing.T) {
	data := syntheticNDJSON(3000)
	in := Input{Name: "synthetic.ndjson", Source: "bench", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
	o := Options{Day: testDay, Inputs: []Input{in}, OutDir: t.TempDir(), Config: config.Default(), BatchRows: 500}
	st, err := TransformDay(context.Background(), o)
	require.NoError(t, err)
	require.EqualValues(t, 3000, st.Fetched)
	require.EqualValues(t, 60, st.Duplicates)
	require.EqualValues(t, 3, st.Rejected)
	require.EqualValues(t, 3, st.RejectedBy[ReasonInvalidJSON])
	require.EqualValues(t, 2937, st.Loaded)

	// Loaded into DuckDB, every session's events are all there, in
	// order, and their deltas add up to its duration.
	db := openDB(t)
	loadDay(t, db, o.OutDir, testDay)
	var sessions, bad, negative int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&sessions))
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM (
		SELECT s.id FROM sessions s JOIN events e ON e.session = s.session AND e.day = s.day
		GROUP BY s.id, s.event_count, s.duration_ms
		HAVING count(*) != s.event_count OR sum(e.delta_ms) != s.duration_ms
			OR max(e.seq) != s.event_count - 1 OR arg_max(e.offset_ms, e.seq) != s.duration_ms)`).Scan(&bad))
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM events WHERE delta_ms < 0`).Scan(&negative))
	require.Equal(t, 2937, sessions)
	require.Zero(t, bad)
	require.NotZero(t, negative)
}

// FuzzElement feeds arbitrary text through the whole per-element path:
// it must never panic, and what it produces must be storable.
func FuzzElement(f *testing.F) {
	for _, s := range []string{minimal(""), rowText("r", ""), `{"id":1,"value":{"timestamp":"1795177800","event_stream":[["a","1"]]}}`,
		`[1]`, `{"timestamp":1795177800000,"event_stream":[["a",1,2]]}`, `{"value":{}}`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	seg, err := newSegmenter(config.Default())
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var tp blob.Tape
		el, err := blob.Split(&tp, raw)
		if err != nil {
			return
		}
		if !utf8.ValidString(el.ID) || el.ID == "" {
			t.Fatalf("bad id %q", el.ID)
		}
		s, c, rej := newNormalizer(testDay, seg, nil).blob(el.ID, tp.Text(el.Blob))
		if n := btoi(s != nil) + btoi(c != nil) + btoi(rej != nil); n != 1 {
			t.Fatal("want exactly one of session, census entry and rejection")
		}
		if rej != nil {
			if rej.reason == "" || !utf8.ValidString(rej.detail) || bytes.ContainsAny([]byte(rej.detail), "\n\r") {
				t.Fatalf("bad rejection %+v", rej)
			}
			return
		}
		if len(s.events) == 0 || persona.DayOfMs(s.tsMs) != testDay {
			t.Fatalf("bad session %+v", s)
		}
		for _, v := range []opt[string]{s.lang, s.os, s.browser, s.version, s.emailType, s.rpAPI} {
			if !utf8.ValidString(v.v) {
				t.Fatalf("invalid UTF-8 %q", v.v)
			}
		}
		for _, e := range s.events {
			if !utf8.ValidString(e.name) {
				t.Fatalf("invalid UTF-8 event %q", e.name)
			}
		}
		for _, v := range s.seg {
			if v == "" {
				t.Fatal("empty segment")
			}
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
