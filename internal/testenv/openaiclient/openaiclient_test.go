package openaiclient

import (
	"strings"
	"testing"
	"time"
)

const pangram = "the quick brown fox jumps over the lazy dog"

func complete(start float64) Request {
	return Request{Start: start, Content: pangram, Status: 200, Chunks: []float64{0.01, 0.21, 0.41, 0.61}}
}

func errText(s string) *string { return &s }

// A request broken off without an HTTP status is counted for the caller to
// judge; one the gateway answered with an error status fails the run.
func TestAnalyzeCountsBrokenOffRequests(t *testing.T) {
	cut := Request{Start: 1, Error: errText("APIConnectionError: Connection error.")}
	tm, err := Analyze(&Run{Failures: 1, Requests: []Request{complete(0), cut, complete(2)}}, 200*time.Millisecond, pangram, 0.6)
	if err != nil || tm.Cut != 1 || tm.Truncated != 0 {
		t.Fatalf("cut: %+v, %v", tm, err)
	}
	status := Request{Start: 1, Status: 500, Error: errText("InternalServerError: boom")}
	if _, err := Analyze(&Run{Failures: 1, Requests: []Request{complete(0), status}}, 200*time.Millisecond, pangram, 0.6); err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("a status error passed: %v", err)
	}
	other := Request{Start: 1, Error: errText("APITimeoutError: Request timed out.")}
	if _, err := Analyze(&Run{Failures: 1, Requests: []Request{complete(0), other}}, 200*time.Millisecond, pangram, 0.6); err == nil {
		t.Fatal("a timeout passed as a broken-off stream")
	}
	if _, err := Analyze(&Run{Failures: 1, Requests: []Request{cut}}, 200*time.Millisecond, pangram, 0.6); err == nil {
		t.Fatal("a run with no complete stream passed")
	}
}
