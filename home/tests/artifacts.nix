# Evaluates the workstation profile with the tests/nix harness (real nixpkgs lib, stub
# pkgs) and returns the generated files and scripts as plain strings, for home/tests/run
# to check with the real programs (kdl parser, bash, shellcheck, ImageMagick, vdirsyncer,
# khal, desktop-file-validate), plus the .desktop files of pkgs.axios-pwa-apps. Inputs:
# the nixpkgs lib and home-manager dirs, a scratch home, and the address of the loopback
# ICS server.
{ nixpkgsLib, homeManager, homeDir, icsUrl }:
let
  lib = import (nixpkgsLib + "/lib");
  h = import ../../tests/nix/lib/harness.nix { inherit lib; homeManagerPath = homeManager; };
  inherit (h) pkgs;
  trickyUrl = "https://example.org/a b?x=1&y=$HOME\"q\\z%20`c`#top";
  # pkgs.axios-pwa-apps over the stub pkgs (callPackage's automatic arguments),
  # with every catalog app and the tricky one
  pwaPackage =
    let fn = import ../../pkgs/pwa-apps;
    in fn (builtins.intersectAttrs (builtins.functionArgs fn) (pkgs // { inherit lib; }) // {
      apps = (import ../../pkgs/pwa-apps/catalog.nix { inherit lib; }).apps // {
        tricky = { name = "Tricky"; url = trickyUrl; };
      };
    });
  e = h.evalHome [
    h.axios.homeModules.workstation
    {
      home.homeDirectory = homeDir;
      axios.calendar = {
        accounts.holidays = { type = "http"; url = icsUrl; color = "#3a86ff"; };
      };
      axios.desktop.pwa.apps.tricky = { name = "Tricky"; url = trickyUrl; };
      axios.ai.mcp.presets = {
        github = { enable = true; tokenFile = "${homeDir}/github-token"; };
        context7.enable = true;
      };
    }
  ];
  c = e.config;
  # a user module written for the original axiOS (niri-flake's programs.niri.settings)
  compat = h.evalHome [ h.axios.homeModules.workstation ./niri-flake-user.nix ];
in
{
  failedAssertions = e.failedAssertions;
  niri = c.axios.desktop.niri.finalConfig;
  niriCompat = compat.config.axios.desktop.niri.finalConfig;
  niriCompatFailedAssertions = compat.failedAssertions;
  wallpaperSet = c.axios.desktop.wallpaper.scripts.set.text;
  wallpaperBlur = c.axios.desktop.wallpaper.scripts.blur.text;
  wallpaperImage = c.axios.desktop.wallpaper.image;
  wallpaperFiles = lib.mapAttrs (_: f: toString f.source) (lib.filterAttrs (n: _: lib.hasPrefix "Pictures/Wallpapers/" n) c.home.file);
  desktopEntries = lib.mapAttrs (_: d: { inherit (d) name exec icon categories; wmClass = d.settings.StartupWMClass; }) c.xdg.desktopEntries;
  # file name -> text of the .desktop files pkgs.axios-pwa-apps installs
  pwaPackageFiles = pwaPackage.desktopFiles;
  # its build script and the (stub) store paths of the files it installs
  pwaPackageBuild = pwaPackage.buildCommand;
  pwaPackageInputs = lib.mapAttrs (_: toString) pwaPackage.files;
  vdirsyncer = c.xdg.configFile."vdirsyncer/config".text;
  khal = c.xdg.configFile."khal/config".text;
  calendarSync = c.axios.calendar.syncScript.text;
  mcp = builtins.toJSON c.xdg.configFile."mcp/mcp.json".source.value;
  mcpGithubWrapper = c.axios.ai.mcp.wrappers.github.text;
  geminiMerge = c.axios.ai.mcp.geminiFiles.merge.text;
  geminiServers = builtins.toJSON c.axios.ai.mcp.geminiFiles.servers.value;
  jq = "${pkgs.jq}/bin/jq";
  githubServer = "${pkgs.github-mcp-server}/bin/github-mcp-server";
  # Stub store paths the scripts call, to be replaced by the real programs.
  storePaths = {
    magick = "${pkgs.imagemagick}/bin/magick";
    vdirsyncer = "${pkgs.vdirsyncer}/bin/vdirsyncer";
  };
}
