# Progressive web apps: each entry becomes a desktop entry that opens the URL in a
# Chromium-family browser's app mode (`--app=URL`), with a matching StartupWMClass so the
# launcher, the dock and niri window rules see it as its own application.
#
# The preset catalog, the app_id of a URL, the Exec-line encoding and the desktop entry
# itself live in pkgs/pwa-apps/catalog.nix, shared with the package `pkgs.axios-pwa-apps`
# (one implementation). Icons are freedesktop icon names (or a path the user gives):
# axiOS ships no logos of third parties.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkPackageOption mkIf types literalExpression;

  cfg = config.axios.desktop.pwa;

  pwa = import ../../pkgs/pwa-apps/catalog.nix { inherit lib; };
  inherit (pwa) urlRegex;
  catalog = pwa.apps;

  appId = pwa.appId cfg.profile;

  appType = types.submodule ({ name, ... }: {
    options = {
      name = mkOption {
        type = types.str;
        default = name;
        description = "Name shown in the launcher.";
        example = "Messages";
      };
      url = mkOption {
        type = types.strMatching urlRegex;
        description = "http:// or https:// address the app opens.";
        example = "https://messages.google.com/web";
      };
      icon = mkOption {
        type = types.either types.str types.path;
        default = pwa.appDefaults.icon;
        description = "Icon: a freedesktop icon name or a path to an image.";
        example = "internet-chat";
      };
      categories = mkOption {
        type = types.listOf types.str;
        default = pwa.appDefaults.categories;
        description = "Desktop entry categories.";
        example = [ "Network" "Chat" ];
      };
      mimeTypes = mkOption {
        type = types.listOf types.str;
        default = pwa.appDefaults.mimeTypes;
        description = "MIME types / URL schemes the app handles.";
        example = [ "x-scheme-handler/mailto" ];
      };
      extraArgs = mkOption {
        type = types.listOf types.str;
        default = pwa.appDefaults.extraArgs;
        description = "Extra browser arguments for this app.";
        example = [ "--disable-features=WebRtcHideLocalIpsWithMdns" ];
      };
    };
  });

  apps = cfg.apps;

  entry = id: app: {
    name = "axios-pwa-${id}";
    value = pwa.desktopEntry { browserBin = lib.getExe cfg.browser; inherit (cfg) profile extraArgs; } app;
  };
in
{
  options.axios.desktop.pwa = {
    enable = mkEnableOption "progressive web apps as desktop entries" // {
      default = config.axios.desktop.enable;
      defaultText = literalExpression "config.axios.desktop.enable";
    };

    browser = mkPackageOption pkgs "chromium" {
      example = "brave";
      extraDescription = "Chromium-family browser whose app mode (`--app=`) opens the web apps; its main program must accept Chromium's flags.";
    };

    profile = mkOption {
      type = types.strMatching pwa.profileRegex;
      default = "Default";
      description = "Browser profile directory the apps run in (also part of the Wayland app_id).";
      example = "Profile 1";
    };

    extraArgs = mkOption {
      type = types.listOf types.str;
      default = pwa.defaultExtraArgs;
      description = "Browser arguments added to every app.";
      example = [ "--ozone-platform=wayland" "--enable-features=TouchpadOverscrollHistoryNavigation" ];
    };

    presets = mkOption {
      type = types.listOf (types.enum (lib.attrNames catalog));
      default = [ ];
      description = "Ready-made apps to install, by name: ${lib.concatStringsSep ", " (lib.attrNames catalog)}.";
      example = [ "google-messages" "youtube" ];
    };

    apps = mkOption {
      type = types.attrsOf appType;
      default = { };
      description = "Web apps, keyed by an identifier (used in the desktop file name `axios-pwa-<id>.desktop`). Entries override presets of the same name.";
      example = literalExpression ''
        {
          element = { name = "Element"; url = "https://app.element.io/"; icon = "internet-chat"; categories = [ "Network" "Chat" ]; };
        }
      '';
    };

    appIds = mkOption {
      type = types.attrsOf types.str;
      readOnly = true;
      description = "Wayland app_id of each installed app (read-only), for niri window rules.";
      example = { google-messages = "chrome-messages.google.com__web-Default"; };
    };
  };

  config = mkIf cfg.enable {
    axios.desktop.pwa = {
      appIds = lib.mapAttrs (_: app: appId app.url) apps;
      # Presets are ordinary entries at default priority: users can override single fields.
      apps = lib.genAttrs cfg.presets (n: lib.mapAttrs (_: lib.mkDefault) catalog.${n});
    };

    assertions = [{
      assertion = lib.all (id: builtins.match pwa.idRegex id != null) (lib.attrNames cfg.apps);
      message = "axios.desktop.pwa.apps: identifiers must be lowercase letters, digits and dashes (they name the desktop file); rename: ${lib.concatStringsSep ", " (lib.filter (id: builtins.match pwa.idRegex id == null) (lib.attrNames cfg.apps))}.";
    }];

    home.packages = lib.optional (apps != { }) cfg.browser;

    xdg.desktopEntries = lib.mapAttrs' entry apps;

    xdg.mimeApps.defaultApplications = lib.mkMerge (lib.mapAttrsToList
      (id: app: lib.genAttrs app.mimeTypes (_: [ "axios-pwa-${id}.desktop" ]))
      apps);
  };
}
