# `programs.niri.settings` for user modules written for the original axiOS, whose desktop
# configured niri through niri-flake's home-manager module. axiOS writes config.kdl
# itself (./niri.nix), so this option exists only as a compatibility layer: the settings
# are checked and rendered by ../lib/niri-settings.nix (niri-flake's schema) and merged
# into axiOS's config.kdl — the user's values win, binds / spawn-at-startup / rules add to
# axiOS's. Also provides niri-flake's `config.lib.niri.actions` helpers and
# `programs.niri.package` (an alias of axios.desktop.niri.package).
#
# ./niri.nix imports this module only when niri-flake's home module is not already there
# (it is when niri-flake's NixOS module is on the host: it adds its home module to every
# user). In a standalone home-manager configuration that imports niri-flake's home module
# itself, leave this module out with
#   disabledModules = [ "${inputs.axios}/home/desktop/niri-settings.nix" ];
{ config, lib, ... }:
let
  inherit (lib) mkOption types literalExpression;
  niriSettings = import ../lib/niri-settings.nix { inherit lib; };

  # niri-flake's `config.lib.niri.actions.<name>`: `spawn "foot" "-e" "htop"` builds
  # { spawn = [ "foot" "-e" "htop" ]; }, an action value for `binds.<key>.action`.
  actionNames = [
    "spawn"
    "spawn-sh"
    "quit"
    "suspend"
    "power-off-monitors"
    "power-on-monitors"
    "screenshot"
    "screenshot-screen"
    "screenshot-window"
    "close-window"
    "fullscreen-window"
    "toggle-windowed-fullscreen"
    "focus-window"
    "focus-window-previous"
    "focus-column-left"
    "focus-column-right"
    "focus-column-first"
    "focus-column-last"
    "focus-column-right-or-first"
    "focus-column-left-or-last"
    "focus-window-or-monitor-up"
    "focus-window-or-monitor-down"
    "focus-column-or-monitor-left"
    "focus-column-or-monitor-right"
    "focus-window-down"
    "focus-window-up"
    "focus-window-or-workspace-down"
    "focus-window-or-workspace-up"
    "move-column-left"
    "move-column-right"
    "move-column-to-first"
    "move-column-to-last"
    "move-column-left-or-to-monitor-left"
    "move-column-right-or-to-monitor-right"
    "move-window-down"
    "move-window-up"
    "move-window-down-or-to-workspace-down"
    "move-window-up-or-to-workspace-up"
    "consume-or-expel-window-left"
    "consume-or-expel-window-right"
    "consume-window-into-column"
    "expel-window-from-column"
    "swap-window-left"
    "swap-window-right"
    "toggle-column-tabbed-display"
    "center-column"
    "center-window"
    "center-visible-columns"
    "focus-workspace-down"
    "focus-workspace-up"
    "focus-workspace"
    "focus-workspace-previous"
    "move-window-to-workspace-down"
    "move-window-to-workspace-up"
    "move-window-to-workspace"
    "move-column-to-workspace-down"
    "move-column-to-workspace-up"
    "move-column-to-workspace"
    "move-workspace-down"
    "move-workspace-up"
    "focus-monitor-left"
    "focus-monitor-right"
    "focus-monitor-down"
    "focus-monitor-up"
    "focus-monitor-previous"
    "focus-monitor-next"
    "move-window-to-monitor-left"
    "move-window-to-monitor-right"
    "move-window-to-monitor-down"
    "move-window-to-monitor-up"
    "move-column-to-monitor-left"
    "move-column-to-monitor-right"
    "move-column-to-monitor-down"
    "move-column-to-monitor-up"
    "move-workspace-to-monitor-left"
    "move-workspace-to-monitor-right"
    "move-workspace-to-monitor-down"
    "move-workspace-to-monitor-up"
    "set-window-width"
    "set-window-height"
    "reset-window-height"
    "switch-preset-column-width"
    "switch-preset-window-height"
    "maximize-column"
    "set-column-width"
    "expand-column-to-available-width"
    "switch-layout"
    "show-hotkey-overlay"
    "toggle-window-floating"
    "move-window-to-floating"
    "move-window-to-tiling"
    "focus-floating"
    "focus-tiling"
    "switch-focus-between-floating-and-tiling"
    "toggle-window-rule-opacity"
    "toggle-overview"
    "open-overview"
    "close-overview"
    "toggle-keyboard-shortcuts-inhibit"
    "do-screen-transition"
    "toggle-window-urgent"
    "set-window-urgent"
    "unset-window-urgent"
    "set-dynamic-cast-window"
    "set-dynamic-cast-monitor"
    "clear-dynamic-cast-target"
    "load-config-file"
  ];
  actionValue = name: {
    ${name} = [ ];
    __functor = self: arg: { inherit (self) __functor; ${name} = self.${name} ++ lib.toList arg; };
  };

  loose = types.attrsOf types.anything;
in
{
  # niri-flake's programs.niri.package: the same package as axios.desktop.niri.package
  imports = [ (lib.mkAliasOptionModule [ "programs" "niri" "package" ] [ "axios" "desktop" "niri" "package" ]) ];

  options.programs.niri.settings = mkOption {
    type = types.nullOr (types.submodule {
      # Sections not declared below (input, layout, cursor, ...) merge as attribute sets;
      # every key is checked when config.kdl is rendered.
      freeformType = loose;
      options = {
        spawn-at-startup = mkOption {
          type = types.listOf loose;
          default = [ ];
          description = "Programs niri starts: `{ command = [ ... ]; }`, `{ argv = [ ... ]; }` or `{ sh = \"...\"; }`. Added after axiOS's.";
          example = literalExpression ''[ { command = [ "swaybg" "--image" "/home/alice/.cache/niri/overview-blur.jpg" ]; } ]'';
        };
        binds = mkOption {
          type = types.attrsOf (types.nullOr types.anything);
          default = { };
          description = "Key bindings in niri-flake's shape; a key axiOS also binds is replaced, `null` removes axiOS's.";
          example = literalExpression ''{ "Mod+T".action.spawn = [ "foot" ]; "Mod+Q" = { action.close-window = [ ]; repeat = false; }; }'';
        };
        window-rules = mkOption {
          type = types.listOf loose;
          default = [ ];
          description = "niri window rules (`matches`, `excludes` and properties), added after axiOS's.";
          example = literalExpression ''[ { matches = [ { app-id = "^kitty$"; } ]; opacity = 0.95; } ]'';
        };
        layer-rules = mkOption {
          type = types.listOf loose;
          default = [ ];
          description = "niri layer rules (`matches`, `excludes` and properties), added after axiOS's.";
          example = literalExpression ''[ { matches = [ { namespace = "^wallpaper$"; } ]; place-within-backdrop = true; } ]'';
        };
        outputs = mkOption {
          type = types.attrsOf loose;
          default = { };
          description = "Per-output settings keyed by connector name (`mode = { width; height; refresh; }`, `scale`, `position`, `transform`, `variable-refresh-rate`).";
          example = literalExpression ''{ "DP-1" = { mode = { width = 2560; height = 1440; refresh = 143.912; }; scale = 1.0; }; }'';
        };
        workspaces = mkOption {
          type = types.attrsOf loose;
          default = { };
          description = "Named workspaces, created in the order of their keys.";
          example = literalExpression ''{ "01-chat" = { name = "chat"; open-on-output = "DP-1"; }; }'';
        };
        environment = mkOption {
          type = types.attrsOf (types.nullOr types.str);
          default = { };
          description = "Environment of the programs niri spawns; `null` unsets a variable.";
          example = { QT_QPA_PLATFORM = "wayland"; };
        };
      };
    });
    default = null;
    description = ''
      niri-flake's Nix-native niri settings, accepted for configurations written for the
      original axiOS. They are rendered into axiOS's `~/.config/niri/config.kdl` and merged
      with its defaults (user values win; binds, `spawn-at-startup` and rules are added).
      An unknown key or a wrongly typed value fails with an error naming it. New
      configurations should use `axios.desktop.niri.*`.
    '';
    example = literalExpression ''
      {
        spawn-at-startup = [ { command = [ "swaybg" "--mode" "stretch" "--image" "/home/alice/bg.jpg" ]; } ];
        binds."Mod+T".action.spawn = "foot";
        input.keyboard.xkb.layout = "us,de";
      }
    '';
  };

  config = {
    axios.desktop.niri.compatNodes = lib.mkIf (config.programs.niri.settings != null)
      (niriSettings.render config.programs.niri.settings);
    lib.niri.actions = lib.genAttrs actionNames actionValue;
    warnings = lib.optional (config.programs.niri.settings != null && !config.axios.desktop.niri.enable)
      "programs.niri.settings is set but axios.desktop.niri.enable is false, so nothing writes ~/.config/niri/config.kdl: enable axios.desktop (or axios.desktop.niri) to have the settings applied.";
  };
}
