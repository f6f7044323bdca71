# The axiOS desktop user session: niri configuration, DankMaterialShell (DMS) as a systemd
# user service, wallpaper, theming, PWA apps and the Google Drive sync
# (gdrive-sync.nix, written with the axios-bisync guard).
#
# The NixOS side (nixos/desktop) installs niri, greetd, the GNOME PIM backends and the
# application set; this module only configures the user's session.
{ config, lib, pkgs, ... }@args:
let
  inherit (lib) mkOption mkEnableOption mkPackageOption mkIf mkDefault types;

  cfg = config.axios.desktop;
  shell = cfg.shell;
  f = shell.features;

  osConfig = args.osConfig or null;

  # Runtime tools each DMS feature calls; installed only when the feature is on.
  featurePackages =
    lib.optionals f.systemMonitoring [ pkgs.dgop ]
    ++ lib.optionals f.clipboard [ pkgs.cliphist pkgs.wl-clipboard ]
    ++ lib.optionals f.vpn [ pkgs.glib pkgs.networkmanager ]
    ++ lib.optionals f.brightness [ pkgs.brightnessctl ]
    ++ lib.optionals f.colorPicker [ pkgs.hyprpicker ]
    ++ lib.optionals f.dynamicTheming [ pkgs.matugen ]
    ++ lib.optionals f.audioVisualizer [ pkgs.cava ]
    ++ lib.optionals f.calendarEvents [ pkgs.khal ]
    ++ lib.optionals f.systemSound [ pkgs.kdePackages.qtmultimedia ];

  dmsCall = argv: { action = "spawn"; args = [ "dms" "ipc" "call" ] ++ argv; };
  dmsLocked = argv: dmsCall argv // { allowWhenLocked = true; };

  # DMS keybinds (the `enableKeybinds` of the upstream module), routed through `dms ipc`.
  dmsBinds = {
    "Mod+Space" = dmsCall [ "spotlight" "toggle" ] // { hotkeyOverlayTitle = "Application launcher"; };
    "Mod+N" = dmsCall [ "notifications" "toggle" ] // { hotkeyOverlayTitle = "Notification center"; };
    "Mod+S" = dmsCall [ "settings" "toggle" ] // { hotkeyOverlayTitle = "Settings"; };
    "Mod+Alt+L" = dmsCall [ "lock" "lock" ] // { hotkeyOverlayTitle = "Lock the screen"; };
    "Mod+X" = dmsCall [ "powermenu" "toggle" ] // { hotkeyOverlayTitle = "Power menu"; };
    "XF86AudioRaiseVolume" = dmsLocked [ "audio" "increment" "3" ];
    "XF86AudioLowerVolume" = dmsLocked [ "audio" "decrement" "3" ];
    "XF86AudioMute" = dmsLocked [ "audio" "mute" ];
    "XF86AudioMicMute" = dmsLocked [ "audio" "micmute" ];
  }
  // lib.optionalAttrs f.clipboard {
    "Mod+Shift+V" = dmsCall [ "clipboard" "toggle" ] // { hotkeyOverlayTitle = "Clipboard history"; };
  }
  // lib.optionalAttrs f.brightness {
    "XF86MonBrightnessUp" = dmsLocked [ "brightness" "increment" "5" "" ];
    "XF86MonBrightnessDown" = dmsLocked [ "brightness" "decrement" "5" "" ];
  };

  featureOption = what: mkOption {
    type = types.bool;
    default = true;
    description = "Enable DMS ${what} (installs the tools it needs).";
    example = false;
  };
in
{
  imports = [
    ./niri.nix
    ./wallpaper.nix
    ./theming.nix
    ./pwa-apps.nix
    ./gdrive-sync.nix
    ../compat/desktop.nix
  ];

  options.axios.desktop = {
    enable = mkEnableOption "the axiOS desktop session (niri, DankMaterialShell, wallpaper, theming, PWA apps)";

    shell = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Run DankMaterialShell as the `dms` systemd user service, bound to
          `graphical-session.target` (niri does not spawn it, so there is one instance).
        '';
        example = false;
      };

      package = mkPackageOption pkgs "dms-shell" {
        example = "dankMaterialShell";
        extraDescription = "Provides the `dms` command (the axiOS overlay supplies it from the DMS flake input when nixpkgs lacks it).";
      };

      extraArgs = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Extra arguments appended to `dms run --session`.";
        example = [ "--verbose" ];
      };

      keybinds = mkOption {
        type = types.bool;
        default = true;
        description = "Add the DMS keybinds (launcher, lock, notifications, audio, brightness) to niri.";
        example = false;
      };

      features = {
        systemMonitoring = featureOption "system monitoring (dgop)";
        clipboard = featureOption "clipboard history (cliphist, wl-clipboard; axiOS spawns `wl-paste --watch cliphist store` from niri)";
        vpn = featureOption "VPN status (NetworkManager)";
        brightness = featureOption "brightness control (brightnessctl)";
        colorPicker = featureOption "the colour picker (hyprpicker)";
        dynamicTheming = featureOption "dynamic theming from the wallpaper (matugen)";
        audioVisualizer = featureOption "the audio visualizer (cava)";
        calendarEvents = featureOption "calendar events (khal; see axios.calendar)";
        systemSound = featureOption "system sounds (Qt Multimedia)";
      };
    };
  };

  config = mkIf cfg.enable (lib.mkMerge [
    {
      assertions = [
        {
          assertion = osConfig == null || (osConfig.programs.niri.enable or true);
          message = ''
            axios.desktop (home-manager) is enabled but niri is not enabled on the NixOS side
            (programs.niri.enable = false), so there is no session to configure. Set
            `modules.desktop = true` in axios.lib.mkSystem (or import nixosModules.desktop), or
            set axios.desktop.enable = false in home-manager.
          '';
        }
      ];

      # Nautilus, GVFS and the PIM apps are installed system-wide by the NixOS desktop module.
      home.packages = [ pkgs.xdg-utils ];

      xdg.enable = true;
      xdg.userDirs = {
        enable = mkDefault true;
        createDirectories = mkDefault true;
      };
    }

    (mkIf shell.enable {
      home.packages = [ shell.package ] ++ featurePackages;

      systemd.user.services.dms = {
        Unit = {
          Description = "DankMaterialShell";
          Documentation = [ "https://danklinux.com/docs" ];
          PartOf = [ "graphical-session.target" ];
          After = [ "graphical-session.target" ];
          Requisite = [ "graphical-session.target" ];
        };
        Service = {
          ExecStart = lib.concatStringsSep " " (
            [ "${lib.getExe' shell.package "dms"}" "run" "--session" ] ++ map lib.escapeShellArg shell.extraArgs
          );
          Restart = "on-failure";
          RestartSec = 2;
        };
        Install.WantedBy = [ "graphical-session.target" ];
      };

      # With DMS started by systemd (not by niri), its clipboard watcher is not spawned:
      # start the cliphist watcher from niri.
      axios.desktop.niri.spawnAtStartup = lib.optional f.clipboard [ "wl-paste" "--watch" "cliphist" "store" ];
      axios.desktop.niri.binds = mkIf shell.keybinds (lib.mapAttrs (_: mkDefault) dmsBinds);
    })
  ]);
}
