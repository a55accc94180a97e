#!/usr/bin/env python3
"""badge sync against the Identity Center emulator, and aws-sso-util on the
same emulator, in one run. Called by benches/sync.sh (see benches/SYNC.md);
prints a Markdown table and writes raw results as JSON.

Every tool runs with its own temporary HOME and AWS_CONFIG_FILE; the
emulator binds 127.0.0.1 only. Nothing here reads or writes your ~/.aws.
"""

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

START_URL = "https://bench.awsapps.com/start"
REGION = "eu-west-1"
SESSION = "bench"
ROLES = 3
PAGE = 100  # the emulator's default page size, and badge's max_results


def say(msg):
    print(f"\033[1m== {msg}\033[0m", file=sys.stderr, flush=True)


def http(url, method="GET"):
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def clean_env(home):
    """The caller's environment minus anything AWS or XDG, HOME moved."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("AWS_") or k.startswith("XDG_") or k.startswith("BADGE_")
                   or k.startswith("__BADGE") or k.startswith("__badge"))}
    env.update(HOME=home, AWS_CONFIG_FILE=f"{home}/.aws/config",
               AWS_SHARED_CREDENTIALS_FILE=f"{home}/.aws/credentials",
               NO_COLOR="1", LC_ALL="C.UTF-8")
    return env


class Emulator:
    """The emulator example binary in a temporary folder; stopped by pid."""

    def __init__(self, binary, accounts, latency_ms, rate_limit):
        self.accounts, self.latency_ms, self.rate_limit = accounts, latency_ms, rate_limit
        self.dir = tempfile.mkdtemp(prefix="badge-sync-emu.")
        self.args = [binary, "--accounts", str(accounts), "--roles", str(ROLES),
                     "--latency-ms", str(latency_ms), "--port", "0", "--approve-on-start",
                     "--url-file", f"{self.dir}/url"]
        if rate_limit:
            self.args += ["--rate-limit", str(rate_limit)]

    def __enter__(self):
        self.log = open(f"{self.dir}/stdout", "w")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.exists(f"{self.dir}/url"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the emulator did not start: {' '.join(self.args)}")
            time.sleep(0.02)
        self.url = open(f"{self.dir}/url").read().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.url
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def describe(self):
        limit = f"token bucket {self.rate_limit} req/s (burst {self.rate_limit})" if self.rate_limit else "no rate limit"
        return (f"`emulator --accounts {self.accounts} --roles {ROLES} --latency-ms {self.latency_ms}"
                + (f" --rate-limit {self.rate_limit}" if self.rate_limit else "")
                + f" --approve-on-start` ({limit}, page size {PAGE})")

    def env(self, home):
        env = clean_env(home)
        env.update(AWS_ENDPOINT_URL_SSO=self.url, AWS_ENDPOINT_URL_SSO_OIDC=self.url)
        return env

    def reset_counts(self):
        http(f"{self.url}/control/counts/reset", "POST")

    def counts(self):
        return http(f"{self.url}/control/counts")

    def needed_requests(self):
        """ListAccounts pages + one ListAccountRoles page per account."""
        pages = max(1, math.ceil(self.accounts / PAGE))
        return pages, self.accounts * max(1, math.ceil(ROLES / PAGE))


def timed(cmd, env, timeout):
    """Runs cmd under GNU time; returns wall s (perf_counter), user, sys, peak RSS KiB, rc, stderr."""
    fd, tfile = tempfile.mkstemp(prefix="badge-sync-time.")
    os.close(fd)
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-o", tfile, "-f", "%U %S %M", *cmd], env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)
    wall = time.perf_counter() - t0
    fields = open(tfile).read().split()
    os.unlink(tfile)
    # GNU time prefixes "Command exited with non-zero status N" when rc != 0.
    user, system, rss = (float(fields[-3]), float(fields[-2]), int(fields[-1]))
    return dict(wall=wall, user=user, sys=system, rss_kib=rss, rc=proc.returncode,
                stderr=proc.stderr.decode(errors="replace"), stdout=proc.stdout.decode(errors="replace"))


def count_profiles(path):
    try:
        text = open(path, encoding="utf-8").read()
    except FileNotFoundError:
        return 0
    return len(re.findall(r"^\[profile ", text, flags=re.M))


class Badge:
    name = "badge sync"

    def __init__(self, binary, emu, extra_env=None, label=None):
        self.binary, self.emu = binary, emu
        self.extra_env = extra_env or {}
        if label:
            self.name = label
        self.home = tempfile.mkdtemp(prefix="badge-sync-home.")
        self.env = emu.env(self.home)
        self.env.update(self.extra_env)
        run = lambda *a: subprocess.run([binary, *a], env=self.env, stdin=subprocess.DEVNULL,
                                        capture_output=True, timeout=60, check=True)
        run("session", "add", SESSION, "--start-url", START_URL, "--region", REGION)
        run("login", "--sso-session", SESSION, "--device-code", "--no-browser")
        self.config = f"{self.home}/.aws/config"
        self.base = open(self.config, "rb").read()

    def command(self):
        env = " ".join(f"{k}={v}" for k, v in self.extra_env.items())
        return (env + " " if env else "") + "badge sync"

    def once(self):
        # Every run is a first sync: the config holds only the [sso-session].
        open(self.config, "wb").write(self.base)
        shutil.rmtree(f"{self.home}/.local/state/badge/backups", ignore_errors=True)
        self.emu.reset_counts()
        result = timed([self.binary, "sync", "--sso-session", SESSION], self.env, timeout=900)
        result["profiles"] = count_profiles(self.config)
        return result

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)


class AwsSsoUtil:
    name = "aws-sso-util configure populate"

    def __init__(self, binary, emu):
        self.binary, self.emu = binary, emu
        # A fresh HOME per emulator: aws-sso-util does not recover from a
        # client registration the emulator no longer knows.
        self.home = tempfile.mkdtemp(prefix="badge-sync-assu.")
        os.makedirs(f"{self.home}/.aws")
        self.env = emu.env(self.home)
        self.env["BROWSER"] = "true"
        self.config = f"{self.home}/.aws/config"
        open(self.config, "w").close()
        # Untimed sign-in (device flow, approved by the emulator at once);
        # the token lands in ~/.aws/sso/cache/<sha1 of the start URL>.json.
        subprocess.run([binary, "login", START_URL, REGION, "--headless"], env=self.env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=True)

    def args(self):
        return ["configure", "populate", "--sso-start-url", START_URL, "--sso-region", REGION,
                "--region", REGION]

    def command(self):
        return "aws-sso-util " + " ".join(self.args())

    def once(self):
        open(self.config, "w").close()
        self.emu.reset_counts()
        result = timed([self.binary, *self.args()], self.env, timeout=1800)
        result["profiles"] = count_profiles(self.config)
        return result

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)


def summarise(tool, emu, runs, bound, bound_note):
    pages, roles_calls = emu.needed_requests()
    n_needed = pages + roles_calls
    walls = [r["wall"] for r in runs]
    failures = []
    for i, r in enumerate(runs):
        c = r["counts"]
        other_errors = {k: v for k, v in c.get("errors", {}).items() if k != "TooManyRequestsException"}
        if r["rc"] != 0:
            failures.append(f"run {i + 1}: exit {r['rc']}: {r['stderr'].strip()[-300:]}")
        elif r["profiles"] != emu.accounts * ROLES:
            failures.append(f"run {i + 1}: {r['profiles']} profiles written, expected {emu.accounts * ROLES}")
        if other_errors:
            failures.append(f"run {i + 1}: errors {other_errors}")
    last = runs[-1]["counts"]
    med = statistics.median(walls)
    return dict(
        tool=tool.name, command=tool.command(), emulator=emu.describe(),
        needed=dict(ListAccounts=pages, ListAccountRoles=roles_calls, total=n_needed),
        counts=[r["counts"] for r in runs],
        list_accounts=[r["counts"]["byOperation"].get("ListAccounts", 0) for r in runs],
        list_roles=[r["counts"]["byOperation"].get("ListAccountRoles", 0) for r in runs],
        throttled=[r["counts"].get("throttled", 0) for r in runs],
        peak_concurrency=max(r["counts"].get("peakConcurrency", 0) for r in runs),
        failures=failures,
        walls=walls, median=med, min=min(walls), max=max(walls),
        cpu=statistics.median(r["user"] + r["sys"] for r in runs),
        rss_mib=max(r["rss_kib"] for r in runs) / 1024,
        bound=bound, bound_note=bound_note,
        ratio=(med / bound) if bound else None,
        profiles=[r["profiles"] for r in runs],
        stderr_last=runs[-1]["stderr"][-2000:],
        _last_counts=last,
    )


def measure(tool, emu, n, bound, bound_note):
    runs = []
    for i in range(n):
        r = tool.once()
        r["counts"] = emu.counts()
        say(f"  {tool.name}: run {i + 1}/{n}: {r['wall']:.2f} s, rc {r['rc']}, "
            f"{r['counts']['byOperation']}, throttled {r['counts'].get('throttled')}, "
            f"peak concurrency {r['counts'].get('peakConcurrency')}, {r['profiles']} profiles")
        runs.append(r)
    return summarise(tool, emu, runs, bound, bound_note)


def portal_parameters(repo):
    """badge's concurrency C, pacing rate and burst, read from the source."""
    src = open(f"{repo}/src/sso/portal.rs").read()
    block = src[src.index("fn default() -> PortalOptions"):]
    c = int(re.search(r"concurrency:\s*(\d+)", block).group(1))
    m = re.search(r"rate:\s*Some\(([\d.]+)\)", block)
    rate = float(m.group(1)) if m else None
    burst = int(re.search(r"burst:\s*(\d+)", block).group(1))
    return c, rate, burst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--badge", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--assu", help="aws-sso-util executable; omit to skip part (c)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--assu-runs", type=int, default=2)
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--small-accounts", type=int, default=200)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--rate-limit", type=float, default=20)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    C, pace, burst = portal_parameters(args.repo)
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []

    def bound_latency(emu):
        n = sum(emu.needed_requests())
        return n * emu.latency_ms / 1000 / C, f"N·L/C = {n}·{emu.latency_ms} ms/{C}"

    def bound_pacer(emu):
        n = sum(emu.needed_requests())
        b, note = bound_latency(emu)
        paced = max(0, n - burst) / pace + emu.latency_ms / 1000
        return max(b, paced), f"max(N·L/C, (N−{burst})/{pace:g} + L) = max({b:.2f}, {paced:.2f})"

    def bound_rate(emu):
        n = sum(emu.needed_requests())
        return n / args.rate_limit, f"N/{args.rate_limit:g} = {n}/{args.rate_limit:g}"

    # (a) latency, no server limit: badge as shipped (paced), and unpaced.
    with Emulator(args.emulator, args.accounts, args.latency_ms, None) as emu:
        say(f"(a) {emu.describe()}")
        for extra, label in (({}, "badge sync"), ({"BADGE_PORTAL_RATE": "0"}, "badge sync, pacer off")):
            tool = Badge(args.badge, emu, extra, label)
            b, note = bound_latency(emu)
            row = measure(tool, emu, args.runs, b, note)
            if not extra and pace:
                row["bound_paced"], row["bound_paced_note"] = bound_pacer(emu)
            row["part"] = "a"
            rows.append(row)
            tool.close()

    # (b) latency and a token-bucket limit on the server.
    with Emulator(args.emulator, args.accounts, args.latency_ms, args.rate_limit) as emu:
        say(f"(b) {emu.describe()}")
        # badge as shipped, then with its pacer off: the server's 429s and
        # badge's retries (backoff, jitter, Retry-After) do the pacing.
        for extra, label in (({}, "badge sync"), ({"BADGE_PORTAL_RATE": "0"}, "badge sync, pacer off")):
            tool = Badge(args.badge, emu, extra, label)
            b, note = bound_rate(emu)
            row = measure(tool, emu, args.runs, b, note)
            row["part"] = "b"
            rows.append(row)
            tool.close()

    # (c) aws-sso-util against badge on the same emulator, in this run, for
    # the realistic service (latency + rate limit) and without the limit.
    comparisons = []
    if args.assu:
        for latency_ms, limit in ((args.latency_ms, args.rate_limit), (args.latency_ms, None), (0, None)):
            with Emulator(args.emulator, args.small_accounts, latency_ms, limit) as emu:
                say(f"(c) {emu.describe()}")
                assu = AwsSsoUtil(args.assu, emu)
                tools = [Badge(args.badge, emu)]
                if not limit:
                    tools.append(Badge(args.badge, emu, {"BADGE_PORTAL_RATE": "0"}, "badge sync, pacer off"))
                part_rows = []
                for tool in tools:
                    b, note = (bound_rate if limit else bound_latency)(emu)
                    row = measure(tool, emu, args.runs, b, note)
                    if limit is None and not tool.extra_env and pace:
                        row["bound_paced"], row["bound_paced_note"] = bound_pacer(emu)
                    part_rows.append(row)
                    tool.close()
                arow = measure(assu, emu, args.assu_runs, None, "")
                assu.close()
                for row in part_rows + [arow]:
                    row["part"] = "c"
                    rows.append(row)
                for row in part_rows:
                    comparisons.append(dict(emulator=emu.describe(), badge=row["tool"],
                                            badge_s=row["median"], assu_s=arow["median"],
                                            ratio=arow["median"] / row["median"],
                                            bound=row["bound"],
                                            best_possible=(arow["median"] / row["bound"]) if row["bound"] else None))

    load_after = os.getloadavg()
    meta = dict(started=started, C=C, pace=pace, burst=burst, latency_ms=args.latency_ms,
                rate_limit=args.rate_limit, runs=args.runs, assu_runs=args.assu_runs,
                load_before=load_before, load_after=load_after, python=platform.python_version())
    os.makedirs(args.out, exist_ok=True)
    for r in rows:
        r.pop("_last_counts", None)
    with open(f"{args.out}/sync.json", "w") as f:
        json.dump(dict(meta=meta, rows=rows, comparisons=comparisons), f, indent=1)
    report(meta, rows, comparisons)


def fmt_s(x):
    return "–" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")


def report(meta, rows, comparisons):
    out = []
    out.append(f"Run of {meta['started']}; badge's portal client: C = {meta['C']} requests in flight, "
               f"pacer {meta['pace']:g} req/s (burst {meta['burst']}) unless `BADGE_PORTAL_RATE=0`; "
               f"{meta['runs']} runs each (aws-sso-util {meta['assu_runs']}); load average before "
               f"{meta['load_before'][0]:.2f}, after {meta['load_after'][0]:.2f}.")
    out.append("")
    out.append("| part | emulator | command | requests: ListAccounts + ListAccountRoles (needed) | throttled | failures | peak in flight | median s (min–max) | bound s | median / bound | CPU s | peak RSS MiB |")
    out.append("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        la = "/".join(str(x) for x in sorted(set(r["list_accounts"])))
        lr = "/".join(str(x) for x in sorted(set(r["list_roles"])))
        thr = "/".join(str(x) for x in sorted(set(r["throttled"])))
        need = r["needed"]
        emu = re.sub(r" --approve-on-start`.*", "`", r["emulator"]).replace("`emulator ", "`")
        bound = fmt_s(r["bound"])
        ratio = "–" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        if "bound_paced" in r:
            bound += f" (paced: {fmt_s(r['bound_paced'])})"
            ratio += f" ({r['median'] / r['bound_paced']:.2f}×)"
        out.append(f"| {r['part']} | {emu} | `{r['command']}` | {la} + {lr} ({need['ListAccounts']} + {need['ListAccountRoles']}) "
                   f"| {thr} | {len(r['failures'])} | {r['peak_concurrency']} "
                   f"| {fmt_s(r['median'])} ({fmt_s(r['min'])}–{fmt_s(r['max'])}) | {bound} | {ratio} "
                   f"| {r['cpu']:.2f} | {r['rss_mib']:.1f} |")
    if comparisons:
        out.append("")
        out.append("| (c) emulator | badge | badge median s | aws-sso-util median s | aws-sso-util / badge | bound s | aws-sso-util / bound (the most a client of C = %d can gain) |" % meta["C"])
        out.append("|---|---|--:|--:|--:|--:|--:|")
        for c in comparisons:
            emu = re.sub(r" --approve-on-start`.*", "`", c["emulator"]).replace("`emulator ", "`")
            best = "–" if c["best_possible"] is None else f"{c['best_possible']:.1f}×"
            out.append(f"| {emu} | `{c['badge']}` | {fmt_s(c['badge_s'])} | {fmt_s(c['assu_s'])} | **{c['ratio']:.1f}×** | {fmt_s(c['bound'])} | {best} |")
    fails = [(r["command"], f) for r in rows for f in r["failures"]]
    if fails:
        out.append("")
        out.append("Failures:")
        out.extend(f"- `{c}`: {f}" for c, f in fails)
    print("\n".join(out))


if __name__ == "__main__":
    main()
