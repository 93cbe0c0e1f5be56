package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type target struct{ name, url string }

// proxyResult is what `igbench proxy` writes; times in milliseconds.
type proxyResult struct {
	Targets []string                      `json:"targets"`
	Latency map[string]map[string]float64 `json:"latency_ms"` // target -> p50, p99 (each the median over the rounds)
	RPS     map[string]map[string]float64 `json:"rps"`        // target -> "1", "50" (clients) -> median over rounds
	SSE     map[string]map[string]float64 `json:"sse_chunk_ms"`
	Rounds  int                           `json:"rounds"`
	Latn    int                           `json:"latency_requests_per_round"`
	RPSSecs float64                       `json:"rps_seconds_per_round"`
	Streams int                           `json:"sse_streams_per_round"`
	Chunks  int                           `json:"sse_chunks_per_stream"`
}

// runProxyBench measures every target in turn within each round (the order
// rotating from round to round), so that a change in the machine's load
// reaches all of them alike.
func runProxyBench(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	out := fs.String("o", "", "write the JSON result here (else stdout)")
	keyFile := fs.String("key-file", "", "the API key clients send (igctl proxy's local key)")
	rounds := fs.Int("rounds", 5, "rounds")
	latN := fs.Int("latency-requests", 300, "sequential GET /v1/models per target and round")
	rpsSecs := fs.Float64("rps-seconds", 1.5, "seconds of load per target, client count and round")
	streams := fs.Int("streams", 6, "SSE streams per target and round")
	chunks := fs.Int("chunks", 50, "chunks per SSE stream")
	fs.Parse(args)
	var ts []target
	for _, a := range fs.Args() {
		name, u, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("proxy: want NAME=URL, not %q", a)
		}
		ts = append(ts, target{name, strings.TrimRight(u, "/")})
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	auth := "Bearer " + strings.TrimSpace(string(key))
	// per target, one p50 and one p99 a round: the figures are the medians
	// over the rounds, so one round that met a burst of load elsewhere on the
	// machine does not make the tail
	lat := map[string]map[string][]float64{}
	rps := map[string]map[int][]float64{}
	sse := map[string]map[string][]float64{}
	for _, t := range ts {
		rps[t.name] = map[int][]float64{}
		lat[t.name], sse[t.name] = map[string][]float64{}, map[string][]float64{}
	}
	addQ := func(m map[string][]float64, xs []float64) {
		m["p50"] = append(m["p50"], quantile(xs, 0.5))
		m["p99"] = append(m["p99"], quantile(xs, 0.99))
	}
	for r := 0; r < *rounds; r++ {
		for i := range ts {
			t := ts[(i+r)%len(ts)]
			l, err := latencies(t.url, auth, *latN)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			addQ(lat[t.name], l)
			for _, c := range []int{1, 50} {
				n, err := throughput(t.url, auth, c, time.Duration(*rpsSecs*float64(time.Second)))
				if err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
				rps[t.name][c] = append(rps[t.name][c], n)
			}
			var delays []float64
			for s := 0; s < *streams; s++ {
				d, err := chunkDelays(t.url, auth, *chunks)
				if err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
				delays = append(delays, d...)
			}
			addQ(sse[t.name], delays)
		}
		fmt.Fprintf(os.Stderr, "round %d of %d done\n", r+1, *rounds)
	}
	res := proxyResult{Latency: map[string]map[string]float64{}, RPS: map[string]map[string]float64{}, SSE: map[string]map[string]float64{},
		Rounds: *rounds, Latn: *latN, RPSSecs: *rpsSecs, Streams: *streams, Chunks: *chunks}
	for _, t := range ts {
		res.Targets = append(res.Targets, t.name)
		res.Latency[t.name] = map[string]float64{"p50": quantile(lat[t.name]["p50"], 0.5), "p99": quantile(lat[t.name]["p99"], 0.5)}
		res.SSE[t.name] = map[string]float64{"p50": quantile(sse[t.name]["p50"], 0.5), "p99": quantile(sse[t.name]["p99"], 0.5)}
		res.RPS[t.name] = map[string]float64{}
		for c, v := range rps[t.name] {
			res.RPS[t.name][strconv.Itoa(c)] = quantile(v, 0.5)
		}
		fmt.Fprintf(os.Stderr, "%-8s models p50 %.3f ms p99 %.3f ms; rps 1: %.0f 50: %.0f; sse chunk p50 %.3f ms p99 %.3f ms\n", t.name,
			res.Latency[t.name]["p50"], res.Latency[t.name]["p99"], res.RPS[t.name]["1"], res.RPS[t.name]["50"], res.SSE[t.name]["p50"], res.SSE[t.name]["p99"])
	}
	return writeJSON(*out, res)
}

func client(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}}
}

func get(c *http.Client, url, auth string) error {
	req, _ := http.NewRequest("GET", url+"/v1/models", nil)
	req.Header.Set("Authorization", auth)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET /v1/models: %s", resp.Status)
	}
	return nil
}

// latencies: n sequential requests on one keep-alive connection, in ms.
func latencies(url, auth string, n int) ([]float64, error) {
	c := client(1)
	defer c.CloseIdleConnections()
	if err := get(c, url, auth); err != nil { // the connection, not counted
		return nil, err
	}
	out := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := get(c, url, auth); err != nil {
			return nil, err
		}
		out = append(out, float64(time.Since(start).Microseconds())/1000)
	}
	return out, nil
}

// throughput: requests per second that `clients` keep-alive clients, each
// sending its next request when the last one is answered, complete in d.
func throughput(url, auth string, clients int, d time.Duration) (float64, error) {
	c := client(clients)
	defer c.CloseIdleConnections()
	var done atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				if err := get(c, url, auth); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

// chunkDelays streams one chat completion and returns, for each chunk, the
// time from the upstream writing it to this client reading it, in ms.
func chunkDelays(url, auth string, chunks int) ([]float64, error) {
	req, _ := http.NewRequest("POST", url+"/v1/chat/completions", bytes.NewReader([]byte(`{"model":"openai/gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}`)))
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Chunks", strconv.Itoa(chunks))
	c := client(1)
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("POST /v1/chat/completions: %s", resp.Status)
	}
	var out []float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, `"t":`)
		if i < 0 {
			continue
		}
		now := time.Now().UnixNano()
		rest := line[i+4:]
		if j := strings.IndexByte(rest, ','); j >= 0 {
			rest = rest[:j]
		}
		sent, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, float64(now-sent)/1e6)
	}
	if err := sc.Err(); err != nil || len(out) != chunks {
		return nil, fmt.Errorf("SSE: %d chunks of %d arrived (%v)", len(out), chunks, err)
	}
	return out, nil
}
