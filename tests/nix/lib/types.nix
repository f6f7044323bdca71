# Types used by the stub option trees.
#
# `stubAnything` is the type of every option the stubs do not declare (the
# freeform root of both the NixOS and the home-manager stub trees). It is like
# `types.anything`, except that:
#   - lists from several definitions CONCATENATE (as `listOf` does), where
#     `types.anything` rejects two list definitions;
#   - attribute sets merge recursively, each level going through
#     `mergeDefinitions`, so `mkIf`, `mkDefault`, `mkForce`, `mkMerge` and
#     `mkOrder` work at any depth;
#   - conflicting scalars (two different strings, bools, numbers, packages)
#     fail like the real typed option would, naming the option and telling
#     you to declare a typed stub (e.g. `types.lines` for strings that
#     concatenate) in tests/nix/stubs/.
{ lib }:
let
  inherit (lib) types mkOptionType;

  isDrv = v: builtins.isAttrs v && (v.type or null) == "derivation";

  kind = v:
    if isDrv v then "package"
    else if builtins.isAttrs v then "set"
    else if builtins.isList v then "list"
    else if builtins.isFunction v then "lambda"
    else builtins.typeOf v;

  stubAnything = mkOptionType {
    name = "stubAnything";
    description = "anything (axiOS test stub: lists concatenate, sets merge)";
    descriptionClass = "noun";
    check = _: true;
    merge = loc: defs:
      let
        kinds = lib.unique (map (d: kind d.value) defs);
        k = builtins.head kinds;
        values = map (d: d.value) defs;
        allEqual = lib.all (v: v == builtins.head values) values;
      in
      if builtins.length kinds != 1 then
        throw "stub option `${lib.showOption loc}' has definitions of different kinds (${lib.concatStringsSep ", " kinds}) in ${lib.showFiles (lib.getFiles defs)}; declare a typed stub in tests/nix/stubs/ if the real option accepts this"
      else if k == "set" then
        (types.lazyAttrsOf stubAnything).merge loc defs
      else if k == "list" then
        lib.concatLists values
      else if allEqual then
        builtins.head values
      else
        throw "stub option `${lib.showOption loc}' has conflicting definitions in ${lib.showFiles (lib.getFiles defs)}; if the real option merges them (e.g. `types.lines'), declare a typed stub in tests/nix/stubs/";
  };

  # A freeform submodule: the given typed options plus anything else.
  freeformSubmodule = options: types.submodule ({ name, ... }: {
    freeformType = types.lazyAttrsOf stubAnything;
    options = if builtins.isFunction options then options name else options;
  });

  # Collects every definition into a list, in definition order (used for
  # options whose values are modules, e.g. `home-manager.users.<name>`).
  collectDefs = mkOptionType {
    name = "stubCollect";
    description = "list of all definitions (axiOS test stub)";
    check = _: true;
    merge = _loc: defs: map (d: d.value) defs;
    emptyValue = { value = [ ]; };
  };
in
{
  inherit stubAnything freeformSubmodule collectDefs isDrv;
  freeformRoot = { _module.freeformType = types.lazyAttrsOf stubAnything; };
}
