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

// pairResult is what `igbench pair` writes: seconds, and the ratio A/B taken
// pair by pair, so that the machine's speed drifting during the run (another
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
	n := fs.Int("n", 40, "pairs")
	warmup := fs.Int("warmup", 3, "pairs run first and not counted")
	out := fs.String("o", "", "write the JSON result here (else stdout)")
	fs.Parse(args)
	if fs.NArg() != 4 {
		return fmt.Errorf("pair: want NAME_A CMD_A NAME_B CMD_B")
	}
	ca, cb := strings.Fields(fs.Arg(1)), strings.Fields(fs.Arg(3))
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
	r := pairResult{A: fs.Arg(0), B: fs.Arg(2), CmdA: fs.Arg(1), CmdB: fs.Arg(3), Pairs: *n}
	var ratios []float64
	for i := -*warmup; i < *n; i++ {
		var ta, tb float64
		// alternate which goes first, so neither always runs on a cache the other warmed
		if i%2 == 0 {
			if ta, err = once(ca); err == nil {
				tb, err = once(cb)
			}
		} else {
			if tb, err = once(cb); err == nil {
				ta, err = once(ca)
			}
		}
		if err != nil {
			return err
		}
		if i < 0 {
			continue
		}
		r.TimesA, r.TimesB = append(r.TimesA, ta), append(r.TimesB, tb)
		ratios = append(ratios, ta/tb)
	}
	r.MedianA, r.MedianB = quantile(r.TimesA, 0.5), quantile(r.TimesB, 0.5)
	r.Ratio, r.RatioP25, r.RatioP75 = quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75)
	fmt.Fprintf(os.Stderr, "%s / %s: %.2f× (quartiles %.2f–%.2f), medians %.2f ms / %.2f ms, %d pairs\n",
		r.A, r.B, r.Ratio, r.RatioP25, r.RatioP75, r.MedianA*1e3, r.MedianB*1e3, r.Pairs)
	return writeJSON(*out, r)
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
