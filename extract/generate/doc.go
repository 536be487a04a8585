// Package generate is the built-in source of realistic Persona interaction
// data: KPIggybank rows for any span of time, deterministic for a seed,
// with every flow of the sign-in dialog, realistic devices and locales,
// and the quirks of real data. kpi's default source, the fake KPIggybank
// server and the benchmarks use it.
//
// Each row takes the production format of its UTC day (docs/data.md
// 1.3–1.6; generate_era.go holds the dates):
//
//	before 2012-10-09  events are pairs; start-up window.javascript_start,
//	                   window.get_called; emails_displayed, user.email_count:N;
//	                   user.email_confrimed from 2012-05-30 to 2012-08-21;
//	                   screen.reset_password from 2012-08
//	2012-10-09         XHR events [xhr.<url>, offset, duration], the query
//	                   string included: ?email=userN%40example.com (or a raw @)
//	2013-01-01         window.dom_loading, window.channel_established; no more
//	                   screen.required_email (the day is the generator's choice)
//	2013-02-01         no more screen.reset_password
//	2013-02-14         [xhr_complete.<METHOD>/wsapi/<endpoint>, offset, duration]
//	2013-04-02         identical consecutive XHR events folded, with a repeat
//	                   count: [name, offset, duration, count]
//	2013-06-14         staging_continuation; address transitions (chosen)
//	2013-07-01         no more bare screen.error. (the "mid-2013" of the docs)
//	2013-09-06         no more window.unload
//	2013-10-01         the server's census entries; rp_api stateless (chosen)
//
// The generator simulates the population of dialog sessions, and the
// server's per-agent sample rates pick the ones that send a blob: 0.1 for
// desktops, 0.3 for tablets, 0.5 for phones and 0.7 for Firefox OS. PerDay
// is still the mean number of blobs a day. Phones load the dialog slower,
// bounce more and see fewer new users through, so unweighted figures
// differ from weighted ones. From 2013-10-01 every session, sampled or
// not, also yields the census entries of what the server saw (signin,
// verify, stage_*.success, complete_*.success, idp.*): an unsampled
// session is only decided (its flow and drop-offs), not played out, which
// keeps the census cheap, and the census then agrees with the blobs
// weighted by 1/sample_rate up to sampling noise (and the few users who
// confirm an email after leaving the dialog for good). That makes about
// twelve census rows per blob.
package generate
