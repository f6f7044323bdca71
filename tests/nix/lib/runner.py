#!/usr/bin/env python3
"""The core of tests/nix/run (which finds nix, nixpkgs lib and home-manager,
and prints the SKIPPED block). Evaluates each case file with lib/driver.nix
through nix-instantiate and reports per test.

Usage: runner.py NIX_INSTANTIATE NIXPKGS_LIB HM_SRC VERBOSE CASEFILE...
Last line of output: "N passed, N failed". Exit 1 when anything failed.
"""
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

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


def nixos_options_tree(options_json):
    """The NixOS option data as the nested tree lib/nixos-options.nix reads
    (the same transformation it does itself from the flat list, done once
    here instead of in every nix-instantiate). Split in one file per
    second-level namespace (services.openssh, boot.loader, ...), which Nix
    reads only when an evaluation reaches it; the index.tree.json holds the
    first two levels. Cached in the temp dir by the hash of the data and of
    this file; returns the index's path."""
    with open(options_json, "rb") as f:
        data = f.read()
    with open(__file__, "rb") as f:
        digest = hashlib.sha256(data + f.read()).hexdigest()[:16]
    out_dir = os.path.join(tempfile.gettempdir(), "axios-nixos-options-%s" % digest)
    out = os.path.join(out_dir, "index.tree.json")
    if os.path.exists(out):
        return out

    def unhtml(s):
        for a, b in (("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"), ("&#39;", "'")):
            s = s.replace(a, b)
        return s

    def unquote(c):
        m = re.fullmatch(r"_([^_]+(_[^_]+)+)_", c)
        return m.group(1).replace("_", " ") if m else c

    tree = {}
    for e in json.loads(data.decode("utf-8")):
        name = e["Name"]
        if re.fullmatch(r".*\._[^._]+\.[^_]*_(\..*)?", name):
            continue  # a quoted name with dots (boot.kernel.sysctl."net.core.rmem_max")
        node = tree
        for c in name.split("."):
            node = node.setdefault(unquote(c), {})
        node["_opt"] = {"t": unhtml(e["Type"]), "d": unhtml(e["Default"]), "o": "dump"}
    tmp = tempfile.mkdtemp(dir=tempfile.gettempdir(), prefix="axios-nixos-options-tmp-")

    def dump(path, value):
        with open(os.path.join(tmp, path), "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False, separators=(",", ":"))

    index = {}
    for top, sub in tree.items():
        if top == "_opt" or not isinstance(sub, dict):
            index[top] = sub
            continue
        index[top] = {}
        for name, node in sub.items():
            if name == "_opt":
                index[top][name] = node
                continue
            fname = "%d.json" % len(os.listdir(tmp))
            dump(fname, node)
            index[top][name] = {"_file": fname}
    dump("index.tree.json", index)
    os.chmod(tmp, 0o755)
    try:
        os.rename(tmp, out_dir)
    except OSError:  # built meanwhile by another run
        shutil.rmtree(tmp, ignore_errors=True)
    return out


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
        if details and "does not exist. Definition values" in details:
            details += ("\n    hint: a misspelt option, a module not imported, or a NixOS option newer than the\n"
                        "    option data (December 2024): declare those in tests/nix/nixos-newer-options.nix\n"
                        "    with the nixpkgs version that added it (see the top of that file)")
        if details and "is already declared in" in details and "nixos-options" in details:
            details += ("\n    hint: NixOS's own declaration comes from the option data now: remove the stub\n"
                        "    declaration (tests/nix/stubs/nixos); only values NixOS computes belong there")
        print("  FAIL %s" % name)
        if details:
            print(details)

    def stats(self, any_file, data_name):
        """Prints what the NixOS option tree is made of; fails when the
        newer-options file redeclares an option of the December 2024 data
        (with data from a newer nixpkgs, as in the flake's check, that is
        expected and only noted)."""
        ok, st, err = self.nix.eval(any_file, "stats")
        if not ok:
            self.fail("nixos-options", "    the NixOS option data does not evaluate:\n" + shown_error(err, self.verbose))
            return
        newer = st["newer"]
        print("NixOS options: %d declared from the option data, %d of them from tests/nix/nixos-newer-options.nix%s"
              % (st["options"], len(newer), (": " + ", ".join(newer)) if newer else ""))
        print("NixOS options: %d options (%d distinct types) have a type the harness cannot map (they accept anything)%s"
              % (st["unmappedOptions"], len(st["unmappedTypes"]), "" if not self.verbose else
                 "\n" + "\n".join("  " + t.replace("\n", " ") for t in st["unmappedTypes"])))
        print("NixOS options: %d options of a submodule type list no sub-options in the data (left open)"
              % len(st["openSubmodules"]))
        if st["newerAlsoInDump"] and data_name != "nixos-options-2024-12.json":
            print("NixOS options: the data already has %s (newer nixpkgs)" % ", ".join(st["newerAlsoInDump"]))
            self.ok("nixos-newer-options")
        elif st["newerAlsoInDump"]:
            self.fail("nixos-newer-options", "    already in the option data, remove from tests/nix/nixos-newer-options.nix: "
                      + ", ".join(st["newerAlsoInDump"]))
        else:
            self.ok("nixos-newer-options")

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
    options_json = os.environ.get("NIXOS_OPTIONS", "")
    if options_json.endswith(".json") and not options_json.endswith(".tree.json") and os.path.isfile(options_json):
        try:
            os.environ["NIXOS_OPTIONS"] = nixos_options_tree(options_json)
        except (ValueError, KeyError, TypeError, AttributeError, OSError) as e:
            print("tests/nix/run: the NixOS option data %s is not a JSON list of {Name, Type, Default}: %s: %s"
                  % (options_json, type(e).__name__, e), file=sys.stderr)
            return 2
    run = Run(Nix(binary, nixpkgs_lib, hm_src, verbose), verbose)
    root = os.path.dirname(HERE)
    run.stats(DRIVER, os.path.basename(options_json))
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
