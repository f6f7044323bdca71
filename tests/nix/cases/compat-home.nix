# User modules written for the original (Nix-only) axiOS keep working (issue 5), home side:
# niri-flake's `programs.niri.settings` (the original's desktop used niri-flake's home
# module) rendered into axiOS's config.kdl and merged with its defaults, and the original's
# home options (axios.pwa.*, axios.wallpapers.*, axios.theming.useAxiosTemplates,
# axios.home.*, axios.user.email). The user modules below have the SHAPE of real downstream
# ones (written here, not copied).
{ lib, pkgs, axios, evalHome, evalHomeWith, root, ... }:
let
  hmSrc =
    let env = builtins.getEnv "HOME_MANAGER_SRC";
    in if env != "" then env else builtins.getEnv "HOME" + "/.cache/axios/home-manager";

  ws = extra: evalHome ([ axios.homeModules.workstation ] ++ extra);
  kdlOf = e: e.config.axios.desktop.niri.finalConfig;
  lines = e: lib.splitString "\n" (kdlOf e);
  count = line: e: builtins.length (lib.filter (l: l == line) (lines e));

  # A user module as the original axiOS's users wrote them (home-manager.users.<name>).
  carol = { config, ... }: {
    home = { stateVersion = "24.05"; username = "carol"; homeDirectory = "/home/carol"; };
    programs.git.settings.user = { name = "Carol Example"; email = "carol@example.org"; };
    # the overview backdrop of the original's docs
    programs.niri.settings.spawn-at-startup = [
      { command = [ "swaybg" "--mode" "stretch" "--image" "${config.home.homeDirectory}/.cache/niri/overview-blur.jpg" ]; }
    ];
  };
  c = ws [ carol ];

  # Every mapped part of niri-flake's schema, as a user module (and a second module adding
  # to the lists, as modules spread over files do).
  full = ws [
    ../../../home/tests/niri-flake-user.nix
    { programs.niri.settings.spawn-at-startup = [{ command = [ "nm-applet" ]; }]; }
  ];
  has = needle: lib.hasInfix needle (kdlOf full);

  bad = settings: kdlOf (ws [{ programs.niri.settings = settings; }]);

  # niri-flake's home module, as its option declarations look (its NixOS module adds it to
  # every user and declares niri-flake.* on the host).
  niriFlakeStub = { config, ... }: {
    options.programs.niri = {
      settings = lib.mkOption { type = lib.types.nullOr (lib.types.attrsOf lib.types.anything); default = null; };
      finalConfig = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = if config.programs.niri.settings == null then null else "// niri-flake";
        readOnly = true;
      };
    };
  };
  withNiriFlake = modules: evalHomeWith {
    modules = [ axios.homeModules.workstation niriFlakeStub ] ++ modules;
    specialArgs.osConfig = { niri-flake.cache.enable = true; programs.niri.enable = true; };
  };

  # the original's home options
  orig = ws [
    {
      axios.pwa = {
        enable = true;
        includeDefaults = false;
        iconPath = root + "/home/resources/wallpapers";
        extraApps = {
          immich = { name = "Immich"; url = "https://photos.example.org"; icon = "axios-dusk"; categories = [ "Graphics" ]; };
          notes = { name = "Notes"; url = "https://notes.example.org/app"; icon = "accessories-text-editor"; actions.new = { name = "New"; url = "https://notes.example.org/new"; }; };
        };
      };
      axios.wallpapers = { enable = false; autoUpdate = true; };
      axios.theming.useAxiosTemplates = true;
      axios.user.email = "carol@example.org";
      axios.home.flakePath = "/home/alice/src/nixos_config";
    }
  ];
  o = orig.config;
  osUser = evalHomeWith {
    modules = [ axios.homeModules.base { axios.user.email = "dave@example.org"; home.username = "dave"; } ];
    specialArgs.osConfig.users.users.dave.description = "Dave Example";
  };
in
{
  # --- niri-flake settings ----------------------------------------------------------------
  testCarolHasNoFailedAssertionsOrWarnings = {
    expr = { inherit (c) failedAssertions warnings; };
    expected = { failedAssertions = [ ]; warnings = [ ]; };
  };

  testCarolSpawnAddedToAxiosOwn = {
    expr = {
      swaybg = count ''spawn-at-startup "swaybg" "--mode" "stretch" "--image" "/home/carol/.cache/niri/overview-blur.jpg"'' c;
      clipboard = count ''spawn-at-startup "wl-paste" "--watch" "cliphist" "store"'' c;
      # axiOS's defaults stay: binds, layout, cursor
      terminalBind = lib.hasInfix "Mod+Return" (kdlOf c);
      gaps = count "    gaps 16" c;
    };
    expected = { swaybg = 1; clipboard = 1; terminalBind = true; gaps = 1; };
  };

  testCarolConfigIsWrittenAndValidated = {
    expr = c.config.xdg.configFile."niri/config.kdl".source.env.text == kdlOf c;
    expected = true;
  };

  testSpawnAtStartupForms = {
    expr = map (l: count l full) [
      ''spawn-at-startup "waybar"''
      ''spawn-at-startup "sh" "-c" "echo $NIRI_SOCKET > ~/.niri-socket"''
      ''spawn-at-startup "nm-applet"''
    ];
    expected = [ 1 1 1 ];
  };

  testBinds = {
    expr = map has [
      "    Mod+T {\n        spawn \"foot\"\n    }"
      "    Mod+D {\n        spawn \"fuzzel\" \"--list\"\n    }"
      "    Mod+1 {\n        focus-workspace 1\n    }"
      "    Mod+Shift+E {\n        quit skip-confirmation=true\n    }"
      "    Mod+Ctrl+1 {\n        move-window-to-workspace \"chat\" focus=false\n    }"
      "    XF86AudioMute allow-when-locked=true {\n        spawn \"wpctl\" \"set-mute\" \"@DEFAULT_AUDIO_SINK@\" \"toggle\"\n    }"
      "    Mod+WheelScrollDown cooldown-ms=150 {\n        focus-workspace-down\n    }"
      "    Mod+Z hotkey-overlay-title=\"Overview\" repeat=false {\n        toggle-overview\n    }"
      "    Mod+Alt+Z hotkey-overlay-title=null {\n        close-window\n    }"
    ];
    expected = lib.genList (_: true) 9;
  };

  testBindsReplaceAndRemoveAxiosDefaults = {
    expr = {
      # the user's Mod+Q replaces axiOS's (same action, one bind)
      modQ = count "    Mod+Q {" full;
      # null removes axiOS's Mod+O (toggle-overview repeat=false)
      modO = lib.hasInfix "Mod+O " (kdlOf full);
      # axiOS's other binds stay
      modReturn = lib.hasInfix "Mod+Return hotkey-overlay-title=\"Open a terminal\"" (kdlOf full);
      dms = lib.hasInfix "Mod+Space" (kdlOf full);
    };
    expected = { modQ = 1; modO = false; modReturn = true; dms = true; };
  };

  testWindowAndLayerRules = {
    expr = map has [
      ''
        window-rule {
            match app-id="^org\\.gnome\\.Calculator$"
            match is-floating=true title="Picture-in-Picture"
            exclude title="Preferences"
            border {
                on
                width 2
                active-color "#ff8800"
            }
            default-column-width {
                proportion 0.25
            }
            geometry-corner-radius 12.0 12.0 8.0 8.0
            block-out-from "screencast"
            clip-to-geometry true
            opacity 0.95
            open-floating true
        }''
      ''
        layer-rule {
            match namespace="^notifications$"
            block-out-from "screen-capture"
        }''
    ];
    expected = [ true true ];
  };

  testOutputs = {
    expr = map has [
      ''
        output "DP-1" {
            scale 1.25
            transform "90"
            position x=0 y=0
            mode "2560x1440@143.912"
            variable-refresh-rate
        }''
      ''
        output "HDMI-A-1" {
            off
        }''
      ''
        output "eDP-1" {
            focus-at-startup
            transform "flipped"
            mode "1920x1200"
            variable-refresh-rate on-demand=true
        }''
    ];
    expected = [ true true true ];
  };

  testInputMergedWithAxiosDefaults = {
    expr = lib.hasInfix ''
      input {
          keyboard {
              xkb {
                  layout "us,de"
                  variant "colemak,"
                  options "ctrl:nocaps,grp:alt_shift_toggle"
              }
              repeat-delay 300
              repeat-rate 40
              numlock
          }
          touchpad {
              dwt
              accel-profile "flat"
              click-method "clickfinger"
              tap-button-map "left-right-middle"
          }
          focus-follows-mouse max-scroll-amount="90%"
          mouse {
              natural-scroll
              accel-speed 0.3
          }
          tablet {
              map-to-output "eDP-1"
              left-handed
          }
          touch {
              off
          }
          warp-mouse-to-focus
          workspace-auto-back-and-forth
      }''
      (kdlOf full);
    expected = true;
  };

  testLayoutMergedWithAxiosDefaults = {
    expr = lib.hasInfix ''
      layout {
          gaps 6
          center-focused-column "on-overflow"
          preset-column-widths {
              proportion 0.5
              fixed 1280
          }
          default-column-width {
              proportion 0.75
          }
          focus-ring {
              width 3
              active-color "#33ccff"
              inactive-gradient angle=45 from="#505050" relative-to="workspace-view" to="#303030"
          }
          border {
              off
          }
          struts {
              left 24
              right 24
          }
      }''
      (kdlOf full);
    expected = true;
  };

  testTopLevelSettings = {
    expr = {
      cursor = has "cursor {\n    xcursor-theme \"Adwaita\"\n    xcursor-size 32\n    hide-when-typing\n}";
      # false removes axiOS's flags
      preferNoCsd = lib.elem "prefer-no-csd" (lines full);
      hotkeyOverlay = has "hotkey-overlay { }";
      screenshot = count ''screenshot-path "~/Pictures/Screenshots/%Y-%m-%d_%H-%M-%S.png"'' full;
      environment = has "environment {\n    DISPLAY \":0\"\n    QT_QPA_PLATFORM \"wayland\"\n}";
      workspaces = has "workspace \"chat\" {\n    open-on-output \"DP-1\"\n}\nworkspace \"02-web\" { }";
      lid = has "switch-events {\n    lid-close {\n        spawn \"systemctl\" \"suspend\"\n    }\n}";
      gestures = has "gestures {\n    hot-corners {\n        off\n    }\n    dnd-edge-view-scroll {\n        trigger-width 30\n        max-speed 1500\n    }\n}";
      noFailures = full.failedAssertions;
    };
    expected = { cursor = true; preferNoCsd = false; hotkeyOverlay = true; screenshot = 1; environment = true; workspaces = true; lid = true; gestures = true; noFailures = [ ]; };
  };

  testNoSettingsLeavesTheConfigUnchanged = {
    expr = kdlOf (ws [{ programs.niri.settings = { }; }]) == kdlOf (ws [ ]);
    expected = true;
  };

  testNiriActionsHelper = {
    expr = removeAttrs ((evalHome [ axios.homeModules.desktop ]).config.lib.niri.actions.spawn "foot" "-e" "htop") [ "__functor" ];
    expected = { spawn = [ "foot" "-e" "htop" ]; };
  };

  testPackageAliasAndDesktopOffWarning = {
    expr = let e = evalHome [ axios.homeModules.desktop carol { programs.niri.package = pkgs.mkFake "niri-unstable"; } ]; in {
      package = e.config.axios.desktop.niri.package.name;
      file = e.config.xdg.configFile ? "niri/config.kdl";
      warnings = e.warnings;
    };
    expected = {
      package = "niri-unstable";
      file = false;
      warnings = [ "programs.niri.settings is set but axios.desktop.niri.enable is false, so nothing writes ~/.config/niri/config.kdl: enable axios.desktop (or axios.desktop.niri) to have the settings applied." ];
    };
  };

  testUnknownTopLevelKey = {
    expr = bad { input.keyboard.xkb.layout = "us"; animationz.enable = false; };
    expectedError = "programs.niri.settings.animationz: unknown setting";
  };
  testUnknownNestedKey = {
    expr = bad { input.touchpad.tapp = true; };
    expectedError = "programs.niri.settings.input.touchpad.tapp: unknown setting";
  };
  testWrongType = {
    expr = bad { layout.gaps = "8"; };
    expectedError = "programs.niri.settings.layout.gaps: expected a number, got string";
  };
  testBadSpawnEntry = {
    expr = bad { spawn-at-startup = [{ command = "waybar"; }]; };
    expectedError = "programs.niri.settings.spawn-at-startup.[0].command: expected a non-empty list of strings";
  };
  testBindWithoutAction = {
    expr = bad { binds."Mod+T".repeat = false; };
    expectedError = "programs.niri.settings.binds.Mod+T.action: missing";
  };
  testBadEnum = {
    expr = bad { outputs."DP-1".variable-refresh-rate = "sometimes"; };
    expectedError = "programs.niri.settings.outputs.DP-1.variable-refresh-rate: expected false, true or \"on-demand\"";
  };

  # home-manager's own niri module (wayland.windowManager.niri) lives beside ours
  testRealHomeManagerNiriModuleCoexists = {
    expr = (ws [ (hmSrc + "/modules/services/window-managers/niri.nix") carol ]).failedAssertions;
    expected = [ ];
  };

  # --- niri-flake's home module present (through its NixOS module) ---------------------------
  testNiriFlakeUnsetIsQuiet = {
    expr = let e = withNiriFlake [ ]; in { inherit (e) failedAssertions; file = e.config.xdg.configFile ? "niri/config.kdl"; };
    expected = { failedAssertions = [ ]; file = true; };
  };
  testNiriFlakeSettingsAskToPickOne = {
    expr = map (lib.hasPrefix "programs.niri.settings is set while niri-flake's home-manager module is imported")
      (withNiriFlake [ carol ]).failedAssertions;
    expected = [ true ];
  };
  testNiriFlakeAloneWhenAxiosNiriIsOff = {
    expr = let e = withNiriFlake [ carol { axios.desktop.niri.enable = false; } ]; in {
      inherit (e) failedAssertions;
      ours = e.config.xdg.configFile ? "niri/config.kdl";
      theirs = e.config.programs.niri.finalConfig;
    };
    expected = { failedAssertions = [ ]; ours = false; theirs = "// niri-flake"; };
  };

  # standalone home-manager importing niri-flake's home module itself (no osConfig)
  testStandaloneNiriFlakeClashesWithoutDisabledModules = {
    expr = (evalHome [ axios.homeModules.workstation niriFlakeStub ]).config.programs.niri.settings;
    expectedError = "The option `programs.niri.settings' in";
  };
  testStandaloneNiriFlakeWithDisabledModules = {
    expr = let e = evalHome [ axios.homeModules.workstation niriFlakeStub { disabledModules = [ (root + "/home/desktop/niri-settings.nix") ]; } carol ]; in {
      theirs = e.config.programs.niri.finalConfig;
      pick = map (lib.hasPrefix "programs.niri.settings is set while niri-flake's") e.failedAssertions;
    };
    expected = { theirs = "// niri-flake"; pick = [ true ]; };
  };

  testScreenshotPathNull = {
    expr = lib.elem "screenshot-path null" (lines (ws [{ programs.niri.settings.screenshot-path = null; }]));
    expected = true;
  };

  # --- the original's home options ------------------------------------------------------------
  testOriginalPwaOptions = {
    expr = {
      enable = o.axios.desktop.pwa.enable;
      presets = o.axios.desktop.pwa.presets;
      apps = lib.mapAttrs (_: a: { inherit (a) name url categories; icon = toString a.icon; }) o.axios.desktop.pwa.apps;
      entries = lib.attrNames o.xdg.desktopEntries;
    };
    expected = {
      enable = true;
      presets = [ ];
      apps = {
        immich = { name = "Immich"; url = "https://photos.example.org"; categories = [ "Graphics" ]; icon = toString (root + "/home/resources/wallpapers/axios-dusk.png"); };
        notes = { name = "Notes"; url = "https://notes.example.org/app"; categories = [ "Network" ]; icon = "accessories-text-editor"; };
      };
      entries = [ "axios-pwa-immich" "axios-pwa-notes" ];
    };
  };

  testOriginalWallpaperAndThemingOptions = {
    expr = { collection = o.axios.desktop.wallpaper.collection.enable; noFailures = orig.failedAssertions; };
    expected = { collection = false; noFailures = [ ]; };
  };

  testOriginalOptionsWarnWithTheNewPath = {
    expr = map (p: lib.any (lib.hasInfix p) orig.warnings) [
      "The option `axios.pwa.enable' defined in"
      "has been renamed to `axios.desktop.pwa.enable'"
      "The option `axios.wallpapers.enable' defined in"
      "has been renamed to `axios.desktop.wallpaper.collection.enable'"
      "its apps are now axios.desktop.pwa.apps.<id>"
      "desktop entry actions are not supported by axiOS and were left out (notes)"
      "choose the ready-made apps with axios.desktop.pwa.presets"
      "axios.wallpapers.autoUpdate has no effect"
      "axios.theming.useAxiosTemplates has no effect"
    ];
    expected = lib.genList (_: true) 9;
  };

  testOriginalHomeDefaults = {
    expr = {
      # the user's own home.stateVersion wins over axios.home.stateVersion
      userState = c.config.home.stateVersion;
      defaultState = (evalHome [ axios.homeModules.base ]).config.home.stateVersion;
      flake = o.home.sessionVariables.FLAKE_PATH;
      defaultFlake = c.config.home.sessionVariables.FLAKE_PATH;
      off = (ws [{ axios.home.enableDefaults = false; }]).config.home.sessionVariables ? FLAKE_PATH;
    };
    expected = { userState = "24.05"; defaultState = "24.11"; flake = "/home/alice/src/nixos_config"; defaultFlake = "\${HOME}/.config/nixos_config"; off = false; };
  };

  testOriginalUserEmail = {
    expr = {
      standalone = { inherit (o.axios.terminal.git) userName userEmail; };
      onNixos = { inherit (osUser.config.axios.terminal.git) userName userEmail; };
    };
    expected = {
      standalone = { userName = "alice"; userEmail = "carol@example.org"; };
      onNixos = { userName = "Dave Example"; userEmail = "dave@example.org"; };
    };
  };
}
