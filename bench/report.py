#!/usr/bin/env python3
"""Turn bench/results/ (hyperfine exports, bench/igbench results, GNU time lines) into BENCHMARKS.md on stdout."""
import json
import os
import platform
import subprocess
import sys

res, kc_home, java = sys.argv[1], sys.argv[2], sys.argv[3]


def load(name):
    with open(os.path.join(res, name)) as f:
        return json.load(f)["results"]


def ms(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def table(results, base=0, note_ratio="vs first row"):
    b = results[base]["median"]
    out = ["| command | median | mean ± σ | runs | ratio " + note_ratio + " |", "|---|---|---|---|---|"]
    for r in results:
        out.append(f"| {r['command'].replace('|', chr(92) + '|')} | {ms(r['median'])} | {ms(r['mean'])} ± {ms(r['stddev'] or 0)} | {len(r['times'])} | {r['median'] / b:.2f}× |")
    return "\n".join(out)


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip() or subprocess.run(cmd, shell=True, capture_output=True, text=True).stderr.strip()
    except Exception as e:  # noqa
        return str(e)


def load_avg(name):
    try:
        with open(os.path.join(res, name)) as f:
            return f.read().strip().split("load average:")[1].split(",")[0].strip()
    except (OSError, IndexError):
        return "?"


cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
mem = sh("awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo")
facts = [
    f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem}; {platform.system()} {platform.release()}",
    f"- {sh('go version')}; igctl built with `make build` (CGO_ENABLED=0, -trimpath, -s -w)",
    f"- Keycloak {os.path.basename(kc_home).replace('keycloak-', '')} (`kc.sh start-dev`, dev-mem database) on 127.0.0.1, Java: {sh(java + ' -version 2>&1 | head -1')}",
    f"- {sh('hyperfine --version')}, {sh('curl --version | head -1').split(' (')[0]}, {sh('jq --version')}",
    f"- measured {sh('date -u +%Y-%m-%dT%H:%MZ')}; load average at the start and end of the run: "
    f"{load_avg('load-start.txt')} and {load_avg('load.txt')} on {os.cpu_count()} cores (`uptime`)",
]

def pairj(name):
    with open(os.path.join(res, name)) as f:
        return json.load(f)


hello, tver, tfile, tkr, twrap = pairj("1-token.json")
login = load("2-login.json")
boot = load("3-bootstrap.json")
rerun = load("3-rerun.json")
models = load("5-models.json")
rounds = [load(f"6-startup-{r}.json") + load(f"6-status-{r}.json") for r in (1, 2, 3)]


def read(name):
    with open(os.path.join(res, name)) as f:
        return f.read().strip()


before_ref, after_ref = read("6-before-ref.txt"), read("6-after-ref.txt")
init_before, init_after = float(read("6-init-before.txt")), float(read("6-init-after.txt"))
pairs = []
for i in range(0, len(rounds[0]), 2):
    name = rounds[0][i]["command"].split(": ", 1)[1]
    b = sorted(r[i]["median"] for r in rounds)
    a = sorted(r[i + 1]["median"] for r in rounds)
    ratios = sorted(r[i + 1]["median"] / r[i]["median"] for r in rounds)
    pairs.append(f"| {name} | {ms(b[1])} ({ms(b[0])}–{ms(b[2])}) | {ms(a[1])} ({ms(a[0])}–{ms(a[2])}) | {ratios[1]:.2f}× ({ratios[0]:.2f}–{ratios[2]:.2f}) |")
tb = {}
for line in read("6-table-bench.txt").splitlines():
    n, v = line.split()
    tb[n.split("/")[-1].split("-")[0]] = float(v) / 1000

faults = [l.split() for l in read("1-faults.txt").splitlines()]
init_ms = float(read("1-init.txt"))
dbus_calls = read("1-dbus-calls.txt")


def prow(p):
    return (f"| {p['A']} | {ms(p['median_a'])} | {ms(p['median_b'])} | **{p['ratio']:.2f}×** "
            f"| {p['ratio_p25']:.2f}–{p['ratio_p75']:.2f} | {p['Pairs']} |")


pair_rows = "\n".join(prow(p) for p in (hello, tver, tfile, tkr, twrap))

# translation: target lines input_bytes seconds max_rss_kb, one line a run
trans = {}
for line in read("4-translate.txt").splitlines()[1:]:
    to, n, size, secs, rss = line.split()
    trans.setdefault((to, int(n)), (int(size), [], []))
    trans[(to, int(n))][1].append(float(secs))
    trans[(to, int(n))][2].append(int(rss) * 1024)


def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


trows = []
for (to, n), (size, secs, rss) in sorted(trans.items(), key=lambda kv: ({"adk": 0, "k8s": 1, "gateway": 2}[kv[0][0]], kv[0][1])):
    t, m = med(secs), max(rss)
    trows.append(f"| {to} | {n:,} | {size / 1e6:.1f} MB | {ms(t)} | {n / t / 1e6:.2f} M lines/s | {m / 1e6:.0f} MB | {m / size:.1f}× | {len(secs)} |")

with open(os.path.join(res, "7-proxy.json")) as f:
    px = json.load(f)
L, RPS, SSE = px["latency_ms"], px["rps"], px["sse_chunk_ms"]


def added(d, t, q):
    return d[t][q] - d["direct"][q]


def vs_floor(d, q):
    # a ratio only where the floor's own added delay stands clear of the noise (10 µs)
    floor = added(d, "bare", q)
    return f"{added(d, 'igctl', q) / floor:.2f}×" if floor > 0.01 else "— (floor within noise)"


prows = [
    f"| GET /v1/models, added latency p50 | {added(L, 'igctl', 'p50'):.3f} ms | {added(L, 'bare', 'p50'):.3f} ms | {added(L, 'igctl', 'p50') / added(L, 'bare', 'p50'):.2f}× |",
    f"| GET /v1/models, added latency p99 | {added(L, 'igctl', 'p99'):.3f} ms | {added(L, 'bare', 'p99'):.3f} ms | {added(L, 'igctl', 'p99') / added(L, 'bare', 'p99'):.2f}× |",
    f"| requests/s, 1 client (direct: {RPS['direct']['1']:,.0f}) | {RPS['igctl']['1']:,.0f} | {RPS['bare']['1']:,.0f} | {RPS['igctl']['1'] / RPS['bare']['1']:.2f}× |",
    f"| requests/s, 50 clients (direct: {RPS['direct']['50']:,.0f}) | {RPS['igctl']['50']:,.0f} | {RPS['bare']['50']:,.0f} | {RPS['igctl']['50'] / RPS['bare']['50']:.2f}× |",
    f"| SSE, added delay per chunk p50 | {added(SSE, 'igctl', 'p50'):.3f} ms | {added(SSE, 'bare', 'p50'):.3f} ms | {vs_floor(SSE, 'p50')} |",
    f"| SSE, added delay per chunk p99 | {added(SSE, 'igctl', 'p99'):.3f} ms | {added(SSE, 'bare', 'p99'):.3f} ms | {vs_floor(SSE, 'p99')} |",
]
kcadm = boot[0]["median"]
fresh = boot[1]["median"]
again = rerun[0]["median"]


doc = f"""# Benchmarks

Reproduce on a machine with the README's prerequisites: `make bench` (runs `bench/run.sh`: starts
the local Keycloak if needed, runs everything below in one go inside a private gnome-keyring
session, and rewrites this file). Section 1 is measured pair by pair (`bench/igbench pair`, see
there) and section 7 round by round (`bench/igbench proxy`): their ratios hold on a busy machine.
Sections 2, 3, 5 and 6 are process wall times measured by hyperfine, whose ratio column divides
each median by the first row's: those rows ran one after another, not interleaved, so on a
loaded machine take their ratios as rough; section 4 is GNU time. The machine's load during the
run is in the Machine section: absolute times on a loaded machine are longer than on a quiet one.

## Machine

{chr(10).join(facts)}

A load average near or above the core count means other jobs competed for the CPUs during the
run. Absolute times then grow, and not evenly. Pairing keeps a drift in load from landing on one
side of a ratio, but a loaded machine still changes the ratios themselves (every start waits for
a CPU, and a short process like `cat` waits proportionally more or less than a longer one,
depending on the scheduler): which way they move here has not been measured. Compare figures from
runs at similar load, and quote the load with them.

## 1. Cached `igctl token` vs `cat` of a token file

How a script runs it: one process after another, no shell in between. `bench/igbench pair` runs
{hello['Pairs']} rounds; in each, every command below runs next to its own run of `cat` (A then B, or B then
A, alternating), each to completion with its output to /dev/null, the commands in a rotating
order. The ratio A / `cat` is taken pair by pair; the figure is the median of those ratios, the
range their quartiles. A change in the machine's speed during the run (another job, a CPU
clocking down) then moves both halves of a pair alike, and every row meets the same moments. The store is chosen with the global flags
(`igctl --token-store file --profile file token`), as a user would; the token is valid for the
whole run (the realm's access-token lifespan is 60 minutes), so every read is a cached one.

| A | median A | median B (`cat`) | A / `cat`, median of pairs | quartiles | pairs |
|---|---|---|---|---|---|
{pair_rows}

A cached `igctl token` takes **{tfile['ratio']:.2f}×** `cat` with the file store and
**{tkr['ratio']:.2f}×** with the keyring store (goals: 2.5× and 5×). How much of that is this
machine's cost of starting any static Go program shows in the first row; dividing by it (the
rows' ratios, not paired with each other), the file store takes {tfile['ratio'] / hello['ratio']:.1f}× and the
keyring store {tkr['ratio'] / hello['ratio']:.1f}× a Go "hello world".

**Why earlier versions of this file said 5.25× and 10.5×.** Two errors, each inflating igctl's side:
every igctl row was run as `env IGCTL_TOKEN_STORE=... igctl ...`, so igctl's time included a
second exec (the dynamically linked `env`, which loads libc before it execs igctl) that `cat`'s row
did not pay (the last row above measures that form: {twrap['ratio']:.2f}× where the direct call is
{tfile['ratio']:.2f}×); and hyperfine ran all the runs of one command, then all of the next, so a
change in the machine's load during the run landed on some rows and not on others, and each
ratio divided two medians taken at different moments. Paired, both errors are gone: the same
binary, started the way a script starts it, next to `cat` in every pair. The text also described
an 11 MB binary; the build is now {os.path.getsize('bin/igctl') / 1e6:.0f} MB.

Where the time goes, for the cached path:

- start-up: a static Go program alone takes {hello['ratio']:.2f}× `cat` (first row), `igctl version`
  {tver['ratio']:.2f}×; package initialisation adds {init_ms:.2f} ms (`GODEBUG=inittrace=1`, median of 30 starts: the width
  tables of lipgloss's `charmbracelet/x/ansi` → `mattn/go-runewidth`, the ANSI parser tables,
  yaml.v3, net/http);
- page faults (`/usr/bin/time`, minor faults and peak RSS): `cat` {faults[0][0]} ({int(faults[0][1]) / 1024:.1f} MB),
  hello world {faults[1][0]} ({int(faults[1][1]) / 1024:.1f} MB), igctl file store {faults[2][0]}
  ({int(faults[2][1]) / 1024:.1f} MB), keyring store {faults[3][0]} ({int(faults[3][1]) / 1024:.1f} MB);
- the file store reads the config once and one 0600 file (`strace`: two opens after the runtime's
  own), well under a millisecond;
- the keyring store adds a D-Bus connection (its authentication is four round trips in godbus)
  and the Secret Service calls: {dbus_calls} D-Bus method calls in all, `Hello` and the session's
  close (sent without waiting for its answer) included (`strace -f -e trace=write`). It used to
  take eight, each waited for: the keyring library also reads the
  service's collection list, unlocks the collection and the item (no-ops in an unlocked session)
  and waits for the session's close. igctl now searches the login collection, opens a session and
  gets the secret, sending the close without waiting, and takes the library's full path only when
  that cannot answer alone (no item, a locked item, no login collection), so every outcome and
  message is as before.

## 2. `igctl login` + `igctl token` vs `curl … | jq -r .access_token`

{table(login)}

`igctl login` also fetches the discovery document (two requests where curl sends one) and
stores the token; every later `igctl token` in the job is the cached row.

## 3. `igctl keycloak bootstrap` vs a `kcadm.sh` script

The same objects (realm, confidential client, audience mapper, user with a full profile and a
password, then the client secret read back); `bench/kcadm-bootstrap.sh` is the kcadm.sh version.
Each fresh run starts from a deleted realm.

{table(boot)}

{table(rerun, note_ratio="vs itself")}

A fresh bootstrap is **{kcadm / fresh:.0f}×** faster than the kcadm.sh script, which starts one JVM
per call; a re-run that finds nothing to change takes {ms(again)} and sends no write request
(kcadm.sh cannot re-run: its creates fail with 409).

## 4. `igctl env translate`: time and peak memory

Generated gateway files (the full v0.48.2 variable list, then comments, quoted values with inline
comments, `export` lines and `${{VAR}}` references), written with `-o`: gateway → ADK, gateway →
k8s (ConfigMap and Secret), and ADK → gateway from the ADK files the first produced. Each run
under `/usr/bin/time`: wall time, and peak resident memory (max RSS) against the input's size.
The median of the runs (one at 1M lines), the largest peak.

| --to | lines | input | median | throughput | peak RSS | peak / input | runs |
|---|---|---|---|---|---|---|---|
{chr(10).join(trows)}

## 5. `igctl models` vs curl on the real gateway

The real Inference Gateway v0.48.2 (built by `scripts/peers.sh`) with authentication on verifies
every token against the real Keycloak; behind it, a stand-in provider lists two models.

{table(models)}

## 6. Start-up before and after lipgloss tables

`before` is {before_ref} (lipgloss loaded only for four colours on stderr), `after` is {after_ref}
(`status`, `models`, `doctor` and bootstrap's plan drawn as lipgloss tables on a terminal, plain
columns when piped); both built with the same flags. Three rounds of {len(rounds[0][0]['times'])} runs, before and
after side by side in each round; the median round, and the range over the rounds in brackets.

| command | before | after | after / before |
|---|---|---|---|
{chr(10).join(pairs)}

Package initialisation of the lipgloss stack (lipgloss, charmbracelet/x, go-runewidth, colour
and grapheme tables), as `GODEBUG=inittrace=1` reports it, median of 50 starts: {init_before:.3f} ms
before, {init_after:.3f} ms after. Drawing one four-row status table (`go test -bench BenchmarkTable
./internal/iostreams`): {tb.get('BenchmarkTablePlain', 0):.1f} µs as plain columns, {tb.get('BenchmarkTableStyled', 0):.1f} µs as a
lipgloss table; it is drawn only when stdout is a terminal.

## 7. `igctl proxy` against a bare reverse proxy and a direct call

A local upstream (`bench/igbench upstream`: `GET /v1/models` answers a two-model list, `POST
/v1/chat/completions` streams {px['sse_chunks_per_stream']} SSE chunks 2 ms apart, each stamped with the time it was
written) is called directly, through `igctl proxy` (file store, cached token, local key), and
through the floor: `bench/igbench bareproxy`, the standard library's `httputil.ReverseProxy` in
its own process with a fixed token, flushing every write and nothing else. `bench/igbench proxy`
measures the three in turn in each of {px['rounds']} rounds (the order rotating), from one keep-alive
client: {px['latency_requests_per_round']} sequential `GET /v1/models` a round for latency; requests per second with 1
and with 50 clients, each sending its next request when the last is answered, for
{px['rps_seconds_per_round']} s a round (median of the rounds); {px['sse_streams_per_round']} streams a round for the delay from
the upstream writing a chunk to the client reading it. Each p50 and p99 is taken within a round,
then the median over the rounds is shown, so that one round meeting a burst of other work on
the machine does not make the tail. "Added" is the figure through the proxy minus the direct
call's.

| figure | igctl proxy | bare ReverseProxy | igctl / bare |
|---|---|---|---|
{chr(10).join(prows)}

Per-chunk differences of a few tens of microseconds are at the noise of this measurement
(the sleep between chunks and the scheduler); where the floor's own added delay is below 10 µs
no ratio is given. Direct: `GET /v1/models` p50 {L['direct']['p50']:.3f} ms, p99 {L['direct']['p99']:.3f} ms; SSE chunk p50
{SSE['direct']['p50']:.3f} ms, p99 {SSE['direct']['p99']:.3f} ms. igctl proxy also checks the local key,
keeps the token renewed and writes an access-log line per request (to /dev/null here).
"""
print(doc)
