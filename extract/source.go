package extract

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/extract/kpiggybank"
	"github.com/persona-kpi/kpi/internal/redact"
)

// Source is where raw interaction data comes from: the built-in
// generator, a KPIggybank server, or files. New builds the one the
// configuration names.
//
// Land writes what req asks for into the landing area, a day at a time:
// a day is committed only once all of it arrived, so a failure leaves
// that day (and every later one) as it was, and the days committed before
// it stay landed.
type Source interface {
	// Name describes the source without credentials, for logs and the
	// runs table.
	Name() string
	Land(ctx context.Context, l Landing, req Request) (Result, error)
}

// Request says which days to land. Sources fetched by time window (the
// generator, KPIggybank) land exactly Days. A file source lands every day
// its files hold within From..To (zero bounds are open): only reading the
// files tells which days they hold.
type Request struct {
	Days     []time.Time
	From, To time.Time
	// Now is when the request is made (zero: the current time). A file
	// element dated after the end of that UTC day, or before Persona
	// existed, is filed like one without a day, so that it creates no day
	// of its own (transform rejects it with its reason).
	Now time.Time
}

func (r Request) now() time.Time {
	if r.Now.IsZero() {
		return time.Now()
	}
	return r.Now
}

// Result counts what a Land call landed.
type Result struct {
	Days     []time.Time // days landed, in order
	Units    int
	Elements int64 // elements landed (files only; windows are counted by transform)
	Skipped  int64 // file elements outside the requested days
	Bytes    int64 // compressed bytes landed
}

// ErrBadSource means the configured source cannot be used as written.
var ErrBadSource = errors.New("bad source")

// Source kinds, as Kind tells them apart.
const (
	KindGenerate = "generate"
	KindHTTP     = "http"
	KindFiles    = "files"
	kindUnknown  = "unknown"
)

// mistypedURL is an http(s) URL missing a slash or its colon
// ("http:/host", "http//host"): never a path anyone means.
var mistypedURL = regexp.MustCompile(`(?i)^https?(:/[^/]|//)`)

// Kind tells the kinds of --source apart: "generate", an http(s) URL
// (the scheme in any case, surrounding spaces ignored), or else a file or
// directory path. Anything else with a scheme, or an http URL mistyped,
// is unknown.
func Kind(src string) string {
	s := strings.TrimSpace(src)
	lower := strings.ToLower(s)
	switch {
	case s == "generate":
		return KindGenerate
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return KindHTTP
	case strings.Contains(s, "://"), mistypedURL.MatchString(s):
		return kindUnknown
	}
	return KindFiles
}

// New builds the source cfg names. Errors wrap ErrBadSource and never
// hold credentials.
func New(cfg config.Config, log *slog.Logger) (Source, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch Kind(cfg.Source) {
	case KindGenerate:
		g := generate.Generator{Seed: cfg.Generate.Seed, PerDay: cfg.Generate.PerDay}
		return windowed{fetcher: g, hours: cfg.HTTP.WindowHours, log: log}, nil
	case KindHTTP:
		c, err := kpiggybank.NewClient(strings.TrimSpace(cfg.Source), kpiggybank.Options{
			Username:    cfg.Username,
			Password:    cfg.Password,
			Timeout:     time.Duration(cfg.HTTP.Timeout),
			Retries:     cfg.HTTP.Retries,
			BackoffBase: time.Duration(cfg.HTTP.BackoffBase),
			BackoffMax:  time.Duration(cfg.HTTP.BackoffMax),
			Logger:      log,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadSource, err)
		}
		return windowed{fetcher: c, hours: cfg.HTTP.WindowHours, log: log}, nil
	case KindFiles:
		return Files{Paths: []string{cfg.Source}, Log: log}, nil
	}
	return nil, fmt.Errorf("%w %q: use generate, an http(s):// KPIggybank URL, or a file or directory path", ErrBadSource, redact.URLs(cfg.Source))
}
