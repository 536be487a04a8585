package transform

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/persona-kpi/kpi/blob"
	"github.com/persona-kpi/kpi/internal/redact"
	"github.com/persona-kpi/kpi/persona"
)

// Reject reasons, stored in rejects.reason and counted in Stats.RejectedBy.
const (
	ReasonInvalidJSON        = "invalid_json"          // the element is not JSON
	ReasonNotAnObject        = "not_an_object"         // the element (or a row's value) is not a JSON object
	ReasonNoTimestamp        = "no_timestamp"          // timestamp missing or null
	ReasonBadTimestamp       = "bad_timestamp"         // timestamp not a number, or not in 1970..2100
	ReasonOutsideWindow      = "outside_window"        // the blob's day is not the day being built
	ReasonNoEventStream      = "no_event_stream"       // event_stream missing or null
	ReasonEmptyEventStream   = "empty_event_stream"    // event_stream is []
	ReasonEventStreamNotList = "event_stream_not_list" // event_stream is not a list
	ReasonMalformedEvent     = "malformed_event"       // an event is not [name, offset] plus an optional duration and repeat count
	ReasonBadField           = "bad_field"             // a whitelisted field has a type that cannot be coerced
)

// Reasons lists every reject reason code, in the order the checks run.
var Reasons = []string{
	ReasonInvalidJSON, ReasonNotAnObject, ReasonNoTimestamp, ReasonBadTimestamp,
	ReasonOutsideWindow, ReasonNoEventStream, ReasonEventStreamNotList,
	ReasonEmptyEventStream, ReasonMalformedEvent, ReasonBadField,
}

// opt is an optional value: ok is false for a missing or null field (a
// NULL column).
type opt[T any] struct {
	v  T
	ok bool
}

// event is one event of a stream, its name decoded.
type event struct {
	name     string
	offset   int64
	duration opt[int64] // XHR events' third element
	repeat   opt[int32] // folded XHR events' fourth element
}

// agent is a user_agent object, as the server's coarse parser filled it.
type agent struct {
	os, browser, version opt[string]
}

// session is one normalized blob: a sessions row and its events.
type session struct {
	id            string
	idHash        uint64 // persona.IDHash(id), computed once for the dedupe
	tsMs          int64
	sampleRate    opt[float64]
	lang          opt[string]
	width, height opt[int32]
	agent
	numberEmails    opt[int32]
	sites           int32
	sitesRemembered opt[int32]
	newAccount      opt[bool]
	emailType       opt[string]
	rpAPI           opt[string]
	orphaned        opt[bool]
	events          []event
	// fallback is set when the blob is in the new-user or password-reset
	// flow, which makes its EmailType segment Fallback.
	fallback bool
	seg      [numSegs]string
}

// census is one of the server's census entries (docs/data.md §1.4): an
// element without an event stream whose type is a string.
type census struct {
	id      string
	tsMs    int64
	typ     string
	agent   agent
	idp, rp opt[string]
}

// rejection says why a blob was rejected.
type rejection struct {
	reason, detail string
	blobDay        time.Time // zero when the timestamp could not be read
}

func (r *rejection) Error() string { return r.reason + ": " + r.detail }

func reject(reason, format string, args ...any) *rejection {
	return &rejection{reason: reason, detail: blob.OneLine(fmt.Sprintf(format, args...))}
}

// The whitelisted fields (docs/data.md §1.2–1.5), in the order they are checked, so
// that a blob with several bad fields is always reported the same way.
const (
	fEventStream = iota
	fTimestamp
	fSampleRate
	fLang
	fScreenSize
	fUserAgent
	fNumberEmails
	fSitesLoggedIn
	fSitesSignedInOld
	fSitesSignedIn
	fSitesRemembered
	fNewAccount
	fEmailType
	fRPAPI
	fOrphaned
	// The server's census entries add these to timestamp and user_agent.
	fType
	fIDP
	fRP
	numFields
)

var fieldNames = [numFields]string{
	fEventStream:      "event_stream",
	fTimestamp:        "timestamp",
	fSampleRate:       "sample_rate",
	fLang:             "lang",
	fScreenSize:       "screen_size",
	fUserAgent:        "user_agent",
	fNumberEmails:     "number_emails",
	fSitesLoggedIn:    "number_sites_logged_in",
	fSitesSignedInOld: "sites_signed_in",
	fSitesSignedIn:    "number_sites_signed_in",
	fSitesRemembered:  "number_sites_remembered",
	fNewAccount:       "new_account",
	fEmailType:        "email_type",
	fRPAPI:            "rp_api",
	fOrphaned:         "orphaned",
	fType:             "type",
	fIDP:              "idp",
	fRP:               "rp",
}

// fieldsByLength lists the whitelisted fields by the length of their
// name: one or two a length, so finding a key is a string comparison or
// two, cheaper than hashing it (every key of every blob is looked up).
var fieldsByLength = func() [][]int {
	var t [][]int
	for i, n := range fieldNames {
		for len(t) <= len(n) {
			t = append(t, nil)
		}
		t[len(n)] = append(t[len(n)], i)
	}
	return t
}()

// fieldIndex finds the whitelisted field named name.
func fieldIndex(name []byte) (int, bool) {
	if len(name) >= len(fieldsByLength) {
		return 0, false
	}
	for _, i := range fieldsByLength[len(name)] {
		if string(name) == fieldNames[i] {
			return i, true
		}
	}
	return 0, false
}

// maxInterned bounds each table of strings shared between sessions: the
// dialog has a few dozen event names and the other string fields few
// more values, and hostile values must not grow the tables forever.
const maxInterned = 4096

// normalizer turns blobs into sessions. It reuses its session between
// calls: a returned session is valid until the next call.
type normalizer struct {
	day time.Time
	now time.Time // timestamps after its UTC day are refused
	seg *segmenter
	s   session
	c   census
	t   *blob.Tape // the tape of the blob being read
	own blob.Tape  // the tape blob reads into
	// fields holds the tape index of each whitelisted field's value; 0
	// (the index of no member) when the blob does not have it.
	fields [numFields]int32
	names  map[string]string // event names by their raw literal
	strs   map[string]string // other strings by their raw literal
}

// newNormalizer reads the blobs of day; now is the clock that bounds
// their timestamps (nil is time.Now).
func newNormalizer(day time.Time, seg *segmenter, now func() time.Time) *normalizer {
	if now == nil {
		now = time.Now
	}
	return &normalizer{day: day, seg: seg, now: now(), names: make(map[string]string), strs: make(map[string]string)}
}

// blob validates and normalizes one blob (the text of a JSON value).
func (n *normalizer) blob(id string, b []byte) (*session, *census, *rejection) {
	if k := blob.Kind(b); k != '{' {
		return nil, nil, reject(ReasonNotAnObject, "the element is %s, not an object", blob.KindName(k))
	}
	if err := n.own.Parse(b); err != nil {
		return nil, nil, reject(ReasonInvalidJSON, "%v", err) // not what callers pass
	}
	return n.blobAt(id, &n.own, 0)
}

// val is the text of field i, nil when the blob does not have it.
func (n *normalizer) val(i int) []byte {
	if n.fields[i] == 0 {
		return nil
	}
	return n.t.Text(n.fields[i])
}

// blobAt is blob for the value at index at of a tape: a dialog session,
// one of the server's census entries, or a rejection.
func (n *normalizer) blobAt(id string, t *blob.Tape, at int32) (*session, *census, *rejection) {
	if k := t.Kind(at); k != '{' {
		return nil, nil, reject(ReasonNotAnObject, "the element is %s, not an object", blob.KindName(k))
	}
	n.t = t
	n.fields = [numFields]int32{}
	for k := at + 1; k < t.Next(at); k = t.Next(k + 1) {
		if i, ok := n.field(t.Text(k)); ok {
			n.fields[i] = k + 1 // the last of duplicate keys wins, as in JSON.parse
		}
	}

	// Timestamp first: it says which day the blob belongs to, which every
	// later reject records.
	tsv := n.val(fTimestamp)
	ms, err := blob.TimestampMs(tsv)
	switch {
	case tsv == nil:
		return nil, nil, reject(ReasonNoTimestamp, "no timestamp field")
	case errors.Is(err, blob.ErrNoTimestamp):
		return nil, nil, reject(ReasonNoTimestamp, "timestamp is null")
	case err != nil:
		return nil, nil, reject(ReasonBadTimestamp, "%v", err)
	}
	if err := persona.Plausible(ms, n.now); err != nil {
		return nil, nil, reject(ReasonBadTimestamp, "%v", err)
	}
	day := persona.DayOfMs(ms)
	withDay := func(r *rejection) *rejection { r.blobDay = day; return r }
	if !day.Equal(n.day) {
		return nil, nil, withDay(reject(ReasonOutsideWindow, "timestamp %s is on %s, not %s",
			blob.Snippet(tsv, 40), day.Format(time.DateOnly), n.day.Format(time.DateOnly)))
	}
	if n.isCensus() {
		c, r := n.census(id, ms)
		if r != nil {
			return nil, nil, withDay(r)
		}
		return nil, c, nil
	}

	s := &n.s
	*s = session{id: id, tsMs: ms, events: s.events[:0]}
	if r := n.eventStream(n.fields[fEventStream]); r != nil {
		return nil, nil, withDay(r)
	}
	if r := n.fieldsInto(s); r != nil {
		return nil, nil, withDay(r)
	}
	s.seg = n.seg.segments(s)
	return s, nil, nil
}

// isCensus tells one of the server's census entries from a dialog blob:
// it has no event stream (missing or null) and its type is a string.
func (n *normalizer) isCensus() bool {
	if k := blob.Kind(n.val(fEventStream)); k != 0 && k != 'n' {
		return false
	}
	return blob.Kind(n.val(fType)) == '"'
}

// census reads a census entry's fields; everything else it may hold is
// dropped here, as for blobs.
func (n *normalizer) census(id string, ms int64) (*census, *rejection) {
	c := &n.c
	*c = census{id: id, tsMs: ms}
	typ, r := n.optStr(n.val(fType), "type", false)
	if r != nil {
		return nil, r
	}
	if c.typ = typ.v; c.typ == "" {
		return nil, reject(ReasonBadField, "type: an empty string")
	}
	if c.agent, r = n.userAgent(n.fields[fUserAgent]); r != nil {
		return nil, r
	}
	if c.idp, r = n.optStr(n.val(fIDP), "idp", false); r != nil {
		return nil, r
	}
	if c.rp, r = n.optStr(n.val(fRP), "rp", false); r != nil {
		return nil, r
	}
	// A domain and an origin: never anyone's address, whatever was sent.
	c.idp.v, c.rp.v = redact.Emails(c.idp.v), redact.Emails(c.rp.v)
	return c, nil
}

// field maps a raw key to a whitelisted field; everything else (e.g.
// local_timestamp, which could fingerprint a user) is dropped here.
func (n *normalizer) field(key []byte) (int, bool) {
	if len(key) < 2 {
		return 0, false
	}
	if i, ok := fieldIndex(key[1 : len(key)-1]); ok {
		return i, true
	}
	if bytes.IndexByte(key, '\\') >= 0 {
		s, _ := blob.DecodeString(key)
		return fieldIndex([]byte(s))
	}
	return 0, false
}

// eventStream reads the event stream into n.s.events; blob.Tape.Event
// reads each event, and the first that is not one rejects the blob
// (malformed_event) where it can be seen, rather than read wrongly.
//
// Negative and decreasing offsets are kept verbatim (delta_ms is then
// negative). The dialog measured offsets with the wall clock, so a clock
// change mid-session produces them; the events themselves (what v1 KPIs
// count) are still right, and rejecting the blob would drop a sign-in the
// original dashboard counted. Order is never changed.
func (n *normalizer) eventStream(at int32) *rejection {
	var v []byte
	if at != 0 {
		v = n.t.Text(at)
	}
	switch k := blob.Kind(v); k {
	case 0:
		return reject(ReasonNoEventStream, "no event_stream field")
	case 'n':
		return reject(ReasonNoEventStream, "event_stream is null")
	case '[':
	default:
		return reject(ReasonEventStreamNotList, "event_stream is %s, not a list: %s", blob.KindName(k), blob.Snippet(v, 40))
	}
	s := &n.s
	var stagingCont, assertion, setPassword, enterPassword, resetStaged bool
	t := n.t
	k := 0
	for p := at + 1; p < t.Next(at); p, k = t.Next(p), k+1 {
		ev, err := t.Event(p)
		if err != nil {
			return reject(ReasonMalformedEvent, "event_stream[%d]: %v", k, err)
		}
		name := n.eventName(ev.RawName)
		s.events = append(s.events, event{name: name, offset: ev.Offset,
			duration: opt[int64]{ev.Duration, ev.HasDuration}, repeat: opt[int32]{ev.Repeat, ev.HasRepeat}})
		switch name {
		case persona.StagingContinuation:
			stagingCont = true
		case persona.AssertionGenerated:
			assertion = true
		case persona.ScreenSetPassword:
			setPassword = true
		case persona.AuthenticateEnterPassword:
			enterPassword = true
		case persona.UserResetPasswordStaged:
			resetStaged = true
		}
	}
	if k == 0 {
		return reject(ReasonEmptyEventStream, "event_stream is empty")
	}
	s.fallback = hasNewUserStep(stagingCont, assertion, setPassword, enterPassword) || resetStaged
	return nil
}

// hasNewUserStep applies docs/data.md §2.3's new-user rules, in their order: a
// stream with staging_continuation has steps (3 and 4) only when it
// reached assertion_generated; otherwise screen.set_password is step 1,
// unless authenticate.enter_password shows a returning user.
func hasNewUserStep(stagingCont, assertion, setPassword, enterPassword bool) bool {
	if stagingCont {
		return assertion
	}
	return setPassword && !enterPassword
}

// eventName decodes an event name's literal, sharing the string between
// sessions, and fixes the dialog's historical typo.
func (n *normalizer) eventName(raw []byte) string {
	if name, ok := n.names[string(raw)]; ok {
		return name
	}
	name, _ := blob.DecodeString(raw)
	name = persona.EventName(name)
	if len(n.names) < maxInterned {
		n.names[string(raw)] = name
	}
	return name
}

// fieldsInto reads the whitelisted fields other than timestamp and
// event_stream into s.
func (n *normalizer) fieldsInto(s *session) *rejection {
	var r *rejection
	s.sampleRate, r = optNumber(n.val(fSampleRate), fieldNames[fSampleRate])
	if r != nil {
		return r
	}
	if s.lang, r = n.optStr(n.val(fLang), "lang", false); r != nil {
		return r
	}
	if r = n.screenSize(s, n.fields[fScreenSize]); r != nil {
		return r
	}
	if s.agent, r = n.userAgent(n.fields[fUserAgent]); r != nil {
		return r
	}
	if s.numberEmails, r = optInt(n.val(fNumberEmails), fieldNames[fNumberEmails]); r != nil {
		return r
	}
	// Sites: the first non-zero of the three historical names, else 0.
	for _, i := range [...]int{fSitesLoggedIn, fSitesSignedInOld, fSitesSignedIn} {
		v, r := optInt(n.val(i), fieldNames[i])
		if r != nil {
			return r
		}
		if s.sites == 0 && v.ok {
			s.sites = v.v
		}
	}
	if s.sitesRemembered, r = optInt(n.val(fSitesRemembered), fieldNames[fSitesRemembered]); r != nil {
		return r
	}
	if s.newAccount, r = optBoolean(n.val(fNewAccount), fieldNames[fNewAccount]); r != nil {
		return r
	}
	if s.emailType, r = n.optStr(n.val(fEmailType), "email_type", false); r != nil {
		return r
	}
	if s.rpAPI, r = n.optStr(n.val(fRPAPI), "rp_api", false); r != nil {
		return r
	}
	if s.orphaned, r = optBoolean(n.val(fOrphaned), fieldNames[fOrphaned]); r != nil {
		return r
	}
	return nil
}

// object says whether the field at tape index at holds an object to read;
// a missing or null field is no object and no rejection, anything else is
// a bad_field rejection.
func (n *normalizer) object(at int32, field string) (bool, *rejection) {
	var v []byte
	if at != 0 {
		v = n.t.Text(at)
	}
	switch blob.Kind(v) {
	case 0, 'n':
		return false, nil
	case '{':
		return true, nil
	}
	return false, reject(ReasonBadField, "%s: %s is not an object", field, blob.Snippet(v, 40))
}

func (n *normalizer) screenSize(s *session, at int32) *rejection {
	if present, r := n.object(at, "screen_size"); !present {
		return r
	}
	var w, h []byte
	t := n.t
	for k := at + 1; k < t.Next(at); k = t.Next(k + 1) {
		switch key := t.Text(k); {
		case blob.KeyIs(key, "width"):
			w = t.Text(k + 1)
		case blob.KeyIs(key, "height"):
			h = t.Text(k + 1)
		}
	}
	var r *rejection
	if s.width, r = optInt(w, "screen_size.width"); r != nil {
		return r
	}
	s.height, r = optInt(h, "screen_size.height")
	return r
}

func (n *normalizer) userAgent(at int32) (agent, *rejection) {
	var a agent
	if present, r := n.object(at, "user_agent"); !present {
		return a, r
	}
	var osv, br, ver []byte
	t := n.t
	for k := at + 1; k < t.Next(at); k = t.Next(k + 1) {
		switch key := t.Text(k); {
		case blob.KeyIs(key, "os"):
			osv = t.Text(k + 1)
		case blob.KeyIs(key, "browser"):
			br = t.Text(k + 1)
		case blob.KeyIs(key, "version"):
			ver = t.Text(k + 1)
		}
	}
	var r *rejection
	if a.os, r = n.optStr(osv, "user_agent.os", false); r != nil {
		return a, r
	}
	if a.browser, r = n.optStr(br, "user_agent.browser", false); r != nil {
		return a, r
	}
	// A version is often a number to a UA parser ("17" or 17); its digits
	// are the same text either way.
	a.version, r = n.optStr(ver, "user_agent.version", true)
	return a, r
}

// optStr reads an optional string; numberOK also takes a number as its
// text. Strings are shared between sessions like event names: these
// fields have few distinct values.
func (n *normalizer) optStr(v []byte, name string, numberOK bool) (opt[string], *rejection) {
	switch k := blob.Kind(v); {
	case k == 0 || k == 'n':
		return opt[string]{}, nil
	case k == '"':
		if s, ok := n.strs[string(v)]; ok {
			return opt[string]{s, true}, nil
		}
		s, _ := blob.DecodeString(v)
		if len(n.strs) < maxInterned {
			n.strs[string(v)] = s
		}
		return opt[string]{s, true}, nil
	case k == '0' && numberOK:
		return opt[string]{string(v), true}, nil
	}
	return opt[string]{}, reject(ReasonBadField, "%s: %s is not a string", name, blob.Snippet(v, 40))
}

// optNumber reads an optional number, also from a numeric string.
func optNumber(v []byte, name string) (opt[float64], *rejection) {
	if k := blob.Kind(v); k == 0 || k == 'n' {
		return opt[float64]{}, nil
	}
	f, ok := blob.Number(v)
	if !ok {
		return opt[float64]{}, reject(ReasonBadField, "%s: %s is not a number", name, blob.Snippet(v, 40))
	}
	return opt[float64]{f, true}, nil
}

// optInt reads an optional whole number: 3, "3", 3.0 and "3e0" are all 3;
// 3.5 is not a count of anything.
func optInt(v []byte, name string) (opt[int32], *rejection) {
	if k := blob.Kind(v); k == 0 || k == 'n' {
		return opt[int32]{}, nil
	}
	f, ok := blob.Number(v)
	switch {
	case !ok:
		return opt[int32]{}, reject(ReasonBadField, "%s: %s is not a number", name, blob.Snippet(v, 40))
	case f != math.Trunc(f):
		return opt[int32]{}, reject(ReasonBadField, "%s: %s is not a whole number", name, blob.Snippet(v, 40))
	case f < math.MinInt32 || f > math.MaxInt32:
		return opt[int32]{}, reject(ReasonBadField, "%s: %s is out of range", name, blob.Snippet(v, 40))
	}
	return opt[int32]{int32(f), true}, nil
}

// optBoolean reads an optional boolean: true/false, "true"/"false", 1/0
// or "1"/"0". Anything else is not a guess we make.
func optBoolean(v []byte, name string) (opt[bool], *rejection) {
	switch blob.Kind(v) {
	case 0, 'n':
		return opt[bool]{}, nil
	case 't':
		return opt[bool]{true, true}, nil
	case 'f':
		return opt[bool]{false, true}, nil
	case '0':
		if f, ok := blob.Number(v); ok && (f == 0 || f == 1) {
			return opt[bool]{f == 1, true}, nil
		}
	case '"':
		switch s, _ := blob.DecodeString(v); s {
		case "true", "1":
			return opt[bool]{true, true}, nil
		case "false", "0":
			return opt[bool]{false, true}, nil
		}
	}
	return opt[bool]{}, reject(ReasonBadField, "%s: %s is not a boolean", name, blob.Snippet(v, 40))
}
