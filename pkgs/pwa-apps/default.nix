# pkgs.axios-pwa-apps: the web apps of the axiOS catalog as desktop entries,
# `share/applications/axios-pwa-<id>.desktop`, each opening its URL in a
# Chromium-family browser's app mode (`--app=URL`) with the Wayland app_id as
# StartupWMClass. The same entries as the home module `axios.desktop.pwa`
# writes (one implementation: ./catalog.nix), so installing both is harmless
# (home-manager installs its entries with hiPrio).
#
#   axios-pwa-apps.override { browser = brave; }
#   axios-pwa-apps.override { apps = { inherit (axios-pwa-apps.catalog) gmail; element = { name = "Element"; url = "https://app.element.io/"; }; }; }
#
# Every file is checked with desktop-file-validate while building.
{ lib
, runCommand
, writeText
, desktop-file-utils
, chromium
  # Chromium-family browser (its main program takes Chromium's flags)
, browser ? chromium
  # id -> { name; url; icon?; categories?; mimeTypes?; extraArgs?; }
, apps ? (import ./catalog.nix { inherit lib; }).apps
  # browser profile directory the apps run in (part of the app_id)
, profile ? "Default"
  # browser arguments added to every app
, extraArgs ? (import ./catalog.nix { inherit lib; }).defaultExtraArgs
}:
let
  pwa = import ./catalog.nix { inherit lib; };

  where = "pkgs/pwa-apps (axios-pwa-apps)";
  keys = [ "name" "url" "icon" "categories" "mimeTypes" "extraArgs" ];
  unknownKeys = app: builtins.attrNames (removeAttrs app keys);
  appProblems = id: app:
    lib.optional (builtins.match pwa.idRegex id == null)
      "app identifier ${builtins.toJSON id} must be lowercase letters, digits and dashes (it names the desktop file)"
    ++ (
      if !builtins.isAttrs app then [ "app ${id} must be an attribute set { name; url; ... }" ]
      else
        lib.optional (!(app ? name && app ? url)) "app ${id} needs `name` and `url`"
        ++ lib.optional (app ? url && builtins.match pwa.urlRegex app.url == null)
          "app ${id}: url ${builtins.toJSON app.url} must be an http:// or https:// address"
        ++ lib.optional (unknownKeys app != [ ])
          "app ${id}: unknown key(s) ${lib.concatStringsSep ", " (unknownKeys app)} (allowed: ${lib.concatStringsSep ", " keys})"
    );
  problems =
    lib.optional (builtins.match pwa.profileRegex profile == null)
      "profile ${builtins.toJSON profile} must be letters, digits, spaces, `_` or `-`"
    ++ lib.concatLists (lib.mapAttrsToList appProblems apps);

  entries = lib.mapAttrs'
    (id: app: {
      name = "axios-pwa-${id}";
      value = pwa.desktopEntry { browserBin = lib.getExe browser; inherit profile extraArgs; } app;
    })
    apps;

  desktopFiles = lib.mapAttrs' (n: e: { name = "${n}.desktop"; value = pwa.toDesktopFile e; }) entries;

  files = lib.mapAttrs (n: text: writeText n text) desktopFiles;
in
if problems != [ ] then throw "${where}: ${lib.concatStringsSep "; " problems}" else
runCommand "axios-pwa-apps"
{
  nativeBuildInputs = [ desktop-file-utils ];
  passthru = {
    # the preset catalog, to pick from in `override { apps = ...; }`
    catalog = pwa.apps;
    # by desktop-entry name: home-manager's `xdg.desktopEntries` shape; by
    # file name: the text and the writeText derivation installed
    inherit entries desktopFiles files;
    appIds = lib.mapAttrs (_: app: pwa.appId profile app.url) apps;
  };
  meta = {
    description = "Desktop entries for the axiOS web apps (Chromium app mode, one launcher entry per app)";
    longDescription = ''
      Web apps (${lib.concatStringsSep ", " (lib.attrNames apps)}) as
      share/applications/axios-pwa-<id>.desktop, opening the address in
      ${lib.getName browser}'s app mode with the Wayland app_id as
      StartupWMClass. Icons are freedesktop icon names.
    '';
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
  };
} ''
  mkdir -p $out/share/applications
  ${lib.concatStrings (lib.mapAttrsToList (n: f: ''
    install -m 444 ${f} $out/share/applications/${lib.escapeShellArg n}
    desktop-file-validate $out/share/applications/${lib.escapeShellArg n}
  '') files)}
''
