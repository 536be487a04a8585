// Package redact removes credentials from text before it is printed,
// logged or stored: the user information of anything that looks like a
// URL, however malformed ("HTTPS://u:pw@host", "http:/u:pw@host",
// "http//u:pw@host", "u:pw@host/path").
package redact

import (
	"regexp"
	"strings"
)

// Mask replaces what was removed.
const Mask = "***"

var (
	// After a scheme and/or slashes, up to the first @ of the authority.
	afterSlashes = regexp.MustCompile(`(?i)((?:[a-z][a-z0-9+.\-]*:)?/{1,2})([^\s/?#@]+)@`)
	// A bare user:password@ at the start of a word.
	bareUserinfo = regexp.MustCompile(`(^|[\s"'(=,])([^\s/?#@:"']+:[^\s/?#@"']*)@`)
)

// URLs returns s with the user information of every URL-like part
// replaced by Mask.
func URLs(s string) string {
	s = afterSlashes.ReplaceAllString(s, "${1}"+Mask+"@")
	return bareUserinfo.ReplaceAllString(s, "${1}"+Mask+"@")
}

// emailPattern is an e-mail address as it appears in data: plain, or
// with its @ URL-encoded (%40, as in a query string).
var emailPattern = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+(@|%40)[a-z0-9\-]+(\.[a-z0-9\-]+)+`)

// EmailMask replaces an e-mail address.
const EmailMask = "<email>"

// Emails returns s with every e-mail address replaced by EmailMask.
func Emails(s string) string {
	if !strings.Contains(s, "@") && !strings.Contains(s, "%40") {
		return s // the common case, without the regular expression
	}
	return emailPattern.ReplaceAllString(s, EmailMask)
}
