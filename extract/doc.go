// Package extract owns getting raw interaction data in: the sources (the
// built-in generator, a KPIggybank server, files), the fake KPIggybank
// server, and the raw landing area under the data directory, where every
// window is kept compressed exactly as received so that later stages can be
// redone without the backend.
package extract
