# ghostty terminal emulator. On by default only with the desktop (it is a GUI program).
{ config, lib, ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf types literalExpression;
  cfg = config.axios.terminal.ghostty;
  mono = config.axios.desktop.theming.fonts.monospace or { name = "monospace"; size = 11; };
in
{
  options.axios.terminal.ghostty = {
    enable = mkEnableOption "ghostty with the axiOS defaults" // {
      default = config.axios.terminal.enable && (config.axios.desktop.enable or false);
      defaultText = literalExpression "config.axios.terminal.enable && config.axios.desktop.enable";
    };

    fontSize = mkOption {
      type = types.ints.between 6 72;
      default = mono.size;
      defaultText = literalExpression "config.axios.desktop.theming.fonts.monospace.size";
      description = "Font size in points.";
      example = 13;
    };

    theme = mkOption {
      type = types.str;
      default = "Adwaita Dark";
      description = "ghostty theme name (`ghostty +list-themes`).";
      example = "catppuccin-mocha";
    };

    settings = mkOption {
      type = types.attrsOf (types.oneOf [ types.str types.int types.bool types.float (types.listOf types.str) ]);
      default = { };
      description = "Extra ghostty settings, merged over the axiOS ones.";
      example = { background-opacity = 0.9; };
    };
  };

  config = mkIf cfg.enable {
    programs.ghostty = {
      enable = true;
      enableFishIntegration = config.axios.terminal.fish.enable;
      settings = {
        font-family = mono.name;
        font-size = cfg.fontSize;
        inherit (cfg) theme;
        window-padding-x = 8;
        window-padding-y = 8;
        window-decoration = false;
        gtk-single-instance = true;
        confirm-close-surface = false;
        shell-integration-features = "cursor,sudo,title";
      } // cfg.settings;
    };
  };
}
