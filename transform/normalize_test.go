package transform

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/blob"
	"github.com/persona-kpi/kpi/config"
)

// normalizeText runs one element through the same steps as TransformDay.
func normalizeText(t *testing.T, text string) (*session, *rejection) {
	t.Helper()
	seg, err := newSegmenter(config.Default())
	require.NoError(t, err)
	var tp blob.Tape
	el, err := blob.Split(&tp, []byte(text))
	if err != nil {
		return nil, &rejection{reason: ReasonInvalidJSON, detail: err.Error()}
	}
	s, c, r := newNormalizer(testDay, seg, nil).blob(el.ID, tp.Text(el.Blob))
	require.Nil(t, c, "a census entry, not a blob")
	return s, r
}

// minimal is a blob with only the required fields; extra is appended.
func minimal(extra string) string {
	return fmt.Sprintf(`{"timestamp": %d, "event_stream": [["screen.rp_info", 0], ["window.unload", 100]]%s}`, tsMs, extra)
}

func i32(v int32) opt[int32]       { return opt[int32]{v, true} }
func str(v string) opt[string]     { return opt[string]{v, true} }
func boolean(v bool) opt[bool]     { return opt[bool]{v, true} }
func float(v float64) opt[float64] { return opt[float64]{v, true} }
func evs(pairs ...any) []event {
	var out []event
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, event{name: pairs[i].(string), offset: int64(pairs[i+1].(int))})
	}
	return out
}

func TestNormalizeQuirks(t *testing.T) {
	twoEvents := evs("screen.rp_info", 0, "window.unload", 100)
	tests := []struct {
		name string
		text string
		// check compares the fields the case is about.
		check func(t *testing.T, s *session)
	}{
		{"missing optional fields are NULL", minimal(""), func(t *testing.T, s *session) {
			assert.Equal(t, session{id: s.id, tsMs: tsMs, events: twoEvents,
				seg: [numSegs]string{"Other", "Other", "Other", "Unknown", "Other", "Other", "Other"}}, *s)
		}},
		{"numbers sent as strings", minimal(`, "number_emails": "3", "screen_size": {"width": "1280", "height": " 800 "}, "number_sites_remembered": "5", "sample_rate": "0.25"`),
			func(t *testing.T, s *session) {
				assert.Equal(t, i32(3), s.numberEmails)
				assert.Equal(t, i32(1280), s.width)
				assert.Equal(t, i32(800), s.height)
				assert.Equal(t, i32(5), s.sitesRemembered)
				assert.Equal(t, float(0.25), s.sampleRate)
			}},
		{"whole numbers written as decimals", minimal(`, "number_emails": 3.0, "number_sites_remembered": "2.0", "screen_size": {"width": 1.024e3}`),
			func(t *testing.T, s *session) {
				assert.Equal(t, i32(3), s.numberEmails)
				assert.Equal(t, i32(2), s.sitesRemembered)
				assert.Equal(t, i32(1024), s.width)
			}},
		{"timestamp in seconds", fmt.Sprintf(`{"timestamp": %d, "event_stream": [["a", 1]]}`, tsMs/1000),
			func(t *testing.T, s *session) { assert.EqualValues(t, tsMs, s.tsMs) }},
		{"timestamp as a padded string", fmt.Sprintf(`{"timestamp": " %d ", "event_stream": [["a", 1]]}`, tsMs),
			func(t *testing.T, s *session) { assert.EqualValues(t, tsMs, s.tsMs) }},
		{"timestamp in seconds as a string", fmt.Sprintf(`{"timestamp": "%d", "event_stream": [["a", 1]]}`, tsMs/1000),
			func(t *testing.T, s *session) { assert.EqualValues(t, tsMs, s.tsMs) }},
		{"booleans as true/false", minimal(`, "new_account": true, "orphaned": false`), func(t *testing.T, s *session) {
			assert.Equal(t, boolean(true), s.newAccount)
			assert.Equal(t, boolean(false), s.orphaned)
		}},
		{"booleans as strings", minimal(`, "new_account": "true", "orphaned": "false"`), func(t *testing.T, s *session) {
			assert.Equal(t, boolean(true), s.newAccount)
			assert.Equal(t, boolean(false), s.orphaned)
		}},
		{"booleans as 1/0", minimal(`, "new_account": 1, "orphaned": "0"`), func(t *testing.T, s *session) {
			assert.Equal(t, boolean(true), s.newAccount)
			assert.Equal(t, boolean(false), s.orphaned)
		}},
		{"null fields are NULL", minimal(`, "new_account": null, "lang": null, "screen_size": null, "user_agent": null, "number_emails": null`),
			func(t *testing.T, s *session) {
				assert.False(t, s.newAccount.ok || s.lang.ok || s.width.ok || s.os.ok || s.numberEmails.ok)
			}},
		{"sites: number_sites_logged_in comes first", minimal(`, "number_sites_logged_in": 5, "sites_signed_in": 3, "number_sites_signed_in": 7`),
			func(t *testing.T, s *session) { assert.EqualValues(t, 5, s.sites) }},
		{"sites: first non-zero", minimal(`, "number_sites_logged_in": 0, "sites_signed_in": "2", "number_sites_signed_in": 7`),
			func(t *testing.T, s *session) { assert.EqualValues(t, 2, s.sites) }},
		{"sites: the current name alone", minimal(`, "number_sites_signed_in": "4"`),
			func(t *testing.T, s *session) { assert.EqualValues(t, 4, s.sites) }},
		{"sites: null counts as zero", minimal(`, "number_sites_logged_in": null, "sites_signed_in": 0, "number_sites_signed_in": 6`),
			func(t *testing.T, s *session) { assert.EqualValues(t, 6, s.sites) }},
		{"sites: all zero or missing is 0", minimal(`, "sites_signed_in": 0`),
			func(t *testing.T, s *session) { assert.EqualValues(t, 0, s.sites) }},
		{"user agent and a numeric version", minimal(`, "user_agent": {"os": "Linux", "browser": "Chrome", "version": 23, "extra": [1]}`),
			func(t *testing.T, s *session) {
				assert.Equal(t, str("Linux"), s.os)
				assert.Equal(t, str("Chrome"), s.browser)
				assert.Equal(t, str("23"), s.version)
			}},
		{"typo in email confirmation is fixed", minimal(`, "event_stream": [["user.email_staged", 1], ["user.email_confrimed", 5]]`),
			func(t *testing.T, s *session) {
				assert.Equal(t, evs("user.email_staged", 1, "user.email_confirmed", 5), s.events)
			}},
		{"offsets as numeric strings, fractions rounded", minimal(`, "event_stream": [["a", "15"], ["b", 20.6], ["c", " 30 "]]`),
			func(t *testing.T, s *session) { assert.Equal(t, evs("a", 15, "b", 21, "c", 30), s.events) }},
		{"negative and decreasing offsets kept as sent", minimal(`, "event_stream": [["a", -5], ["b", 100], ["c", 40]]`),
			func(t *testing.T, s *session) { assert.Equal(t, evs("a", -5, "b", 100, "c", 40), s.events) }},
		{"fields outside the whitelist are ignored, whatever their type", minimal(`, "local_timestamp": {"x": [1]}, "sites_visited": "lots", "Timestamp": "x"`),
			func(t *testing.T, s *session) { assert.EqualValues(t, tsMs, s.tsMs) }},
		{"hostile strings are kept verbatim", minimal(`, "lang": "<script>alert(\"x\")</script>", "user_agent": {"os": "'; DROP TABLE sessions; --"}, "event_stream": [["<img src=x onerror=alert(1)>", 1]]`),
			func(t *testing.T, s *session) {
				assert.Equal(t, str(`<script>alert("x")</script>`), s.lang)
				assert.Equal(t, str("'; DROP TABLE sessions; --"), s.os)
				assert.Equal(t, "<img src=x onerror=alert(1)>", s.events[0].name)
			}},
		{"escapes and invalid UTF-8 become valid UTF-8", minimal(`, "lang": "a\u00e9\ud83d\ude00\ud800b", "user_agent": {"browser": "x` + "\xff\xfe" + `y"}`),
			func(t *testing.T, s *session) {
				assert.Equal(t, str("aé😀\uFFFDb"), s.lang)
				assert.Equal(t, str("x\uFFFD\uFFFDy"), s.browser)
			}},
		{"escaped keys are read as their text", fmt.Sprintf(`{"\u0074imestamp": %d, "event_stream": [["a", 1]], "l\u0061ng": "fr"}`, tsMs),
			func(t *testing.T, s *session) { assert.Equal(t, str("fr"), s.lang) }},
		{"the last of duplicate keys wins", minimal(`, "lang": "de", "lang": "it"`),
			func(t *testing.T, s *session) { assert.Equal(t, str("it"), s.lang) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, rej := normalizeText(t, tt.text)
			require.Nil(t, rej)
			require.NotNil(t, s)
			tt.check(t, s)
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	ts := fmt.Sprint(tsMs)
	tests := []struct {
		name, text, reason, detail string
		blobDay                    bool // the reject records the blob's day
	}{
		{"truncated", `{"timestamp": 1`, ReasonInvalidJSON, "unexpected end", false},
		{"garbage", `hello`, ReasonInvalidJSON, "not JSON", false},
		{"trailing text", `{} {}`, ReasonInvalidJSON, "text after the value", false},
		{"single quotes", `{'timestamp': 1}`, ReasonInvalidJSON, "not JSON", false},

		{"array", `[1, 2]`, ReasonNotAnObject, "a list", false},
		{"string", `"blob"`, ReasonNotAnObject, "a string", false},
		{"number", `42`, ReasonNotAnObject, "a number", false},
		{"null", `null`, ReasonNotAnObject, "null", false},

		{"missing timestamp", `{"event_stream": [["a", 1]]}`, ReasonNoTimestamp, "no timestamp field", false},
		{"null timestamp", `{"timestamp": null, "event_stream": [["a", 1]]}`, ReasonNoTimestamp, "timestamp is null", false},
		{"timestamp key in another case", `{"Timestamp": ` + ts + `, "event_stream": [["a", 1]]}`, ReasonNoTimestamp, "no timestamp field", false},
		{"row whose value is not an object is a bare blob", `{"id": "x", "value": [1]}`, ReasonNoTimestamp, "no timestamp field", false},

		{"word timestamp", `{"timestamp": "soon", "event_stream": [["a", 1]]}`, ReasonBadTimestamp, `timestamp "soon" is not a number`, false},
		{"boolean timestamp", `{"timestamp": true, "event_stream": [["a", 1]]}`, ReasonBadTimestamp, "not a number", false},
		{"hex timestamp", `{"timestamp": "0x1p40", "event_stream": [["a", 1]]}`, ReasonBadTimestamp, "not a number", false},
		{"negative timestamp", `{"timestamp": -5, "event_stream": [["a", 1]]}`, ReasonBadTimestamp, "not after 1970", false},
		{"timestamp after 2100", `{"timestamp": 5e15, "event_stream": [["a", 1]]}`, ReasonBadTimestamp, "after 2100", false},

		{"the day before", fmt.Sprintf(`{"timestamp": %d, "event_stream": [["a", 1]]}`, tsMs-24*3600*1000), ReasonOutsideWindow, "is on 2026-11-19, not 2026-11-20", true},
		{"outside the window wins over an empty stream", fmt.Sprintf(`{"timestamp": %d, "event_stream": []}`, tsMs+24*3600*1000), ReasonOutsideWindow, "2026-11-21", true},

		{"missing event stream", `{"timestamp": ` + ts + `}`, ReasonNoEventStream, "no event_stream field", true},
		{"null event stream", `{"timestamp": ` + ts + `, "event_stream": null}`, ReasonNoEventStream, "event_stream is null", true},
		{"empty event stream", `{"timestamp": ` + ts + `, "event_stream": []}`, ReasonEmptyEventStream, "event_stream is empty", true},
		{"event stream object", `{"timestamp": ` + ts + `, "event_stream": {"a": 1}}`, ReasonEventStreamNotList, "an object, not a list", true},
		{"event stream as a JSON string", `{"timestamp": ` + ts + `, "event_stream": "[[\"a\", 1]]"}`, ReasonEventStreamNotList, "a string, not a list", true},
		{"event stream number", `{"timestamp": ` + ts + `, "event_stream": 5}`, ReasonEventStreamNotList, "a number", true},

		{"pair is a string", minimal(`, "event_stream": [["a", 1], "screen.rp_info"]`), ReasonMalformedEvent, `event_stream[1]: "screen.rp_info" is not a list [name, offset]`, true},
		{"pair without offset", minimal(`, "event_stream": [["a"]]`), ReasonMalformedEvent, "has 1 elements", true},
		{"event with a fifth element", minimal(`, "event_stream": [["a", 1, 2, 3, 4]]`), ReasonMalformedEvent, "event_stream[0]: [\"a\", 1, 2, 3, 4] has 5 elements", true},
		{"duration a word", minimal(`, "event_stream": [["a", 1], ["xhr_complete.GET/wsapi/session_context", 2, "slow"]]`), ReasonMalformedEvent, `event_stream[1]: duration "slow" is not a number`, true},
		{"repeat count fractional", minimal(`, "event_stream": [["xhr_complete.GET/wsapi/list_emails", 2, 30, 1.5]]`), ReasonMalformedEvent, `event_stream[0]: repeat count 1.5 is not a whole number from 1`, true},
		{"empty pair", minimal(`, "event_stream": [[]]`), ReasonMalformedEvent, "has 0 elements", true},
		{"name not a string", minimal(`, "event_stream": [[1, 2]]`), ReasonMalformedEvent, "name 1 is not a string", true},
		{"offset a word", minimal(`, "event_stream": [["a", "x"]]`), ReasonMalformedEvent, `offset "x" is not a number`, true},
		{"offset null", minimal(`, "event_stream": [["a", null]]`), ReasonMalformedEvent, "offset null is not a number", true},
		{"offset boolean", minimal(`, "event_stream": [["a", true]]`), ReasonMalformedEvent, "offset true is not a number", true},
		{"offset huge", minimal(`, "event_stream": [["a", 1e300]]`), ReasonMalformedEvent, "out of range", true},

		{"emails a word", minimal(`, "number_emails": "lots"`), ReasonBadField, `number_emails: "lots" is not a number`, true},
		{"emails fractional", minimal(`, "number_emails": 2.5`), ReasonBadField, "number_emails: 2.5 is not a whole number", true},
		{"emails out of range", minimal(`, "number_emails": 1e10`), ReasonBadField, "number_emails: 1e10 is out of range", true},
		{"emails a boolean", minimal(`, "number_emails": true`), ReasonBadField, "number_emails: true is not a number", true},
		{"screen size a word", minimal(`, "screen_size": "big"`), ReasonBadField, `screen_size: "big" is not an object`, true},
		{"screen width a word", minimal(`, "screen_size": {"width": "wide"}`), ReasonBadField, `screen_size.width: "wide" is not a number`, true},
		{"screen height a list", minimal(`, "screen_size": {"width": 1, "height": [1]}`), ReasonBadField, "screen_size.height: [1] is not a number", true},
		{"user agent a number", minimal(`, "user_agent": 7`), ReasonBadField, "user_agent: 7 is not an object", true},
		{"os a number", minimal(`, "user_agent": {"os": 7}`), ReasonBadField, "user_agent.os: 7 is not a string", true},
		{"browser an object", minimal(`, "user_agent": {"browser": {}}`), ReasonBadField, "user_agent.browser: {} is not a string", true},
		{"version a boolean", minimal(`, "user_agent": {"version": false}`), ReasonBadField, "user_agent.version: false is not a string", true},
		{"lang a number", minimal(`, "lang": 7`), ReasonBadField, "lang: 7 is not a string", true},
		{"sample rate a boolean", minimal(`, "sample_rate": true`), ReasonBadField, "sample_rate: true is not a number", true},
		{"sample rate hex", minimal(`, "sample_rate": "0x1"`), ReasonBadField, "sample_rate", true},
		{"new account a word", minimal(`, "new_account": "yes"`), ReasonBadField, `new_account: "yes" is not a boolean`, true},
		{"orphaned two", minimal(`, "orphaned": 2`), ReasonBadField, "orphaned: 2 is not a boolean", true},
		{"old sites name bad", minimal(`, "number_sites_logged_in": "many"`), ReasonBadField, "number_sites_logged_in", true},
		{"later sites name bad", minimal(`, "number_sites_logged_in": 3, "number_sites_signed_in": {}`), ReasonBadField, "number_sites_signed_in", true},
		{"remembered bad", minimal(`, "number_sites_remembered": "x"`), ReasonBadField, "number_sites_remembered", true},
		{"email type a list", minimal(`, "email_type": []`), ReasonBadField, "email_type: [] is not a string", true},
		{"rp api a number", minimal(`, "rp_api": 1`), ReasonBadField, "rp_api: 1 is not a string", true},
		{"first bad field in whitelist order", minimal(`, "orphaned": "x", "number_emails": "y"`), ReasonBadField, "number_emails", true},
		{"empty stream reported before bad fields", `{"timestamp": ` + ts + `, "event_stream": [], "number_emails": "x"}`, ReasonEmptyEventStream, "", true},
		{"long value is clipped in the detail", minimal(`, "lang": ["` + strings.Repeat("é", 40) + `"]`), ReasonBadField, "…", true},
		{"a multi-line value stays on one line", minimal(`, "lang": {
  "x": 1
}`), ReasonBadField, `lang: {   "x": 1 } is not a string`, true},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, rej := normalizeText(t, tt.text)
			require.Nil(t, s)
			require.NotNil(t, rej)
			assert.Equal(t, tt.reason, rej.reason)
			assert.Contains(t, rej.detail, tt.detail)
			assert.NotContains(t, rej.detail, "\n")
			if tt.blobDay {
				assert.NotZero(t, rej.blobDay)
			} else {
				assert.Zero(t, rej.blobDay)
			}
		})
		seen[tt.reason] = true
	}
	for _, r := range Reasons {
		assert.True(t, seen[r], "no test for reason %s", r)
	}
}

func TestRejectRecordsTheBlobsDay(t *testing.T) {
	_, rej := normalizeText(t, fmt.Sprintf(`{"timestamp": %d, "event_stream": []}`, tsMs-24*3600*1000))
	require.NotNil(t, rej)
	assert.Equal(t, time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), rej.blobDay)
}
