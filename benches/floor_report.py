#!/usr/bin/env python3
"""The table of benches/floor.sh: badge beside the floors of the same run.

    python3 benches/floor_report.py RESULTS_DIR

RESULTS_DIR holds what floor.sh wrote: ID.ROUND.json (hyperfine, one file
a round), ID.loop (one duration in microseconds a line, all rounds),
ID.faults (minor page faults, one line a run) and ID.ir (instructions, as
callgrind counts them). Prints a Markdown table, and under it the goals
that were missed, if any.
"""

import json
import os
import statistics
import sys

results = sys.argv[1]


def path(name):
    return os.path.join(results, name)


def hyperfine_ms(id):
    """Median over every round's runs (ID.ROUND.json), and the mean
    user/system split, in ms."""
    times, user, system = [], [], []
    for name in sorted(os.listdir(results)):
        if not (name.startswith(id + ".") and name.endswith(".json")):
            continue
        if not name[len(id) + 1 : -len(".json")].isdigit():
            continue
        with open(path(name)) as f:
            r = json.load(f)["results"][0]
        times.extend(r["times"])
        user.append(r["user"])
        system.append(r["system"])
    if not times:
        return None
    return {
        "median": statistics.median(times) * 1000,
        "user": statistics.mean(user) * 1000,
        "system": statistics.mean(system) * 1000,
    }


def loop_ms(id):
    try:
        with open(path(id + ".loop")) as f:
            values = [int(line) for line in f if line.strip()]
    except FileNotFoundError:
        return None
    return {"median": statistics.median(values) / 1000} if values else None


def faults(id):
    try:
        with open(path(id + ".faults")) as f:
            values = [int(line) for line in f if line.strip().isdigit()]
    except FileNotFoundError:
        return ""
    return f"{statistics.median(values):,.0f}" if values else ""


def instructions(id):
    try:
        with open(path(id + ".ir")) as f:
            text = f.read().strip()
    except FileNotFoundError:
        return ""
    return f"{int(text):,}" if text.isdigit() else ""


def ms(value):
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


rows = []
missed = []


def row(what, measured, floor=None, floor_name="", goal=None, goal_kind="ratio", id=None):
    """One line: `measured` and `floor` are dicts from hyperfine_ms/loop_ms."""
    if measured is None:
        rows.append(f"| {what} | not measured | | | | | |")
        return
    value = measured["median"]
    time = ms(value)
    if "user" in measured:
        time += f" ({measured['user']:.2f} user + {measured['system']:.2f} sys)"
    ratio = ""
    floor_text = ""
    if floor is not None:
        floor_text = f"{floor_name} {ms(floor['median'])}"
        ratio = f"{value / floor['median']:.2f}×"
    verdict = ""
    if goal is not None:
        got = value / floor["median"] if goal_kind == "ratio" else value
        ok = got <= goal
        verdict = f"≤ {goal}×" if goal_kind == "ratio" else f"≤ {goal} ms"
        verdict += " met" if ok else " **missed**"
        if not ok:
            missed.append(what)
    rows.append(
        f"| {what} | {time} | {floor_text} | {ratio} | {verdict} | "
        f"{faults(id) if id else ''} | {instructions(id) if id else ''} |"
    )


minimal = hyperfine_ms("minimal")
floor_bash = loop_ms("floor")

row("minimal Rust binary (the floor)", minimal, id="minimal")
row(
    "minimal Rust binary linked static, as badge is (a lower bound)",
    hyperfine_ms("minimal-static"),
    minimal,
    "minimal",
    id="minimal-static",
)
row(
    "minimal Rust binary that reads the config, 32 KiB at a time (a lower bound)",
    hyperfine_ms("reads-config"),
    minimal,
    "minimal",
    id="reads-config",
)
row(
    "switch, binary alone (`__BADGE_SHELL=bash badge use NAME`)",
    hyperfine_ms("switch-bin"),
    minimal,
    "minimal",
    1.5,
    id="switch-bin",
)
row(
    "switch, badge-quick alone (`__BADGE_SHELL=bash badge-quick use NAME`), what the functions run",
    hyperfine_ms("switch-quick"),
    minimal,
    "minimal",
    1.5,
    id="switch-quick",
)
row("`x=$(command true)` in bash (the floor)", floor_bash)
row(
    "`x=$(command minimal)` in bash: the fork and exec any switch pays (a lower bound)",
    loop_ms("floor-exec"),
    floor_bash,
    "`x=$(command true)`",
)
row(
    "`x=$(command minimal-static)` in bash: the same, static (a lower bound)",
    loop_ms("floor-exec-static"),
    floor_bash,
    "`x=$(command true)`",
)
row(
    "switch through the bash function",
    loop_ms("switch-bash"),
    floor_bash,
    "`x=$(command true)`",
    3.0,
)
row(
    "the bash function with the stand-in that prints badge's answer (a lower bound)",
    loop_ms("standin-switch-bash"),
    floor_bash,
    "`x=$(command true)`",
)
row(
    "switch through the bash function, against the stand-in: what badge adds",
    loop_ms("switch-bash"),
    loop_ms("standin-switch-bash"),
    "stand-in",
)
row(
    "switch through the zsh function",
    loop_ms("switch-zsh"),
    loop_ms("floor-zsh"),
    "zsh `x=$(command true)`",
)
row(
    "switch through the fish function",
    loop_ms("switch-fish"),
    loop_ms("floor-fish"),
    "fish `set x (command true)`",
)
row(
    "the zsh function with the stand-in (a lower bound)",
    loop_ms("standin-switch-zsh"),
    loop_ms("floor-zsh"),
    "zsh `x=$(command true)`",
)
row(
    "the fish function with the stand-in (a lower bound)",
    loop_ms("standin-switch-fish"),
    loop_ms("floor-fish"),
    "fish `set x (command true)`",
)
row(
    "Tab through the bash completion function, 800 names",
    loop_ms("tab-bash"),
    floor_bash,
    "`x=$(command true)`",
    4.0,
)
row(
    "the bash completion function with the stand-in, 800 names (a lower bound)",
    loop_ms("standin-tab-bash"),
    floor_bash,
    "`x=$(command true)`",
)
row(
    "Tab through the bash completion function, against the stand-in: what badge adds",
    loop_ms("tab-bash"),
    loop_ms("standin-tab-bash"),
    "stand-in",
)
row(
    "completion binary alone, 800 names",
    hyperfine_ms("complete-bin"),
    minimal,
    "minimal",
    id="complete-bin",
)
row(
    "completion, badge-quick alone, 800 names",
    hyperfine_ms("complete-quick"),
    minimal,
    "minimal",
    id="complete-quick",
)
row("`badge --version`", hyperfine_ms("version-bin"), minimal, "minimal", id="version-bin")
row(
    "`badge ls`, 10,000 profiles",
    hyperfine_ms("ls-10000"),
    goal=50,
    goal_kind="ms",
    id="ls-10000",
)
hand_5000 = hyperfine_ms("ls-hand-5000")
hand_20000 = hyperfine_ms("ls-hand-20000")
row("`badge ls`, 5,000 hand-written profiles", hand_5000)
row(
    "`badge ls`, 20,000 hand-written profiles",
    hand_20000,
    hand_5000,
    "5,000 of them",
    5.0,
)

print("| what | median | floor in the same run | ratio | goal | page faults | instructions |")
print("|---|--:|---|--:|---|--:|--:|")
for line in rows:
    print(line)
if missed:
    print()
    print("Missed: " + "; ".join(missed))
