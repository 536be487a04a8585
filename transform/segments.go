package transform

import (
	"fmt"
	"strconv"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
)

// Segment values the stage produces itself, besides persona.Other.
const (
	// SegUnknown is the raw value of a missing screen width, email count
	// or rp_api; it stays Unknown only where the list names it (Emails).
	SegUnknown = "Unknown"
	// SegFallback is the EmailType of a blob in the new-user or
	// password-reset flow, whatever its email_type says.
	SegFallback = "Fallback"

	segDesktop = "Desktop (>= 1024)"
	segMobile  = "Mobile (<= 640)"
	segTablet  = "Tablet Profile"
)

// Indexes of session.seg, in persona.Segmentations order (the order of
// the seg_* columns; TestSegmentOrderMatchesTheColumns).
const (
	segOS = iota
	segBrowser
	segScreen
	segEmails
	segLocale
	segAPI
	segEmailType
)

const numSegs = len(persona.Segmentations)

// segmenter derives a session's segments as the original dashboard did:
// raw value → alias (whole value) → Other unless in the segmentation's list.
type segmenter struct {
	aliases map[string]string
	lists   [numSegs]map[string]bool
	// resolved holds value's answers, per segmentation: one lookup a
	// segment instead of two (the alias, then the list) for the few raw
	// values a day has. Bounded like the normalizer's tables.
	resolved [numSegs]map[string]string
}

func newSegmenter(cfg config.Config) (*segmenter, error) {
	s := &segmenter{aliases: cfg.Aliases}
	for i, name := range persona.SegmentationNames {
		list := cfg.Segmentations[name]
		if len(list) == 0 {
			// Every session would silently be Other: a zero Config, not a choice.
			return nil, fmt.Errorf("config: segmentations.%s is missing or empty", name)
		}
		s.lists[i] = make(map[string]bool, len(list))
		s.resolved[i] = make(map[string]string)
		for _, v := range list {
			s.lists[i][v] = true
		}
	}
	return s, nil
}

// value maps one raw value of segmentation i to its segment.
func (g *segmenter) value(i int, raw string) string {
	if seg, ok := g.resolved[i][raw]; ok {
		return seg
	}
	seg := g.resolve(i, raw)
	if len(g.resolved[i]) < maxInterned {
		g.resolved[i][raw] = seg
	}
	return seg
}

// resolve is value without the table of answers.
func (g *segmenter) resolve(i int, raw string) string {
	if a, ok := g.aliases[raw]; ok {
		raw = a
	}
	if g.lists[i][raw] {
		return raw
	}
	return persona.Other
}

// optional maps a raw value that may be missing; missing is Other.
func (g *segmenter) optional(i int, v opt[string]) string {
	if !v.ok {
		return persona.Other
	}
	return g.value(i, v.v)
}

func (g *segmenter) segments(s *session) [numSegs]string {
	var out [numSegs]string
	out[segOS] = g.optional(segOS, s.os)
	out[segBrowser] = g.optional(segBrowser, s.browser)
	out[segLocale] = g.optional(segLocale, s.lang)

	screen := SegUnknown
	if s.width.ok {
		switch w := s.width.v; {
		case w >= 1024:
			screen = segDesktop
		case w <= 640:
			screen = segMobile
		default:
			screen = segTablet
		}
	}
	out[segScreen] = g.value(segScreen, screen)

	emails := SegUnknown
	if s.numberEmails.ok {
		if n := s.numberEmails.v; n < 3 {
			emails = strconv.Itoa(int(n))
		} else {
			emails = "3+"
		}
	}
	out[segEmails] = g.value(segEmails, emails)

	api := SegUnknown
	if s.rpAPI.ok {
		api = s.rpAPI.v
	}
	out[segAPI] = g.value(segAPI, api)

	// Fallback goes through the list like any raw value, so a config that
	// drops it from EmailType gets Other, as for every other segment.
	if s.fallback {
		out[segEmailType] = g.value(segEmailType, SegFallback)
	} else {
		out[segEmailType] = g.optional(segEmailType, s.emailType)
	}
	return out
}
