package generate

// The Persona server's census entries (docs/data.md 1.4): one per
// server-side event of every dialog session, sampled or not.

type censusType uint8

const (
	cNone censusType = iota
	cSignin
	cVerify
	cStageUser
	cStageEmail
	cStageReset
	cStageReverify
	cStageTransition
	cCompleteUserCreation
	cCompleteEmailConfirmation
	cCompleteReset
	cCompleteTransition
	cIdpAuthReturn
	cIdpAuthCancel
	cIdpCreateNewUser
	numCensusTypes
)

var censusNames = [numCensusTypes]string{
	cSignin:                    "signin",
	cVerify:                    "verify",
	cStageUser:                 "stage_user.success",
	cStageEmail:                "stage_email.success",
	cStageReset:                "stage_reset.success",
	cStageReverify:             "stage_reverify.success",
	cStageTransition:           "stage_transition.success",
	cCompleteUserCreation:      "complete_user_creation.success",
	cCompleteEmailConfirmation: "complete_email_confirmation.success",
	cCompleteReset:             "complete_reset.success",
	cCompleteTransition:        "complete_transition.success",
	cIdpAuthReturn:             "idp.auth_return",
	cIdpAuthCancel:             "idp.auth_cancel",
	cIdpCreateNewUser:          "idp.create_new_user",
}

func (t censusType) isIdP() bool { return t >= cIdpAuthReturn }

// maxCensus bounds one session's entries (the longest flow has four).
const maxCensus = 8

// Probabilities of the census that the dialog cannot see.
const (
	// verifyShare of assertions are verified by the site's backend.
	verifyShare = 0.97
	// confirmLater is the share of users who left the dialog while it
	// waited for their email and followed the link later without coming
	// back to a dialog: the server counts the confirmation, no blob shows
	// it (the gap of docs/data.md 2.5.8).
	confirmLater = 0.12
	// censusDupThreshold makes 0.5% of sessions have one census entry
	// delivered twice.
	censusDupThreshold = (1 << 64) / 1000 * 5
)

// count records a census entry of the session (from the census era on).
func (b *simBlob) count(t censusType) {
	if !b.era.census || t == cNone || b.nCensus == maxCensus {
		return
	}
	b.census[b.nCensus] = t
	b.nCensus++
}

// censusDup says which census entry of a session, if any, is delivered
// twice: ok is false for most sessions.
func censusDup(seed uint64, n int) (k int, ok bool) {
	h := mixSeed(seed, 0xd0b1e)
	if n == 0 || h >= censusDupThreshold {
		return 0, false
	}
	return int(h % uint64(n)), true
}

// Made-up sites and identity providers: census entries name them.
var (
	rpOrigins = newWeighted(
		weigh("https://example.org", 30), weigh("https://www.example.com", 22),
		weigh("https://shop.example.net", 12), weigh("https://news.example.org", 10),
		weigh("https://blog.example.com", 8), weigh("https://forum.example.net", 7),
		weigh("https://apps.example.org", 6), weigh("http://wiki.example.com", 3),
		weigh("https://example.edu", 2))
	idpDomains = newWeighted(
		weigh("mail.example.com", 45), weigh("example.org", 25),
		weigh("id.example.net", 18), weigh("example.edu", 12))
)

// appendCensusUA appends the user_agent member that all the session's
// census entries share. The device's names come from the generator's
// tables and need no escaping.
func (b *simBlob) appendCensusUA(buf []byte) []byte {
	buf = append(buf, `,"user_agent":{"os":"`...)
	buf = append(buf, b.dev.os...)
	buf = append(buf, `","browser":"`...)
	buf = append(buf, b.dev.browser...)
	buf = append(buf, `","version":"`...)
	buf = append(buf, b.dev.version...)
	return append(buf, `"}`...)
}

// appendCensus appends census entry k of the session as a KPIggybank row;
// ts is the slot's timestamp as text, ua the session's user_agent member.
func (b *simBlob) appendCensus(buf []byte, seed uint64, k int, ts, ua []byte) []byte {
	t := b.census[k]
	buf = append(buf, `{"id":"`...)
	buf = appendHex128(buf, mixSeed(seed, 0x100+uint64(k)), mixSeed(seed, 0x200+uint64(k)))
	buf = append(buf, `","key":`...)
	buf = append(buf, ts...)
	buf = append(buf, `,"value":{"type":"`...)
	buf = append(buf, censusNames[t]...)
	buf = append(buf, `","timestamp":`...)
	buf = append(buf, ts...)
	buf = append(buf, ua...)
	if t.isIdP() {
		buf = append(buf, `,"idp":"`...)
		buf = append(buf, b.idp...)
		buf = append(buf, '"')
	}
	buf = append(buf, `,"rp":"`...)
	buf = append(buf, b.rp...)
	return append(buf, `"}}`...)
}
