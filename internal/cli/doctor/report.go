package doctor

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
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
	Name   string        `json:"name"`
	Status string        `json:"status"`
	Detail string        `json:"detail"`
	Fix    string        `json:"fix,omitempty"`
	code   exitcode.Code // exit code class of a failure
}

type report struct {
	checks []Check
}

func (r *report) add(name, status, detail, fix string, code exitcode.Code) {
	r.checks = append(r.checks, Check{Name: name, Status: status, Detail: detail, Fix: fix, code: code})
}

func finish(f *cmdutil.Factory, opts *Options, r *report) error {
	var first *Check
	for i := range r.checks {
		if r.checks[i].Status == Fail && first == nil {
			first = &r.checks[i]
		}
	}
	if opts.JSON {
		json.NewEncoder(f.IO.Out).Encode(map[string]any{"ok": first == nil, "checks": r.checks})
	} else {
		style := map[string]string{OK: "ok", Warn: "warn", Fail: "err", Skip: "dim"}
		for _, c := range r.checks {
			label := fmt.Sprintf("%-4s", strings.ToUpper(c.Status))
			fmt.Fprintf(f.IO.ErrOut, "%s  %-15s %s\n", f.IO.Styled(style[c.Status], label), c.Name, c.Detail)
			if c.Fix != "" && (c.Status == Fail || c.Status == Warn) {
				fmt.Fprintf(f.IO.ErrOut, "      %-15s fix: %s\n", "", c.Fix)
			}
		}
	}
	if first != nil {
		code := first.code
		if code == 0 {
			code = exitcode.Unexpected
		}
		return exitcode.New(code, "doctor: "+first.Name+" failed")
	}
	return nil
}
