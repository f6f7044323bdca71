# The NixOS option data in the shape of ../shared/vendor/nixos-options
# (a list of { Name; Type; Default; }), computed from a REAL nixpkgs: the
# flake's `checks.nix-eval` passes it as $NIXOS_OPTIONS, so where nixpkgs
# exists the tests evaluate against the declarations of the locked nixpkgs
# itself (types as their descriptions, defaults as the manual renders them,
# names written as in the manual's data: `<name>` -> `_name_`, `*` -> `_`).
{ nixpkgs, system }:
let
  inherit (nixos.pkgs) lib;
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
builtins.concatMap render (builtins.filter (o: o.visible or true && !(o.internal or false)) (lib.optionAttrSetToDocList nixos.options))
