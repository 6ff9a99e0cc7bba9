#!/usr/bin/env python3
"""Runs one test program for ctest and makes its skipped tests visible.

  run_suite.py --kind gtest|qtest --report DIR --allowlist FILE [--name ENTRY] -- PROGRAM [ARGS...]

The program's output passes through unchanged. Afterwards every skipped test is printed with
its reason and written to DIR/<ENTRY or program>.skipped (one "name<TAB>reason" line each), which
tests/runner/print_skipped.cmake lists once ctest has run every suite. GoogleTest skips are read from
its XML report (--gtest_output), Qt Test skips from its "SKIP   :" lines.

With CI=true a skip whose name is not on the allow-list fails the suite: in CI every test
runs, except those that need device features the machine lacks, which the allow-list names
(one fnmatch pattern per line, each with a comment saying why).
"""

from __future__ import annotations

import argparse
import ctypes
import fnmatch
import os
import re
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

QT_SKIP = re.compile(r"^SKIP\s+:\s+(\S+?\(.*?\))\s*(.*)$")


def read_allowlist(path: Path) -> list[str]:
    patterns = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        entry, _, comment = line.partition("#")
        entry = entry.strip()
        if not entry:
            continue
        if not comment.strip():
            sys.exit(f"{path}:{number}: '{entry}' has no comment saying why it may skip")
        patterns.append(entry)
    return patterns


def gtest_skips(report: Path) -> list[tuple[str, str]]:
    if not report.exists():  # the program died before writing it; its exit code says so
        return []
    skips = []
    for case in ET.parse(report).getroot().iter("testcase"):
        skipped = case.find("skipped")
        if case.get("result") != "skipped" and skipped is None:
            continue
        message = skipped.get("message", "") if skipped is not None else ""
        # The message starts with "file:line"; the reason follows.
        lines = message.split("\n")
        reason = " ".join(line.strip() for line in lines[1:] if line.strip()) or message
        skips.append((f"{case.get('classname')}.{case.get('name')}", reason))
    return skips


def die_with_parent() -> None:
    """ctest ends a suite that overruns its TIMEOUT by killing this script: the program goes too."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def run(kind: str, command: list[str], report_dir: Path) -> tuple[int, list[tuple[str, str]]]:
    if kind == "gtest":
        with tempfile.TemporaryDirectory(dir=report_dir) as tmp:
            report = Path(tmp) / "report.xml"
            code = subprocess.call(command + [f"--gtest_output=xml:{report}"],
                                   preexec_fn=die_with_parent)
            return code, gtest_skips(report)
    skips = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, errors="replace",
                          preexec_fn=die_with_parent) as child:
        assert child.stdout is not None
        for line in child.stdout:
            sys.stdout.write(line)
            match = QT_SKIP.match(line.rstrip("\n"))
            if match:
                skips.append((match.group(1), match.group(2).strip()))
    return child.returncode, skips


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=["gtest", "qtest"], required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--allowlist", type=Path, required=True)
    # Several ctest entries may run one program (filtered or sharded): each keeps its own report.
    parser.add_argument("--name", help="the ctest entry, for the report's file name")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no program given")
    allowed = read_allowlist(args.allowlist)
    args.report.mkdir(parents=True, exist_ok=True)
    suite = args.name or Path(command[0]).name
    sys.stdout.flush()
    code, skips = run(args.kind, command, args.report)

    lines = [f"{name}\t{reason}" for name, reason in skips]
    (args.report / f"{suite}.skipped").write_text("".join(line + "\n" for line in lines))
    unexpected = [n for n, _ in skips if not any(fnmatch.fnmatchcase(n, p) for p in allowed)]
    if skips:
        print(f"\n{suite}: {len(skips)} skipped")
        for name, reason in skips:
            mark = " (not on the allow-list)" if name in unexpected else ""
            print(f"  SKIPPED {name}: {reason}{mark}")
    if os.environ.get("CI") == "true" and unexpected:
        print(f"{suite}: in CI only the tests on {args.allowlist} may skip; "
              f"{len(unexpected)} other(s) did")
        return code or 1
    return code


if __name__ == "__main__":
    sys.exit(main())
