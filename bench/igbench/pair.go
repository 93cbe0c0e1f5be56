package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// pairResult is what `igbench pair` writes for each command A against the
// base B: seconds, and the ratio A/B taken pair by pair, so that the machine's speed drifting during the run (another
// job starting, a CPU clocking down) moves both halves of a pair alike.
type pairResult struct {
	A, B       string
	CmdA, CmdB string
	Pairs      int
	MedianA    float64   `json:"median_a"`
	MedianB    float64   `json:"median_b"`
	Ratio      float64   `json:"ratio"`     // median of the per-pair ratios A/B
	RatioP25   float64   `json:"ratio_p25"` // quartiles of the per-pair ratios
	RatioP75   float64   `json:"ratio_p75"`
	TimesA     []float64 `json:"times_a"`
	TimesB     []float64 `json:"times_b"`
}

func runPair(args []string) error {
	fs := flag.NewFlagSet("pair", flag.ExitOnError)
	n := fs.Int("n", 40, "rounds (pairs per command)")
	warmup := fs.Int("warmup", 3, "rounds run first and not counted")
	out := fs.String("o", "", "write the JSON result (a list, one entry per command) here (else stdout)")
	fs.Parse(args)
	if fs.NArg() < 4 || fs.NArg()%2 != 0 {
		return fmt.Errorf("pair: want BASE_NAME BASE_CMD NAME CMD [NAME CMD ...]")
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	once := func(argv []string) (float64, error) {
		c := exec.Command(argv[0], argv[1:]...)
		c.Stdin, c.Stdout, c.Stderr = null, null, null
		start := time.Now()
		if err := c.Run(); err != nil {
			return 0, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
		return time.Since(start).Seconds(), nil
	}
	base, baseName := strings.Fields(fs.Arg(1)), fs.Arg(0)
	var cmds [][]string
	var rs []*pairResult
	for i := 2; i < fs.NArg(); i += 2 {
		cmds = append(cmds, strings.Fields(fs.Arg(i+1)))
		rs = append(rs, &pairResult{A: fs.Arg(i), B: baseName, CmdA: fs.Arg(i + 1), CmdB: fs.Arg(1), Pairs: *n})
	}
	ratios := make([][]float64, len(cmds))
	// Each round pairs every command with its own run of the base, the
	// commands in a rotating order, so every row meets the same moments of
	// the machine; within a pair, which goes first alternates.
	for round := -*warmup; round < *n; round++ {
		for k := range cmds {
			j := (k + round + *warmup) % len(cmds)
			var ta, tb float64
			if (round+k)%2 == 0 {
				if ta, err = once(cmds[j]); err == nil {
					tb, err = once(base)
				}
			} else {
				if tb, err = once(base); err == nil {
					ta, err = once(cmds[j])
				}
			}
			if err != nil {
				return err
			}
			if round < 0 {
				continue
			}
			r := rs[j]
			r.TimesA, r.TimesB = append(r.TimesA, ta), append(r.TimesB, tb)
			ratios[j] = append(ratios[j], ta/tb)
		}
	}
	for j, r := range rs {
		r.MedianA, r.MedianB = quantile(r.TimesA, 0.5), quantile(r.TimesB, 0.5)
		r.Ratio, r.RatioP25, r.RatioP75 = quantile(ratios[j], 0.5), quantile(ratios[j], 0.25), quantile(ratios[j], 0.75)
		fmt.Fprintf(os.Stderr, "%s / %s: %.2f× (quartiles %.2f–%.2f), medians %.2f ms / %.2f ms, %d pairs\n",
			r.A, r.B, r.Ratio, r.RatioP25, r.RatioP75, r.MedianA*1e3, r.MedianB*1e3, r.Pairs)
	}
	return writeJSON(*out, rs)
}

// quantile of xs (not modified), by linear interpolation between ranks.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	lo := int(pos)
	if lo+1 >= len(s) {
		return s[lo]
	}
	return s[lo] + (pos-float64(lo))*(s[lo+1]-s[lo])
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
