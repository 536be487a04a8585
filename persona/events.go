package persona

import (
	"strings"

	"github.com/persona-kpi/kpi/internal/redact"
)

// Event names of the dialog (docs/data.md §1.6) that kpi's code looks for: its
// flows, the new-user rule that makes a blob's EmailType Fallback, and the
// names the data health page recognises.
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

// KnownEvents are the names of docs/data.md §1.6, outside screen.*, that the
// data health page does not list as unrecognised (besides those of the
// configured flows).
var KnownEvents = []string{
	WindowRedirectToPrimary, WindowUnload, GenerateAssertion, AssertionGenerated,
	UserUserStaged, UserUserConfirmed, UserEmailStaged, UserEmailConfirmedTypo,
	UserEmailConfirmed, UserResetPasswordStaged, UserResetPasswordConfirmed,
	UserLogout, AuthenticateEnterPassword, AuthenticatePasswordSubmitted,
	AuthenticatePasswordSuccess, AuthenticatePasswordFail, StagingContinuation,
}
