package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// models is what the stand-in answers on GET /v1/models: the size of a small
// gateway's list.
const models = `{"object":"list","data":[{"id":"openai/gpt-4o","object":"model","created":1700000000,"owned_by":"openai","served_by":"openai"},{"id":"ollama/llama3","object":"model","created":1700000000,"owned_by":"ollama","served_by":"ollama"}]}`

// listen serves h on a free loopback port and writes http://ADDR to addrFile.
func listen(h http.Handler, addrFile string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if err := os.WriteFile(addrFile+".tmp", []byte("http://"+ln.Addr().String()+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(addrFile+".tmp", addrFile); err != nil {
		return err
	}
	return (&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
}

// runUpstream is the stand-in gateway. POST /v1/chat/completions streams
// CHUNKS (header X-Chunks, default 50) SSE events GAP apart (X-Gap-Us,
// default 2000 µs); each carries the time it was written, in Unix
// nanoseconds, so that a client on the same machine can tell how long the
// chunk took to reach it.
func runUpstream(args []string) error {
	fs := flag.NewFlagSet("upstream", flag.ExitOnError)
	addrFile := fs.String("addr-file", "", "write http://HOST:PORT here once listening")
	fs.Parse(args)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, models)
	})
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n, gap := headerInt(r, "X-Chunks", 50), time.Duration(headerInt(r, "X-Gap-Us", 2000))*time.Microsecond
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		fl := w.(http.Flusher)
		for i := 0; i < n; i++ {
			if i > 0 {
				time.Sleep(gap)
			}
			fmt.Fprintf(w, "data: {\"object\":\"chat.completion.chunk\",\"t\":%d,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token %d \"}}]}\n\n", time.Now().UnixNano(), i)
			fl.Flush()
		}
		io.WriteString(w, "data: [DONE]\n\n")
		fl.Flush()
	})
	return listen(mux, *addrFile)
}

func headerInt(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.Header.Get(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// runBareProxy is the floor igctl proxy is held against: the standard
// library's reverse proxy in its own process, replacing Authorization with a
// fixed token read once, flushing every write (as SSE needs), and nothing
// else: no local key, no renewal, no access log.
func runBareProxy(args []string) error {
	fs := flag.NewFlagSet("bareproxy", flag.ExitOnError)
	upstream := fs.String("upstream", "", "upstream base URL")
	tokenFile := fs.String("token-file", "", "file holding the bearer token")
	addrFile := fs.String("addr-file", "", "write http://HOST:PORT here once listening")
	fs.Parse(args)
	u, err := url.Parse(*upstream)
	if err != nil {
		return err
	}
	tok, err := os.ReadFile(*tokenFile)
	if err != nil {
		return err
	}
	bearer := "Bearer " + strings.TrimSpace(string(tok))
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Header.Set("Authorization", bearer)
		},
		FlushInterval: -1,
		// as many idle upstream connections as igctl proxy keeps, so that
		// 50 clients do not make either open a connection per request
		Transport: &http.Transport{Proxy: nil, MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: 90 * time.Second},
	}
	// A request body is read before the request goes on, as igctl proxy
	// does with bodies up to 1 MiB (to retry after a 401). Streamed to the
	// upstream instead, now and then an SSE answer stopped after its first
	// chunk ("use of closed network connection" on the upstream side, EOF
	// at the client): the floor has to finish every stream to be one.
	return listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > 0 && r.ContentLength <= 1<<20 {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		rp.ServeHTTP(w, r)
	}), *addrFile)
}
