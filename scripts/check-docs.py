#!/usr/bin/env python3
"""Runs every `$ ...` block of README.md and docs/*.md and checks that its output matches.

    python3 scripts/check-docs.py [--binary PATH] [--update] [FILE ...]

A block is a fenced code block whose first line starts with "$ ". Each "$ " line (with "\\"
continuations) is run by bash in one scratch folder per file, in order, so later blocks see what
earlier ones wrote (the demo's folder, a plan); the lines after it, up to the next "$ " line, are
its expected output (stdout and stderr together). `rackfocus` is the release build
(.build/release/rackfocus unless --binary says otherwise); `swift run -c release [-Xswiftc
-enable-testing] rackfocus` and
`swift build -c release && .build/release/rackfocus` in a block run that binary too. The scratch
folder has `examples/` and `docs/` linked from the repository and `../shared` beside it.

A line "..." in the expected output stands for any lines (output the docs leave out).
Timings are masked on both sides: wall times, frame rates and milliseconds (see TIMING). A block
preceded by `<!-- docs-test: numbers vary -->` has every number masked (the benchmark's table:
its shape is checked, not its figures). Nothing else is skipped: every other figure must match.

--update rewrites the expected output in place with what the commands printed (then read the diff).
Exit status 1 when any block differs, with a unified diff of each.
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBERS_VARY = "<!-- docs-test: numbers vary -->"
# Wall-clock figures: "in 2.2 s", "(38.8 fps", "0.24 s", "12.6 ms", "took 1.8 s".
TIMING = [
    (re.compile(r"\b\d+(\.\d+)? fps\b"), "<fps>"),
    (re.compile(r"\b\d+(\.\d+)? ms\b"), "<ms>"),
    (re.compile(r"\bin \d+(\.\d+)? s\b"), "in <s>"),
    (re.compile(r"\b\d+(\.\d+)?x\b"), "<x>"),
]
ANY_NUMBER = re.compile(r"\d+(\.\d+)?")


def blocks(path):
    """(start line index, end line index, numbers vary, [(command, [expected lines], [raw command
    lines])]) per block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        if lines[i].startswith("```") and i + 1 < len(lines) and lines[i + 1].startswith("$ "):
            vary = any(NUMBERS_VARY in lines[j] for j in range(max(0, i - 3), i))
            j = i + 1
            steps = []
            while j < len(lines) and not lines[j].startswith("```"):
                if lines[j].startswith("$ "):
                    command, raw = lines[j][2:], [lines[j]]
                    while command.endswith("\\") and j + 1 < len(lines):
                        j += 1
                        command = command[:-1] + " " + lines[j].strip()
                        raw.append(lines[j])
                    steps.append((command, [], raw))
                else:
                    steps[-1][1].append(lines[j])
                j += 1
            for _, expected, _ in steps:
                while expected and expected[-1] == "":
                    expected.pop()
            out.append((i + 1, j, vary, steps))
            i = j
        i += 1
    return lines, out


def mask(text, vary):
    for pattern, replacement in TIMING:
        text = pattern.sub(replacement, text)
    if vary:
        # Every number, and the column widths and rules that follow the numbers' widths.
        text = re.sub(r"-{2,}", "-", re.sub(r" {2,}", " ", ANY_NUMBER.sub("#", text)))
    return [line.rstrip() for line in text.rstrip("\n").split("\n")] if text.strip() else []


def matches(want, got):
    """Whether `got` matches `want`, where a line "..." in `want` stands for any lines (or none)."""
    if "..." not in want:
        return want == got
    parts, current = [], []
    for line in want:
        if line == "...":
            parts.append(current)
            current = []
        else:
            current.append(line)
    parts.append(current)
    first, last = parts[0], parts[-1]
    if got[:len(first)] != first or len(got) < len(first) + len(last):
        return False
    end = len(got) - len(last)
    if got[end:] != last:
        return False
    at = len(first)
    for part in parts[1:-1]:
        while at + len(part) <= end and got[at:at + len(part)] != part:
            at += 1
        if at + len(part) > end:
            return False
        at += len(part)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "rackfocus"))
    parser.add_argument("--update", action="store_true")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"check-docs: {binary} is not built; run `swift build -c release` (or the README's first command) first")
        return 2
    files = args.files or ["README.md"] + sorted(
        os.path.join("docs", f) for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))
    failures = checked = 0
    for name in files:
        path = os.path.join(ROOT, name)
        lines, found = blocks(path)
        if not found:
            continue
        scratch = tempfile.mkdtemp(prefix="rackfocus-docs-")
        try:
            work, bin_dir = os.path.join(scratch, "work"), os.path.join(scratch, "bin")
            os.makedirs(work)
            os.makedirs(bin_dir)
            os.symlink(binary, os.path.join(bin_dir, "rackfocus"))
            for linked in ["examples", "docs"]:
                os.symlink(os.path.join(ROOT, linked), os.path.join(work, linked))
            shared = os.path.join(os.path.dirname(ROOT), "shared")
            if os.path.isdir(shared):
                os.symlink(shared, os.path.join(scratch, "shared"))
            env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"], LC_ALL="C.UTF-8", COLUMNS="100")
            variables = []
            replacements = []
            for start, end, vary, steps in found:
                new_steps = []
                for command, expected, raw in steps:
                    if re.fullmatch(r"[A-Z_]+=\S+", command):
                        variables.append(command)
                        new_steps.append((raw, []))
                        continue
                    run = re.sub(r"swift run -c release (-Xswiftc -enable-testing )?rackfocus", "rackfocus", command)
                    run = run.replace("swift build -c release && .build/release/rackfocus", "rackfocus")
                    script = "\n".join(variables + [run])
                    result = subprocess.run(
                        ["bash", "-c", script], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        text=True, timeout=900)
                    got = result.stdout
                    checked += 1
                    want_m, got_m = mask("\n".join(expected), vary), mask(got, vary)
                    if not matches(want_m, got_m):
                        failures += 1
                        print(f"{name}:{start + 1}: `$ {command}` printed something else (exit {result.returncode}):")
                        for line in difflib.unified_diff(want_m, got_m, "documented", "printed", lineterm="", n=1):
                            print("  " + line)
                    new_steps.append((raw, got.rstrip("\n").split("\n") if got.strip() else []))
                replacements.append((start, end, new_steps))
            if args.update:
                for start, end, new_steps in reversed(replacements):
                    body = []
                    for k, (raw, output) in enumerate(new_steps):
                        body.extend(raw)
                        body.extend(output)
                        following = new_steps[k + 1][0] if k + 1 < len(new_steps) else None
                        if output and following is not None:
                            body.append("")
                    lines[start:end] = body
                with open(path, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"check-docs: {checked} commands, {failures} differ")
    if checked == 0:
        print("check-docs: found no `$ ` blocks to run")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
