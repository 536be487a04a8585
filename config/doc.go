// Package config owns kpi's configuration file: where the data comes from,
// where it goes, and the dashboard settings the original Persona KPI
// dashboard kept in its config.json (segmentations, aliases, flows,
// milestones). Defaults reproduce docs/data.md; a file overrides them key by key.
package config
