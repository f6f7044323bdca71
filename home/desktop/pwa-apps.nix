# Progressive web apps: each entry becomes a desktop entry that opens the URL in a
# Chromium-family browser's app mode (`--app=URL`), with a matching StartupWMClass so the
# launcher, the dock and niri window rules see it as its own application.
#
# On Wayland, Chromium's app_id for `--app=https://host/path` is
# `chrome-<host>_<path with "/" replaced by "_">-<profile>`, e.g.
# `chrome-mail.google.com__-Default`; the desktop entry uses the same string.
#
# Icons are freedesktop icon names (or a path the user gives): axiOS ships no logos of
# third parties.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkPackageOption mkIf types literalExpression;

  cfg = config.axios.desktop.pwa;

  urlRegex = "https://([^/?#]+)(/[^?#]*)?([?#].*)?";

  appId = url:
    let
      m = builtins.match urlRegex url;
      host = builtins.elemAt m 0;
      path = let p = builtins.elemAt m 1; in if p == null then "/" else p;
    in
    "chrome-${host}_${lib.replaceStrings [ "/" ] [ "_" ] path}-${cfg.profile}";

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
        description = "HTTPS address the app opens.";
        example = "https://messages.google.com/web";
      };
      icon = mkOption {
        type = types.either types.str types.path;
        default = "web-browser";
        description = "Icon: a freedesktop icon name or a path to an image.";
        example = "internet-chat";
      };
      categories = mkOption {
        type = types.listOf types.str;
        default = [ "Network" ];
        description = "Desktop entry categories.";
        example = [ "Network" "Chat" ];
      };
      mimeTypes = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "MIME types / URL schemes the app handles.";
        example = [ "x-scheme-handler/mailto" ];
      };
      extraArgs = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Extra browser arguments for this app.";
        example = [ "--disable-features=WebRtcHideLocalIpsWithMdns" ];
      };
    };
  });

  # Ready-made apps users can switch on by name in `axios.desktop.pwa.presets`.
  catalog = {
    google-messages = { name = "Messages"; url = "https://messages.google.com/web"; icon = "internet-chat"; categories = [ "Network" "Chat" ]; };
    google-meet = { name = "Meet"; url = "https://meet.google.com/"; icon = "camera-web"; categories = [ "Network" "VideoConference" ]; };
    google-calendar = { name = "Google Calendar"; url = "https://calendar.google.com/"; icon = "x-office-calendar"; categories = [ "Office" "Calendar" ]; };
    google-drive = { name = "Google Drive"; url = "https://drive.google.com/"; icon = "folder-remote"; categories = [ "Network" "FileTransfer" ]; };
    gmail = { name = "Gmail"; url = "https://mail.google.com/"; icon = "internet-mail"; categories = [ "Network" "Email" ]; mimeTypes = [ "x-scheme-handler/mailto" ]; };
    youtube = { name = "YouTube"; url = "https://www.youtube.com/"; icon = "video-display"; categories = [ "AudioVideo" "Video" ]; };
    youtube-music = { name = "YouTube Music"; url = "https://music.youtube.com/"; icon = "audio-x-generic"; categories = [ "AudioVideo" "Audio" ]; };
    excalidraw = { name = "Excalidraw"; url = "https://excalidraw.com/"; icon = "applications-graphics"; categories = [ "Graphics" ]; };
  };

  apps = cfg.apps;

  # Quoting for the Exec key of desktop entries (Desktop Entry Specification, "The Exec
  # key"): `%` doubles (field codes); an argument with a reserved character goes in double
  # quotes, inside which `"`, `` ` ``, `$` and `\` are backslash-escaped; and the file's
  # string escaping doubles every backslash once more. Single quotes are not quoting there.
  reserved = [ " " "\t" "\n" "\"" "'" "\\" ">" "<" "~" "|" "&" ";" "$" "*" "?" "#" "(" ")" "`" ];
  execArg = arg:
    let
      a = lib.replaceStrings [ "%" ] [ "%%" ] arg;
      needsQuotes = lib.any (c: lib.hasInfix c a) reserved;
    in
    if needsQuotes
    then "\"" + lib.replaceStrings [ "\\" "\"" "`" "$" ] [ "\\\\\\\\" "\\\\\"" "\\\\`" "\\\\$" ] a + "\""
    else a;

  browserBin = lib.getExe cfg.browser;

  entry = id: app: {
    name = "axios-pwa-${id}";
    value = {
      inherit (app) name icon categories;
      genericName = "Web app";
      comment = "${app.name} (${app.url})";
      exec = lib.concatMapStringsSep " " execArg ([ browserBin "--app=${app.url}" "--profile-directory=${cfg.profile}" ] ++ cfg.extraArgs ++ app.extraArgs) + " %U";
      terminal = false;
      type = "Application";
      mimeType = app.mimeTypes;
      settings.StartupWMClass = appId app.url;
    };
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
      type = types.strMatching "[A-Za-z0-9 _-]+";
      default = "Default";
      description = "Browser profile directory the apps run in (also part of the Wayland app_id).";
      example = "Profile 1";
    };

    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ "--ozone-platform-hint=auto" ];
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
      assertion = lib.all (id: builtins.match "[a-z0-9][a-z0-9-]*" id != null) (lib.attrNames cfg.apps);
      message = "axios.desktop.pwa.apps: identifiers must be lowercase letters, digits and dashes (they name the desktop file); rename: ${lib.concatStringsSep ", " (lib.filter (id: builtins.match "[a-z0-9][a-z0-9-]*" id == null) (lib.attrNames cfg.apps))}.";
    }];

    home.packages = lib.optional (apps != { }) cfg.browser;

    xdg.desktopEntries = lib.mapAttrs' entry apps;

    xdg.mimeApps.defaultApplications = lib.mkMerge (lib.mapAttrsToList
      (id: app: lib.genAttrs app.mimeTypes (_: [ "axios-pwa-${id}.desktop" ]))
      apps);
  };
}
