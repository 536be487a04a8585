package kpiggybank

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// RowSource yields KPIggybank rows (JSON text of {"id","key","value":{...}})
// whose blob timestamp lies in [start, end), in time order. fn may not keep row after
// it returns.
type RowSource interface {
	Rows(start, end time.Time, fn func(row []byte) error) error
}

// FakeServer speaks KPIggybank's read API over rows from a RowSource, for
// demos and end-to-end tests without the real backend.
type FakeServer struct {
	Rows     RowSource
	From, To time.Time    // UTC days served, both included
	Count    func() int64 // total rows served, for /count (optional; if nil, count by iterating Rows)
	Logger   *slog.Logger // optional
}

// Handler serves GET /wsapi/interaction_data?start=MS&end=MS,
// /wsapi/interaction_data/count and /wsapi/ping; anything else is 404.
func (f *FakeServer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wsapi/ping", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "pong")
	})
	mux.HandleFunc("GET /wsapi/interaction_data", f.serveData)
	mux.HandleFunc("GET /wsapi/interaction_data/count", f.serveCount)
	return mux
}

// ListenAndServe serves on addr until ctx is cancelled, then shuts down
// gracefully, letting responses in flight finish for a few seconds.
func (f *FakeServer) ListenAndServe(ctx context.Context, addr string) error {
	if f.Rows == nil {
		return errors.New("fake server: no row source")
	}
	if f.From.IsZero() || f.To.IsZero() || persona.Day(f.To.UTC()).Before(persona.Day(f.From.UTC())) {
		return fmt.Errorf("fake server: bad day range %s..%s", f.From.Format(time.DateOnly), f.To.Format(time.DateOnly))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fake server: %w", err)
	}
	return f.serve(ctx, ln)
}

func (f *FakeServer) serve(ctx context.Context, ln net.Listener) error {
	log := f.logger()
	srv := &http.Server{
		Handler:           f.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	log.Info("fake KPIggybank listening", "addr", addr,
		"url", "http://"+addr+"/wsapi/interaction_data",
		"from", persona.Day(f.From.UTC()).Format(time.DateOnly), "to", persona.Day(f.To.UTC()).Format(time.DateOnly))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("fake server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		// A client still reading a huge window: cut it off.
		srv.Close()
	}
	<-done
	log.Info("fake KPIggybank stopped", "addr", addr)
	if err != nil {
		return fmt.Errorf("fake server shutdown: %w", err)
	}
	return nil
}

func (f *FakeServer) logger() *slog.Logger {
	if f.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Logger
}

// span is the served range in inclusive milliseconds.
func (f *FakeServer) span() (first, last int64) {
	return persona.Day(f.From.UTC()).UnixMilli(), persona.Day(f.To.UTC()).AddDate(0, 0, 1).UnixMilli() - 1
}

// msParam reads an optional millisecond parameter; absent means def.
func msParam(r *http.Request, name string, def int64) (int64, error) {
	vals, ok := r.URL.Query()[name]
	if !ok {
		return def, nil
	}
	v, err := strconv.ParseInt(vals[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s must be a whole number of milliseconds, got %q", name, vals[0])
	}
	return v, nil
}

func (f *FakeServer) serveData(w http.ResponseWriter, r *http.Request) {
	log := f.logger()
	first, last := f.span()
	start, err := msParam(r, "start", first)
	if err == nil {
		var end int64
		end, err = msParam(r, "end", last)
		last = min(end, last)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	start = max(start, first)

	w.Header().Set("Content-Type", "application/json")
	sent := &sentCounter{w: w}
	bw := bufio.NewWriterSize(sent, 64<<10)
	bw.WriteByte('[')
	rows := 0
	var werr error
	var rerr error
	if start <= last {
		rerr = f.Rows.Rows(time.UnixMilli(start).UTC(), time.UnixMilli(last+1).UTC(), func(row []byte) error {
			if rows > 0 {
				bw.WriteByte(',')
			}
			if _, werr = bw.Write(row); werr != nil {
				return werr
			}
			rows++
			// Stop generating once the client has gone.
			return r.Context().Err()
		})
	}
	switch {
	case werr != nil || (rerr != nil && r.Context().Err() != nil):
		log.Debug("client went away", "start", start, "end", last, "rows", rows)
		return
	case rerr != nil && sent.n == 0:
		log.Error("row source failed", "start", start, "end", last, "err", rerr)
		http.Error(w, "row source failed", http.StatusInternalServerError)
		return
	case rerr != nil:
		// The 200 is already sent: break the connection so the client
		// sees a cut-off body rather than a short, valid array.
		log.Error("row source failed mid-response", "start", start, "end", last, "rows", rows, "err", rerr)
		panic(http.ErrAbortHandler)
	}
	bw.WriteByte(']')
	if err := bw.Flush(); err != nil {
		log.Debug("client went away", "start", start, "end", last, "rows", rows)
		return
	}
	log.Info("served interaction data", "start", start, "end", last, "rows", rows)
}

func (f *FakeServer) serveCount(w http.ResponseWriter, r *http.Request) {
	var n int64
	if f.Count != nil {
		n = f.Count()
	} else {
		first, last := f.span()
		err := f.Rows.Rows(time.UnixMilli(first).UTC(), time.UnixMilli(last+1).UTC(), func([]byte) error {
			n++
			return r.Context().Err()
		})
		if err != nil {
			f.logger().Error("row source failed", "err", err)
			http.Error(w, "row source failed", http.StatusInternalServerError)
			return
		}
	}
	// KPIggybank answers with the bare number as JSON.
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, strconv.FormatInt(n, 10))
}

// sentCounter counts bytes handed to the ResponseWriter, to know whether
// the status line has gone out.
type sentCounter struct {
	w io.Writer
	n int64
}

func (c *sentCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
