// Command igbench holds the measuring tools bench/run.sh uses: each figure in
// BENCHMARKS.md that compares two things is measured side by side in one run.
//
//	igbench pair -n 40 -o out.json BASE_NAME 'BASE_CMD ...' NAME 'CMD ...' ...
//	    pairs each command with its own run of the base (A B, then B A, ...),
//	    each to completion, every command in every round, and reports for each
//	    both medians and the median of the per-pair ratios A/B
//	igbench upstream -addr-file F
//	    a stand-in gateway: GET /v1/models, POST /v1/chat/completions (SSE)
//	igbench bareproxy -upstream URL -token-file F -addr-file F
//	    the floor: a bare httputil.ReverseProxy that sets a fixed token
//	igbench proxy -o out.json -key-file F direct=URL bare=URL igctl=URL
//	    latency, requests per second and SSE chunk delay through each target,
//	    the targets interleaved round by round
//
// Commands given to pair are split on white space and started without a shell.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: igbench pair|upstream|bareproxy|proxy ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "pair":
		err = runPair(os.Args[2:])
	case "upstream":
		err = runUpstream(os.Args[2:])
	case "bareproxy":
		err = runBareProxy(os.Args[2:])
	case "proxy":
		err = runProxyBench(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "igbench:", err)
		os.Exit(1)
	}
}
