# The NixOS option data in the shape of ../shared/vendor/nixos-options
# (a list of { Name; Type; Default; }), computed from a REAL nixpkgs: the
# flake's `checks.nix-eval` passes it as $NIXOS_OPTIONS, so where nixpkgs
# exists the tests evaluate against the declarations of the locked nixpkgs
# itself (types as their descriptions, defaults as the manual renders them,
# names written as in the manual's data: `<name>` -> `_name_`, `*` -> `_`).
#
# `{ lib; options; }` instead of `{ nixpkgs; system; }` converts any option
# set (tests/nix/cases/nixos-real-options.nix checks the round trip).
{ nixpkgs ? null, system ? null, lib ? null, options ? null }:
let
  lib' = if lib != null then lib else nixos.pkgs.lib;
  options' = if options != null then options else nixos.options;
  nixos = import (nixpkgs + "/nixos/lib/eval-config.nix") {
    inherit system;
    modules = [{ documentation.nixos.enable = false; }];
  };
  # `"quoted name"` and `<name>` as the data writes them
  manualName = name: builtins.replaceStrings [ "<" ">" "*" "\"" " " ] [ "_" "_" "_" "_" "_" ] name;
  render = o:
    let
      r = builtins.tryEval (builtins.deepSeq [ o.name o.type ] {
        Name = manualName o.name;
        Type = o.type;
        Default =
          let d = builtins.tryEval (if o ? default then (o.default.text or (builtins.toJSON o.default)) else "none");
          in if d.success then d.value else "none";
      });
    in
    if r.success then [ r.value ] else [ ];
in
# (`visible` may be "shallow": those are listed too, as in the manual's data)
builtins.concatMap render
  (builtins.filter (o: (o.visible or true) != false && !(o.internal or false) && !(lib'.hasPrefix "_module." o.name)) (lib'.optionAttrSetToDocList options'))
