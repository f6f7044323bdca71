# Typed stub of agenix's homeManagerModules.default (`age.*`), which home/secrets
# looks for with `options ? age`. Also imported by cases/home-real-hm.nix.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options = {
    age = {
      identityPaths = mkOption { type = types.listOf types.str; default = [ ]; description = "stub (agenix)"; };
      secretsDir = mkOption { type = types.str; default = "/run/user/1000/agenix"; description = "stub (agenix)"; };
      secrets = mkOption {
        type = types.attrsOf (types.submodule ({ name, ... }: {
          options = {
            file = mkOption { type = types.path; description = "stub (agenix)"; };
            path = mkOption { type = types.str; default = "/run/user/1000/agenix/${name}"; description = "stub (agenix)"; };
            mode = mkOption { type = types.str; default = "0400"; description = "stub (agenix)"; };
            symlink = mkOption { type = types.bool; default = true; description = "stub (agenix)"; };
          };
        }));
        default = { };
        description = "stub (agenix)";
      };
    };

  };
}
