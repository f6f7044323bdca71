# AI tools, home side: declarative MCP servers for the CLI agents (mcp.nix). The agents
# themselves (claude-code, copilot-cli, gemini-cli) and Ollama are installed by the NixOS
# ai module (`services.ai`).
{ config, lib, ... }@args:
let
  cfg = config.axios.ai;
  osConfig = args.osConfig or null;
in
{
  imports = [ ./mcp.nix ];

  options.axios.ai.enable = lib.mkEnableOption "the axiOS AI tools home configuration (MCP servers)";

  config = lib.mkIf cfg.enable {
    axios.ai.mcp.enable = lib.mkDefault true;

    warnings = lib.optional (osConfig != null && !(osConfig.services.ai.enable or true)) ''
      axios.ai (home-manager) is enabled but the NixOS ai module is off (services.ai.enable = false):
      the MCP configuration is written, but no AI agent is installed system-wide. Set
      `modules.ai = true` in axios.lib.mkSystem, or install the agents yourself.
    '';
  };
}
