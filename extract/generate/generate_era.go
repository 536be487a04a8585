package generate

import "time"

// The production format changed over Persona's life (docs/data.md 1.3–1.6).
// Each generated blob takes the format of its UTC day. Where the sources
// give no exact day (2013-01-01, 2013-06-14 for transitions, 2013-07-01,
// 2013-10-01) the generator picks one, named here.
var (
	dayTypo        = epochDay(2012, 5, 30) // user.email_confrimed ...
	dayTypoFixed   = epochDay(2012, 8, 22) // ... through 2012-08-21
	dayResetScreen = epochDay(2012, 8, 1)  // screen.reset_password, 2012-08 ...
	dayResetGone   = epochDay(2013, 2, 1)  // ... to 2013-01
	dayXHR         = epochDay(2012, 10, 9) // XHR events: xhr.<url> with its query string
	dayNames2013   = epochDay(2013, 1, 1)  // window.dom_loading, window.channel_established
	dayXHRComplete = epochDay(2013, 2, 14) // xhr_complete.<METHOD>/wsapi/<endpoint>, no query
	dayFold        = epochDay(2013, 4, 2)  // repeat counts
	dayContinue    = epochDay(2013, 6, 14) // staging_continuation; transitions (chosen)
	dayKeyedErrors = epochDay(2013, 7, 1)  // no more bare screen.error. ("mid-2013", chosen)
	dayNoUnload    = epochDay(2013, 9, 6)  // window.unload dropped
	dayCensus      = epochDay(2013, 10, 1) // server census entries, rp_api stateless (chosen)
)

func epochDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// xhrStyle is how the dialog named its XHR events.
type xhrStyle uint8

const (
	xhrNone     xhrStyle = iota // not recorded
	xhrURL                      // xhr./wsapi/<endpoint>?<query>
	xhrComplete                 // xhr_complete.<METHOD>/wsapi/<endpoint>
	xhrStyles
)

// era is the format of one day's data.
type era struct {
	xhr                 xhrStyle
	fold                bool   // consecutive identical XHR events folded, with a repeat count
	domLoading, channel string // the first two start-up events
	emailConfirmed      string // user.email_confrimed in the typo era
	oldPick             bool   // emails_displayed and user.email_count:N on the pick screen
	requiredEmail       bool   // screen.required_email (2012)
	resetScreen         bool   // screen.reset_password
	continuation        bool   // staging_continuation and transitions exist
	bareError           bool   // a bare screen.error. occurs
	unload              bool   // window.unload ends a closed dialog's stream
	stateless           bool   // rp_api stateless
	census              bool   // the server posts census entries
}

func eraOf(day int64) era {
	e := era{
		domLoading:     "window.dom_loading",
		channel:        "window.channel_established",
		emailConfirmed: "user.email_confirmed",
		oldPick:        day < dayXHR,
		requiredEmail:  day < dayNames2013,
		resetScreen:    day >= dayResetScreen && day < dayResetGone,
		continuation:   day >= dayContinue,
		bareError:      day < dayKeyedErrors,
		unload:         day < dayNoUnload,
		stateless:      day >= dayCensus,
		census:         day >= dayCensus,
		fold:           day >= dayFold,
	}
	switch {
	case day >= dayXHRComplete:
		e.xhr = xhrComplete
	case day >= dayXHR:
		e.xhr = xhrURL
	}
	if day < dayNames2013 {
		e.domLoading, e.channel = "window.javascript_start", "window.get_called"
	}
	if day >= dayTypo && day < dayTypoFixed {
		e.emailConfirmed = "user.email_confrimed"
	}
	return e
}
