# Progressive web apps, pure part shared by the home module
# (home/desktop/pwa-apps.nix, `axios.desktop.pwa`) and the package
# (pkgs/pwa-apps/default.nix, `pkgs.axios-pwa-apps`): the preset catalog, the
# defaults of an app, the Wayland app_id of a URL, the Exec-line encoding, the
# desktop entry of an app and its rendering as a .desktop file.
#
# On Wayland, Chromium's app_id for `--app=https://host/path` is
# `chrome-<host>_<path with "/" replaced by "_">-<profile>`, e.g.
# `chrome-mail.google.com__-Default`; the desktop entry's StartupWMClass is the
# same string, so the launcher, the dock and niri window rules see each web app
# as its own application.
#
# Icons are freedesktop icon names (or a path the user gives): axiOS ships no
# logos of third parties.
{ lib }:
let
  # an http(s) address: host (a name or a bracketed IPv6 literal), optional port,
  # optional path, optional query/fragment. The original axiOS took http:// too
  # (self-hosted apps on a LAN port).
  urlRegex = "https?://(\\[[0-9A-Fa-f:.]+]|[^/?#:\\[]+)(:[0-9]+)?(/[^?#]*)?([?#].*)?";

  # app identifiers name the desktop file `axios-pwa-<id>.desktop`
  idRegex = "[a-z0-9][a-z0-9-]*";

  # browser profile directory (part of the app_id)
  profileRegex = "[A-Za-z0-9 _-]+";

  # Fields of an app that may be left out, with their values.
  appDefaults = {
    icon = "web-browser";
    categories = [ "Network" ];
    mimeTypes = [ ];
    extraArgs = [ ];
  };

  # Browser arguments added to every app unless the user says otherwise.
  defaultExtraArgs = [ "--ozone-platform-hint=auto" ];

  # Ready-made apps, by identifier (`axios.desktop.pwa.presets`, and every app
  # of `pkgs.axios-pwa-apps`). `name` and `url` are required; the other fields
  # default to `appDefaults`.
  apps = {
    google-messages = { name = "Messages"; url = "https://messages.google.com/web"; icon = "internet-chat"; categories = [ "Network" "Chat" ]; };
    google-meet = { name = "Meet"; url = "https://meet.google.com/"; icon = "camera-web"; categories = [ "Network" "VideoConference" ]; };
    google-calendar = { name = "Google Calendar"; url = "https://calendar.google.com/"; icon = "x-office-calendar"; categories = [ "Office" "Calendar" ]; };
    google-drive = { name = "Google Drive"; url = "https://drive.google.com/"; icon = "folder-remote"; categories = [ "Network" "FileTransfer" ]; };
    gmail = { name = "Gmail"; url = "https://mail.google.com/"; icon = "internet-mail"; categories = [ "Network" "Email" ]; mimeTypes = [ "x-scheme-handler/mailto" ]; };
    youtube = { name = "YouTube"; url = "https://www.youtube.com/"; icon = "video-display"; categories = [ "AudioVideo" "Video" ]; };
    youtube-music = { name = "YouTube Music"; url = "https://music.youtube.com/"; icon = "audio-x-generic"; categories = [ "AudioVideo" "Audio" ]; };
    excalidraw = { name = "Excalidraw"; url = "https://excalidraw.com/"; icon = "applications-graphics"; categories = [ "Graphics" ]; };
  };

  # appId "Default" "https://mail.google.com/" -> "chrome-mail.google.com__-Default"
  # Chromium names an app `<host>_<path>` (GenerateApplicationNameFromURL: no
  # scheme, no port), so http://nas:2283/ and https://nas/ share "nas__".
  appId = profile: url:
    let
      m = builtins.match urlRegex url;
      host = builtins.elemAt m 0;
      path = let p = builtins.elemAt m 2; in if p == null then "/" else p;
    in
    if m == null then throw "axiOS PWA apps: ${builtins.toJSON url} is not an http:// or https:// address"
    else "chrome-${host}_${lib.replaceStrings [ "/" ] [ "_" ] path}-${profile}";

  # Quoting for the Exec key of desktop entries (Desktop Entry Specification,
  # "The Exec key"): `%` doubles (field codes); an argument with a reserved
  # character goes in double quotes, inside which `"`, `` ` ``, `$` and `\` are
  # backslash-escaped; and the file's string escaping doubles every backslash
  # once more. Single quotes are not quoting there. The result is the text of
  # the .desktop file, written as is.
  reserved = [ " " "\t" "\n" "\"" "'" "\\" ">" "<" "~" "|" "&" ";" "$" "*" "?" "#" "(" ")" "`" ];
  execArg = arg:
    let
      a = lib.replaceStrings [ "%" ] [ "%%" ] arg;
      needsQuotes = lib.any (c: lib.hasInfix c a) reserved;
    in
    if needsQuotes
    then "\"" + lib.replaceStrings [ "\\" "\"" "`" "$" ] [ "\\\\\\\\" "\\\\\"" "\\\\`" "\\\\$" ] a + "\""
    else a;

  # The Exec line of an app: the browser in app mode, then `%U`.
  execLine = { browserBin, profile, extraArgs }: app:
    lib.concatMapStringsSep " " execArg
      ([ browserBin "--app=${app.url}" "--profile-directory=${profile}" ] ++ extraArgs ++ app.extraArgs)
    + " %U";

  # The desktop entry of an app, in home-manager's `xdg.desktopEntries.<n>` shape
  # (the home module uses it as is; `toDesktopFile` renders it for the package).
  # `app` may leave out the fields of `appDefaults`.
  desktopEntry = { browserBin, profile, extraArgs }: app0:
    let app = appDefaults // app0;
    in {
      inherit (app) name icon categories;
      genericName = "Web app";
      comment = "${app.name} (${app.url})";
      exec = execLine { inherit browserBin profile extraArgs; } app;
      terminal = false;
      type = "Application";
      mimeType = app.mimeTypes;
      settings.StartupWMClass = appId profile app.url;
    };

  # Desktop Entry string values: `\` `\n` `\t` `\r` escaped; in lists `;` too.
  escapeString = lib.replaceStrings [ "\\" "\n" "\t" "\r" ] [ "\\\\" "\\n" "\\t" "\\r" ];
  escapeListItem = s: lib.replaceStrings [ ";" ] [ "\\;" ] (escapeString s);

  # The text of the .desktop file of a `desktopEntry`: keys in a fixed order,
  # Version 1.4 as nixpkgs' makeDesktopItem writes (validators of every age
  # accept it), empty lists left out. Exec is already encoded by `execArg`.
  toDesktopFile = e:
    let
      line = k: v: "${k}=${v}\n";
      list = k: v: lib.optionalString (v != [ ]) (line k (lib.concatMapStrings (s: escapeListItem s + ";") v));
    in
    "[Desktop Entry]\n"
    + line "Version" "1.4"
    + line "Type" e.type
    + line "Terminal" (lib.boolToString e.terminal)
    + line "Name" (escapeString e.name)
    + line "GenericName" (escapeString e.genericName)
    + line "Exec" e.exec
    # a path icon goes to the store with the package
    + line "Icon" (escapeString (if builtins.isPath e.icon then "${e.icon}" else e.icon))
    + line "Comment" (escapeString e.comment)
    + list "Categories" e.categories
    + list "MimeType" e.mimeType
    + lib.concatStrings (lib.mapAttrsToList (k: v: line k (escapeString v)) e.settings);
in
{
  inherit urlRegex idRegex profileRegex appDefaults defaultExtraArgs apps
    appId execArg execLine desktopEntry escapeString toDesktopFile;
}
