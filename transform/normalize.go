package transform

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

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
	ReasonMalformedEvent     = "malformed_event"       // a pair is not [string name, number offset]
	ReasonBadField           = "bad_field"             // a whitelisted field has a type that cannot be coerced
)

// Reasons lists every reject reason code, in the order the checks run.
var Reasons = []string{
	ReasonInvalidJSON, ReasonNotAnObject, ReasonNoTimestamp, ReasonBadTimestamp,
	ReasonOutsideWindow, ReasonNoEventStream, ReasonEventStreamNotList,
	ReasonEmptyEventStream, ReasonMalformedEvent, ReasonBadField,
}

// element is one raw element split into its row id and its blob.
type element struct {
	id   string
	blob []byte // a row's value, or the whole element for a bare blob
	at   int32  // the blob's index in the tape the element was read into
}

// splitElement validates raw as JSON and finds its row id and blob.
func splitElement(raw []byte) (element, error) {
	return splitTaped(new(tape), raw)
}

// splitTaped is splitElement reading raw into t, which then holds the
// blob's structure at el.at.
func splitTaped(t *tape, raw []byte) (element, error) {
	at, idv, isRow, err := parseElement(t, raw)
	if err != nil {
		return element{}, err
	}
	el := element{blob: t.text(at), at: at}
	if isRow {
		el.id = rowID(idv)
	}
	if el.id == "" {
		sum := sha1.Sum(raw)
		el.id = hex.EncodeToString(sum[:])
	}
	return el, nil
}

// parseElement validates raw as JSON, reading it into t, and finds its
// blob. A row is an object with an object "value" (idv is then its "id",
// if any); anything else is a bare blob, rejected later if it is not an
// object.
func parseElement(t *tape, raw []byte) (blob int32, idv []byte, isRow bool, err error) {
	if !t.parse(raw) {
		if err := checkJSON(raw); err != nil {
			return 0, nil, false, err
		}
		return 0, nil, false, &syntaxError{0, "not JSON"} // unreachable: the two agree
	}
	if t.e[0].kind != '{' {
		return 0, nil, false, nil
	}
	for k := int32(1); k < t.e[0].next; k = t.e[k+1].next {
		switch key := t.text(k); {
		case keyIs(key, "value"):
			// JSON.parse keeps the last of duplicate keys; so do we.
			if isRow = t.e[k+1].kind == '{'; isRow {
				blob = k + 1
			} else {
				blob = 0
			}
		case keyIs(key, "id"):
			idv = t.text(k + 1)
		}
	}
	return blob, idv, isRow, nil
}

// rowID reads a row's id: a non-empty string as is, a number as its
// decimal text. Anything else (missing, null, "", a list...) is no usable
// id, so the caller falls back to the sha1 of the text: using "" or
// "false" as an id would merge unrelated rows as duplicates.
func rowID(v []byte) string {
	switch kind(v) {
	case '"':
		s, _ := decodeString(v)
		return s
	case '0':
		if bytesIndexAny(v, ".eE") < 0 {
			return string(v) // an integer, digit for digit, however long
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return string(v)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1e21 {
			return strconv.FormatFloat(f, 'f', -1, 64) // 4.2e1 → "42", as JavaScript prints it
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return ""
}

func bytesIndexAny(b []byte, chars string) int {
	for i, c := range b {
		for j := 0; j < len(chars); j++ {
			if c == chars[j] {
				return i
			}
		}
	}
	return -1
}

// opt is an optional value: ok is false for a missing or null field (a
// NULL column).
type opt[T any] struct {
	v  T
	ok bool
}

// event is one [name, offset] pair of an event stream.
type event struct {
	name   string
	offset int64
}

// session is one normalized blob: a sessions row and its events.
type session struct {
	id              string
	tsMs            int64
	sampleRate      opt[float64]
	lang            opt[string]
	width, height   opt[int32]
	os, browser     opt[string]
	version         opt[string]
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

// rejection says why a blob was rejected.
type rejection struct {
	reason, detail string
	blobDay        time.Time // zero when the timestamp could not be read
}

func (r *rejection) Error() string { return r.reason + ": " + r.detail }

func reject(reason, format string, args ...any) *rejection {
	return &rejection{reason: reason, detail: oneLine(fmt.Sprintf(format, args...))}
}

// The whitelisted fields (KPIS.md §2), in the order they are checked, so
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
}

var fieldIndex = func() map[string]int {
	m := make(map[string]int, numFields)
	for i, n := range fieldNames {
		m[n] = i
	}
	return m
}()

// Event names the stage itself looks at.
const (
	evTypo                = "user.email_confrimed"
	evEmailConfirmed      = "user.email_confirmed"
	evStagingContinuation = "staging_continuation"
	evAssertionGenerated  = "assertion_generated"
	evSetPassword         = "screen.set_password"
	evEnterPassword       = "authenticate.enter_password"
	evResetPasswordStaged = "user.reset_password_staged"
)

// maxInterned bounds each table of strings shared between sessions: the
// dialog has a few dozen event names and the other string fields few
// more values, and hostile values must not grow the tables forever.
const maxInterned = 4096

// maxOffset is the largest offset kept exactly: a float64 holds integers
// up to 2^53, and no dialog stays open for 285 000 years.
const maxOffset = 1 << 53

// normalizer turns blobs into sessions. It reuses its session between
// calls: a returned session is valid until the next call.
type normalizer struct {
	day time.Time
	seg *segmenter
	s   session
	t   *tape // the tape of the blob being read
	own tape  // the tape blob reads into
	// fields holds the tape index of each whitelisted field's value; 0
	// (the index of no member) when the blob does not have it.
	fields [numFields]int32
	names  map[string]string // event names by their raw literal
	strs   map[string]string // other strings by their raw literal
}

func newNormalizer(day time.Time, seg *segmenter) *normalizer {
	return &normalizer{day: day, seg: seg, names: make(map[string]string), strs: make(map[string]string)}
}

// blob validates and normalizes one blob (the text of a JSON value that
// checkJSON accepted).
func (n *normalizer) blob(id string, b []byte) (*session, *rejection) {
	if k := kind(b); k != '{' {
		return nil, reject(ReasonNotAnObject, "the element is %s, not an object", kindName(k))
	}
	if !n.own.parse(b) {
		return nil, reject(ReasonInvalidJSON, "%v", checkJSON(b)) // not what callers pass
	}
	return n.blobAt(id, &n.own, 0)
}

// val is the text of field i, nil when the blob does not have it.
func (n *normalizer) val(i int) []byte {
	if n.fields[i] == 0 {
		return nil
	}
	return n.t.text(n.fields[i])
}

// blobAt is blob for the value at index at of a tape.
func (n *normalizer) blobAt(id string, t *tape, at int32) (*session, *rejection) {
	if k := t.e[at].kind; k != '{' {
		return nil, reject(ReasonNotAnObject, "the element is %s, not an object", kindName(k))
	}
	n.t = t
	n.fields = [numFields]int32{}
	for k := at + 1; k < t.e[at].next; k = t.e[k+1].next {
		if i, ok := n.field(t.text(k)); ok {
			n.fields[i] = k + 1 // the last of duplicate keys wins, as in JSON.parse
		}
	}

	// Timestamp first: it says which day the blob belongs to, which every
	// later reject records.
	tsv := n.val(fTimestamp)
	ms, err := TimestampMs(tsv)
	switch {
	case tsv == nil:
		return nil, reject(ReasonNoTimestamp, "no timestamp field")
	case errors.Is(err, ErrNoTimestamp):
		return nil, reject(ReasonNoTimestamp, "timestamp is null")
	case err != nil:
		return nil, reject(ReasonBadTimestamp, "%v", err)
	}
	day := persona.DayOfMs(ms)
	withDay := func(r *rejection) *rejection { r.blobDay = day; return r }
	if !day.Equal(n.day) {
		return nil, withDay(reject(ReasonOutsideWindow, "timestamp %s is on %s, not %s",
			snippet(tsv, 40), day.Format(time.DateOnly), n.day.Format(time.DateOnly)))
	}

	s := &n.s
	*s = session{id: id, tsMs: ms, events: s.events[:0]}
	if r := n.eventStream(n.fields[fEventStream]); r != nil {
		return nil, withDay(r)
	}
	if r := n.fieldsInto(s); r != nil {
		return nil, withDay(r)
	}
	s.seg = n.seg.segments(s)
	return s, nil
}

// field maps a raw key to a whitelisted field; everything else (e.g.
// local_timestamp, which could fingerprint a user) is dropped here.
func (n *normalizer) field(key []byte) (int, bool) {
	if len(key) < 2 {
		return 0, false
	}
	if i, ok := fieldIndex[string(key[1:len(key)-1])]; ok {
		return i, true
	}
	if bytesIndexAny(key, `\`) >= 0 {
		s, _ := decodeString(key)
		i, ok := fieldIndex[s]
		return i, ok
	}
	return 0, false
}

func kindName(k byte) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// eventStream reads the event stream into n.s.events.
//
// The shape is checked strictly and values are kept as sent:
//   - A pair must be exactly [name, offset]. The dialog never sends a
//     third element, so a pair that has one was written by something
//     else, and guessing which element is the offset could corrupt every
//     duration computed from it; the blob is rejected (malformed_event)
//     where it can be seen, rather than read wrongly.
//   - Negative and decreasing offsets are kept verbatim (delta_ms is then
//     negative). The dialog measured offsets with the wall clock, so a
//     clock change mid-session produces them; the events themselves (what
//     v1 KPIs count) are still right, and rejecting the blob would drop a
//     sign-in the original dashboard counted. Order is never changed.
//   - A fractional offset is rounded to the nearest millisecond.
func (n *normalizer) eventStream(at int32) *rejection {
	var v []byte
	if at != 0 {
		v = n.t.text(at)
	}
	switch kind(v) {
	case 0:
		return reject(ReasonNoEventStream, "no event_stream field")
	case 'n':
		return reject(ReasonNoEventStream, "event_stream is null")
	case '[':
	default:
		return reject(ReasonEventStreamNotList, "event_stream is %s, not a list: %s", kindName(kind(v)), snippet(v, 40))
	}
	s := &n.s
	var stagingCont, assertion, setPassword, enterPassword, resetStaged bool
	t := n.t
	k := 0
	for p := at + 1; p < t.e[at].next; p, k = t.e[p].next, k+1 {
		pair := t.text(p)
		if t.e[p].kind != '[' {
			return reject(ReasonMalformedEvent, "event_stream[%d]: %s is not a [name, offset] pair", k, snippet(pair, 40))
		}
		var parts [2][]byte
		np := 0
		for q := p + 1; q < t.e[p].next; q, np = t.e[q].next, np+1 {
			if np < 2 {
				parts[np] = t.text(q)
			}
		}
		if np != 2 {
			return reject(ReasonMalformedEvent, "event_stream[%d]: %s has %d elements, want [name, offset]", k, snippet(pair, 40), np)
		}
		name, ok := n.eventName(parts[0])
		if !ok {
			return reject(ReasonMalformedEvent, "event_stream[%d]: name %s is not a string", k, snippet(parts[0], 40))
		}
		off, ok := number(parts[1])
		if !ok {
			return reject(ReasonMalformedEvent, "event_stream[%d]: offset %s is not a number", k, snippet(parts[1], 40))
		}
		if math.Abs(off) > maxOffset {
			return reject(ReasonMalformedEvent, "event_stream[%d]: offset %s is out of range", k, snippet(parts[1], 40))
		}
		s.events = append(s.events, event{name: name, offset: int64(math.Round(off))})
		switch name {
		case evStagingContinuation:
			stagingCont = true
		case evAssertionGenerated:
			assertion = true
		case evSetPassword:
			setPassword = true
		case evEnterPassword:
			enterPassword = true
		case evResetPasswordStaged:
			resetStaged = true
		}
	}
	if k == 0 {
		return reject(ReasonEmptyEventStream, "event_stream is empty")
	}
	s.fallback = hasNewUserStep(stagingCont, assertion, setPassword, enterPassword) || resetStaged
	return nil
}

// hasNewUserStep applies KPIS.md §5's new-user rules, in their order: a
// stream with staging_continuation has steps (3 and 4) only when it
// reached assertion_generated; otherwise screen.set_password is step 1,
// unless authenticate.enter_password shows a returning user.
func hasNewUserStep(stagingCont, assertion, setPassword, enterPassword bool) bool {
	if stagingCont {
		return assertion
	}
	return setPassword && !enterPassword
}

// eventName decodes an event name, sharing the string between sessions,
// and fixes the dialog's historical typo.
func (n *normalizer) eventName(v []byte) (string, bool) {
	if kind(v) != '"' {
		return "", false
	}
	if name, ok := n.names[string(v)]; ok {
		return name, true
	}
	name, _ := decodeString(v)
	if name == evTypo {
		name = evEmailConfirmed
	}
	if len(n.names) < maxInterned {
		n.names[string(v)] = name
	}
	return name, true
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
	if r = n.userAgent(s, n.fields[fUserAgent]); r != nil {
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
		v = n.t.text(at)
	}
	switch kind(v) {
	case 0, 'n':
		return false, nil
	case '{':
		return true, nil
	}
	return false, reject(ReasonBadField, "%s: %s is not an object", field, snippet(v, 40))
}

func (n *normalizer) screenSize(s *session, at int32) *rejection {
	if present, r := n.object(at, "screen_size"); !present {
		return r
	}
	var w, h []byte
	t := n.t
	for k := at + 1; k < t.e[at].next; k = t.e[k+1].next {
		switch key := t.text(k); {
		case keyIs(key, "width"):
			w = t.text(k + 1)
		case keyIs(key, "height"):
			h = t.text(k + 1)
		}
	}
	var r *rejection
	if s.width, r = optInt(w, "screen_size.width"); r != nil {
		return r
	}
	s.height, r = optInt(h, "screen_size.height")
	return r
}

func (n *normalizer) userAgent(s *session, at int32) *rejection {
	if present, r := n.object(at, "user_agent"); !present {
		return r
	}
	var osv, br, ver []byte
	t := n.t
	for k := at + 1; k < t.e[at].next; k = t.e[k+1].next {
		switch key := t.text(k); {
		case keyIs(key, "os"):
			osv = t.text(k + 1)
		case keyIs(key, "browser"):
			br = t.text(k + 1)
		case keyIs(key, "version"):
			ver = t.text(k + 1)
		}
	}
	var r *rejection
	if s.os, r = n.optStr(osv, "user_agent.os", false); r != nil {
		return r
	}
	if s.browser, r = n.optStr(br, "user_agent.browser", false); r != nil {
		return r
	}
	// A version is often a number to a UA parser ("17" or 17); its digits
	// are the same text either way.
	s.version, r = n.optStr(ver, "user_agent.version", true)
	return r
}

// optStr reads an optional string; numberOK also takes a number as its
// text. Strings are shared between sessions like event names: these
// fields have few distinct values.
func (n *normalizer) optStr(v []byte, name string, numberOK bool) (opt[string], *rejection) {
	switch k := kind(v); {
	case k == 0 || k == 'n':
		return opt[string]{}, nil
	case k == '"':
		if s, ok := n.strs[string(v)]; ok {
			return opt[string]{s, true}, nil
		}
		s, _ := decodeString(v)
		if len(n.strs) < maxInterned {
			n.strs[string(v)] = s
		}
		return opt[string]{s, true}, nil
	case k == '0' && numberOK:
		return opt[string]{string(v), true}, nil
	}
	return opt[string]{}, reject(ReasonBadField, "%s: %s is not a string", name, snippet(v, 40))
}

// optNumber reads an optional number, also from a numeric string.
func optNumber(v []byte, name string) (opt[float64], *rejection) {
	if k := kind(v); k == 0 || k == 'n' {
		return opt[float64]{}, nil
	}
	f, ok := number(v)
	if !ok {
		return opt[float64]{}, reject(ReasonBadField, "%s: %s is not a number", name, snippet(v, 40))
	}
	return opt[float64]{f, true}, nil
}

// optInt reads an optional whole number: 3, "3", 3.0 and "3e0" are all 3;
// 3.5 is not a count of anything.
func optInt(v []byte, name string) (opt[int32], *rejection) {
	if k := kind(v); k == 0 || k == 'n' {
		return opt[int32]{}, nil
	}
	f, ok := number(v)
	switch {
	case !ok:
		return opt[int32]{}, reject(ReasonBadField, "%s: %s is not a number", name, snippet(v, 40))
	case f != math.Trunc(f):
		return opt[int32]{}, reject(ReasonBadField, "%s: %s is not a whole number", name, snippet(v, 40))
	case f < math.MinInt32 || f > math.MaxInt32:
		return opt[int32]{}, reject(ReasonBadField, "%s: %s is out of range", name, snippet(v, 40))
	}
	return opt[int32]{int32(f), true}, nil
}

// optBoolean reads an optional boolean: true/false, "true"/"false", 1/0
// or "1"/"0". Anything else is not a guess we make.
func optBoolean(v []byte, name string) (opt[bool], *rejection) {
	switch kind(v) {
	case 0, 'n':
		return opt[bool]{}, nil
	case 't':
		return opt[bool]{true, true}, nil
	case 'f':
		return opt[bool]{false, true}, nil
	case '0':
		if f, ok := number(v); ok && (f == 0 || f == 1) {
			return opt[bool]{f == 1, true}, nil
		}
	case '"':
		switch s, _ := decodeString(v); s {
		case "true", "1":
			return opt[bool]{true, true}, nil
		case "false", "0":
			return opt[bool]{false, true}, nil
		}
	}
	return opt[bool]{}, reject(ReasonBadField, "%s: %s is not a boolean", name, snippet(v, 40))
}
