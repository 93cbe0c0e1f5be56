#!/usr/bin/env python3
"""Stream chat completions with the official OpenAI Python SDK, as any
OpenAI-compatible client would, and record when each chunk arrives.

The SDK reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment
(set by hand for `igctl proxy`, or by `igctl exec`). SDK retries are off:
a failed request must show as a failure, not be hidden by a retry.

  stream.py --out run.json [--duration SECONDS] [--requests N] [--model M]
            [--mark-first-chunk FILE] [--keep-going]

Writes {"sdk": VERSION, "failures": N, "requests": [{"start", "chunks":
[seconds after the request was sent, per chunk], "content", "status",
"error"}]} and exits 1 when any request failed, unless --keep-going (then
the file says which failed, and the caller judges them).
"""
import argparse
import json
import sys
import time

import openai


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--duration", type=float, default=0, help="keep sending requests for this long (seconds)")
    p.add_argument("--requests", type=int, default=1, help="send at least this many requests")
    p.add_argument("--model", default="openai/gpt-4o")
    p.add_argument("--mark-first-chunk", help="create this file when the first chunk has arrived")
    p.add_argument("--keep-going", action="store_true", help="exit 0 even when requests failed (the file records them)")
    args = p.parse_args()

    client = openai.OpenAI(max_retries=0, timeout=120)
    began = time.monotonic()
    requests, failures = [], 0
    while True:
        r = {"start": round(time.monotonic() - began, 4), "chunks": [], "content": "", "status": 0, "error": None}
        sent = time.monotonic()
        try:
            stream = client.chat.completions.create(
                model=args.model,
                messages=[{"role": "user", "content": "Say the pangram."}],
                stream=True,
            )
            for chunk in stream:
                r["chunks"].append(round(time.monotonic() - sent, 4))
                if args.mark_first_chunk and len(requests) == 0 and len(r["chunks"]) == 1:
                    open(args.mark_first_chunk, "w").close()
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    r["content"] += chunk.choices[0].delta.content
            r["status"] = 200
        except openai.APIStatusError as e:
            r["status"], r["error"] = e.status_code, str(e)
        except Exception as e:  # connection errors, timeouts, broken streams
            r["error"] = "%s: %s" % (type(e).__name__, e)
        if r["error"] is not None:
            failures += 1
            print("request %d failed: %s" % (len(requests) + 1, r["error"]), file=sys.stderr)
        requests.append(r)
        if len(requests) >= args.requests and time.monotonic() - began >= args.duration:
            break

    with open(args.out, "w") as f:
        json.dump({"sdk": openai.__version__, "failures": failures, "requests": requests}, f)
    print("openai %s: %d request(s) in %.1f s, %d failed" % (openai.__version__, len(requests), time.monotonic() - began, failures))
    return 1 if failures and not args.keep_going else 0


if __name__ == "__main__":
    sys.exit(main())
