# Helpers of the compatibility modules (home/compat/*.nix).
{ lib }:
{
  # lib.mkRenamedOptionModule (forwards definitions, warns with the new name) plus an
  # example on the old option, as every axiOS option has one.
  renamed = from: to: example: {
    imports = [ (lib.mkRenamedOptionModule from to) ];
    options = lib.setAttrByPath from (lib.mkOption { inherit example; });
  };
}
