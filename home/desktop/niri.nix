# niri compositor configuration: renders ~/.config/niri/config.kdl from typed options.
#
# The file is generated here (not through niri-flake's `programs.niri.settings`) so the
# module works with any niri package and needs no flake input. When
# `axios.desktop.niri.validate` is on, the rendered file is checked with `niri validate`
# inside a derivation: a bad config fails the build, not the login.
#
# User modules written for the original axiOS set niri-flake's `programs.niri.settings`:
# ./niri-settings.nix declares that option (unless niri-flake's own home module is there)
# and its values are merged into this document (../lib/niri-settings.nix).
{ config, lib, pkgs, options, ... }@args:
let
  inherit (lib) mkOption mkEnableOption mkPackageOption mkIf mkDefault types literalExpression;

  cfg = config.axios.desktop.niri;
  kdl = import ../lib/kdl.nix { inherit lib; };
  niriSettings = import ../lib/niri-settings.nix { inherit lib; };

  # niri-flake's NixOS module adds its home module (with `programs.niri.settings`) to every
  # user; it declares `niri-flake.*` on the host.
  osConfig = args.osConfig or null;
  niriFlakeOnHost = osConfig != null && osConfig ? niri-flake;
  # niri-flake's home module is here (declares programs.niri.finalConfig; ours does not)
  niriFlakeHome = lib.hasAttrByPath [ "programs" "niri" "finalConfig" ] options;
  inherit (kdl) node flag leaf;

  optionalNode = cond: n: lib.optional cond n;
  optionalLeaf = name: v: lib.optional (v != null) (leaf name v);

  kdlValue = types.oneOf [ types.bool types.int types.float types.str ];

  bindType = types.submodule {
    options = {
      action = mkOption {
        type = types.strMatching "[a-z][a-z0-9-]*";
        description = "niri action to run (for example `spawn`, `close-window`, `focus-workspace`).";
        example = "spawn";
      };
      args = mkOption {
        type = types.listOf (types.either types.str types.int);
        default = [ ];
        description = "Arguments of the action (for `spawn`: the program and its arguments).";
        example = [ "ghostty" ];
      };
      allowWhenLocked = mkOption {
        type = types.bool;
        default = false;
        description = "Whether the bind also works while the session is locked (media and brightness keys).";
        example = true;
      };
      repeat = mkOption {
        type = types.nullOr types.bool;
        default = null;
        description = "Whether holding the key repeats the action; `null` keeps niri's default.";
        example = false;
      };
      cooldownMs = mkOption {
        type = types.nullOr types.ints.positive;
        default = null;
        description = "Minimum time between two activations, in milliseconds (useful for wheel binds).";
        example = 150;
      };
      hotkeyOverlayTitle = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Title shown for this bind in niri's hotkey overlay.";
        example = "Open a terminal";
      };
    };
  };

  # "close-window" is short for { action = "close-window"; }.
  bindOrAction = types.coercedTo types.str (action: { inherit action; }) bindType;

  ruleType = kind: types.submodule {
    options = {
      matches = mkOption {
        type = types.listOf (types.attrsOf kdlValue);
        default = [ ];
        description = "`match` blocks of the ${kind}; a ${kind} applies when any of them matches.";
        example = [{ app-id = "^org\\.gnome\\.Calculator$"; }];
      };
      excludes = mkOption {
        type = types.listOf (types.attrsOf kdlValue);
        default = [ ];
        description = "`exclude` blocks of the ${kind}.";
        example = [{ title = "Preferences"; }];
      };
      properties = mkOption {
        type = types.attrsOf kdlValue;
        default = { };
        description = "Properties set by the ${kind}, written as `name value`.";
        example = { open-floating = true; };
      };
    };
  };

  outputType = types.submodule {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Whether the output is used; `false` writes `off`.";
        example = false;
      };
      mode = mkOption {
        type = types.nullOr (types.strMatching "[0-9]+x[0-9]+(@[0-9]+(\\.[0-9]+)?)?");
        default = null;
        description = "Mode as `WIDTHxHEIGHT` or `WIDTHxHEIGHT@REFRESH`; `null` lets niri pick.";
        example = "2560x1440@143.912";
      };
      scale = mkOption {
        type = types.nullOr (types.either types.ints.positive types.float);
        default = null;
        description = "Output scale; `null` lets niri guess from the DPI.";
        example = 1.5;
      };
      position = mkOption {
        type = types.nullOr (types.submodule {
          options = {
            x = mkOption { type = types.int; description = "Horizontal position in logical pixels."; example = 2560; };
            y = mkOption { type = types.int; description = "Vertical position in logical pixels."; example = 0; };
          };
        });
        default = null;
        description = "Position of the output in the global space.";
        example = { x = 2560; y = 0; };
      };
      transform = mkOption {
        type = types.nullOr (types.enum [ "normal" "90" "180" "270" "flipped" "flipped-90" "flipped-180" "flipped-270" ]);
        default = null;
        description = "Rotation of the output.";
        example = "90";
      };
      variableRefreshRate = mkOption {
        type = types.bool;
        default = false;
        description = "Enable variable refresh rate (VRR / FreeSync) on this output.";
        example = true;
      };
    };
  };

  renderBind = key: b: {
    name = key;
    props = lib.optionalAttrs b.allowWhenLocked { allow-when-locked = true; }
      // lib.optionalAttrs (b.repeat != null) { inherit (b) repeat; }
      // lib.optionalAttrs (b.cooldownMs != null) { cooldown-ms = b.cooldownMs; }
      // lib.optionalAttrs (b.hotkeyOverlayTitle != null) { hotkey-overlay-title = b.hotkeyOverlayTitle; };
    children = [{ name = b.action; inherit (b) args; }];
  };

  renderRule = name: r: node name [ ] { } (
    map (m: node "match" [ ] m null) r.matches
    ++ map (m: node "exclude" [ ] m null) r.excludes
    ++ lib.mapAttrsToList (k: v: leaf k v) r.properties
  );

  renderOutput = name: o: node "output" [ name ] { } (
    if !o.enable then [ (flag "off") ] else
    optionalLeaf "mode" o.mode
    ++ optionalLeaf "scale" o.scale
    ++ optionalNode (o.position != null) (node "position" [ ] { inherit (o.position) x y; } null)
    ++ optionalLeaf "transform" o.transform
    ++ optionalNode o.variableRefreshRate (flag "variable-refresh-rate")
  );

  kb = cfg.input.keyboard;
  tp = cfg.input.touchpad;

  document = [
    (node "input" [ ] { } (
      [
        (node "keyboard" [ ] { } (
          [
            (node "xkb" [ ] { } (
              [ (leaf "layout" kb.layout) ]
                ++ lib.optional (kb.variant != "") (leaf "variant" kb.variant)
                ++ lib.optional (kb.options != "") (leaf "options" kb.options)
            ))
          ]
          ++ optionalNode kb.numlock (flag "numlock")
        ))
        (node "touchpad" [ ] { } (
          optionalNode tp.tap (flag "tap")
            ++ optionalNode tp.naturalScroll (flag "natural-scroll")
            ++ optionalNode tp.disableWhileTyping (flag "dwt")
        ))
      ]
      ++ optionalNode cfg.input.focusFollowsMouse (flag "focus-follows-mouse")
      ++ optionalNode cfg.input.warpMouseToFocus (flag "warp-mouse-to-focus")
    ))
  ]
  ++ lib.mapAttrsToList renderOutput cfg.outputs
  ++ [
    (node "layout" [ ] { } (
      [
        (leaf "gaps" cfg.layout.gaps)
        (leaf "center-focused-column" cfg.layout.centerFocusedColumn)
        (node "preset-column-widths" [ ] { } (map (leaf "proportion") cfg.layout.presetColumnWidths))
        (node "default-column-width" [ ] { } [ (leaf "proportion" cfg.layout.defaultColumnWidth) ])
        (node "focus-ring" [ ] { } [
          (leaf "width" cfg.layout.focusRing.width)
          (leaf "active-color" cfg.layout.focusRing.activeColor)
          (leaf "inactive-color" cfg.layout.focusRing.inactiveColor)
        ])
        (node "border" [ ] { } [ (flag "off") ])
      ]
      ++ optionalNode (cfg.layout.backgroundColor != null) (leaf "background-color" cfg.layout.backgroundColor)
    ))
    (node "cursor" [ ] { } (
      optionalLeaf "xcursor-theme" cfg.cursor.theme
        ++ [ (leaf "xcursor-size" cfg.cursor.size) ]
        ++ optionalNode (cfg.cursor.hideAfterInactiveMs != null) (leaf "hide-after-inactive-ms" cfg.cursor.hideAfterInactiveMs)
    ))
  ]
  ++ optionalNode cfg.preferNoCsd (flag "prefer-no-csd")
  ++ [
    (leaf "screenshot-path" cfg.screenshotPath)
    (node "hotkey-overlay" [ ] { } (optionalNode cfg.skipHotkeyOverlayAtStartup (flag "skip-at-startup")))
  ]
  ++ optionalNode (cfg.environment != { })
    (node "environment" [ ] { } (lib.mapAttrsToList (k: v: { name = k; args = [ v ]; }) cfg.environment))
  ++ map (argv: { name = "spawn-at-startup"; args = argv; }) cfg.spawnAtStartup
  ++ map (renderRule "layer-rule") cfg.layerRules
  ++ map (renderRule "window-rule") cfg.windowRules
  ++ [
    (node "binds" [ ] { } (lib.mapAttrsToList renderBind (lib.filterAttrs (_: b: b != null) cfg.binds)))
  ];

  rendered = ''
    // Generated by axiOS (home/desktop/niri.nix). Do not edit: set axios.desktop.niri.* instead.
    ${kdl.renderAll (niriSettings.merge document cfg.compatNodes)}
  '' + lib.optionalString (cfg.extraConfig != "") ''

    // axios.desktop.niri.extraConfig
    ${cfg.extraConfig}
  '';

  validated = pkgs.runCommand "niri-config.kdl"
    {
      nativeBuildInputs = [ cfg.package ];
      text = cfg.finalConfig;
      passAsFile = [ "text" ];
    } ''
    cp "$textPath" config.kdl
    niri validate --config config.kdl
    cp config.kdl "$out"
  '';

  workspaceBinds = lib.listToAttrs (lib.concatMap
    (n: [
      { name = "Mod+${toString n}"; value = { action = "focus-workspace"; args = [ n ]; }; }
      { name = "Mod+Shift+${toString n}"; value = { action = "move-column-to-workspace"; args = [ n ]; }; }
    ])
    (lib.range 1 9));

  defaultBinds = {
    "Mod+Return" = { action = "spawn"; args = [ cfg.terminal ]; hotkeyOverlayTitle = "Open a terminal"; };
    "Mod+Shift+Slash" = "show-hotkey-overlay";
    "Mod+Q" = "close-window";
    "Mod+O" = { action = "toggle-overview"; repeat = false; };
    "Mod+Left" = "focus-column-left";
    "Mod+Right" = "focus-column-right";
    "Mod+Up" = "focus-window-up";
    "Mod+Down" = "focus-window-down";
    "Mod+H" = "focus-column-left";
    "Mod+L" = "focus-column-right";
    "Mod+K" = "focus-window-up";
    "Mod+J" = "focus-window-down";
    "Mod+Shift+Left" = "move-column-left";
    "Mod+Shift+Right" = "move-column-right";
    "Mod+Shift+H" = "move-column-left";
    "Mod+Shift+L" = "move-column-right";
    "Mod+Page_Down" = "focus-workspace-down";
    "Mod+Page_Up" = "focus-workspace-up";
    "Mod+WheelScrollDown" = { action = "focus-workspace-down"; cooldownMs = 150; };
    "Mod+WheelScrollUp" = { action = "focus-workspace-up"; cooldownMs = 150; };
    "Mod+R" = "switch-preset-column-width";
    "Mod+F" = "maximize-column";
    "Mod+Shift+F" = "fullscreen-window";
    "Mod+V" = "toggle-window-floating";
    "Mod+C" = "center-column";
    "Mod+Comma" = "consume-window-into-column";
    "Mod+Period" = "expel-window-from-column";
    "Print" = "screenshot";
    "Ctrl+Print" = "screenshot-screen";
    "Alt+Print" = "screenshot-window";
    "Mod+Shift+E" = "quit";
    "Mod+Shift+P" = "power-off-monitors";
  } // workspaceBinds;
in
{
  imports = lib.optional (!niriFlakeOnHost) ./niri-settings.nix;

  options.axios.desktop.niri = {
    enable = mkEnableOption "the axiOS niri configuration (~/.config/niri/config.kdl)" // {
      default = config.axios.desktop.enable;
      defaultText = literalExpression "config.axios.desktop.enable";
    };

    package = mkPackageOption pkgs "niri" {
      example = "niri-unstable";
      extraDescription = "Used to validate the generated configuration at build time; the compositor itself is installed by the NixOS desktop module (`programs.niri`).";
    };

    validate = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Check the generated config.kdl with `niri validate` in a derivation, so a mistake
        fails `home-manager switch` instead of the next login.
      '';
      example = false;
    };

    terminal = mkOption {
      type = types.str;
      default = "ghostty";
      description = "Command started by the `Mod+Return` bind.";
      example = "foot";
    };

    input = {
      keyboard = {
        layout = mkOption {
          type = types.str;
          default = "us";
          description = "XKB layout(s), comma separated.";
          example = "us,de";
        };
        variant = mkOption {
          type = types.str;
          default = "";
          description = "XKB variant(s); empty for none.";
          example = "colemak_dh";
        };
        options = mkOption {
          type = types.str;
          default = "";
          description = "XKB options; empty for none.";
          example = "ctrl:nocaps,grp:alt_shift_toggle";
        };
        numlock = mkOption {
          type = types.bool;
          default = false;
          description = "Turn Num Lock on at startup.";
          example = true;
        };
      };
      touchpad = {
        tap = mkOption {
          type = types.bool;
          default = true;
          description = "Tap to click.";
          example = false;
        };
        naturalScroll = mkOption {
          type = types.bool;
          default = true;
          description = "Natural (content follows fingers) scrolling.";
          example = false;
        };
        disableWhileTyping = mkOption {
          type = types.bool;
          default = true;
          description = "Ignore the touchpad while typing (`dwt`).";
          example = false;
        };
      };
      focusFollowsMouse = mkOption {
        type = types.bool;
        default = false;
        description = "Focus the window under the pointer.";
        example = true;
      };
      warpMouseToFocus = mkOption {
        type = types.bool;
        default = false;
        description = "Move the pointer to the newly focused window.";
        example = true;
      };
    };

    outputs = mkOption {
      type = types.attrsOf outputType;
      default = { };
      description = "Per-output settings, keyed by connector name (see `niri msg outputs`).";
      example = literalExpression ''
        {
          "DP-1" = { mode = "2560x1440@143.912"; scale = 1.0; position = { x = 0; y = 0; }; };
          "eDP-1".scale = 1.5;
        }
      '';
    };

    layout = {
      gaps = mkOption {
        type = types.ints.unsigned;
        default = 16;
        description = "Gap between windows, in logical pixels.";
        example = 8;
      };
      centerFocusedColumn = mkOption {
        type = types.enum [ "never" "always" "on-overflow" ];
        default = "never";
        description = "When to center the focused column.";
        example = "on-overflow";
      };
      presetColumnWidths = mkOption {
        type = types.nonEmptyListOf (types.numbers.between 0.05 1.0);
        default = [ 0.33333 0.5 0.66667 ];
        description = "Column widths cycled by `switch-preset-column-width`, as fractions of the output.";
        example = [ 0.5 1.0 ];
      };
      defaultColumnWidth = mkOption {
        type = types.numbers.between 0.05 1.0;
        default = 0.5;
        description = "Width of new columns, as a fraction of the output.";
        example = 0.66667;
      };
      focusRing = {
        width = mkOption {
          type = types.ints.positive;
          default = 2;
          description = "Focus ring width in logical pixels.";
          example = 4;
        };
        activeColor = mkOption {
          type = types.strMatching "#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?";
          default = "#7fc8ff";
          description = "Focus ring colour of the focused window.";
          example = "#ffc87f";
        };
        inactiveColor = mkOption {
          type = types.strMatching "#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?";
          default = "#505050";
          description = "Focus ring colour of other windows.";
          example = "#303030";
        };
      };
      backgroundColor = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Background colour of workspaces; `\"transparent\"` shows the backdrop wallpaper.";
        example = "transparent";
      };
    };

    cursor = {
      theme = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "XCursor theme; the theming module sets it.";
        example = "Bibata-Modern-Classic";
      };
      size = mkOption {
        type = types.ints.positive;
        default = 24;
        description = "XCursor size.";
        example = 32;
      };
      hideAfterInactiveMs = mkOption {
        type = types.nullOr types.ints.positive;
        default = null;
        description = "Hide the cursor after this many milliseconds without movement.";
        example = 3000;
      };
    };

    preferNoCsd = mkOption {
      type = types.bool;
      default = true;
      description = "Ask clients to omit client-side decorations.";
      example = false;
    };

    screenshotPath = mkOption {
      type = types.str;
      default = "~/Pictures/Screenshots/Screenshot from %Y-%m-%d %H-%M-%S.png";
      description = "Where niri saves screenshots (strftime format).";
      example = "~/Pictures/%Y%m%d-%H%M%S.png";
    };

    skipHotkeyOverlayAtStartup = mkOption {
      type = types.bool;
      default = true;
      description = "Do not show the hotkey overlay when niri starts.";
      example = false;
    };

    environment = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Environment variables niri sets for the programs it spawns.";
      example = { QT_QPA_PLATFORM = "wayland"; };
    };

    spawnAtStartup = mkOption {
      type = types.listOf (types.nonEmptyListOf types.str);
      default = [ ];
      description = "Commands (argument vectors) started with the session.";
      example = [ [ "wl-paste" "--watch" "cliphist" "store" ] ];
    };

    binds = mkOption {
      type = types.attrsOf (types.nullOr bindOrAction);
      default = { };
      description = ''
        Key bindings, keyed by key combination. A string is an action without arguments.
        axiOS adds a default set with `mkDefault`; set a key to `null` to drop one.
      '';
      example = literalExpression ''
        {
          "Mod+B" = { action = "spawn"; args = [ "chromium" ]; hotkeyOverlayTitle = "Browser"; };
          "Mod+Q" = null;
          "Mod+W" = "close-window";
        }
      '';
    };

    windowRules = mkOption {
      type = types.listOf (ruleType "window-rule");
      default = [ ];
      description = "niri `window-rule` blocks.";
      example = literalExpression ''[ { matches = [ { app-id = "^pavucontrol$"; } ]; properties.open-floating = true; } ]'';
    };

    layerRules = mkOption {
      type = types.listOf (ruleType "layer-rule");
      default = [ ];
      description = "niri `layer-rule` blocks.";
      example = literalExpression ''[ { matches = [ { namespace = "^wallpaper$"; } ]; properties.place-within-backdrop = true; } ]'';
    };

    extraConfig = mkOption {
      type = types.lines;
      default = "";
      description = "Raw KDL appended to the generated config, for settings without an option.";
      example = ''
        gestures {
            hot-corners {
                off
            }
        }
      '';
    };

    compatNodes = mkOption {
      type = types.listOf types.attrs;
      default = [ ];
      internal = true;
      description = "KDL nodes rendered from niri-flake's `programs.niri.settings` (./niri-settings.nix), merged into the generated config.";
      example = [{ name = "spawn-at-startup"; args = [ "swaybg" ]; }];
    };

    finalConfig = mkOption {
      type = types.str;
      readOnly = true;
      description = "The generated config.kdl text (read-only; for inspection and tests).";
      example = "input { }";
    };
  };

  config = mkIf cfg.enable {
    axios.desktop.niri = {
      finalConfig = rendered;
      binds = lib.mapAttrs (_: mkDefault) defaultBinds;
    };

    assertions = [
      {
        assertion = lib.all (b: b == null || b.action != "spawn" || b.args != [ ]) (lib.attrValues cfg.binds);
        message = "axios.desktop.niri.binds: a `spawn` bind needs `args` (the program to start), e.g. { action = \"spawn\"; args = [ \"ghostty\" ]; }.";
      }
      {
        assertion = !(niriFlakeHome && (config.programs.niri.finalConfig or null) != null);
        message = ''
          programs.niri.settings is set while niri-flake's home-manager module is imported: niri-flake and
          axiOS (axios.desktop.niri) would both write ~/.config/niri/config.kdl. Pick one:
          - drop niri-flake's module (its NixOS module `niri.nixosModules.niri` adds it to every user);
            axiOS then reads programs.niri.settings itself and merges it with its defaults, or
          - set axios.desktop.niri.enable = false to let niri-flake write the file alone.'';
      }
    ];

    xdg.configFile."niri/config.kdl" =
      if cfg.validate then { source = validated; } else { text = cfg.finalConfig; };
  };
}
