package doctor

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// Status of one check.
const (
	OK   = "ok"
	Warn = "warn"
	Fail = "fail"
	Skip = "skip"
)

// Check is one line of the report.
type Check struct {
	Name   string     `json:"name"`
	Status string     `json:"status"`
	Detail string     `json:"detail"`
	Fix    string     `json:"fix,omitempty"`
	kind   fault.Kind // what sort of failure (a cmdutil kind): decides the exit code
}

type report struct {
	checks []Check
}

// add records a check; kind is "" unless status is Fail. A password in a
// URL the detail or fix quotes is masked.
func (r *report) add(name, status, detail, fix string, kind fault.Kind) {
	r.checks = append(r.checks, Check{Name: name, Status: status, Detail: config.ShowURLsIn(detail), Fix: config.ShowURLsIn(fix), kind: kind})
}

// finish prints the report on stdout (JSON, a table on a terminal, plain
// lines otherwise): it is what doctor outputs. Warnings and the error line
// of the first failure go to stderr as for every command; that failure
// decides the exit code.
func finish(opts *Options, r *report) error {
	io := opts.IO
	var first *Check
	for i := range r.checks {
		// a fix that names an igctl command is pasted as printed: with this
		// run's --profile and --config-dir
		r.checks[i].Fix = io.Pasteable(r.checks[i].Fix)
		if r.checks[i].Status == Fail && first == nil {
			first = &r.checks[i]
		}
	}
	var err error
	switch {
	case opts.JSON:
		err = json.NewEncoder(io.Out).Encode(map[string]any{"ok": first == nil, "checks": r.checks})
	case io.TableStyled():
		err = io.Table([]string{"status", "check", "detail"}, tableRows(io, r.checks))
	default:
		printPlain(io, r.checks)
	}
	if first != nil {
		kind := first.kind
		if kind == "" {
			kind = cmdutil.Bug
		}
		return cmdutil.Failf(kind, "doctor: "+first.Name+" failed")
	}
	return err
}

var statusStyle = map[string]string{OK: "ok", Warn: "warn", Fail: "err", Skip: "dim"}

// fixShown reports whether a check's fix is printed for people.
func fixShown(c Check) bool { return c.Fix != "" && (c.Status == Fail || c.Status == Warn) }

// printPlain is the report when stdout is not a terminal or colour is off:
// "STATUS  name  detail" with the fix on the next line, the lines scripts
// (and the testscripts) read.
func printPlain(io *iostreams.IOStreams, checks []Check) {
	for _, c := range checks {
		label := fmt.Sprintf("%-4s", strings.ToUpper(c.Status))
		fmt.Fprintf(io.Out, "%s  %-15s %s\n", label, c.Name, c.Detail)
		if fixShown(c) {
			fmt.Fprintf(io.Out, "      %-15s fix: %s\n", "", c.Fix)
		}
	}
}

// tableRows are the checks for the bordered table, the fix under the detail.
func tableRows(io *iostreams.IOStreams, checks []Check) [][]string {
	rows := make([][]string, 0, len(checks))
	for _, c := range checks {
		detail := c.Detail
		if fixShown(c) {
			detail += "\nfix: " + c.Fix
		}
		rows = append(rows, []string{io.OutStyled(statusStyle[c.Status], strings.ToUpper(c.Status)), c.Name, detail})
	}
	return rows
}
