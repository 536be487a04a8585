// Package generate is the built-in source of realistic Persona interaction
// data: KPIggybank rows for any span of time, deterministic for a seed,
// with every flow of the sign-in dialog, realistic devices and locales,
// and the quirks of real data. kpi's default source, the fake KPIggybank
// server and the benchmarks use it.
package generate
