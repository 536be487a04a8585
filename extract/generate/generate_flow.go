package generate

import "strconv"

// The dialog's flows, as its state machine ran them and as its event
// stream recorded them (docs/data.md 1.6).

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
	flowReverify
	flowTransition
)

// The mix of sessions (per mille): about two thirds end in an assertion
// and one in seven is a new user. Phones bounce nearly twice as often and
// sign in with a password less, and drop-offs within the flows are
// likelier on them (simBlob.drop): of the dialogs shown, about 18% bounce
// on a desktop against 29% on a phone, and about 60% of the new users who
// choose a password get through against 42%.
var (
	desktopFlows = newWeighted(
		weigh(flowBounce, 110), weigh(flowPick, 355), weigh(flowPassword, 170),
		weigh(flowPrimaryReturning, 30), weigh(flowNewSecondary, 90), weigh(flowNewPrimary, 40),
		weigh(flowReset, 30), weigh(flowAddEmail, 28), weigh(flowContinuation, 25),
		weigh(flowCancel, 40), weigh(flowError, 25), weigh(flowLogout, 20),
		weigh(flowReverify, 8), weigh(flowTransition, 3),
	)
	phoneFlows = newWeighted(
		weigh(flowBounce, 210), weigh(flowPick, 330), weigh(flowPassword, 130),
		weigh(flowPrimaryReturning, 30), weigh(flowNewSecondary, 80), weigh(flowNewPrimary, 35),
		weigh(flowReset, 25), weigh(flowAddEmail, 15), weigh(flowContinuation, 20),
		weigh(flowCancel, 50), weigh(flowError, 35), weigh(flowLogout, 12),
		weigh(flowReverify, 5), weigh(flowTransition, 3),
	)
)

// Typical delays (ms) of the steps users take.
const (
	thinkPick     = 3500
	typeEmail     = 9000
	typePassword  = 6000
	choosePass    = 14000
	confirmEmail  = 100000 // switching to the mail client and back
	idpSignIn     = 25000
	giveUp        = 45000
	readAndCancel = 5000
)

// Which address a request's query string names (xhr.<url> era).
const (
	noAddr   int8 = 0
	userAddr int8 = 1
	newAddr  int8 = 2 // an address being added
)

func (b *simBlob) runFlow() {
	flows := &desktopFlows
	if b.dev.phone {
		flows = &phoneFlows
	}
	switch flows.pick(&b.rd) {
	case flowBounce:
		b.flowBounce()
	case flowPick:
		b.flowPick()
	case flowPassword:
		b.open("screen.authenticate")
		b.flowPassword()
	case flowPrimaryReturning:
		b.flowPrimary(false)
	case flowNewSecondary:
		b.flowNewSecondary(false)
	case flowNewPrimary:
		b.flowPrimary(true)
	case flowReset:
		b.flowReset()
	case flowAddEmail:
		b.flowAddEmail()
	case flowContinuation:
		b.flowNewSecondary(true)
	case flowCancel:
		b.flowCancel()
	case flowError:
		b.flowError()
	case flowLogout:
		b.flowLogout()
	case flowReverify:
		b.flowReverify()
	case flowTransition:
		b.flowTransition()
	}
}

// startup is the dialog loading: its page, the channel to the site, the
// site's info and the session context it asks for first. With stored
// data of the previous session, it posts that beside its work.
func (b *simBlob) startup() {
	b.wait(450*b.dev.load, 0.5)
	b.add(b.era.domLoading)
	b.wait(1150*b.dev.load, 0.45)
	b.add(b.era.channel)
	b.tick(1, 4)
	b.add("screen.rp_info")
	b.tick(1, 4)
	b.call(epSessionContext, noAddr)
	if !b.dry && b.rt.chance(0.05) {
		b.background(epInteractionData)
	}
}

// firstScreen shows the first screen; the dialog is then usable, and
// user.can_interact's offset is its load time as the user felt it.
func (b *simBlob) firstScreen(name string) {
	b.tick(6, 30)
	b.add(name)
	b.tick(5, 50)
	b.add("user.can_interact")
}

func (b *simBlob) open(first string) {
	b.startup()
	b.firstScreen(first)
}

// openPick opens on the returning user's addresses, fetched first.
func (b *simBlob) openPick() {
	b.startup()
	b.call(epListEmails, noAddr)
	first := "screen.pick_email"
	if b.era.requiredEmail && !b.dry && b.rt.chance(0.03) {
		first = "screen.required_email"
	}
	b.firstScreen(first)
	if b.era.oldPick {
		b.tick(1, 6)
		b.add("emails_displayed")
		b.tick(1, 3)
		b.add(emailCountName(b.numEmails))
	}
}

var emailCountNames = func() (names [25]string) {
	for i := range names {
		names[i] = "user.email_count:" + strconv.Itoa(i)
	}
	return names
}()

func emailCountName(n int) string { return emailCountNames[min(max(n, 0), len(emailCountNames)-1)] }

// assertion is the successful end: keys are made on the device, the
// server signs a certificate when the user has none (cert_key), and the
// assertion is signed. certP is the chance that a certificate is needed.
func (b *simBlob) assertion(certP float64) {
	b.tick(15, 90)
	b.add("generate_assertion")
	b.tick(1, 3)
	b.add("screen.generate_assertion")
	if !b.dry {
		c := min(max(int64(b.rt.lognormal(b.dev.cryptoMs, 0.5)), 35), 9000)
		if b.rt.chance(certP) {
			b.t += c * 6 / 10
			b.call(epCertKey, noAddr)
			c -= c * 6 / 10
		}
		b.t += c
	}
	b.add("assertion_generated")
	b.success = true
	if b.rc.chance(verifyShare) {
		b.count(cVerify)
	}
	b.close(350, 0.7, 0)
}

// flowBounce: the dialog is shown to a user who does not engage; on a
// slow load some leave before it is even usable.
func (b *simBlob) flowBounce() {
	b.newUser = !b.dry && b.rt.chance(0.4)
	b.startup()
	if b.dry || b.rt.chance(0.08*b.dev.load) {
		b.close(3000, 0.8, 0.02)
		return
	}
	b.firstScreen("screen.authenticate")
	b.close(7000, 1.2, 0.02)
}

func (b *simBlob) flowPick() {
	b.openPick()
	b.think(thinkPick)
	if b.drop(0.06) {
		b.leave(8000)
		return
	}
	b.emailType = "secondary"
	if !b.dry && b.rt.chance(0.22) {
		b.emailType = "primary"
	}
	if !b.dry && b.rt.chance(0.12) {
		b.call(epAddressInfo, userAddr)
	}
	b.assertion(0.45)
}

// quits is a drop-off of chance p (on a desktop): the user gives up and
// leaves the dialog.
func (b *simBlob) quits(p float64) bool {
	if b.drop(p) {
		b.leave(giveUp)
		return true
	}
	return false
}

// typeAddress is the user typing an address on the authenticate screen,
// which the dialog then looks up.
func (b *simBlob) typeAddress(emailType string) {
	b.emailType = emailType
	b.think(typeEmail)
	b.call(epAddressInfo, userAddr)
}

// flowPassword is a returning user who must sign in with a password;
// wrong passwords are retried a few times. The authenticate screen is
// shown.
func (b *simBlob) flowPassword() {
	b.typeAddress("secondary")
	if b.quits(0.07) {
		return
	}
	b.add("authenticate.enter_password")
	b.think(typePassword)
	if b.quits(0.06) {
		return
	}
	failP := 0.12
	for attempt := 0; ; attempt++ {
		b.add("authenticate.password_submitted")
		b.call(epAuthenticateUser, noAddr)
		b.tick(8, 45)
		if !b.chance(failP) {
			b.add("authenticate.password_success")
			break
		}
		b.add("authenticate.password_fail")
		if attempt == 3 || b.chance(0.3) {
			b.leave(giveUp)
			return
		}
		failP = 0.35
		b.think(typePassword)
	}
	if !b.dry && !b.dev.mobile && b.rt.chance(0.35) {
		b.screen("screen.is_this_your_computer")
		b.think(2500)
		if b.rt.chance(0.6) {
			b.call(epProlongSession, noAddr)
		}
	}
	if !b.dry && b.rt.chance(0.3) {
		b.call(epListEmails, noAddr)
		b.screen("screen.pick_email")
		b.think(thinkPick)
	}
	b.assertion(1)
}

// flowPrimary is an email whose provider vouches for it (an IdP): a new
// user verifies it at the provider and is provisioned; a returning user
// mostly is provisioned silently.
func (b *simBlob) flowPrimary(newUser bool) {
	b.newUser = newUser
	b.open("screen.authenticate")
	b.typeAddress("primary")
	b.isNew = newUser
	if b.chance(0.015) {
		b.screen("screen.primary_offline")
		b.leave(readAndCancel)
		return
	}
	if newUser || b.chance(0.3) {
		b.screen("screen.verify_primary_user")
		b.think(4000)
		if b.quits(0.18) {
			return
		}
		b.add("window.redirect_to_primary")
		b.wait(idpSignIn*b.slow(), 0.9)
		if b.drop(0.15) {
			// Lost at the provider's sign-in page, or cancelled there.
			if b.rc.chance(0.5) {
				b.count(cIdpAuthCancel)
			}
			b.leave(60000)
			return
		}
		b.count(cIdpAuthReturn)
	}
	b.screen("screen.provision_primary_user")
	b.wait(300, 0.6)
	b.call(epAuthWithAssertion, noAddr)
	if newUser {
		b.count(cIdpCreateNewUser)
		if !b.dry && b.rt.chance(0.5) {
			b.screen("screen.primary_user_provisioned")
		}
	}
	b.assertion(0)
}

// flowNewSecondary is a new user with an email Persona must verify. With
// continued, the dialog went away while it waited (a mobile browser
// reloading it, say) and came back after the email was confirmed: from
// 2013-06-14 the stream goes on with staging_continuation; before, the
// session simply ends orphaned.
func (b *simBlob) flowNewSecondary(continued bool) {
	b.newUser = true
	b.open("screen.authenticate")
	b.typeAddress("secondary")
	// Some never get past typing the email: a bounce for the outcome.
	if b.quits(0.08) {
		return
	}
	b.isNew = true
	b.screen("screen.set_password")
	b.think(choosePass)
	if b.quits(0.22) {
		return
	}
	s := staging{stage: epStageUser, staged: "user.user_staged", stagedC: cStageUser,
		status: epUserCreationStatus, addr: userAddr, leave: 0.28,
		confirmed: "user.user_confirmed", completeC: cCompleteUserCreation}
	b.sendEmail(&s)
	if continued {
		b.continuation()
	} else if b.awaitEmail(&s) {
		b.assertion(1)
	}
}

// continuation: the dialog is gone while the user confirms, then a new
// dialog load appends to the same stream.
func (b *simBlob) continuation() {
	b.poll(epUserCreationStatus, userAddr, 20000, 1)
	if !b.era.continuation {
		b.dropped = true
		if b.rc.chance(confirmLater) {
			b.count(cCompleteUserCreation)
		}
		b.close(500, 1, 0.03)
		return
	}
	b.close(500, 1, 0.03)
	b.wait(confirmEmail, 0.9)
	b.startup()
	b.tick(6, 30)
	b.add("staging_continuation")
	b.count(cCompleteUserCreation)
	if !b.dry && b.rt.chance(0.4) {
		b.call(epCompleteUserCreation, noAddr)
	}
	b.screen("screen.check_registration")
	b.tick(5, 50)
	b.add("user.can_interact")
	b.call(epUserCreationStatus, userAddr)
	b.add("user.user_confirmed")
	b.assertion(1)
}

// staging is an action that the server confirms by email: the request
// that stages it, what the dialog logs (nothing for "") and what the
// server counts when it is staged and when the email's link is followed.
type staging struct {
	stage              endpointID
	staged, confirmed  string
	stagedC, completeC censusType
	status             endpointID // polled while the dialog waits
	addr               int8       // the address the status polls name
	leave              float64    // chance, on a desktop, to close the dialog while waiting
}

// sendEmail stages s: the server sends the email, the dialog shows the
// screen that waits for it.
func (b *simBlob) sendEmail(s *staging) {
	b.call(s.stage, noAddr)
	if s.staged != "" {
		b.add(s.staged)
	}
	b.count(s.stagedC)
	b.screen("screen.check_registration")
}

// emailRoundTrip stages s and, when the user confirms with the dialog
// open, signs in.
func (b *simBlob) emailRoundTrip(s *staging) {
	b.sendEmail(s)
	if b.awaitEmail(s) {
		b.assertion(1)
	}
}

// awaitEmail polls the status until the user follows the email's link,
// and says whether that happened with the dialog still open. Some who
// closed it follow the link later anyway: the server counts those too.
func (b *simBlob) awaitEmail(s *staging) bool {
	if b.drop(s.leave) {
		b.dropped = true
		b.poll(s.status, s.addr, confirmEmail*2, 1)
		if b.rc.chance(confirmLater) {
			b.count(s.completeC)
		}
		b.close(1000, 1, 0.03)
		return false
	}
	b.poll(s.status, s.addr, confirmEmail, 0.9)
	if s.confirmed != "" {
		b.add(s.confirmed)
	}
	b.count(s.completeC)
	return true
}

func (b *simBlob) flowReset() {
	b.open("screen.authenticate")
	b.typeAddress("secondary")
	b.add("authenticate.enter_password")
	if !b.dry && b.rt.chance(0.6) {
		b.think(typePassword)
		b.add("authenticate.password_submitted")
		b.call(epAuthenticateUser, noAddr)
		b.tick(8, 45)
		b.add("authenticate.password_fail")
	}
	b.think(3000)
	if b.era.resetScreen {
		b.add("screen.reset_password")
	}
	b.think(choosePass)
	if b.quits(0.15) {
		return
	}
	s := staging{stage: epStageReset, staged: "user.reset_password_staged", stagedC: cStageReset,
		status: epPasswordResetStatus, addr: userAddr, leave: 0.3,
		confirmed: "user.reset_password_confirmed", completeC: cCompleteReset}
	b.emailRoundTrip(&s)
}

func (b *simBlob) flowAddEmail() {
	b.openPick()
	b.emailType = "secondary"
	b.think(thinkPick)
	b.add("screen.add_email")
	b.think(typeEmail)
	b.call(epAddressInfo, newAddr)
	if b.quits(0.15) {
		return
	}
	s := staging{stage: epStageEmail, staged: "user.email_staged", stagedC: cStageEmail,
		status: epEmailAdditionStatus, addr: newAddr, leave: 0.28,
		confirmed: b.era.emailConfirmed, completeC: cCompleteEmailConfirmation}
	b.emailRoundTrip(&s)
}

// flowReverify: an address that must be verified again before use.
func (b *simBlob) flowReverify() {
	b.openPick()
	b.emailType = "secondary"
	b.think(thinkPick)
	if b.quits(0.1) {
		return
	}
	s := staging{stage: epStageReverify, staged: "user.reverify_email_staged", stagedC: cStageReverify,
		status: epEmailReverifyStatus, addr: userAddr, leave: 0.3,
		confirmed: "user.reverify_email_confirmed"}
	b.emailRoundTrip(&s)
}

// flowTransition: the address's provider stopped vouching for it, so the
// user sets a password and confirms the address (from 2013-06-14; before,
// such a user signs in with a password).
func (b *simBlob) flowTransition() {
	b.open("screen.authenticate")
	if !b.era.continuation {
		b.flowPassword()
		return
	}
	b.typeAddress("secondary")
	b.screen("screen.set_password")
	b.think(choosePass)
	if b.quits(0.2) {
		return
	}
	// The dialog logs no event of its own for a transition.
	s := staging{stage: epStageTransition, stagedC: cStageTransition,
		status: epPasswordResetStatus, addr: userAddr, leave: 0.3, completeC: cCompleteTransition}
	b.emailRoundTrip(&s)
}

func (b *simBlob) flowCancel() {
	if !b.dry && b.rt.chance(0.5) {
		b.openPick()
	} else {
		b.open("screen.authenticate")
		b.newUser = !b.dry && b.rt.chance(0.5)
	}
	b.think(readAndCancel)
	b.add("screen.cancel")
	b.close(250, 0.7, 0)
}

// flowLogout is "this is not me": the user signs out and, most of the
// time, signs in with another account's password.
func (b *simBlob) flowLogout() {
	b.openPick()
	b.think(thinkPick)
	b.add("user.logout")
	b.call(epLogout, noAddr)
	b.screen("screen.authenticate")
	if b.quits(0.4) {
		return
	}
	b.flowPassword()
}

// errorKey is an error screen's key and the request whose failure shows
// it (numEndpoints for none: no HTTP status then).
type errorKey struct {
	key string
	ep  endpointID
}

var (
	// Errors on the first screen, as the session context arrives.
	startErrors = newWeighted(
		weigh(errorKey{"cookiesDisabled", numEndpoints}, 45), weigh(errorKey{"xhrError", epSessionContext}, 30),
		weigh(errorKey{"checkAuthentication", epSessionContext}, 15), weigh(errorKey{"syncEmails", epListEmails}, 10))
	// Errors after the user acted on the pick screen ...
	pickErrors = newWeighted(
		weigh(errorKey{"getAssertion", numEndpoints}, 30), weigh(errorKey{"xhrError", epCertKey}, 25),
		weigh(errorKey{"syncAddress", epAddressInfo}, 15), weigh(errorKey{"signIn", epCertKey}, 10),
		weigh(errorKey{"logoutUser", epLogout}, 5), weigh(errorKey{"addEmail", epStageEmail}, 8),
		weigh(errorKey{"verifyEmail", epEmailAdditionStatus}, 7))
	// ... or on the authenticate screen.
	authErrors = newWeighted(
		weigh(errorKey{"addressInfo", epAddressInfo}, 25), weigh(errorKey{"xhrError", epAddressInfo}, 20),
		weigh(errorKey{"isEmailRegistered", epAddressInfo}, 8), weigh(errorKey{"authenticate", epAuthenticateUser}, 12),
		weigh(errorKey{"createUser", epStageUser}, 8), weigh(errorKey{"signUp", epStageUser}, 4),
		weigh(errorKey{"setPassword", epStageUser}, 3), weigh(errorKey{"registration", epUserCreationStatus}, 3),
		weigh(errorKey{"waitForUserValidation", epUserCreationStatus}, 3), weigh(errorKey{"requestPasswordReset", epStageReset}, 4),
		weigh(errorKey{"primaryAuthentication", epAuthWithAssertion}, 3), weigh(errorKey{"provisioningPrimary", numEndpoints}, 3),
		weigh(errorKey{"provisioningBadPrimary", numEndpoints}, 2), weigh(errorKey{"cancelUser", numEndpoints}, 2))
	errorStatuses = newWeighted(
		weigh(503, 45), weigh(500, 25), weigh(502, 8), weigh(400, 8), weigh(403, 5), weigh(404, 5), weigh(429, 4))
)

func (b *simBlob) flowError() {
	b.newUser = !b.dry && b.rt.chance(0.3)
	if b.chance(0.25) {
		// Fails before the dialog can show anything.
		b.startup()
		if !b.dry {
			b.errorScreen(startErrors.pick(&b.rt))
		}
		b.close(6000, 0.7, 0)
		return
	}
	if b.chance(0.5) {
		b.openPick()
		b.think(thinkPick)
		if !b.dry {
			b.errorScreen(pickErrors.pick(&b.rt))
		}
	} else {
		b.open("screen.authenticate")
		b.think(typeEmail)
		if !b.dry {
			b.errorScreen(authErrors.pick(&b.rt))
		}
	}
	b.close(6000, 0.7, 0)
}

// errorScreen shows screen.error.<key>, with .<status> when a request
// failed with one; until mid-2013 a quarter are a bare screen.error.
func (b *simBlob) errorScreen(k errorKey) {
	status := 0
	if k.ep < numEndpoints {
		if k.ep != epSessionContext { // the start-up's request failed
			b.call(k.ep, userAddr)
		}
		if b.rt.chance(0.7) {
			status = errorStatuses.pick(&b.rt)
		}
	} else {
		b.wait(3000, 1) // a timeout or a failure on the device
	}
	b.tick(10, 60)
	switch {
	case b.era.bareError && b.rt.chance(0.25):
		b.add("screen.error.")
	case status > 0:
		b.add(errorNames.withStatus(k.key, status))
	default:
		b.add(errorNames.plain(k.key))
	}
}

// errorNames holds every error screen's name, built once, so that blobs
// share the strings instead of allocating them.
var errorNames = buildErrorNames()

type errorNameTable struct {
	plainNames  map[string]string
	statusNames map[string]map[int]string
}

func buildErrorNames() errorNameTable {
	t := errorNameTable{plainNames: map[string]string{}, statusNames: map[string]map[int]string{}}
	for _, tab := range []*weighted[errorKey]{&startErrors, &pickErrors, &authErrors} {
		for _, k := range tab.vals {
			t.plainNames[k.key] = "screen.error." + k.key
			m := t.statusNames[k.key]
			if m == nil {
				m = map[int]string{}
				t.statusNames[k.key] = m
			}
			for _, s := range errorStatuses.vals {
				m[s] = "screen.error." + k.key + "." + strconv.Itoa(s)
			}
		}
	}
	return t
}

func (t errorNameTable) plain(key string) string { return t.plainNames[key] }

func (t errorNameTable) withStatus(key string, status int) string { return t.statusNames[key][status] }
