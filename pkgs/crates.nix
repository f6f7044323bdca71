# The Rust programs of the workspace, read from crates/*/Cargo.toml:
# { <cargo package name> = { bin = <binary name>; description; dir; }; }
# for every crate that has a [[bin]]. New crates are picked up without
# touching Nix.
{ lib }:
let
  cratesDir = ../crates;
  dirs = builtins.attrNames (lib.filterAttrs (_: t: t == "directory") (builtins.readDir cratesDir));
  manifest = d: builtins.fromTOML (builtins.readFile (cratesDir + "/${d}/Cargo.toml"));
  withBin = builtins.filter (d: builtins.pathExists (cratesDir + "/${d}/Cargo.toml") && (manifest d) ? bin) dirs;
in
builtins.listToAttrs (map
  (d:
  let m = manifest d;
  in lib.nameValuePair m.package.name {
    bin = (builtins.head m.bin).name;
    description = m.package.description or "axiOS ${m.package.name}";
    dir = d;
  })
  withBin)
