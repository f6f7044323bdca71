# Evaluates one case file for tests/nix/run. Output (with --json --strict):
#   mode = "run":   [ { name; status = "pass"|"fail"|"error"|"deferred"; expr?; expected?; expectedError?; } ]
#   mode = "names": [ name ... ]
#   mode = "force": forces `expr` of test `only` (for expectedError tests)
#   mode = "stats": the NixOS option data's statistics (lib/nixos-options.nix)
{ caseFile
, nixpkgsLib
, homeManager ? ""
, mode ? "run"
, only ? ""
}:
let
  lib = import (nixpkgsLib + "/lib");
  args = import ./harness.nix {
    inherit lib;
    homeManagerPath = if homeManager == "" then null else homeManager;
  };
  case = import caseFile;
  tests = if builtins.isFunction case then case args else case;
  names = builtins.attrNames tests;
  selected = if only == "" then names else [ only ];

  # JSON-safe rendering of any value, for the failure report.
  plain = depth: v:
    if depth > 12 then "<…>"
    else if builtins.isFunction v then "<function>"
    else if builtins.isPath v then toString v
    else if builtins.isAttrs v then
      (if (v.type or null) == "derivation" then "<derivation ${v.name or "?"}>"
      # JSON output would turn it into its outPath string and hide the set
      else if v ? outPath then { "<attrset with outPath>" = safe (depth + 1) v.outPath; } // builtins.mapAttrs (_: x: safe (depth + 1) x) (removeAttrs v [ "outPath" ])
      else builtins.mapAttrs (_: x: safe (depth + 1) x) v)
    else if builtins.isList v then map (safe (depth + 1)) v
    else if builtins.isFloat v then toString v
    else v;
  safe = depth: v:
    let r = builtins.tryEval (let p = plain depth v; in builtins.deepSeq p p);
    in if r.success then r.value else "<error while evaluating>";

  runOne = name:
    let t = tests.${name};
    in
    if !(builtins.isAttrs t && t ? expr && (t ? expected || t ? expectedError)) then
      { inherit name; status = "error"; message = "a test must be an attrset { expr; expected; } or { expr; expectedError; }"; }
    else if t ? expectedError then
      { inherit name; status = "deferred"; inherit (t) expectedError; }
    else
      let r = builtins.tryEval (t.expr == t.expected);
      in
      if !r.success then
        { inherit name; status = "error"; message = "evaluation threw (builtins.throw or assert); run this test alone for the message"; }
      else if r.value then
        { inherit name; status = "pass"; }
      else
        { inherit name; status = "fail"; expr = safe 0 t.expr; expected = safe 0 t.expected; };

  # Forces a value deeply WITHOUT catching errors (functions are not called,
  # derivations are forced to their outPath).
  deep = depth: v:
    if depth > 40 then true
    else if builtins.isAttrs v then
      (if (v.type or null) == "derivation" then builtins.seq v.outPath true
      else builtins.all (x: deep (depth + 1) x) (builtins.attrValues v))
    else if builtins.isList v then builtins.all (deep (depth + 1)) v
    else builtins.seq v true;
  force =
    let t = tests.${only};
    in
    if t ? expectedError then builtins.seq (deep 0 t.expr) "evaluated without error"
    else builtins.seq (t.expr == t.expected) "evaluated without error";
in
if mode == "stats" then args.nixosOptions.stats
else if mode == "names" then names
else if mode == "force" then force
else if mode == "plainExpr" then plain 0 tests.${only}.expr
else map runOne selected
