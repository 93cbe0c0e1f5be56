package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdKeylessFlood is `keylessflood HOST:PORT N KEYFILE`, the load test of
// igctl proxy's connection handling: N clients without the local key each
// open a keep-alive connection, send one request and then hold the
// connection open, and 200 more connect and send nothing; meanwhile and
// afterwards, requests with the key (read from KEYFILE), each on a new
// connection, must all succeed within 5 s. The connections that sent
// nothing must be closed by the proxy within 15 s. It prints the figures.
func cmdKeylessFlood(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: keylessflood HOST:PORT N KEYFILE")
	}
	addr := args[0]
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	key := strings.TrimSpace(ts.ReadFile(args[2]))
	const silentN = 200

	var held []net.Conn
	var heldMu sync.Mutex
	hold := func(c net.Conn) {
		heldMu.Lock()
		held = append(held, c)
		heldMu.Unlock()
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()

	silentStart := time.Now()
	var silent []net.Conn
	for i := 0; i < silentN; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		ts.Check(err)
		hold(c)
		silent = append(silent, c)
	}

	// the owner's requests, one new connection each, while the flood runs
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var keyedOK, keyedFail atomic.Int64
	var keyedMax atomic.Int64
	var firstErr atomic.Value
	keyed := func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/models", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		if err != nil {
			keyedFail.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
			return
		}
		keyedOK.Add(1)
		if d := int64(time.Since(t0)); d > keyedMax.Load() {
			keyedMax.Store(d)
		}
	}
	stop := make(chan struct{})
	keyedDone := make(chan struct{})
	go func() {
		defer close(keyedDone)
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				keyed()
			}
		}
	}()

	// the flood: N keyless requests on keep-alive connections held open
	var answered401, closedByProxy, noAnswer atomic.Int64
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					noAnswer.Add(1)
					continue
				}
				hold(c)
				c.SetDeadline(time.Now().Add(5 * time.Second))
				io.WriteString(c, "GET /v1/models HTTP/1.1\r\nHost: "+addr+"\r\nConnection: keep-alive\r\n\r\n")
				br := bufio.NewReader(c)
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					noAnswer.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				if resp.StatusCode == http.StatusUnauthorized {
					answered401.Add(1)
				}
				if _, err := br.ReadByte(); errors.Is(err, io.EOF) {
					closedByProxy.Add(1)
				}
			}
		}()
	}
	floodStart := time.Now()
	for i := 0; i < n; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	floodTook := time.Since(floodStart)
	// and the owner keeps being served after it, keyless connections held
	time.Sleep(time.Second)
	close(stop)
	<-keyedDone

	silentClosed := 0
	for _, c := range silent {
		c.SetReadDeadline(silentStart.Add(15 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
			silentClosed++
		}
	}

	fmt.Fprintf(ts.Stdout(), "keyless: %d connections with a request (%s), %d answered 401, %d closed by the proxy, %d unanswered\n",
		n, floodTook.Round(time.Millisecond), answered401.Load(), closedByProxy.Load(), noAnswer.Load())
	fmt.Fprintf(ts.Stdout(), "silent: %d connections without a request, %d closed by the proxy within 15 s\n", silentN, silentClosed)
	fmt.Fprintf(ts.Stdout(), "keyed: %d succeeded, %d failed, slowest %s\n",
		keyedOK.Load(), keyedFail.Load(), time.Duration(keyedMax.Load()).Round(time.Millisecond))
	if keyedFail.Load() > 0 || keyedOK.Load() == 0 {
		ts.Fatalf("requests with the key failed during the flood (first: %v)", firstErr.Load())
	}
	if answered401.Load() != int64(n) || silentClosed != silentN {
		ts.Fatalf("the proxy did not answer every keyless client and close every silent connection")
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
