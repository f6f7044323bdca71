#!/usr/bin/env python3
"""The core of tests/nix/run (which finds nix, nixpkgs lib and home-manager,
and prints the SKIPPED block). Evaluates each case file with lib/driver.nix
through nix-instantiate and reports per test.

Usage: runner.py NIX_INSTANTIATE NIXPKGS_LIB HM_SRC VERBOSE CASEFILE...
Last line of output: "N passed, N failed". Exit 1 when anything failed.
"""
import difflib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "driver.nix")


class Nix:
    def __init__(self, binary, nixpkgs_lib, hm_src, verbose):
        self.binary = binary
        self.nixpkgs_lib = nixpkgs_lib
        self.hm_src = hm_src
        self.verbose = verbose

    def eval(self, case_file, mode, only=""):
        """Returns (ok, value or None, stderr)."""
        cmd = [self.binary, "--eval", "--strict", "--json",
               # store paths of files used in strings are computed, never
               # copied: works in a build sandbox, leaves the store alone
               "--readonly-mode"]
        if self.verbose:
            cmd.append("--show-trace")
        cmd += [DRIVER,
                "--arg", "caseFile", case_file,
                "--argstr", "nixpkgsLib", self.nixpkgs_lib,
                "--argstr", "homeManager", self.hm_src,
                "--argstr", "mode", mode,
                "--argstr", "only", only]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        if p.returncode != 0:
            return False, None, p.stderr
        try:
            return True, json.loads(p.stdout), p.stderr
        except ValueError:
            return False, None, "could not parse nix-instantiate output:\n" + p.stdout[:2000]


def error_message(stderr):
    """The message of a Nix error: from the first "error:" line up to the
    first blank line or trace/position line, without "error: " and the
    7-space continuation indent. expectedError is matched against this, never
    against the source snippets Nix prints."""
    out = []
    started = False
    for line in stderr.splitlines():
        if not started:
            if line.startswith("error:"):
                started = True
                out.append(line[len("error:"):].lstrip(" "))
            continue
        stripped = line.strip()
        if (not stripped or stripped.startswith("at ") or stripped.startswith("… ")
                or stripped.startswith("(use ")):
            break
        out.append(line[7:] if line.startswith("       ") else line)
    return "\n".join(out)


def shown_error(stderr, verbose):
    if verbose:
        lines = stderr.splitlines()
    else:
        lines = stderr.splitlines()
        # the interesting part starts at the (last) "error:" line
        idx = max((i for i, l in enumerate(lines) if l.startswith("error:")), default=0)
        lines = lines[idx:idx + 25]
    lines = ["(tests/nix/run -v shows the whole trace)" if l.startswith("(use '--show-trace'") else l
             for l in lines]
    return "\n".join("      " + l for l in lines)


def pretty(v):
    return json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False)


def indent(text, n=6, limit=60):
    lines = text.splitlines()
    more = len(lines) - limit
    lines = lines[:limit] + (["… (%d more lines)" % more] if more > 0 else [])
    return "\n".join(" " * n + l for l in lines)


class Run:
    def __init__(self, nix, verbose):
        self.nix = nix
        self.verbose = verbose
        self.passed = 0
        self.failed = []

    def ok(self, name, note=""):
        self.passed += 1
        if self.verbose:
            print("  pass %s%s" % (name, note))

    def fail(self, name, details):
        self.failed.append(name)
        print("  FAIL %s" % name)
        if details:
            print(details)

    def case(self, path, rel):
        print("== %s" % rel)
        ok, results, err = self.nix.eval(path, "run")
        if not ok:
            # the file as a whole does not evaluate: find which tests do not
            ok, names, err2 = self.nix.eval(path, "names")
            if not ok:
                self.fail(rel, "    the case file does not evaluate:\n" + shown_error(err2, self.verbose))
                return
            results = []
            for name in names:
                ok1, one, err1 = self.nix.eval(path, "run", name)
                if ok1:
                    results.append(one[0])
                else:
                    results.append({"name": name, "status": "error", "raw": err1})
        for t in results:
            self.test(path, t)

    def test(self, path, t):
        name, status = t["name"], t["status"]
        if status == "pass":
            self.ok(name)
        elif status == "fail":
            e, x = pretty(t.get("expr")), pretty(t.get("expected"))
            diff = "\n".join(difflib.unified_diff(
                x.splitlines(), e.splitlines(), lineterm="", n=3))
            diff = "\n".join(diff.splitlines()[2:])
            self.fail(name, "    expr:\n%s\n    expected:\n%s\n    diff (- expected, + expr):\n%s"
                      % (indent(e), indent(x), indent(diff, limit=80)))
        elif status == "deferred":
            want = t["expectedError"]
            ok, _, err = self.nix.eval(path, "force", name)
            if ok:
                self.fail(name, "    expected an evaluation error containing:\n%s\n"
                          "    but it evaluated without error" % indent(want))
            elif want in error_message(err):
                self.ok(name, " (error as expected)")
            else:
                details = ("    expected an evaluation error containing:\n%s\n"
                           "    got the error message:\n%s" % (indent(want), indent(error_message(err))))
                if self.verbose:
                    details += "\n" + shown_error(err, True)
                self.fail(name, details)
        elif "raw" in t:
            self.fail(name, "    evaluation error:\n" + shown_error(t["raw"], self.verbose))
        elif "message" in t and not t["message"].startswith("evaluation threw"):
            self.fail(name, "    " + t["message"])
        else:
            # caught by tryEval: evaluate it alone, uncaught, for the message
            _, _, err = self.nix.eval(path, "force", name)
            self.fail(name, "    evaluation error:\n" + shown_error(err, self.verbose))


def main(argv):
    binary, nixpkgs_lib, hm_src, verbose = argv[1:5]
    files = argv[5:]
    verbose = verbose == "1"
    run = Run(Nix(binary, nixpkgs_lib, hm_src, verbose), verbose)
    root = os.path.dirname(HERE)
    for f in files:
        rel = os.path.relpath(f, root) if f.startswith(root + os.sep) else f
        run.case(f, rel)
    if run.failed:
        print("\nfailed:")
        for n in run.failed:
            print("  " + n)
    print("%d passed, %d failed" % (run.passed, len(run.failed)))
    return 1 if run.failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:  # e.g. `tests/nix/run | head`
        sys.exit(1)
