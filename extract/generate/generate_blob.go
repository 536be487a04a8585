package generate

import (
	"strconv"
)

// One simulated dialog session and its interaction blob.

type simEvent struct {
	name string
	at   int64 // ms since the dialog opened
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
	events []simEvent
	t      int64
	dev    simDevice

	success, dropped bool
	isNew            bool // the server said the email is new: new_account

	stream    streamKind
	badPair   int // shape of the malformed pair
	badPairAt int
	ts        tsKind

	sampleRate           float64 // 0 when missing
	lang                 string  // "" when missing
	hasScreen, hasUA     bool
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

func (b *simBlob) add(name string) { b.events = append(b.events, simEvent{name, b.t}) }

// wait advances the clock by a lognormal delay of at least 1 ms, so
// offsets strictly increase.
func (b *simBlob) wait(r *simRand, median, sigma float64) {
	d := int64(r.lognormal(median, sigma))
	if d < 1 {
		d = 1
	}
	if limit := int64(median * 25); d > limit {
		d = limit
	}
	b.t += d
}

// slow scales delays: mobile users are slower at loading and typing.
func (b *simBlob) slow() float64 {
	if b.dev.mobile {
		return 1.6
	}
	return 1
}

func (b *simBlob) open(r *simRand) {
	b.wait(r, 650*b.slow(), 0.55)
	b.add("screen.rp_info")
}

// screen shows a screen shortly after the previous step.
func (b *simBlob) screen(r *simRand, name string) {
	b.wait(r, 160, 0.6)
	b.add(name)
}

func (b *simBlob) think(r *simRand, median float64) { b.wait(r, median*b.slow(), 0.8) }

// assertion is the successful end: the crypto time depends on the device.
func (b *simBlob) assertion(r *simRand) {
	b.screen(r, "screen.generate_assertion")
	b.wait(r, 40, 0.5)
	b.add("generate_assertion")
	c := int64(r.lognormal(b.dev.cryptoMs, 0.5))
	c = min(max(c, 35), 9000)
	b.t += c
	b.add("assertion_generated")
	b.success = true
	b.close(r, 350)
}

func (b *simBlob) close(r *simRand, median float64) {
	b.wait(r, median, 0.7)
	b.add("window.unload")
}

// leave is a drop-off mid-flow: the dialog is orphaned, and now and then
// the browser is killed before window.unload can be logged.
func (b *simBlob) leave(r *simRand, median float64) {
	b.dropped = true
	b.wait(r, median, 1.0)
	if !r.chance(0.03) {
		b.add("window.unload")
	}
}

type flowKind uint8

const (
	flowBounce flowKind = iota
	flowPick
	flowPassword
	flowPrimaryReturning
	flowNewSecondary
	flowNewPrimary
	flowReset
	flowAddEmail
	flowContinuation
	flowCancel
	flowError
	flowLogout
)

// flowTable is the mix of sessions (per mille): about two thirds end in an
// assertion, a bounce rate near 18%, new users about one blob in seven.
var flowTable = newWeighted(
	weigh(flowBounce, 120), weigh(flowPick, 355), weigh(flowPassword, 170),
	weigh(flowPrimaryReturning, 30), weigh(flowNewSecondary, 90), weigh(flowNewPrimary, 40),
	weigh(flowReset, 30), weigh(flowAddEmail, 30), weigh(flowContinuation, 25),
	weigh(flowCancel, 40), weigh(flowError, 25), weigh(flowLogout, 20),
)

// Typical delays (ms) of the steps users take.
const (
	thinkPick     = 3500
	typeEmail     = 9000
	typePassword  = 6000
	choosePass    = 14000
	serverCheck   = 450
	confirmEmail  = 150000 // switching to the mail client and back
	idpSignIn     = 25000
	giveUp        = 45000
	readAndCancel = 5000
)

// simulate fills b with one session: the device, the flow of events, the
// user's fields, then the quirks real data has.
func (b *simBlob) simulate(r *simRand) {
	pickDevice(r, &b.dev)
	newUser := false
	switch flowTable.pick(r) {
	case flowBounce:
		b.open(r)
		b.wait(r, 7000, 1.2)
		if !r.chance(0.02) {
			b.add("window.unload")
		}
		newUser = r.chance(0.4)
	case flowPick:
		b.flowPick(r)
	case flowPassword:
		b.open(r)
		b.flowPassword(r)
	case flowPrimaryReturning:
		b.flowPrimary(r, false)
	case flowNewSecondary:
		newUser = true
		b.flowNewSecondary(r)
	case flowNewPrimary:
		newUser = true
		b.flowPrimary(r, true)
	case flowReset:
		b.flowReset(r)
	case flowAddEmail:
		b.flowAddEmail(r)
	case flowContinuation:
		newUser = true
		b.flowContinuation(r)
	case flowCancel:
		b.open(r)
		if r.chance(0.5) {
			b.screen(r, "screen.pick_email")
		} else {
			b.screen(r, "screen.authenticate")
			newUser = r.chance(0.5)
		}
		b.think(r, readAndCancel)
		b.add("screen.cancel")
		b.close(r, 250)
	case flowError:
		b.flowError(r)
		newUser = r.chance(0.3)
	case flowLogout:
		b.flowLogout(r)
	}
	b.fields(r, newUser)
	b.quirks(r)
}

func (b *simBlob) flowPick(r *simRand) {
	b.open(r)
	b.screen(r, "screen.pick_email")
	b.think(r, thinkPick)
	if r.chance(0.06) {
		b.leave(r, 8000)
		return
	}
	b.emailType = "secondary"
	if r.chance(0.22) {
		b.emailType = "primary"
	}
	b.assertion(r)
}

// flowPassword is a returning user who must sign in with a password;
// wrong passwords are retried a few times.
func (b *simBlob) flowPassword(r *simRand) {
	b.screen(r, "screen.authenticate")
	b.think(r, typeEmail)
	b.emailType = "secondary"
	if r.chance(0.07) {
		b.leave(r, giveUp)
		return
	}
	b.add("authenticate.enter_password")
	b.think(r, typePassword)
	if r.chance(0.06) {
		b.leave(r, giveUp)
		return
	}
	failP := 0.12
	for attempt := 0; ; attempt++ {
		b.add("authenticate.password_submitted")
		b.wait(r, serverCheck, 0.5)
		if !r.chance(failP) {
			b.add("authenticate.password_success")
			break
		}
		b.add("authenticate.password_fail")
		if attempt == 3 || r.chance(0.3) {
			b.leave(r, giveUp)
			return
		}
		failP = 0.35
		b.think(r, typePassword)
	}
	if r.chance(0.3) {
		b.screen(r, "screen.pick_email")
		b.think(r, thinkPick)
	}
	b.assertion(r)
}

// flowPrimary is an email whose provider vouches for it (an IdP): a new
// user verifies it at the provider and is provisioned; a returning user
// mostly is provisioned silently.
func (b *simBlob) flowPrimary(r *simRand, newUser bool) {
	b.open(r)
	b.emailType = "primary"
	b.screen(r, "screen.authenticate")
	b.think(r, typeEmail)
	b.isNew = newUser
	if newUser || r.chance(0.3) {
		b.screen(r, "screen.verify_primary_user")
		b.think(r, 4000)
		if r.chance(0.18) {
			b.leave(r, giveUp)
			return
		}
		b.add("window.redirect_to_primary")
		b.wait(r, idpSignIn*b.slow(), 0.9)
		if r.chance(0.15) {
			// Lost at the provider's sign-in page.
			b.leave(r, 60000)
			return
		}
	}
	b.screen(r, "screen.provision_primary_user")
	b.wait(r, 900, 0.6)
	b.assertion(r)
}

// flowNewSecondary is a new user with an email Persona must verify.
func (b *simBlob) flowNewSecondary(r *simRand) {
	b.open(r)
	b.screen(r, "screen.authenticate")
	b.emailType = "secondary"
	b.think(r, typeEmail)
	if r.chance(0.08) {
		// Never got past typing the email: a bounce for the outcome.
		b.leave(r, giveUp)
		return
	}
	b.isNew = true
	b.screen(r, "screen.set_password")
	b.think(r, choosePass)
	if r.chance(0.22) {
		b.leave(r, giveUp)
		return
	}
	if !b.awaitEmail(r, "user.user_staged", 0.3) {
		return
	}
	b.add("user.user_confirmed")
	b.assertion(r)
}

// awaitEmail sends the confirmation email of a staged action and waits
// for the user to open it. It is false when the user closed the dialog
// while waiting (a new user may come back later as a staging_continuation).
func (b *simBlob) awaitEmail(r *simRand, staged string, leave float64) bool {
	b.add(staged)
	b.screen(r, "screen.check_registration")
	if r.chance(leave) {
		b.leave(r, confirmEmail*2)
		return false
	}
	b.wait(r, confirmEmail, 0.9)
	return true
}

func (b *simBlob) flowReset(r *simRand) {
	b.open(r)
	b.emailType = "secondary"
	b.screen(r, "screen.authenticate")
	b.think(r, typeEmail)
	b.add("authenticate.enter_password")
	if r.chance(0.6) {
		b.think(r, typePassword)
		b.add("authenticate.password_submitted")
		b.wait(r, serverCheck, 0.5)
		b.add("authenticate.password_fail")
	}
	b.think(r, 3000)
	b.add("screen.reset_password")
	b.think(r, choosePass)
	if r.chance(0.15) {
		b.leave(r, giveUp)
		return
	}
	if !b.awaitEmail(r, "user.reset_password_staged", 0.3) {
		return
	}
	b.add("user.reset_password_confirmed")
	b.assertion(r)
}

func (b *simBlob) flowAddEmail(r *simRand) {
	b.open(r)
	b.emailType = "secondary"
	b.screen(r, "screen.pick_email")
	b.think(r, thinkPick)
	b.add("screen.add_email")
	b.think(r, typeEmail)
	if r.chance(0.15) {
		b.leave(r, giveUp)
		return
	}
	if !b.awaitEmail(r, "user.email_staged", 0.28) {
		return
	}
	// The dialog logged its historical typo; a fixed build the right name.
	if r.chance(0.06) {
		b.add("user.email_confirmed")
	} else {
		b.add("user.email_confrimed")
	}
	b.assertion(r)
}

// flowContinuation resumes a new user's staging in a fresh dialog after
// the email link was opened elsewhere: no rp_info screen.
func (b *simBlob) flowContinuation(r *simRand) {
	b.emailType = "secondary"
	b.isNew = true
	b.wait(r, 500*b.slow(), 0.5)
	b.add("staging_continuation")
	b.screen(r, "screen.check_registration")
	if r.chance(0.15) {
		b.leave(r, confirmEmail)
		return
	}
	b.wait(r, 8000, 1.3)
	b.add("user.user_confirmed")
	b.assertion(r)
}

var errorScreens = newWeighted(
	weigh("screen.error", 60), weigh("screen.error.xhr", 25), weigh("screen.error.cookies_disabled", 15))

func (b *simBlob) flowError(r *simRand) {
	name := errorScreens.pick(r)
	if name == "screen.error.cookies_disabled" {
		// Fails before the dialog can show anything.
		b.wait(r, 500*b.slow(), 0.5)
		b.add(name)
		b.close(r, 6000)
		return
	}
	b.open(r)
	if r.chance(0.5) {
		b.screen(r, "screen.pick_email")
		b.think(r, thinkPick)
		b.wait(r, 3000, 1) // request times out
	} else {
		b.screen(r, "screen.authenticate")
		b.think(r, typeEmail)
		b.wait(r, 2000, 1)
	}
	b.add(name)
	b.close(r, 6000)
}

// flowLogout is "this is not me": the user signs out and, most of the
// time, signs in with another account's password.
func (b *simBlob) flowLogout(r *simRand) {
	b.open(r)
	b.screen(r, "screen.pick_email")
	b.think(r, thinkPick)
	b.add("user.logout")
	if r.chance(0.4) {
		b.screen(r, "screen.authenticate")
		b.leave(r, giveUp)
		return
	}
	b.flowPassword(r)
}

// Shapes of a malformed pair (see appendStream), the first two most often.
var badPairShapes = newWeighted(weigh(0, 40), weigh(1, 35), weigh(2, 10), weigh(3, 10), weigh(4, 5))

var sampleRates = newWeighted(weigh(1.0, 86), weigh(0.5, 9), weigh(0.1, 5))

// fields sets the non-event fields the dialog whitelists.
func (b *simBlob) fields(r *simRand, newUser bool) {
	b.sampleRate = sampleRates.pick(r)
	b.lang = langs.pick(r)
	// The internal API serves native apps, so it is mostly seen on
	// phones and tablets, Firefox OS's Marketplace above all.
	switch {
	case b.dev.os == "FirefoxOS" && r.chance(0.55):
		b.rpAPI = "internal"
	case b.dev.mobile && r.chance(0.2):
		b.rpAPI = "internal"
	default:
		b.rpAPI = rpAPIs.pick(r)
	}
	b.hasScreen, b.hasUA = true, true
	if newUser {
		b.numEmails, b.sites, b.remembered = 0, 0, 0
	} else {
		switch x := r.intn(100); {
		case x < 55:
			b.numEmails = 1
		case x < 80:
			b.numEmails = 2
		case x < 90:
			b.numEmails = 3
		default:
			b.numEmails = 4 + r.geometric(0.4, 20)
		}
		b.sites = 1 + r.geometric(0.3, 60)
		b.remembered = r.intn(b.sites + 1)
	}
	b.newAccount = triOf(b.isNew)
	b.orphaned = triOf(b.dropped && !b.success)
	switch x := r.intn(1000); {
	case x < 700:
		b.sitesName = 0
	case x < 840:
		b.sitesName = 1
	case x < 985:
		b.sitesName = 2
	default:
		b.sitesName = sitesBoth
	}
}

// quirks applies, at small rates, the mess real data has (docs/data.md §1.2–1.5).
func (b *simBlob) quirks(r *simRand) {
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
		b.badPairAt = r.intn(len(b.events))
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
			b.dev.os = v
		case 2:
			b.hasUA = true
			b.dev.browser = v
		default:
			// A made-up event sent by a tampered client.
			b.wait(r, 50, 1)
			b.add(v)
		}
	}
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
	for i, e := range b.events {
		if i > 0 {
			buf = append(buf, ',')
		}
		if b.stream == streamBadPair && i == b.badPairAt {
			switch b.badPair {
			case 0: // the offset is lost
				buf = append(buf, '[')
				buf = appendJSONString(buf, e.name)
				buf = append(buf, ']')
			case 1: // the name is a number
				buf = append(buf, '[', '1', '2', ',')
				buf = strconv.AppendInt(buf, e.at, 10)
				buf = append(buf, ']')
			case 2: // a bare name, not a pair
				buf = appendJSONString(buf, e.name)
			case 3:
				buf = append(buf, '[')
				buf = appendJSONString(buf, e.name)
				buf = append(buf, ",null]"...)
			default:
				buf = append(buf, '[', ']')
			}
			continue
		}
		buf = append(buf, '[')
		buf = appendJSONString(buf, e.name)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, e.at, 10)
		buf = append(buf, ']')
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
		o.buf = appendJSONString(o.buf, b.dev.os)
		o.buf = append(o.buf, `,"browser":`...)
		o.buf = appendJSONString(o.buf, b.dev.browser)
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
