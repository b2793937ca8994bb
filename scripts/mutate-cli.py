#!/usr/bin/env python3
"""A mutation run of the command line: mutated plans through `plan`, `program` and `prompt`.

Usage: python3 scripts/mutate-cli.py [--plans N] [--seed S] [--binary PATH] [--keep DIR]

Each mutated plan (from examples/*.yaml and *.json: extreme numbers and units, repeated, dropped and
swapped lines, alias bombs, huge values, stray bytes) runs through `plan`, `plan --json`,
`program -o pull.csv` and `prompt`. A run fails the check if it ends on a signal, runs over 5 s or
1 GB of memory, prints an error over 40 lines, or prints `nan` or `inf` as a number. Failing plans
are copied to --keep (default .build/mutations) with the command and what went wrong. Exit 1 if any
run failed. Build first: swift build -c release (the binary is .build/release/rackfocus).
"""

import argparse
import concurrent.futures
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBERS = ["0", "-1", "1e308", "1e-320", "9223372036854775808", "nan", "inf", "0x3", "1e20", "0.001",
           "999999999", "-0", "86401", "1000.5", "1e-9", "50", "49.999", "12'-6\""]
UNITS = ["m", "mm", "ft", "in", "f", "s", "ms", "deg", "px", "%", ""]
NON_NUMBER = re.compile(r"(?<![a-z])(nan|inf)(?![a-z])")
LIMIT_SECONDS, LIMIT_BYTES, LIMIT_LINES = 5.0, 1 << 30, 40


def mutate(text, rng):
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        kind = rng.randrange(9)
        if kind <= 2:  # a number, with its unit, becomes an extreme one in some unit
            spans = [m.span() for m in re.finditer(r"[0-9][0-9.]*[a-zA-Z%]*", lines[i])]
            if spans:
                a, b = rng.choice(spans)
                lines[i] = lines[i][:a] + rng.choice(NUMBERS) + rng.choice(UNITS) + lines[i][b:]
        elif kind == 3:
            lines[i:i] = [lines[i]] * rng.randint(1, 3)
        elif kind == 4:
            del lines[i]
        elif kind == 5:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 6:  # a line repeated thousands of times (many racks, subjects, marks)
            lines[i:i] = [lines[i]] * rng.choice([500, 5000, 30000])
        elif kind == 7:  # a huge value, or stray bytes
            if rng.random() < 0.5:
                lines[i] += "x" * rng.choice([10000, 200000, 5000000])
            else:
                lines[i] += "".join(chr(rng.randrange(1, 0x2FF)) for _ in range(rng.randint(1, 8)))
        else:  # an alias bomb at the top
            depth = rng.randint(3, 12)
            bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
            bomb += [f"a{k}: &a{k} [" + ", ".join([f"*a{k-1}"] * 10) + "]" for k in range(1, depth)]
            lines[0:0] = bomb
    return "\n".join(lines)


def run_one(binary, args, cwd):
    start = time.monotonic()
    with open(os.path.join(cwd, "stdout"), "wb") as out, open(os.path.join(cwd, "stderr"), "wb") as err:
        proc = subprocess.Popen([binary] + args, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = start + 2 * LIMIT_SECONDS
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
    elapsed = time.monotonic() - start
    stdout = open(os.path.join(cwd, "stdout"), "rb").read()
    stderr = open(os.path.join(cwd, "stderr"), "rb").read()
    problems = []
    if os.WIFSIGNALED(status):
        problems.append(f"signal {signal.Signals(os.WTERMSIG(status)).name}")
    if elapsed > LIMIT_SECONDS:
        problems.append(f"{elapsed:.1f} s")
    if usage.ru_maxrss * 1024 > LIMIT_BYTES:
        problems.append(f"{usage.ru_maxrss / 1024:.0f} MB")
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    err_lines = stderr.count(b"\n")
    if code not in (None, 0) and err_lines > LIMIT_LINES:
        problems.append(f"error of {err_lines} lines")
    # A plan's own words come back quoted ("inf%" is not a distance), and one piece of advice names
    # infinity's spelling: neither is a printed number.
    text = (stdout + stderr).decode("utf-8", "replace").lower().replace("write inf for", "")
    if NON_NUMBER.search(re.sub(r'"[^"\n]*"', "", text)):
        problems.append("prints nan/inf")
    return problems, elapsed


def check_plan(task):
    # Each plan is made here from its own seed, so the parent holds no plan text: a forked child's
    # peak memory starts at its parent's size.
    index, seed, seeds, binary, keep = task
    rng = random.Random(f"{seed}-{index}")
    text, ext = rng.choice(seeds)
    text = mutate(text, rng)
    with tempfile.TemporaryDirectory(prefix="rf-mutate-") as cwd:
        shutil.copytree(os.path.join(ROOT, "examples", "tracks"), os.path.join(cwd, "tracks"))
        plan = os.path.join(cwd, "shot" + ext)
        with open(plan, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(text)
        results = []
        for args in (["plan", plan], ["plan", plan, "--json"], ["program", plan, "-o", "pull.csv"], ["prompt", plan]):
            problems, elapsed = run_one(binary, args, cwd)
            results.append((args[0] + (" --json" if "--json" in args else ""), problems, elapsed))
            if problems:
                os.makedirs(keep, exist_ok=True)
                shutil.copy(plan, os.path.join(keep, f"{index:05d}{ext}"))
                with open(os.path.join(keep, f"{index:05d}.txt"), "a") as note:
                    note.write(f"rackfocus {' '.join(args[:1] + ['PLAN'] + args[2:])}: {', '.join(problems)}\n")
                    note.write(open(os.path.join(cwd, "stderr"), errors="replace").read()[:2000] + "\n")
        return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/rackfocus"))
    parser.add_argument("--keep", default=os.path.join(ROOT, ".build/mutations"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    opts = parser.parse_args()
    if not os.access(opts.binary, os.X_OK):
        sys.exit(f"{opts.binary}: not built; run swift build -c release first")
    seeds = []
    for name in sorted(os.listdir(os.path.join(ROOT, "examples"))):
        if name.endswith((".yaml", ".json")):
            seeds.append((open(os.path.join(ROOT, "examples", name), encoding="utf-8").read(), os.path.splitext(name)[1]))
    tasks = [(i, opts.seed, seeds, opts.binary, opts.keep) for i in range(opts.plans)]
    runs = failed = 0
    slowest = (0.0, "")
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
        for done, results in enumerate(pool.map(check_plan, tasks), 1):
            for command, problems, elapsed in results:
                runs += 1
                slowest = max(slowest, (elapsed, f"plan {done - 1}, {command}"))
                if problems:
                    failed += 1
                    print(f"plan {done - 1}: rackfocus {command}: {', '.join(problems)}", flush=True)
            if done % 250 == 0:
                print(f"{done}/{opts.plans} plans, {runs} runs, {failed} failed, "
                      f"{time.monotonic() - started:.0f} s", flush=True)
    print(f"{opts.plans} plans, {runs} runs: {failed} failed; slowest run {slowest[0]:.2f} s ({slowest[1]})")
    if failed:
        print(f"failing plans and their errors: {opts.keep}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
