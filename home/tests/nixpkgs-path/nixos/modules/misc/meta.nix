# Stand-in for nixpkgs' nixos/modules/misc/meta.nix (see assertions.nix next to it):
# the `meta.*` options home-manager modules set.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.meta = {
    maintainers = mkOption {
      type = types.listOf types.raw;
      internal = true;
      default = [ ];
      example = [ ];
      description = "Maintainers of the modules (ignored here).";
    };
    doc = mkOption {
      type = types.path;
      internal = true;
      example = "./meta.chapter.md";
      description = "Documentation of the module (ignored here).";
    };
    buildDocsInSandbox = mkOption {
      type = types.bool;
      internal = true;
      default = true;
      example = false;
      description = "Whether the module's docs build in the sandbox (ignored here).";
    };
    teams = mkOption {
      type = types.listOf types.raw;
      internal = true;
      default = [ ];
      example = [ ];
      description = "Teams of the modules (ignored here).";
    };
  };
}
