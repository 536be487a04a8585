package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/reports"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "preview the report site on a local web server",
		UsageText: "kpi serve [--config FILE] [--dir DIR] [--addr 127.0.0.1:8080]",
		Description: `Serves the directory kpi report wrote, with the same Content-Security-Policy
the pages carry and gzip for clients that accept it, until interrupted (Ctrl-C). It
is a preview with no authentication: to publish, copy the directory to a static
web host behind a login (README, Protecting the published site).

Examples:
   kpi serve
   kpi serve --dir /var/www/kpi --addr 127.0.0.1:9000`,
		Flags: withLogFlags(
			&cli.StringFlag{Name: "dir", Usage: "site `DIR` to serve (default: the configuration's out, else site)"},
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "listen on `HOST:PORT`"},
			configFlag,
		),
		Action: func(c *cli.Context) error {
			log, err := newLogger(c)
			if err != nil {
				return err
			}
			dir := "site"
			if c.IsSet("config") {
				cfg, err := config.Load(c.String("config"))
				if err != nil {
					return exitError{exitUsage, err}
				}
				dir = cfg.Out
			}
			if c.IsSet("dir") {
				dir = c.String("dir")
			}
			if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
				return usageError("%s has no index.html: run `kpi report` first", dir)
			}
			ln, err := net.Listen("tcp", c.String("addr"))
			if err != nil {
				return usageError("--addr %s: %v", c.String("addr"), err)
			}
			if host, _, _ := net.SplitHostPort(c.String("addr")); host != "127.0.0.1" && host != "localhost" && host != "::1" {
				log.Warn("serving beyond this machine; kpi serve is meant for previews", "addr", ln.Addr().String())
			}
			fmt.Fprintf(c.App.Writer, "serving %s on http://%s/ (Ctrl-C to stop)\n", dir, ln.Addr())
			return serveSite(c.Context, ln, dir)
		},
	}
}

// serveSite serves dir on ln until ctx ends, then shuts down gracefully.
func serveSite(ctx context.Context, ln net.Listener, dir string) error {
	srv := &http.Server{
		Handler:           reports.Handler(http.Dir(dir)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			return err
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
