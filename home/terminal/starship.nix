# starship prompt.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf literalExpression;
  cfg = config.axios.terminal.starship;
in
{
  options.axios.terminal.starship = {
    enable = mkEnableOption "the starship prompt with the axiOS defaults" // {
      default = config.axios.terminal.enable;
      defaultText = literalExpression "config.axios.terminal.enable";
    };

    settings = mkOption {
      inherit (pkgs.formats.toml { }) type;
      default = { };
      description = "Extra starship settings (starship.toml), merged over the axiOS ones.";
      example = { aws.disabled = true; };
    };
  };

  config = mkIf cfg.enable {
    programs.starship = {
      enable = true;
      enableFishIntegration = config.axios.terminal.fish.enable;
      settings = lib.recursiveUpdate
        {
          add_newline = false;
          command_timeout = 1000;
          character = {
            success_symbol = "[❯](bold green)";
            error_symbol = "[❯](bold red)";
          };
          directory = {
            truncation_length = 4;
            truncate_to_repo = true;
          };
          nix_shell = {
            format = "via [$symbol$state( \\($name\\))]($style) ";
            symbol = "❄️ ";
          };
          git_status.disabled = false;
          cmd_duration.min_time = 2000;
        }
        cfg.settings;
    };
  };
}
