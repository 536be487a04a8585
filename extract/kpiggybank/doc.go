// Package kpiggybank speaks KPIggybank's read API
// (GET /wsapi/interaction_data?start=MS&end=MS, /count, /ping): Client
// fetches windows with timeouts and bounded retries, and FakeServer serves
// rows (the generator's) through the same API for demos and tests.
package kpiggybank
