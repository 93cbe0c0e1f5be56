// Package models implements `igctl models`.
package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// Options for `igctl models`: what modelsRun reads, and nothing else.
type Options struct {
	IO         *iostreams.IOStreams
	Session    func() (*cmdutil.Session, error)
	GatewayURL func(flag string, p *config.Profile) (string, error)
	HTTPClient func(caFile string) (*http.Client, error)
	Verbose    func() bool // -v: also ask without a token whether authentication is on
	Verbosef   func(string, ...any)

	Gateway  string
	Provider string
	Include  []string
	JSON     bool
}

// NewOptions wires Options to f: the getters are f's, read when the command runs.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO, Session: f.Session, GatewayURL: f.GatewayURL, HTTPClient: f.HTTPClient,
		Verbose: func() bool { return f.Globals.Verbose }, Verbosef: f.Verbosef}
}

// NewCmdModels builds the command; runF replaces the run function in tests.
func NewCmdModels(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:     "models",
		GroupID: "auth",
		Short:   "List the gateway's models with the profile's token (GET /v1/models)",
		Long: `Call GET {gateway}/v1/models with the profile's token (IGCTL_TOKEN wins). On a 401
igctl refreshes the token and retries once; if the gateway still refuses, it
exits 4 and says why, checking the token as the gateway does (signature, iss, aud,
exp, against the gateway's own settings when the profile records them),
since the gateway's own 401 body says only {"error":"unauthorized"}.
With -v it also asks once without a token: a 200 means authentication is OFF,
and igctl exits 3 after printing the models.

A table on a terminal (id, provider, context window and prices with --include),
one id per line for pipes, the gateway's JSON untouched with --json.`,
		Example: `  igctl models --gateway http://localhost:8080 --include context_window,pricing
  IGCTL_GATEWAY_URL=https://gw.example.com igctl models --provider openai --json | jq -r '.data[].id'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return modelsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Gateway, "gateway", "", "gateway base URL (else IGCTL_GATEWAY_URL, else the profile's gateway_url)")
	cmd.Flags().StringVar(&opts.Provider, "provider", "", "only this provider's models")
	cmd.Flags().StringSliceVar(&opts.Include, "include", nil, "extra fields: context_window, pricing, modalities")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the gateway's JSON")
	return cmd
}

func modelsRun(ctx context.Context, opts *Options) error {
	s, err := opts.Session()
	if err != nil {
		return err
	}
	base, err := opts.GatewayURL(opts.Gateway, s.Profile)
	if err != nil {
		return err
	}
	hc, err := opts.HTTPClient(s.CAFile())
	if err != nil {
		return err
	}
	c := &gateway.Client{BaseURL: base, HTTP: hc, Token: s.TokenFunc()}
	raw, list, err := c.Models(ctx, opts.Provider, opts.Include)
	if errors.Is(err, gateway.ErrUnauthorized) {
		return s.Explain401(ctx, hc)
	}
	var apiErr *gateway.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest && opts.Provider != "" {
		// the gateway's answer to a provider it does not have
		return cmdutil.Fail(cmdutil.Usage, err, "--provider names one of the gateway's providers (igctl models lists them)")
	}
	if err != nil {
		return err
	}
	if opts.JSON {
		// the gateway's bytes as they came, ending in one newline as every
		// line of output does (the gateway sends none)
		if !bytes.HasSuffix(raw, []byte("\n")) {
			raw = append(raw, '\n')
		}
		_, err = opts.IO.Out.Write(raw)
	} else {
		err = printModels(opts.IO, list, opts.Include)
	}
	if err != nil || !opts.Verbose() {
		return err
	}
	// -v: does the gateway check tokens at all? One more request, without one.
	switch off, err := c.AuthOff(ctx); {
	case err != nil:
		opts.Verbosef("could not tell whether authentication is on: %v", err)
	case off:
		return cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("authentication is OFF at %s: GET /v1/models answered 200 without any token, so the gateway serves everyone", base),
			cmdutil.GatewayAuthOffFix)
	default:
		opts.Verbosef("authentication is on: without a token the gateway answers 401")
	}
	return nil
}

// printModels writes one id per line for pipes, a table on a terminal
// (bordered unless colour is off).
func printModels(io *iostreams.IOStreams, list *gateway.ModelList, include []string) error {
	if !io.IsStdoutTTY() {
		for _, m := range list.Data {
			fmt.Fprintln(io.Out, m.ID)
		}
		return nil
	}
	header := []string{"ID", "PROVIDER"}
	has := func(k string) bool {
		for _, i := range include {
			if i == k {
				return true
			}
		}
		return false
	}
	if has("context_window") {
		header = append(header, "CONTEXT")
	}
	if has("pricing") {
		header = append(header, "INPUT $/1M", "OUTPUT $/1M")
	}
	if has("modalities") {
		header = append(header, "MODALITIES")
	}
	rows := make([][]string, 0, len(list.Data))
	for _, m := range list.Data {
		row := []string{m.ID, m.ServedBy}
		if has("context_window") {
			row = append(row, dash(m.ContextWindow != nil, func() string { return fmt.Sprint(m.ContextWindow.Tokens) }))
		}
		if has("pricing") {
			row = append(row, perMillion(m, func(m gateway.Model) gateway.Price { return m.Pricing.InputPerToken }),
				perMillion(m, func(m gateway.Model) gateway.Price { return m.Pricing.OutputPerToken }))
		}
		if has("modalities") {
			row = append(row, dash(m.Modalities != nil, func() string {
				return strings.Join(m.Modalities.Input, "+") + " → " + strings.Join(m.Modalities.Output, "+")
			}))
		}
		rows = append(rows, row)
	}
	if err := io.Table(header, rows); err != nil {
		return err
	}
	if len(list.Data) == 0 {
		io.Infof("the gateway lists no models (are any provider API keys configured?)")
	}
	return nil
}

func perMillion(m gateway.Model, price func(gateway.Model) gateway.Price) string {
	if m.Pricing == nil {
		return "-"
	}
	v, ok := price(m).PerMillion()
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

func dash(ok bool, v func() string) string {
	if !ok {
		return "-"
	}
	return v()
}
