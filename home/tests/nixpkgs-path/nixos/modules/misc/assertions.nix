# Stand-in for nixpkgs' nixos/modules/misc/assertions.nix, which home-manager's module list
# imports through `pkgs.path` (home/tests and tests/nix/cases/home-real-hm.nix have only the
# nixpkgs lib). Same option names and types.
{ lib, ... }:
{
  options = {
    assertions = lib.mkOption {
      type = lib.types.listOf lib.types.unspecified;
      internal = true;
      default = [ ];
      example = [{ assertion = false; message = "you can't enable this for that reason"; }];
      description = "Conditions that must hold, each with the message shown when it does not.";
    };
    warnings = lib.mkOption {
      internal = true;
      default = [ ];
      type = lib.types.listOf lib.types.str;
      example = [ "The `foo' service is deprecated and will go away soon!" ];
      description = "Messages shown to the user after evaluation.";
    };
  };
}
