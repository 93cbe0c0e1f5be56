// Command igctl is the command-line companion for an Inference Gateway secured with OIDC.
package main

import (
	"os"

	"github.com/inference-gateway/igctl/internal/cli"
)

func main() { os.Exit(cli.Run()) }
