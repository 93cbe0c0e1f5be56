package models

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// The gateway's real answer shape with ?include=context_window,pricing (prices are
// decimal strings, exact for tiny prices).
const answer = `{"object":"list","data":[
 {"id":"openai/gpt-4o","object":"model","created":1686935002,"owned_by":"openai","served_by":"openai",
  "context_window":{"tokens":128000,"source":"models.dev"},
  "pricing":{"input_per_token":"0.0000025","output_per_token":"0.00001","currency":"USD","source":"models.dev"}},
 {"id":"groq/llama-3.3-70b","object":"model","created":1,"owned_by":"groq","served_by":"groq"}]}`

func render(t *testing.T, tty bool, include []string) string {
	return renderColour(t, tty, false, include)
}

func renderColour(t *testing.T, tty, noColor bool, include []string) string {
	io, _, out, _ := iostreams.Test()
	io.SetTTY(false, tty, false)
	io.SetNoColor(noColor)
	var list gateway.ModelList
	if err := json.Unmarshal([]byte(answer), &list); err != nil {
		t.Fatal(err)
	}
	if err := printModels(io, &list, include); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestPipeGetsOneIDPerLine(t *testing.T) {
	if got := render(t, false, []string{"pricing"}); got != "openai/gpt-4o\ngroq/llama-3.3-70b\n" {
		t.Fatalf("%q", got)
	}
}

// On a terminal with colour: a bordered table.
func TestTerminalGetsBorderedTable(t *testing.T) {
	got := render(t, true, []string{"context_window", "pricing"})
	for _, want := range []string{"╭", "╰", " openai/gpt-4o      ", "INPUT $/1M", "10.00"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
}

// On a terminal with --no-color or NO_COLOR: the plain columns, no border, no escapes.
func TestTerminalNoColorGetsPlainTable(t *testing.T) {
	got := renderColour(t, true, true, []string{"context_window", "pricing"})
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 3 {
		t.Fatalf("want header + 2 rows:\n%s", got)
	}
	for _, want := range []string{"ID", "PROVIDER", "CONTEXT", "INPUT $/1M", "OUTPUT $/1M"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("header lacks %s: %q", want, lines[0])
		}
	}
	// $2.50 and $10.00 per million tokens; a model without pricing shows dashes
	if f := strings.Fields(lines[1]); strings.Join(f, " ") != "openai/gpt-4o openai 128000 2.50 10.00" {
		t.Errorf("row: %q", lines[1])
	}
	if f := strings.Fields(lines[2]); strings.Join(f, " ") != "groq/llama-3.3-70b groq - - -" {
		t.Errorf("row: %q", lines[2])
	}
	if strings.Contains(got, "\x1b[") {
		t.Error("--no-color: stdout must not carry ANSI styling")
	}
	if strings.ContainsAny(got, "╭│") {
		t.Errorf("--no-color drew a border:\n%s", got)
	}
}
