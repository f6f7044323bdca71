# Typed stubs of third-party home-manager options the axiOS home modules look for with
# `options ? ...` (home/secrets, home/ai/mcp.nix). Everything else is freeform
# (stubs/home/base.nix). Names and types follow the real modules:
#   age.*                        agenix's homeManagerModules.default
#   programs.claude-code.*       home-manager's programs/claude-code
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

    programs.claude-code = {
      enable = mkOption { type = types.bool; default = false; description = "stub (home-manager claude-code)"; };
      mcpServers = mkOption { type = types.attrsOf types.anything; default = { }; description = "stub (home-manager claude-code)"; };
    };
  };
}
