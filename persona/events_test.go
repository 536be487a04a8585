package persona

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEventNameFixesTheTypoOnly(t *testing.T) {
	assert.Equal(t, "user.email_confirmed", EventName("user.email_confrimed"))
	assert.Equal(t, "user.email_confirmed", EventName("user.email_confirmed"))
	assert.Equal(t, "screen.rp_info", EventName("screen.rp_info"))
	assert.Equal(t, "", EventName(""))
}

func TestEventNameDropsQueryStringsAndEmailAddresses(t *testing.T) {
	for in, want := range map[string]string{
		"xhr./wsapi/user_creation_status?email=someone%40example.org": "xhr./wsapi/user_creation_status",
		"xhr./wsapi/address_info?email=a@b.org&x=1":                   "xhr./wsapi/address_info",
		"xhr./wsapi/session_context":                                  "xhr./wsapi/session_context",
		"xhr_complete.GET/wsapi/session_context":                      "xhr_complete.GET/wsapi/session_context",
		"xhr./wsapi/someone@example.org/stage":                        "xhr./wsapi/<email>/stage",
		"user.email_confrimed?x":                                      "user.email_confirmed",
	} {
		assert.Equal(t, want, EventName(in), in)
	}
}

// TestVocabularyKnowsTheProductionNames: every name of docs/data.md §1.6,
// as stored (after EventName), is known; a name of another shape is not.
func TestVocabularyKnowsTheProductionNames(t *testing.T) {
	for _, name := range []string{
		"window.dom_loading", "window.channel_established", "user.can_interact", "window.redirect_to_primary", "window.unload",
		"screen.rp_info", "screen.authenticate", "screen.is_this_your_computer", "screen.primary_user_not_provisioned",
		"screen.reset_password", "screen.required_email",
		"screen.error.xhrError.503", "screen.error.xhrError", "screen.error.cookiesDisabled", "screen.error.getAssertion",
		"screen.error.waitForUserValidation", "screen.error.provisioningBadPrimary.401", "screen.error.",
		"user.user_staged", "user.user_confirmed", "user.email_staged", "user.email_confirmed", "user.email_confrimed",
		"user.reset_password_staged", "user.reset_password_confirmed",
		"user.reverify_email_staged", "user.reverify_email_confirmed", "user.logout",
		"authenticate.enter_password", "authenticate.password_submitted", "authenticate.password_success", "authenticate.password_fail",
		"generate_assertion", "assertion_generated", "staging_continuation",
		"xhr_complete.GET/wsapi/session_context", "xhr_complete.POST/wsapi/authenticate_user", "xhr_complete.POST/wsapi/cert_key",
		"xhr_complete.GET/wsapi/user_creation_status", "xhr.malformed_report",
		"emails_displayed", "user.email_count:3", "user.email_count:12", "window.opened", "window.get_called", "window.javascript_start",
		EventName("xhr./wsapi/user_creation_status?email=someone%40example.org"),
	} {
		assert.True(t, KnownEvent(name), name)
	}
	for _, name := range []string{
		"dialog.new_thing", "", "screen.", "screen.RP_INFO", "screen.rp_info ", " screen.rp_info", "screen.error.xhrError.5033",
		"screen.error.xhr-Error", "screen.error.xhrError.", "xhr_complete.GET/wsapi/", "xhr_complete.FETCH/wsapi/session_context",
		"xhr_complete.GET/other/session_context", "xhr./wsapi/<email>/stage", "user.email_count:", "user.email_count:x",
		"window.dom_loadingx", "xwindow.dom_loading", "user.can_interact\n", "<script>alert(1)</script>",
		"window.dom.loading", // the dot of a name is not a wildcard
	} {
		assert.False(t, KnownEvent(name), name)
	}
}

// TestVocabularyPatternTakesExtraNamesLiterally: names from the
// configuration are quoted, so a dot or a bracket in one matches itself.
func TestVocabularyPatternTakesExtraNamesLiterally(t *testing.T) {
	re := regexp.MustCompile(`^(?:` + VocabularyPattern("my.event[1]") + `)$`)
	assert.True(t, re.MatchString("my.event[1]"))
	assert.False(t, re.MatchString("myxevent1"))
	assert.True(t, re.MatchString("screen.rp_info"))
}
