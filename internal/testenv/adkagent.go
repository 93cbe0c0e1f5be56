package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ADKAgent is a real TypeScript ADK agent process (node agent.mjs, from
// internal/testenv/adk, installed by scripts/adk.sh with the pinned
// @inference-gateway/adk). agent.mjs's header comment records how the
// library behaves with auth on: public paths, 401 shapes, the extended card.
type ADKAgent struct {
	URL string // http://127.0.0.1:PORT, no trailing slash; JSON-RPC is POST URL+"/"
	*child
}

// ADKAgentScript is the agent.mjs scripts/adk.sh installed, from IGCTL_TEST_ADK_AGENT.
func ADKAgentScript() (string, error) {
	return peerPath("IGCTL_TEST_ADK_AGENT", "the ADK agent")
}

// StartADKAgent starts node $IGCTL_TEST_ADK_AGENT with exactly the given environment entries
// (KEY=VALUE, plus PATH/HOME/NODE_ENV=production), waits (up to 30 s) for the LISTENING line,
// and returns an error that includes the agent's captured output if it exits or never listens
// (e.g. the ADK refuses to start: OIDC discovery failure, missing secret).
//
// The entries come after the defaults, so they may override NODE_ENV; A2A_SERVER_PORT unset
// or 0 makes the agent pick a free port.
func StartADKAgent(env []string) (*ADKAgent, error) {
	script, err := ADKAgentScript()
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("the ADK agent needs node on PATH: %w", err)
	}
	full := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "NODE_ENV=production"}, env...)
	listening := &lineWatcher{prefix: "LISTENING ", found: make(chan string, 1)}
	a := &ADKAgent{}
	if a.child, err = startChild([]string{node, script}, full, listening, nil); err != nil {
		return nil, err
	}
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	select {
	case url := <-listening.found:
		a.URL = strings.TrimRight(url, "/")
		return a, nil
	case <-a.done:
		return nil, a.exitError("the ADK agent")
	case <-timeout.C:
		a.Close()
		return nil, fmt.Errorf("the ADK agent printed no LISTENING line within 30 s; its output:\n%s", a.Log())
	}
}
