#!/usr/bin/env python3
"""Turn one run's raw results into the Markdown table of benches/README.md.

    benches/report.py RESULTS_DIR

RESULTS_DIR holds, per row id: `ID.json` (hyperfine --export-json) or
`ID.loop` (one duration in µs per line, from loop.bash), and optionally
`ID.rss` (peak RSS in KiB, one line per run, from GNU time). Rows whose
files are missing (a tool that is not installed) are left out.
"""

import json
import os
import statistics
import sys

TARGET_MS = 5.0

# (id, group, what, ratio against): ratio = this row's median / that row's.
ROWS = [
    ("switch-loop", "switch", "`badge NAME` through the bash function (per call, loop of N in one bash)", None),
    ("switch-zsh-loop", "switch", "`badge NAME` through the zsh function (per call, loop of N in one zsh)", None),
    ("switch-bin", "switch", "binary alone: `__BADGE_SHELL=bash badge use NAME` (what the function runs)", None),
    ("switch-small-bin", "switch", "binary alone, same switch with a 100-profile config (what 10,000 profiles add)", None),
    ("version-bin", "switch", "floor: `badge --version` (start a process, parse no config)", None),
    ("switch-prefix-bin", "switch", "binary alone, unique prefix: `badge use acct-0042-prod/Adm`", None),
    ("switch-bash-c", "switch", "`bash -c` init + switch, minus `bash -c` init alone (cross-check)", None),
    ("awsume-switch-loop", "switch", "awsume: `. awsume NAME` (static keys; per call, loop in one bash)", "switch-loop"),
    ("awsume-switch-bin", "switch", "awsume: `awsumepy NAME` alone", "switch-bin"),
    ("complete-loop", "completion", "Tab on `badge acct-00` in bash: the completion function (per call, loop), 800 candidates", None),
    ("complete-bash-bin", "completion", "binary: `badge __complete bash -- 'badge acct-00' acct-00` (800 candidates)", None),
    ("complete-narrow-bin", "completion", "binary: `badge __complete bash -- 'badge acct-0042-prod/' …` (4 candidates)", None),
    ("complete-zsh-bin", "completion", "binary: `badge __complete zsh -- badge acct-00`", None),
    ("complete-fish-bin", "completion", "binary: `badge __complete fish -- badge acct-00`", None),
    ("complete-all-bin", "completion", "binary: `badge __complete bash -- 'badge ' ''` (every profile + subcommands)", None),
    ("aws-list-profiles", "completion", "AWS CLI: `aws configure list-profiles`", "complete-bash-bin"),
    ("awsume-complete-loop", "completion", "awsume: Tab in bash (`_awsume`: `awsume-autocomplete` + `compgen`), per call", "complete-loop"),
    ("awsume-autocomplete", "completion", "awsume: `awsume-autocomplete` alone", "complete-bash-bin"),
    ("ls-bin", "list", "`badge ls` (every profile, one a line)", None),
    ("ls-json-bin", "list", "`badge ls --json`", None),
    ("awsume-list", "list", "awsume: `awsumepy -l`", "ls-bin"),
]


def load(results: str, row_id: str):
    path = os.path.join(results, row_id)
    if os.path.exists(path + ".json"):
        with open(path + ".json") as f:
            r = json.load(f)["results"]
        if len(r) == 2:  # "with" minus "without", for the bash -c cross-check
            a, b = r
            return {
                "median": a["median"] - b["median"],
                "mean": a["mean"] - b["mean"],
                "stddev": (a["stddev"] ** 2 + b["stddev"] ** 2) ** 0.5,
                "min": None,
                "cpu": None,
                "n": min(len(a["times"]), len(b["times"])),
            }
        (r,) = r
        return {
            "median": r["median"],
            "mean": r["mean"],
            "stddev": r["stddev"],
            "min": r["min"],
            "cpu": r["user"] + r["system"],
            "n": len(r["times"]),
        }
    if os.path.exists(path + ".loop"):
        with open(path + ".loop") as f:
            us = [int(line) for line in f if line.strip()]
        s = [u / 1e6 for u in us]
        return {
            "median": statistics.median(s),
            "mean": statistics.fmean(s),
            "stddev": statistics.stdev(s) if len(s) > 1 else 0.0,
            "min": min(s),
            "cpu": None,
            "n": len(s),
        }
    return None


def rss(results: str, row_id: str):
    path = os.path.join(results, row_id + ".rss")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        values = [int(line) for line in f if line.strip()]
    return max(values) if values else None


def ms(seconds):
    if seconds is None:
        return "–"
    value = seconds * 1e3
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def main() -> int:
    results = sys.argv[1]
    data = {row_id: load(results, row_id) for row_id, *_ in ROWS}
    print("| group | what | median ms | mean ± σ ms | min ms | CPU ms | peak RSS MiB | runs | baseline / badge |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for row_id, group, what, against in ROWS:
        d = data[row_id]
        if d is None:
            continue
        peak = rss(results, row_id)
        ratio = "–"
        if against and data.get(against):
            ratio = f"**{d['median'] / data[against]['median']:,.0f}×**"
        median = ms(d["median"])
        if against is None and group != "list" and d["median"] * 1e3 < TARGET_MS:
            median = f"**{median}**"
        print(
            f"| {group} | {what} | {median} | {ms(d['mean'])} ± {ms(d['stddev'])} | {ms(d['min'])} "
            f"| {ms(d['cpu'])} | {'–' if peak is None else f'{peak / 1024:.1f}'} | {d['n']} | {ratio} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
