package generate

import "strconv"

// The dialog's requests to the Persona server, as its XHR events name them.

type endpointID uint8

const (
	epSessionContext endpointID = iota
	epAddressInfo
	epListEmails
	epAuthenticateUser
	epCertKey
	epStageUser
	epUserCreationStatus
	epCompleteUserCreation
	epStageReset
	epPasswordResetStatus
	epStageEmail
	epEmailAdditionStatus
	epStageReverify
	epEmailReverifyStatus
	epStageTransition
	epProlongSession
	epLogout
	epAuthWithAssertion
	epInteractionData
	numEndpoints
)

type endpoint struct {
	method, path string
	email        bool    // a GET whose query string names the address
	median       float64 // typical duration (ms) on a desktop
	names        [xhrStyles]string
}

// Durations: bcrypt makes authenticate_user slow, signing the certificate
// makes cert_key the slowest; status polls are cheap reads.
var endpoints = buildEndpoints([numEndpoints]endpoint{
	epSessionContext:       {method: "GET", path: "session_context", median: 260},
	epAddressInfo:          {method: "GET", path: "address_info", email: true, median: 380},
	epListEmails:           {method: "GET", path: "list_emails", median: 240},
	epAuthenticateUser:     {method: "POST", path: "authenticate_user", median: 850},
	epCertKey:              {method: "POST", path: "cert_key", median: 950},
	epStageUser:            {method: "POST", path: "stage_user", median: 600},
	epUserCreationStatus:   {method: "GET", path: "user_creation_status", email: true, median: 140},
	epCompleteUserCreation: {method: "POST", path: "complete_user_creation", median: 800},
	epStageReset:           {method: "POST", path: "stage_reset", median: 600},
	epPasswordResetStatus:  {method: "GET", path: "password_reset_status", email: true, median: 140},
	epStageEmail:           {method: "POST", path: "stage_email", median: 600},
	epEmailAdditionStatus:  {method: "GET", path: "email_addition_status", email: true, median: 140},
	epStageReverify:        {method: "POST", path: "stage_reverify", median: 600},
	epEmailReverifyStatus:  {method: "GET", path: "email_reverify_status", email: true, median: 140},
	epStageTransition:      {method: "POST", path: "stage_transition", median: 650},
	epProlongSession:       {method: "POST", path: "prolong_session", median: 220},
	epLogout:               {method: "POST", path: "logout", median: 180},
	epAuthWithAssertion:    {method: "POST", path: "auth_with_assertion", median: 1100},
	epInteractionData:      {method: "POST", path: "interaction_data", median: 250},
})

func buildEndpoints(eps [numEndpoints]endpoint) [numEndpoints]endpoint {
	for i := range eps {
		e := &eps[i]
		e.names[xhrURL] = "xhr./wsapi/" + e.path
		e.names[xhrComplete] = "xhr_complete." + e.method + "/wsapi/" + e.path
	}
	return eps
}

// pollEveryMs is the pause between two status polls while the dialog
// waits for the user to open an email.
const pollEveryMs = 3000

// madeUpAddress is a user's address as it leaked into xhr.<url>?email=
// names: user<num>@example.com or @example.org, never a real one.
type madeUpAddress struct {
	num uint32
	org bool
}

func (b *simBlob) drawAddresses() {
	for i := range b.addr {
		b.addr[i] = madeUpAddress{uint32(1 + b.rt.intn(99999)), b.rt.chance(0.4)}
	}
	b.rawAt = b.rt.chance(0.3) // most browsers sent %40
}

// appendEmailQuery appends "?email=" and address a (an index into b.addr).
func (b *simBlob) appendEmailQuery(buf []byte, a int) []byte {
	buf = append(buf, "?email=user"...)
	buf = strconv.AppendUint(buf, uint64(b.addr[a].num), 10)
	if b.rawAt {
		buf = append(buf, '@')
	} else {
		buf = append(buf, "%40"...)
	}
	if b.addr[a].org {
		return append(buf, "example.org"...)
	}
	return append(buf, "example.com"...)
}
