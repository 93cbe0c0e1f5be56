// Command rungateway runs the real Inference Gateway (scripts/peers.sh
// builds it) with the variables of a .env file, on a loopback port (-port,
// else a free one), with the test stand-in provider behind it, until
// SIGINT or SIGTERM, which stop both. For the demo and the benchmarks; the
// tests start it from Go.
//
//	rungateway -envfile gateway.env [-port N] -addr-file FILE
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/testenv"
)

func main() {
	envFile := flag.String("envfile", "", "the gateway's .env")
	addrFile := flag.String("addr-file", "", "write the gateway's base URL here once it serves")
	port := flag.Int("port", 0, "the loopback port to serve on (0: a free one)")
	flag.Parse()
	var env []string
	if *envFile != "" {
		data, err := os.ReadFile(*envFile)
		if err != nil {
			fail(err)
		}
		env = envmap.Parse(data).Environ()
	}
	start := testenv.StartRealGateway
	if *port != 0 {
		// the demo's gateway keeps running: its log goes to stderr as it comes
		start = func(env []string) (*testenv.RealGateway, error) {
			return testenv.StartRealGatewayOnPort(env, *port, os.Stderr)
		}
	}
	g, err := start(env)
	if err != nil {
		fail(err)
	}
	defer g.Close()
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(g.URL), 0o600); err != nil {
			g.Close() // fail exits: the deferred Close would not run
			fail(err)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "rungateway:", err)
	os.Exit(1)
}
