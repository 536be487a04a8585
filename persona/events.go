package persona

import (
	"regexp"
	"slices"
	"strings"

	"github.com/persona-kpi/kpi/internal/redact"
)

// Event names of the dialog (docs/data.md §1.6) that kpi's code looks for: its
// flows and the new-user rule that makes a blob's EmailType Fallback.
const (
	WindowRedirectToPrimary = "window.redirect_to_primary"
	WindowUnload            = "window.unload"

	ScreenRPInfo               = "screen.rp_info"
	ScreenSetPassword          = "screen.set_password"
	ScreenPickEmail            = "screen.pick_email"
	ScreenProvisionPrimaryUser = "screen.provision_primary_user"
	ScreenVerifyPrimaryUser    = "screen.verify_primary_user"

	UserUserStaged             = "user.user_staged"
	UserUserConfirmed          = "user.user_confirmed"
	UserEmailStaged            = "user.email_staged"
	UserEmailConfirmed         = "user.email_confirmed"
	UserResetPasswordStaged    = "user.reset_password_staged"
	UserResetPasswordConfirmed = "user.reset_password_confirmed"
	UserLogout                 = "user.logout"

	AuthenticateEnterPassword     = "authenticate.enter_password"
	AuthenticatePasswordSubmitted = "authenticate.password_submitted"
	AuthenticatePasswordSuccess   = "authenticate.password_success"
	AuthenticatePasswordFail      = "authenticate.password_fail"

	GenerateAssertion   = "generate_assertion"
	AssertionGenerated  = "assertion_generated"
	StagingContinuation = "staging_continuation"
)

// UserEmailConfirmedTypo is how the dialog spelled UserEmailConfirmed from
// 2012-05-30 to 2012-08-21.
const UserEmailConfirmedTypo = "user.email_confrimed"

// EventName is the name an event is stored and matched under:
//   - a query string is never part of an event's identity: from 2012-10
//     to 2013-02-14 XHR events were named xhr.<url> with it, the user's
//     e-mail address among its parameters (xhr./wsapi/user_creation_status?email=…);
//     it is cut off, and any e-mail address left is masked, so none is
//     ever stored or published;
//   - the dialog's historical typo becomes UserEmailConfirmed, its name
//     before and after.
func EventName(name string) string {
	if i := strings.IndexByte(name, '?'); i >= 0 {
		name = name[:i]
	}
	if name == UserEmailConfirmedTypo {
		return UserEmailConfirmed
	}
	return redact.Emails(name)
}

// The dialog's vocabulary (docs/data.md §1.6), as names are stored: after
// EventName, so without query strings and with the typo fixed. The data
// health page lists the names outside it as unrecognised; transform and
// compute do not need it, since a KPI looks for the names it counts.

// EventNames are the names the dialog sent, exactly, besides the families
// of EventPatterns: start-up, user actions and the names of 2012.
var EventNames = []string{
	// Window and start-up.
	"window.dom_loading", "window.channel_established", "user.can_interact",
	WindowRedirectToPrimary, WindowUnload,
	// User actions.
	UserUserStaged, UserUserConfirmed, UserEmailStaged, UserEmailConfirmed, UserEmailConfirmedTypo,
	UserResetPasswordStaged, UserResetPasswordConfirmed,
	"user.reverify_email_staged", "user.reverify_email_confirmed", UserLogout,
	AuthenticateEnterPassword, AuthenticatePasswordSubmitted, AuthenticatePasswordSuccess, AuthenticatePasswordFail,
	GenerateAssertion, AssertionGenerated, StagingContinuation,
	// An XHR the dialog could not name.
	"xhr.malformed_report",
	// Names of 2012 (window.get_called became window.channel_established).
	"emails_displayed", "window.opened", "window.get_called", "window.javascript_start",
}

// EventPatterns are the families of names, as anchored RE2 patterns (the
// syntax of Go's regexp and of DuckDB's regexp_full_match):
//
//   - screen.<name>: every screen the state machine opens (rp_info,
//     authenticate, ...; older ones too), lower case words;
//   - screen.error.<key> and screen.error.<key>.<status>, the status an
//     HTTP status of 400 or more (screen.error.xhrError.503), and the bare
//     screen.error. of dialogs before mid-2013;
//   - xhr_complete.<METHOD>/wsapi/<endpoint>, the XHR events since
//     2012-10-09;
//   - xhr./wsapi/<endpoint>, their names of 2012-10 to 2013-02-14 (the
//     query string cut off);
//   - user.email_count:<n>, a name of 2012 with the count in it.
var EventPatterns = []string{
	`screen\.[a-z][a-z_]*`,
	`screen\.error\.([A-Za-z]+(\.[1-5][0-9][0-9])?)?`,
	`xhr_complete\.(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH)/wsapi/[a-z_]+`,
	`xhr\./wsapi/[a-z_]+`,
	`user\.email_count:[0-9]+`,
}

// VocabularyPattern is one anchored RE2 pattern matching exactly the
// names of EventNames, the families of EventPatterns and extra (the
// events of configured flows, say): for DuckDB's regexp_full_match, and
// the pattern KnownEvent uses.
func VocabularyPattern(extra ...string) string {
	alts := make([]string, 0, len(EventPatterns)+len(EventNames)+len(extra))
	for _, p := range EventPatterns {
		alts = append(alts, "(?:"+p+")")
	}
	for _, n := range append(slices.Clone(EventNames), extra...) {
		alts = append(alts, regexp.QuoteMeta(n))
	}
	return strings.Join(alts, "|")
}

var vocabulary = regexp.MustCompile(`^(?:` + VocabularyPattern() + `)$`)

// KnownEvent reports whether a stored event name is in the dialog's
// vocabulary.
func KnownEvent(name string) bool { return vocabulary.MatchString(name) }

// ServerEventTypes are the types of the server's census entries
// (docs/data.md §1.4), in the order the data health page shows them: the
// dialog served and assertions verified, confirmation emails sent, their
// links followed, and identity providers' returns.
var ServerEventTypes = []string{
	"signin", "verify",
	"stage_user.success", "stage_email.success", "stage_reset.success", "stage_reverify.success", "stage_transition.success",
	"complete_user_creation.success", "complete_email_confirmation.success", "complete_reset.success", "complete_transition.success",
	"idp.auth_return", "idp.auth_cancel", "idp.create_new_user",
}
