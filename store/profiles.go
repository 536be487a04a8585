package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// profile is a day profile table and the query that computes it for the
// days ?..?.
type profile struct{ table, query string }

// eventProfiles are the profiles of migrations/0004_profiles.sql, which
// data migration 0007 fills for days loaded before them.
var eventProfiles = []profile{
	{"day_event_names", "SELECT * FROM event_names_of(?::DATE, ?::DATE)"},
	{"day_other_values", otherValuesOf},
}

// profiles are every day profile (migrations 0004 and 0009).
var profiles = append(eventProfiles[:len(eventProfiles):len(eventProfiles)], []profile{
	{"day_server_types", `SELECT day, type, count(*) AS events FROM server_events
		WHERE day BETWEEN ?::DATE AND ?::DATE GROUP BY day, type`},
	{"day_sample_rates", `SELECT day, seg_os AS os, sample_rate, count(*) AS sessions FROM sessions
		WHERE day BETWEEN ?::DATE AND ?::DATE GROUP BY day, seg_os, sample_rate`},
}...)

// otherValuesOf is migration 0004's macro other_values_of, one SELECT per
// segmentation, built from persona.Segmentations so that a segmentation is
// added in one place; the macro stays, unused, in the migration's history.
var otherValuesOf = func() string {
	var q strings.Builder
	q.WriteString("WITH days AS (SELECT * FROM sessions WHERE day BETWEEN ?::DATE AND ?::DATE),\nother AS (")
	for i, s := range persona.Segmentations {
		if i > 0 {
			q.WriteString("\nUNION ALL ")
		}
		fmt.Fprintf(&q, "SELECT day, '%s' AS segmentation, CAST(%s AS VARCHAR) AS raw FROM days WHERE %s = '%s'",
			s.Name, s.RawColumn, s.Column, persona.Other)
	}
	q.WriteString(")\nSELECT day, segmentation, raw, count(*) AS sessions FROM other GROUP BY day, segmentation, raw")
	return q.String()
}()

// WriteProfiles replaces a day's profiles (day_event_names,
// day_other_values, day_server_types, day_sample_rates) with those of its
// sessions, events and census entries, in the caller's transaction.
func WriteProfiles(ctx context.Context, tx *sql.Tx, day time.Time) error {
	return writeProfiles(ctx, tx, day, profiles)
}

func writeProfiles(ctx context.Context, tx *sql.Tx, day time.Time, profiles []profile) error {
	ds := day.Format(time.DateOnly)
	for _, p := range profiles {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+p.table+" WHERE day = ?", ds); err != nil {
			return fmt.Errorf("clear %s: %w", p.table, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+p.table+" SELECT * FROM ("+p.query+")", ds, ds); err != nil {
			return fmt.Errorf("%s: %w", p.table, err)
		}
	}
	return nil
}

// Profiles are the rows of a day's profiles (without the day), counted
// while the day was built so that its load need not query the day's
// sessions and events for them. They must be exactly what WriteProfiles's
// queries give for the same rows (TestCountedProfilesAreTheQueries).
type Profiles struct {
	EventNames  []EventNameCount  `json:"event_names"`
	OtherValues []OtherValueCount `json:"other_values"`
	ServerTypes []ServerTypeCount `json:"server_types"`
	SampleRates []SampleRateCount `json:"sample_rates"`
}

// EventNameCount is a day_event_names row: how many events had the name,
// in how many sessions.
type EventNameCount struct {
	Name     string `json:"name"`
	Events   int64  `json:"events"`
	Sessions int64  `json:"sessions"`
}

// OtherValueCount is a day_other_values row: how many sessions had the
// raw value (nil: none) that made their segment Other.
type OtherValueCount struct {
	Segmentation string  `json:"segmentation"`
	Raw          *string `json:"raw"`
	Sessions     int64   `json:"sessions"`
}

// ServerTypeCount is a day_server_types row.
type ServerTypeCount struct {
	Type   string `json:"type"`
	Events int64  `json:"events"`
}

// SampleRateCount is a day_sample_rates row: sessions of an OS segment
// with a sample rate (nil: none).
type SampleRateCount struct {
	OS         string   `json:"os"`
	SampleRate *float64 `json:"sample_rate"`
	Sessions   int64    `json:"sessions"`
}

// WriteCountedProfiles replaces a day's profiles with p, in t.
func WriteCountedProfiles(ctx context.Context, t *Tx, day time.Time, p *Profiles) error {
	ds := day.Format(time.DateOnly)
	for _, pr := range profiles {
		if _, err := t.ExecContext(ctx, "DELETE FROM "+pr.table+" WHERE day = ?", ds); err != nil {
			return fmt.Errorf("clear %s: %w", pr.table, err)
		}
	}
	d := any(day)
	str := func(s *string) any {
		if s == nil {
			return nil
		}
		return *s
	}
	f64 := func(f *float64) any {
		if f == nil {
			return nil
		}
		return *f
	}
	rows := map[string][][]driver.Value{}
	for _, r := range p.EventNames {
		rows["day_event_names"] = append(rows["day_event_names"], []driver.Value{d, r.Name, r.Events, r.Sessions})
	}
	for _, r := range p.OtherValues {
		rows["day_other_values"] = append(rows["day_other_values"], []driver.Value{d, r.Segmentation, str(r.Raw), r.Sessions})
	}
	for _, r := range p.ServerTypes {
		rows["day_server_types"] = append(rows["day_server_types"], []driver.Value{d, r.Type, r.Events})
	}
	for _, r := range p.SampleRates {
		rows["day_sample_rates"] = append(rows["day_sample_rates"], []driver.Value{d, r.OS, f64(r.SampleRate), r.Sessions})
	}
	for _, pr := range profiles {
		if err := t.appendRows(pr.table, rows[pr.table]); err != nil {
			return err
		}
	}
	return nil
}
