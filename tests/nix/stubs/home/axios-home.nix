# Typed stub of a home-manager option the axiOS home modules look for with
# `options ? ...` (home/ai/mcp.nix); agenix's `age.*` is in agenix.nix. Everything
# else is freeform (stubs/home/base.nix). Names and types follow the real module:
#   programs.claude-code.*       home-manager's programs/claude-code
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options = {
    programs.claude-code = {
      enable = mkOption { type = types.bool; default = false; description = "stub (home-manager claude-code)"; };
      mcpServers = mkOption { type = types.attrsOf types.anything; default = { }; description = "stub (home-manager claude-code)"; };
    };
  };
}
