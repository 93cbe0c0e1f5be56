// Command gatewaystandin runs the test stand-in for the Inference Gateway
// (testenv.Gateway) for the demo: the gateway's own module is not available
// here. It is development tooling, never part of a release.
//
//	gatewaystandin -issuer URL -client-id ID -addr-file FILE
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/inference-gateway/igctl/internal/testenv"
)

func main() {
	issuer := flag.String("issuer", "", "AUTH_OIDC_ISSUER")
	clientID := flag.String("client-id", "", "AUTH_OIDC_CLIENT_ID")
	addrFile := flag.String("addr-file", "", "write the base URL here once listening")
	flag.Parse()
	g, err := testenv.StartGateway(*issuer, *clientID, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatewaystandin:", err)
		os.Exit(1)
	}
	defer g.Close()
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(g.URL+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gatewaystandin:", err)
			os.Exit(1)
		}
	}
	fmt.Fprintln(os.Stderr, "gateway stand-in listening on", g.URL)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}
