package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// measure is one timed child process.
type measure struct {
	Wall   time.Duration
	CPU    time.Duration // user + system time of the child
	MaxRSS int64         // bytes, the child's peak resident set
	// Stages maps a stage ("extract", "transform", "load", "compute",
	// "report") to its elapsed time as the child logged it.
	Stages map[string]time.Duration
	// Versions maps a KPI version ("assertion_time v1") to the compute
	// time kpi logged for it.
	Versions map[string]time.Duration
	Stdout   string
}

// stageMessages are the JSON log messages of kpi's stages.
var stageMessages = map[string]string{
	"extract done":   "extract",
	"transform done": "transform",
	"load done":      "load",
	"compute done":   "compute",
	"report written": "report",
}

// versionMessage is the JSON log message of one KPI version computed.
const versionMessage = "kpi: computed"

// stageOrder is the order stages are printed in.
var stageOrder = []string{"extract", "transform", "load", "compute", "report"}

// runChild runs a command to completion and measures it: wall time from
// start to exit, and the peak RSS the kernel recorded for the child
// (getrusage's ru_maxrss, in KiB on Linux). Its stderr is read as kpi's
// JSON log lines for the stage times; it is returned in the error when
// the command fails.
func runChild(ctx context.Context, env []string, name string, args ...string) (measure, error) {
	m := measure{Stages: map[string]time.Duration{}, Versions: map[string]time.Duration{}}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	m.Wall = time.Since(start)
	m.Stdout = stdout.String()
	if err != nil {
		return m, fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, lastLines(stderr.String(), 20), lastLines(stdout.String(), 5))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.MaxRSS = ru.Maxrss * 1024
	}
	m.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	sc := bufio.NewScanner(&stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		msg, _ := line["msg"].(string)
		// slog writes durations as integer nanoseconds; the report's
		// message calls its duration "took".
		ns, timed := line["elapsed"].(float64)
		if !timed {
			if ns, timed = line["took"].(float64); !timed {
				continue
			}
		}
		if stage, ok := stageMessages[msg]; ok {
			m.Stages[stage] += time.Duration(ns)
		}
		if msg == versionMessage {
			kpi, _ := line["kpi"].(string)
			version, _ := line["version"].(float64)
			m.Versions[fmt.Sprintf("%s v%d", kpi, int(version))] += time.Duration(ns)
		}
	}
	return m, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
