package reports

// knownKPI is what the report knows about a KPI of KPIS.md §6 without a
// kpis table: it fills the blanks of a definition and orders the pages as
// the original dashboard's tabs were ordered.
type knownKPI struct {
	order                                    int
	title, question, unit, kind, description string
}

var knownKPIs = map[string]knownKPI{
	"new_user_flow": {1, "New user flow", "Can new users sign up and sign in?", "count", "funnel",
		"Dialog sessions of new users reaching each step of the sign-up flow: enter email, choose password, verify email, signed in."},
	"new_user_success": {2, "New user success", "What share of new users succeed in signing in?", "rate", "timeseries",
		"New users who ended signed in (through their email provider or through Persona) out of all new users who were shown the dialog."},
	"new_users": {3, "New users per day", "How many new users sign in each day?", "count", "timeseries",
		"Dialog sessions in which a new user ended signed in, through their email provider or through Persona."},
	"password_reset_flow": {4, "Password reset flow", "Can users reset their password?", "count", "funnel",
		"Dialog sessions reaching each step of the password reset flow: begin reset, new password confirmed, signed in."},
	"sites_signed_in": {5, "Persona adoption", "On how many sites are Persona users signed in?", "mean", "timeseries",
		"Mean number of sites the user is signed in to, as reported by each dialog session. Users who sign in often send more sessions, so this is not the mean per user."},
	"sign_in_attempts": {6, "Sign-in attempts", "How often do people try to sign in with Persona?", "count", "timeseries",
		"Dialog sessions that sent interaction data: each approximates one sign-in attempt."},
	"new_user_bounce": {7, "New user bounce rate", "How many potential new users leave without engaging?", "rate", "timeseries",
		"Sessions that were shown the dialog but never engaged with it, out of all new-user outcomes."},
	"bounce_rate": {8, "Bounce rate", "How many people leave the dialog without engaging?", "rate", "timeseries",
		"One minus the share of sessions shown the dialog in which the user engaged with it."},
	"general_progress": {9, "General progress", "How far do sessions get through the dialog?", "count", "funnel",
		"Dialog sessions reaching each milestone: blob sent, dialog shown, user engaged, error screen, signed in."},
	"email_addition_flow": {10, "Email addition flow", "Do users manage to add another email address?", "count", "funnel",
		"Dialog sessions reaching each step of adding an email address: add email, email confirmed, signed in."},
	"orphaned_rate":           {11, "Orphaned dialogs", "How often is the dialog closed in the middle of a flow?", "rate", "timeseries", ""},
	"assertion_time":          {12, "Assertion generation time", "How long does generating an assertion take on users' devices?", "ms", "quantiles", ""},
	"email_confirmation_time": {13, "Email confirmation time", "How long do new users take to confirm their email address?", "ms", "quantiles", ""},
}

// lowerIsBetter lists the known KPIs for which a fall is good news; for
// the other known KPIs a rise is. Unknown KPIs get no judgement.
var lowerIsBetter = map[string]bool{
	"new_user_bounce": true, "bounce_rate": true, "orphaned_rate": true,
	"assertion_time": true, "email_confirmation_time": true,
}

// judge says whether a change in direction dir ("up", "down", "flat") is
// good or bad news for KPI id: "good", "bad" or "" when unknown or flat.
func judge(id, dir string) string {
	if _, known := knownKPIs[id]; !known || (dir != "up" && dir != "down") {
		return ""
	}
	if (dir == "up") != lowerIsBetter[id] {
		return "good"
	}
	return "bad"
}

func kpiOrder(id string) int {
	if k, ok := knownKPIs[id]; ok {
		return k.order
	}
	return 1000
}
