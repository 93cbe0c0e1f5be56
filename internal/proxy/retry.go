package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/inference-gateway/igctl/internal/fault"
)

// prepareBody keeps a body of up to MaxReplayBody in memory so the request
// can be replayed after a 401; a larger one streams through as it arrives.
func (p *Proxy) prepareBody(r *http.Request, st *reqState) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		st.replayable = true
		return nil
	}
	if r.ContentLength > p.o.MaxReplayBody {
		return nil
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, p.o.MaxReplayBody+1))
	if err != nil {
		return err
	}
	if int64(len(buf)) > p.o.MaxReplayBody {
		// Chunked and larger than the bound: what was read goes first.
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
		return nil
	}
	r.Body.Close()
	r.ContentLength = int64(len(buf))
	r.Body = io.NopCloser(bytes.NewReader(buf))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
	st.replayable = true
	return nil
}

type roundTripper struct{ p *Proxy }

// RoundTrip sends the request with the token; after a 401 it renews the
// token and sends it once more when the body could be kept, and otherwise
// passes the 401 on with igctl's diagnosis.
func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	p := rt.p
	st, _ := req.Context().Value(ctxKey{}).(*reqState)
	if st == nil {
		return nil, errors.New("igctl proxy: request without state")
	}
	// Exactly "Bearer ": the gateway's prefix check is case-sensitive.
	req.Header.Set("Authorization", "Bearer "+st.token)
	resp, err := p.o.Transport.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if !st.replayable {
		p.annotate401(req.Context(), resp, st.token, "the request body was too large to replay, so igctl did not retry")
		return resp, nil
	}
	fresh, rerr := p.o.Tokens.Renew(req.Context(), st.token)
	if rerr != nil {
		why := "renewing the token failed: " + rerr.Error()
		if errors.Is(rerr, ErrRenewalDidNotHelp) {
			why = "not retried: " + rerr.Error()
		}
		p.annotate401(req.Context(), resp, st.token, why)
		return resp, nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	st.token, st.retried = fresh, true
	again.Header.Set("Authorization", "Bearer "+fresh)
	resp, err = p.o.Transport.RoundTrip(again)
	switch {
	case err != nil:
	case resp.StatusCode == http.StatusUnauthorized:
		p.o.Tokens.RenewalRefused(fresh)
		p.annotate401(req.Context(), resp, fresh, "after one renewal and retry")
	default:
		p.o.Tokens.RenewalHelped()
	}
	return resp, err
}

// annotate401 puts igctl's diagnosis of a 401 into a response header and
// tells the operator.
func (p *Proxy) annotate401(ctx context.Context, resp *http.Response, tok, context string) {
	e := Explanation{Cause: "the gateway gives no reason (its log has it)"}
	if p.o.Explain401 != nil {
		p.explMu.Lock()
		if p.explTok == tok {
			e = p.explLast
		} else {
			e = p.o.Explain401(ctx, tok)
			p.explTok, p.explLast = tok, e
		}
		p.explMu.Unlock()
	}
	msg := fmt.Sprintf("the gateway rejected the token (401, %s): %s", context, e.Cause)
	v := msg
	if e.Fix != "" {
		v += "; fix: " + e.Fix
	}
	resp.Header.Set(DiagnosisHeader, headerSafe(v))
	p.o.Notice(Notice{Err: fault.New(Rejected, errors.New(msg)), Fix: e.Fix})
}

// headerSafe keeps a header value to printable ASCII on one line.
func headerSafe(s string) string {
	s = strings.ReplaceAll(s, "…", "...")
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f:
			return ' '
		case r > 0x7e:
			return '?'
		}
		return r
	}, s)
}
