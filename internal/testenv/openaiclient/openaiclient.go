// Package openaiclient runs the official OpenAI Python SDK (installed by
// scripts/openai-sdk.sh) as a real client of `igctl proxy` and `igctl exec`,
// and judges what it recorded: every request answered, and streamed chunks
// arriving spread out as the provider sent them, not bunched at the end.
package openaiclient

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Script is stream.py, the client; it writes a Run as JSON.
//
//go:embed stream.py
var Script []byte

// Python is the venv interpreter that imports openai, from
// IGCTL_TEST_OPENAI_PYTHON (scripts/openai-sdk.sh env), or "".
func Python() string {
	p := os.Getenv("IGCTL_TEST_OPENAI_PYTHON")
	if p == "" {
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Run is what stream.py recorded.
type Run struct {
	SDK      string    `json:"sdk"`
	Failures int       `json:"failures"`
	Requests []Request `json:"requests"`
}

// Request is one streamed chat completion.
type Request struct {
	Start   float64   `json:"start"`  // seconds after the run began
	Chunks  []float64 `json:"chunks"` // seconds after the request was sent
	Content string    `json:"content"`
	Status  int       `json:"status"`
	Error   *string   `json:"error"`
}

// Read loads a Run.
func Read(path string) (*Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// Timing is the summary of a Run against the provider's chunk delay.
type Timing struct {
	SDK      string
	Requests int
	Duration time.Duration // first request sent to last one started
	Chunks   int           // chunks over all requests
	// MedianGap is the median pause between consecutive chunks; MaxGap the
	// longest one; MaxFirst the longest wait for a first chunk.
	MedianGap, MaxGap, MaxFirst time.Duration
	// MinSpread is, over all requests, the smallest ratio of the time from
	// first to last content chunk to what the provider took to send them
	// ((n−1)·delay): near 1 when chunks arrive as sent, near 0 when held
	// back and delivered together.
	MinSpread float64
	// Truncated counts answers that ended cleanly but early (a strict
	// prefix of the provider's text). The real gateway v0.48.2 does this
	// now and then when its own hop to the provider breaks ("error reading
	// stream" in its log): it closes the stream as if it were complete.
	Truncated int
	// Cut counts requests whose connection broke mid-answer (an error
	// without an HTTP status: the SDK's APIConnectionError), which is what
	// a client sees when a stream breaks upstream without a clean end and
	// igctl's proxy passes the break on rather than hide it. The caller
	// forgives one only against the gateway's own log of a broken stream.
	Cut int
}

func (t Timing) String() string {
	return fmt.Sprintf("openai %s: %d requests over %s, %d chunks; gap between chunks median %s, max %s; first chunk after at most %s; spread at least %.2f of the provider's; %d cut short by the gateway, %d broken off",
		t.SDK, t.Requests, t.Duration.Round(time.Second), t.Chunks, t.MedianGap.Round(time.Millisecond), t.MaxGap.Round(time.Millisecond),
		t.MaxFirst.Round(time.Millisecond), t.MinSpread, t.Truncated, t.Cut)
}

// Analyze checks r: no failed request, each answer the provider's text,
// and chunks spread by about delay (minSpread of it at least).
func Analyze(r *Run, delay time.Duration, wantContent string, minSpread float64) (Timing, error) {
	t := Timing{SDK: r.SDK, Requests: len(r.Requests), MinSpread: -1}
	for i, q := range r.Requests {
		if q.Error != nil && q.Status != 0 {
			return t, fmt.Errorf("%d of %d requests failed; request %d: HTTP %d: %s", r.Failures, len(r.Requests), i+1, q.Status, *q.Error)
		}
	}
	if len(r.Requests) == 0 {
		return t, fmt.Errorf("no request was made")
	}
	var gaps []time.Duration
	for i, q := range r.Requests {
		if q.Error != nil {
			if !strings.HasPrefix(*q.Error, "APIConnectionError") {
				return t, fmt.Errorf("request %d failed: %s", i+1, *q.Error)
			}
			t.Cut++ // judged by the caller, against the gateway's log
			continue
		}
		if wantContent != "" && q.Content != wantContent {
			if q.Content != "" && strings.HasPrefix(wantContent, q.Content) {
				t.Truncated++
				continue
			}
			return t, fmt.Errorf("request %d: content %q, want %q", i+1, q.Content, wantContent)
		}
		if len(q.Chunks) < 2 {
			return t, fmt.Errorf("request %d: %d chunk(s), want a stream", i+1, len(q.Chunks))
		}
		t.Chunks += len(q.Chunks)
		first := sec(q.Chunks[0])
		t.MaxFirst = max(t.MaxFirst, first)
		for j := 1; j < len(q.Chunks); j++ {
			g := sec(q.Chunks[j] - q.Chunks[j-1])
			gaps = append(gaps, g)
			t.MaxGap = max(t.MaxGap, g)
		}
		if delay > 0 {
			sent := time.Duration(len(q.Chunks)-1) * delay
			spread := float64(sec(q.Chunks[len(q.Chunks)-1]-q.Chunks[0])) / float64(sent)
			if t.MinSpread < 0 || spread < t.MinSpread {
				t.MinSpread = spread
			}
		}
	}
	if len(gaps) == 0 {
		return t, fmt.Errorf("no complete stream among %d requests", len(r.Requests))
	}
	last := r.Requests[len(r.Requests)-1]
	t.Duration = sec(last.Start)
	slices.Sort(gaps)
	t.MedianGap = gaps[len(gaps)/2]
	if delay > 0 {
		if t.MinSpread < minSpread {
			return t, fmt.Errorf("chunks arrived bunched: spread %.2f of the provider's (want ≥ %.2f): %s", t.MinSpread, minSpread, t)
		}
		if t.MedianGap < delay/2 {
			return t, fmt.Errorf("median gap between chunks %s, want about %s: %s", t.MedianGap, delay, t)
		}
	}
	return t, nil
}

func sec(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
