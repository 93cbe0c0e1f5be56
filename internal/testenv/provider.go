package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Provider is a STAND-IN for an LLM provider behind the real gateway (no
// real provider is reachable from the test machines). It answers the
// OpenAI-compatible API the gateway's "openai" provider calls: GET
// /v1/models as a list of model objects, and POST /v1/chat/completions,
// streamed as Server-Sent Events chunks ending in "data: [DONE]" when the
// request asks for "stream": true. It checks nothing but the path.
//
// Like a real model it answers a chat completion only after it has read the
// whole request and a first-token delay has passed. Answering at once would
// make the real gateway v0.48.2 break its own streams now and then, on a
// busy machine: its provider client sends "Accept: text/event-stream,
// application/json" (providers/core/provider.go:107), which its /proxy
// route does not take for a stream (an exact comparison, api/routes.go:121),
// so the request goes through the route's httputil.ReverseProxy
// (api/routes.go:233). Go's HTTP/1.1 server closes an unconsumed request
// body when a handler writes its response header; that reverse proxy's
// transport makes one more read of the body after its Content-Length bytes,
// to check for EOF, and when the provider has answered before that read, it
// fails ("http: invalid Read on closed Body"), the transport closes the
// provider connection ("ReverseProxy read error during body copy: ... use
// of closed network connection" in the gateway's log) and the gateway's
// chat handler logs "error reading stream ... unexpected EOF" and ends the
// answer early. A first-token delay is what every real provider has; it
// leaves the gateway's transport that read long before the answer comes.
type Provider struct {
	URL string // base URL including /v1, for OPENAI_API_URL
	// ChunkDelay is the pause between streamed chunks.
	ChunkDelay time.Duration
	// FirstTokenDelay is the pause before a chat completion's answer
	// begins (DefaultFirstTokenDelay unless set).
	FirstTokenDelay time.Duration
	srv             *httptest.Server
	closeOnce       sync.Once
}

// DefaultFirstTokenDelay is the stand-in's time to a first token.
const DefaultFirstTokenDelay = 150 * time.Millisecond

// ProviderModels are the model ids the stand-in lists (the gateway prefixes
// them with "openai/").
var ProviderModels = []string{"gpt-4o", "gpt-4o-mini"}

// Close stops the stand-in.
func (p *Provider) Close() { p.closeOnce.Do(p.srv.Close) }

// StartProvider starts the stand-in on loopback.
func StartProvider() *Provider {
	p := &Provider{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
			data := []map[string]any{}
			for _, id := range ProviderModels {
				data = append(data, map[string]any{"id": id, "object": "model", "created": 1686935002, "owned_by": "openai"})
			}
			writeJSON(w, 200, map[string]any{"object": "list", "data": data})
		case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
			p.chat(w, r)
		default:
			writeJSON(w, 404, map[string]any{"error": map[string]string{"message": "not found", "type": "invalid_request_error"}})
		}
	}))
	p.URL = p.srv.URL + "/v1"
	return p
}

func (p *Provider) chat(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	body, _ := io.ReadAll(r.Body)
	json.Unmarshal(body, &req)
	wait := p.FirstTokenDelay
	if wait == 0 {
		wait = DefaultFirstTokenDelay
	}
	select {
	case <-time.After(wait):
	case <-r.Context().Done():
		return
	}
	words := strings.Fields("the quick brown fox jumps over the lazy dog")
	created := time.Now().Unix()
	if !req.Stream {
		writeJSON(w, 200, map[string]any{"id": "chatcmpl-standin", "object": "chat.completion", "created": created, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]string{"role": "assistant", "content": strings.Join(words, " ")}}},
			"usage":   map[string]int{"prompt_tokens": 1, "completion_tokens": len(words), "total_tokens": len(words) + 1}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	for i, word := range words {
		chunk := map[string]any{"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": created, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]string{"content": word + " "}, "finish_reason": nil}}}
		if i == len(words)-1 {
			chunk["choices"] = []any{map[string]any{"index": 0, "delta": map[string]string{"content": word}, "finish_reason": "stop"}}
		}
		b, _ := json.Marshal(chunk)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
		if p.ChunkDelay > 0 {
			time.Sleep(p.ChunkDelay)
		}
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
