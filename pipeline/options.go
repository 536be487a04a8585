package pipeline

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract"
	"github.com/persona-kpi/kpi/persona"
)

// Options is what every stage needs, resolved once from the configuration
// file and the flags.
type Options struct {
	Config config.Config
	// From and To are the first and last day asked for (inclusive, UTC);
	// zero when not given.
	From, To time.Time
	// Log receives each stage's progress; nil logs nothing.
	Log *slog.Logger
	// Now is the clock that decides which days are due; nil is time.Now.
	Now func() time.Time
	// Progress draws a progress line while a long stage runs; nil draws
	// nothing.
	Progress Progress
}

// Progress shows how far a long stage has got: Update after each day,
// Clear before anything else is written.
type Progress interface {
	Update(stage string, done, total int, blobs, bytes int64)
	Clear()
}

type noProgress struct{}

func (noProgress) Update(string, int, int, int64, int64) {}
func (noProgress) Clear()                                {}

// defaultDays is how many days a run without --from covers, as the
// original dashboard's update script did.
const defaultDays = 30

// withDefaults fills the optional fields.
func (o Options) withDefaults() Options {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Progress == nil {
		o.Progress = noProgress{}
	}
	return o
}

// Check refuses options no stage can work with: a range that ends before
// it starts or after today (a typo in the year would otherwise stall
// every later nightly run), or a source that cannot be built. It fetches
// nothing.
func (o Options) Check() error {
	o = o.withDefaults()
	if !o.From.IsZero() && !o.To.IsZero() && o.To.Before(o.From) {
		return UsageError{fmt.Errorf("--to %s is before --from %s", o.To.Format(time.DateOnly), o.From.Format(time.DateOnly))}
	}
	for _, f := range []struct {
		flag string
		day  time.Time
	}{{"--from", o.From}, {"--to", o.To}} {
		if f.day.After(o.today()) {
			return UsageError{fmt.Errorf("%s %s is after today (%s, UTC): there is no data yet", f.flag, f.day.Format(time.DateOnly), o.today().Format(time.DateOnly))}
		}
	}
	_, err := o.source()
	return err
}

// source builds the configured source.
func (o Options) source() (extract.Source, error) {
	src, err := extract.New(o.Config, o.Log)
	if errors.Is(err, extract.ErrBadSource) {
		return nil, UsageError{err}
	}
	return src, err
}

// SourceName is the configured source without credentials.
func (o Options) SourceName() string {
	src, err := o.source()
	if err != nil {
		return "invalid source"
	}
	return src.Name()
}

// inRange reports whether d lies within From..To (open where unset).
func (o Options) inRange(d time.Time) bool {
	return (o.From.IsZero() || !d.Before(o.From)) && (o.To.IsZero() || !d.After(o.To))
}

// within keeps the days of all that lie within From..To.
func (o Options) within(all []time.Time) []time.Time {
	var days []time.Time
	for _, d := range all {
		if o.inRange(d) {
			days = append(days, d)
		}
	}
	return days
}

// today is the current UTC day.
func (o Options) today() time.Time { return o.Now().UTC().Truncate(24 * time.Hour) }

// WindowDays is what to fetch from a windowed source when the store does
// not decide: the flags' range, else the last 30 days through yesterday
// (UTC). A --from after yesterday without --to is that one day.
func (o Options) WindowDays() []time.Time {
	o = o.withDefaults()
	from, to := o.From, o.To
	if to.IsZero() {
		to = o.today().AddDate(0, 0, -1)
		if !from.IsZero() && from.After(to) {
			to = from
		}
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -(defaultDays - 1))
	}
	return persona.Days(from, to)
}

// dueDays is what a run fetches from a windowed source: with --from/--to,
// that range (WindowDays); on an empty database (hasLoaded false), the
// last 30 days; else the days after the last loaded one through
// yesterday, plus a look-back of LookbackDays loaded days fetched again.
func (o Options) dueDays(lastLoaded time.Time, hasLoaded bool) []time.Time {
	if !o.From.IsZero() || !o.To.IsZero() || !hasLoaded {
		return o.WindowDays()
	}
	yesterday := o.today().AddDate(0, 0, -1)
	start := lastLoaded.AddDate(0, 0, 1-o.Config.LookbackDays)
	return persona.Days(start, yesterday)
}

// DayRange names a list of days for messages: "first..last".
func DayRange(days []time.Time) string {
	if len(days) == 0 {
		return "no days"
	}
	return fmt.Sprintf("%s..%s", days[0].Format(time.DateOnly), days[len(days)-1].Format(time.DateOnly))
}

// checkLayout refuses a data directory or a database inside the report
// site, or the site inside the data directory: the site is replaced
// whole by each report, which would delete them, and the data areas'
// clean-up must never meet the site's files.
func (o Options) checkLayout() error {
	out, err := absolute(o.Config.Out)
	if err != nil {
		return err
	}
	data, err := absolute(o.Config.Data)
	if err != nil {
		return err
	}
	db, err := absolute(o.Config.DB)
	if err != nil {
		return err
	}
	switch {
	case within(data, out):
		return UsageError{fmt.Errorf("--data %s is inside the report site --out %s, which each report replaces whole: choose a data directory outside it", o.Config.Data, o.Config.Out)}
	case within(db, out):
		return UsageError{fmt.Errorf("--db %s is inside the report site --out %s, which each report replaces whole: choose a database outside it", o.Config.DB, o.Config.Out)}
	case within(out, data):
		return UsageError{fmt.Errorf("--out %s is inside the data directory --data %s: choose a site directory outside it", o.Config.Out, o.Config.Data)}
	}
	return nil
}

// absolute is path made absolute, with the symbolic links of its longest
// existing prefix resolved, so that two spellings of a place compare equal.
func absolute(path string) (string, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rest := ""
	for dir := p; ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest), nil
		}
		if filepath.Dir(dir) == dir {
			return p, nil
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
