package generate

import (
	"strconv"
)

// One simulated dialog session and its interaction blob.

type simEvent struct {
	name string
	at   int64 // ms since the dialog opened; for an XHR event, when the request started
	// An XHR event's duration (ms) and the number of identical events
	// folded into it; dur is 0 for the other events.
	dur, count int32
	query      int8 // 1 or 2: the query string names b.addr[query-1]
	untrusted  bool // a name from a tampered client, to escape
}

// streamKind is how the event_stream field is delivered: the unusable
// kinds are the rejects of docs/data.md §1.2–1.5.
type streamKind uint8

const (
	streamOK streamKind = iota
	streamMissing
	streamEmpty
	streamNotList
	streamBadPair
)

type tsKind uint8

const (
	tsMillis tsKind = iota
	tsSeconds
	tsMissing
)

type tri int8 // a boolean field that may be missing

const (
	triMissing tri = iota
	triFalse
	triTrue
)

func triOf(v bool) tri {
	if v {
		return triTrue
	}
	return triFalse
}

// Bits of simBlob.stringNums: which numeric fields are sent as strings.
const (
	strEmails = 1 << iota
	strSites
	strRemembered
	strWidth
	strHeight
	strSampleRate
)

// The three names the sites count was sent under over the dialog's life.
var sitesNames = [...]string{"number_sites_signed_in", "number_sites_logged_in", "sites_signed_in"}

// sitesBoth is a dialog in transition that sent the old name as 0 and the
// count under the new one, so readers must take the first non-zero.
const sitesBoth = len(sitesNames)

// hostileValues come from end users' browsers; the published pages must
// show them as text.
var hostileValues = [...]string{
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	"</script>",
	"javascript:alert(1)",
	"en\u2028<b>x</b>\u2029",
	"'; DROP TABLE sessions; --",
	"{{.}}${7*7}",
	"\x00\x1b[2J\\u0000",
}

type simBlob struct {
	era *era
	// Three streams: rd draws the decisions (agent, flow, drop-offs) that
	// census entries depend on, rt the timings and looks only a blob
	// shows, rc what only the census shows.
	rd, rt, rc simRand
	dry        bool // unsampled: decisions only, no events

	events      []simEvent
	pending     simEvent // a request running beside the dialog's work
	hasPending  bool
	pendingDone int64
	t           int64
	dev         simDevice
	dropX       float64 // drop-offs are this much likelier (phones)
	addr        [2]madeUpAddress
	rawAt       bool

	success, dropped bool
	isNew            bool // the server said the email is new: new_account
	newUser          bool // no emails or sites yet

	census  [maxCensus]censusType
	nCensus int
	rp, idp string

	stream    streamKind
	badPair   int // shape of the malformed event
	badPairAt int
	ts        tsKind

	sampleRate           float64 // 0 when missing
	lang                 string  // "" when missing
	hasScreen, hasUA     bool
	uaOS, uaBrowser      string // as sent, hostile values included
	rpAPI, emailType     string // "" when missing
	numEmails            int    // -1 when missing
	sites, remembered    int    // -1 when missing
	sitesName            int
	newAccount, orphaned tri
	stringNums           uint8
}

func (b *simBlob) reset() {
	ev := b.events[:0]
	*b = simBlob{events: ev}
}

// start begins the session of seed: its user agent, and whether the
// server's rate for that agent samples it (it then sends a blob).
func (b *simBlob) start(seed uint64, e *era) (sampled bool) {
	b.reset()
	b.era = e
	b.rd = simRand{mixSeed(seed, 1)}
	pickAgent(&b.rd, &b.dev)
	return b.rd.chance(b.dev.rate)
}

// simulate runs the session begun by start. A sampled session is
// simulated whole; an unsampled one only decides its flow (dry), which is
// all its census entries need. Both draw the same decisions, so a
// session's census entries do not depend on whether it was sampled.
func (b *simBlob) simulate(seed uint64, sampled bool) {
	b.dry = !sampled
	b.rt = simRand{mixSeed(seed, 2)}
	b.rc = simRand{mixSeed(seed, 3)}
	pickBrowser(&b.rd, &b.dev)
	b.dropX = 1
	if b.dev.phone {
		b.dropX = 1.6
	}
	if b.era.census {
		b.rp = rpOrigins.pick(&b.rc)
		b.idp = idpDomains.pick(&b.rc)
	}
	if !b.dry {
		pickScreen(&b.rt, &b.dev)
		b.profile()
		if b.era.xhr == xhrURL {
			b.drawAddresses()
		}
	}
	b.count(cSignin)
	b.runFlow()
	if b.dry {
		return
	}
	b.flush()
	b.fields()
	b.quirks()
}

func (b *simBlob) chance(p float64) bool { return b.rd.chance(p) }

// drop is a drop-off of probability p on a desktop.
func (b *simBlob) drop(p float64) bool { return b.rd.chance(min(p*b.dropX, 0.9)) }

func (b *simBlob) add(name string) {
	if b.dry {
		return
	}
	b.flush()
	b.events = append(b.events, simEvent{name: name, at: b.t})
}

// delay is a lognormal delay of at least 1 ms, capped at 25 medians.
func (b *simBlob) delay(median, sigma float64) int64 {
	d := int64(b.rt.lognormal(median, sigma))
	return min(max(d, 1), int64(median*25))
}

// wait advances the clock, so offsets of successive events increase.
func (b *simBlob) wait(median, sigma float64) {
	if !b.dry {
		b.t += b.delay(median, sigma)
	}
}

// tick is a short pause of the dialog's own code, uniform in [lo, hi] ms
// (cheaper than a lognormal, and nobody waits long enough to tell).
func (b *simBlob) tick(lo, hi int) {
	if !b.dry {
		b.t += int64(b.rt.between(lo, hi))
	}
}

// slow scales delays: mobile users are slower at typing.
func (b *simBlob) slow() float64 {
	if b.dev.mobile {
		return 1.6
	}
	return 1
}

func (b *simBlob) think(median float64) { b.wait(median*b.slow(), 0.8) }

// screen shows a screen shortly after the previous step.
func (b *simBlob) screen(name string) {
	b.wait(160, 0.6)
	b.add(name)
}

func (b *simBlob) xhrDuration(ep endpointID) int64 {
	return max(b.delay(endpoints[ep].median*b.dev.net, 0.6), 8)
}

// call is a request the dialog waits for: the clock moves on by its
// duration. The dialog records it when the answer arrives, with the
// offset of its start (from 2012-10-09).
func (b *simBlob) call(ep endpointID, addr int8) {
	if b.dry {
		return
	}
	start := b.t
	d := b.xhrDuration(ep)
	b.t += d
	b.flush()
	b.record(ep, addr, start, d)
}

func (b *simBlob) record(ep endpointID, addr int8, start, d int64) {
	if b.era.xhr == xhrNone {
		return
	}
	name := endpoints[ep].names[b.era.xhr]
	if b.era.xhr != xhrURL || !endpoints[ep].email {
		addr = 0
	}
	if b.era.fold && len(b.events) > 0 {
		last := &b.events[len(b.events)-1]
		if last.dur > 0 && last.name == name && last.query == addr {
			last.count++
			return
		}
	}
	b.events = append(b.events, simEvent{name: name, at: start, dur: int32(d), count: 1, query: addr})
}

// background starts a request that runs beside the dialog's work (posting
// the previous session's data): recorded when it ends, it can follow
// events with later offsets.
func (b *simBlob) background(ep endpointID) {
	if b.dry || b.era.xhr == xhrNone {
		return
	}
	d := b.xhrDuration(ep)
	b.pending = simEvent{name: endpoints[ep].names[b.era.xhr], at: b.t, dur: int32(d), count: 1}
	b.hasPending, b.pendingDone = true, b.t+d
}

// flush records the background request if it has ended by now.
func (b *simBlob) flush() {
	if b.hasPending && b.pendingDone <= b.t {
		b.events = append(b.events, b.pending)
		b.hasPending = false
	}
}

// poll waits a lognormal time for the user to open an email, asking the
// server every few seconds; the last answer is the one that tells.
func (b *simBlob) poll(ep endpointID, addr int8, median, sigma float64) {
	if b.dry {
		return
	}
	end := b.t + b.delay(median, sigma)
	if b.era.fold {
		// One event counts the polls: their durations are not kept, so
		// the first one's stands for all.
		start := b.t
		b.call(ep, addr)
		d := b.t - start
		for b.t < end {
			b.t += pollEveryMs + d
			b.events[len(b.events)-1].count++
		}
		return
	}
	for {
		b.call(ep, addr)
		if b.t >= end {
			return
		}
		b.t += pollEveryMs
	}
}

// close ends the session after a pause: the dialog logs window.unload
// (until 2013-09-06) unless the browser was killed first.
func (b *simBlob) close(median, sigma, killed float64) {
	b.wait(median, sigma)
	if !b.dry && b.era.unload && !b.rt.chance(killed) {
		b.add("window.unload")
	}
}

// leave is a drop-off mid-flow: the dialog is orphaned.
func (b *simBlob) leave(median float64) {
	b.dropped = true
	b.close(median, 1.0, 0.03)
}

var (
	// emailCounts is a returning user's number of addresses, 4 meaning 4
	// or more.
	emailCounts = newWeighted(weigh(1, 55), weigh(2, 25), weigh(3, 10), weigh(4, 10))
	// sitesNameMix is which name the sites count is sent under.
	sitesNameMix = newWeighted(weigh(0, 700), weigh(1, 140), weigh(2, 145), weigh(sitesBoth, 15))
)

// profile draws a returning user's counts (a new user's are zeros).
func (b *simBlob) profile() {
	r := &b.rt
	b.numEmails = emailCounts.pick(r)
	if b.numEmails == 4 {
		b.numEmails += r.geometric(0.4, 20)
	}
	b.sites = 1 + r.geometric(0.3, 60)
	b.remembered = r.intn(b.sites + 1)
}

// fields sets the non-event fields the dialog whitelists.
func (b *simBlob) fields() {
	r := &b.rt
	b.sampleRate = b.dev.rate
	b.lang = langs.pick(r)
	// The internal API serves native apps, so it is mostly seen on
	// phones and tablets, Firefox OS's Marketplace above all.
	switch {
	case b.dev.class == classFirefoxOS && r.chance(0.55):
		b.rpAPI = "internal"
	case b.dev.mobile && r.chance(0.2):
		b.rpAPI = "internal"
	case b.era.stateless && r.chance(0.05):
		b.rpAPI = "stateless"
	case r.chance(0.012):
		b.rpAPI = "unknown"
	default:
		b.rpAPI = rpAPIs.pick(r)
	}
	b.hasScreen, b.hasUA = true, true
	b.uaOS, b.uaBrowser = b.dev.os, b.dev.browser
	if b.newUser {
		b.numEmails, b.sites, b.remembered = 0, 0, 0
	}
	b.newAccount = triOf(b.isNew)
	b.orphaned = triOf(b.dropped && !b.success)
	b.sitesName = sitesNameMix.pick(r)
}

// Shapes of a malformed event (see appendStream).
const (
	badNoOffset   = iota // [name]
	badNumberName        // [12, offset]
	badBareName          // "name"
	badNullOffset        // [name, null]
	badEmpty             // []
	badFive              // [name, offset, duration, count, 1]
	badDuration          // [name, offset, "slow"]
	badCount             // [name, offset, duration, "many"]
	badNullName          // [null, offset]
)

var badPairShapes = newWeighted(
	weigh(badNoOffset, 30), weigh(badNumberName, 25), weigh(badBareName, 8), weigh(badNullOffset, 8),
	weigh(badEmpty, 4), weigh(badFive, 8), weigh(badDuration, 8), weigh(badCount, 6), weigh(badNullName, 5))

// quirks applies, at small rates, the mess real data has (docs/data.md §1.2–1.5).
func (b *simBlob) quirks() {
	r := &b.rt
	// Missing optional fields, each independently.
	if r.chance(0.015) {
		b.lang = ""
	}
	if r.chance(0.02) {
		b.hasScreen = false
	}
	if r.chance(0.015) {
		b.hasUA = false
	}
	if r.chance(0.02) {
		b.rpAPI = ""
	}
	if r.chance(0.02) {
		b.numEmails = -1
	}
	if r.chance(0.03) {
		b.sites = -1
	}
	if r.chance(0.04) {
		b.remembered = -1
	}
	if r.chance(0.03) {
		b.newAccount = triMissing
	}
	if r.chance(0.02) {
		b.orphaned = triMissing
	}
	if r.chance(0.01) {
		b.sampleRate = 0
	}
	if r.chance(0.012) {
		b.stringNums = 1 << r.intn(6)
		if r.chance(0.3) {
			b.stringNums |= strEmails | strSites
		}
	}
	// Unusable blobs: 0.5% of each kind.
	switch x := r.intn(1000); {
	case x < 5:
		b.stream = streamMissing
	case x < 10:
		b.stream = streamEmpty
	case x < 15:
		b.stream = streamNotList
		b.badPair = r.intn(3)
	case x < 20:
		b.stream = streamBadPair
		b.badPair = badPairShapes.pick(r)
		b.badPairAt = b.badEventAt(r.intn(len(b.events)))
	}
	switch x := r.intn(1000); {
	case x < 5:
		b.ts = tsMissing
	case x < 10:
		b.ts = tsSeconds
	}
	if r.intn(5000) == 0 {
		v := hostileValues[r.intn(len(hostileValues))]
		switch r.intn(4) {
		case 0:
			b.lang = v
		case 1:
			b.hasUA = true
			b.uaOS = v
		case 2:
			b.hasUA = true
			b.uaBrowser = v
		default:
			// A made-up event sent by a tampered client.
			b.wait(50, 1)
			b.add(v)
			b.events[len(b.events)-1].untrusted = true
		}
	}
}

// badEventAt is where the malformed event goes: the shapes that break a
// duration or a repeat count prefer the first XHR event from i on.
func (b *simBlob) badEventAt(i int) int {
	if b.badPair != badFive && b.badPair != badDuration && b.badPair != badCount {
		return i
	}
	for j := range b.events {
		if k := (i + j) % len(b.events); b.events[k].dur > 0 {
			return k
		}
	}
	return i
}

// appendInt appends v, as a JSON string when asString.
func appendJSONInt(buf []byte, v int64, asString bool) []byte {
	if asString {
		buf = append(buf, '"')
		buf = strconv.AppendInt(buf, v, 10)
		return append(buf, '"')
	}
	return strconv.AppendInt(buf, v, 10)
}

// appendName appends an event's name as sent, with the query string of
// the xhr.<url> era.
func (b *simBlob) appendName(buf []byte, e *simEvent) []byte {
	if e.untrusted {
		return appendJSONString(buf, e.name)
	}
	buf = append(buf, '"')
	buf = append(buf, e.name...) // the dialog's own names need no escaping
	if e.query > 0 {
		buf = b.appendEmailQuery(buf, int(e.query)-1)
	}
	return append(buf, '"')
}

// appendEvent appends [name, offset], plus the duration and the repeat
// count of an XHR event (the count only when events were folded).
func (b *simBlob) appendEvent(buf []byte, e *simEvent) []byte {
	buf = append(buf, '[')
	buf = b.appendName(buf, e)
	buf = append(buf, ',')
	buf = strconv.AppendInt(buf, e.at, 10)
	if e.dur > 0 {
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(e.dur), 10)
		if e.count > 1 {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(e.count), 10)
		}
	}
	return append(buf, ']')
}

// appendBadEvent appends e in the malformed shape b.badPair.
func (b *simBlob) appendBadEvent(buf []byte, e *simEvent) []byte {
	dur := int64(max(e.dur, 120))
	switch b.badPair {
	case badNoOffset:
		buf = append(buf, '[')
		buf = b.appendName(buf, e)
		return append(buf, ']')
	case badNumberName:
		buf = append(buf, "[12,"...)
	case badBareName:
		return b.appendName(buf, e)
	case badNullOffset:
		buf = append(buf, '[')
		buf = b.appendName(buf, e)
		return append(buf, ",null]"...)
	case badEmpty:
		return append(buf, '[', ']')
	case badNullName:
		buf = append(buf, "[null,"...)
	default:
		buf = append(buf, '[')
		buf = b.appendName(buf, e)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, e.at, 10)
		switch b.badPair {
		case badFive:
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, dur, 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(max(e.count, 1)), 10)
			return append(buf, ",1]"...)
		case badDuration:
			return append(buf, `,"slow"]`...)
		default: // badCount
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, dur, 10)
			return append(buf, `,"many"]`...)
		}
	}
	buf = strconv.AppendInt(buf, e.at, 10)
	return append(buf, ']')
}

// appendStream appends the event_stream value as delivered.
func (b *simBlob) appendStream(buf []byte) []byte {
	switch b.stream {
	case streamEmpty:
		return append(buf, '[', ']')
	case streamNotList:
		switch b.badPair {
		case 0:
			return append(buf, `"screen.rp_info,window.unload"`...)
		case 1:
			return append(buf, `{"0":["screen.rp_info",512]}`...)
		default:
			return append(buf, '4', '2')
		}
	}
	buf = append(buf, '[')
	for i := range b.events {
		if i > 0 {
			buf = append(buf, ',')
		}
		if b.stream == streamBadPair && i == b.badPairAt {
			buf = b.appendBadEvent(buf, &b.events[i])
		} else {
			buf = b.appendEvent(buf, &b.events[i])
		}
	}
	return append(buf, ']')
}

// objWriter appends an object's members, placing the commas.
type objWriter struct {
	buf []byte
	n   int
}

func (o *objWriter) key(name string) {
	if o.n > 0 {
		o.buf = append(o.buf, ',')
	}
	o.n++
	o.buf = appendJSONKey(o.buf, name)
}

func (o *objWriter) int(name string, v int, asString bool) {
	o.key(name)
	o.buf = appendJSONInt(o.buf, int64(v), asString)
}

func (o *objWriter) str(name, v string) {
	o.key(name)
	o.buf = appendJSONString(o.buf, v)
}

func (o *objWriter) tri(name string, v tri) {
	if v == triMissing {
		return
	}
	o.key(name)
	if v == triTrue {
		o.buf = append(o.buf, "true"...)
	} else {
		o.buf = append(o.buf, "false"...)
	}
}

// appendBlob appends the blob as a JSON object, with whitelisted fields
// only. ts is the blob's timestamp value as sent.
func (b *simBlob) appendBlob(buf []byte, ts int64) []byte {
	o := objWriter{buf: append(buf, '{')}
	if b.stream != streamMissing {
		o.key("event_stream")
		o.buf = b.appendStream(o.buf)
	}
	if b.sampleRate > 0 {
		o.key("sample_rate")
		asString := b.stringNums&strSampleRate != 0
		if asString {
			o.buf = append(o.buf, '"')
		}
		o.buf = strconv.AppendFloat(o.buf, b.sampleRate, 'g', -1, 64)
		if asString {
			o.buf = append(o.buf, '"')
		}
	}
	if b.ts != tsMissing {
		o.key("timestamp")
		o.buf = strconv.AppendInt(o.buf, ts, 10)
	}
	if b.lang != "" {
		o.str("lang", b.lang)
	}
	if b.hasScreen {
		o.key("screen_size")
		o.buf = append(o.buf, `{"width":`...)
		o.buf = appendJSONInt(o.buf, int64(b.dev.width), b.stringNums&strWidth != 0)
		o.buf = append(o.buf, `,"height":`...)
		o.buf = appendJSONInt(o.buf, int64(b.dev.height), b.stringNums&strHeight != 0)
		o.buf = append(o.buf, '}')
	}
	if b.hasUA {
		o.key("user_agent")
		o.buf = append(o.buf, `{"os":`...)
		o.buf = appendJSONString(o.buf, b.uaOS)
		o.buf = append(o.buf, `,"browser":`...)
		o.buf = appendJSONString(o.buf, b.uaBrowser)
		o.buf = append(o.buf, `,"version":`...)
		o.buf = appendJSONString(o.buf, b.dev.version)
		o.buf = append(o.buf, '}')
	}
	if b.numEmails >= 0 {
		o.int("number_emails", b.numEmails, b.stringNums&strEmails != 0)
	}
	if b.sites >= 0 {
		if b.sitesName == sitesBoth {
			o.int("number_sites_logged_in", 0, false)
			o.int("number_sites_signed_in", b.sites, b.stringNums&strSites != 0)
		} else {
			o.int(sitesNames[b.sitesName], b.sites, b.stringNums&strSites != 0)
		}
	}
	if b.remembered >= 0 {
		o.int("number_sites_remembered", b.remembered, b.stringNums&strRemembered != 0)
	}
	o.tri("new_account", b.newAccount)
	if b.emailType != "" {
		o.str("email_type", b.emailType)
	}
	if b.rpAPI != "" {
		o.str("rp_api", b.rpAPI)
	}
	o.tri("orphaned", b.orphaned)
	return append(o.buf, '}')
}
