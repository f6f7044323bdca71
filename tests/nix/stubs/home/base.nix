# Stub home-manager option tree: the freeform root plus typed declarations of
# what axiOS home modules set and tests assert on. Every file in
# tests/nix/stubs/home/ is imported by `evalHome`; add your own file for
# options you need typed (do not redeclare an option declared here).
{ lib, config, pkgs, ... }:
let
  inherit (lib) mkOption types;
  stub = import ../../lib/types.nix { inherit lib; };
  listOfStr = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
  pkgList = mkOption { type = types.listOf types.package; default = [ ]; description = "stub"; };
  envVars = mkOption { type = types.lazyAttrsOf (types.oneOf [ types.str types.path types.int types.float ]); default = { }; description = "stub"; };

  # home.file / xdg.configFile / xdg.dataFile entries (home-manager's fileType)
  fileType = types.attrsOf (stub.freeformSubmodule (name: {
    target = mkOption { type = types.str; default = name; description = "stub"; };
    enable = mkOption { type = types.bool; default = true; description = "stub"; };
    text = mkOption { type = types.nullOr types.lines; default = null; description = "stub"; };
    source = mkOption { type = types.nullOr (types.either types.path types.package); default = null; description = "stub"; };
    executable = mkOption { type = types.nullOr types.bool; default = null; description = "stub"; };
    recursive = mkOption { type = types.bool; default = false; description = "stub"; };
    force = mkOption { type = types.bool; default = false; description = "stub"; };
    onChange = mkOption { type = types.lines; default = ""; description = "stub"; };
  }));

  # home-manager systemd user units: INI sections, lists concatenate.
  unitType = types.attrsOf (types.lazyAttrsOf stub.stubAnything);
in
{
  imports = [ stub.freeformRoot ];

  options = {
    assertions = mkOption { type = types.listOf types.unspecified; default = [ ]; description = "stub"; };
    warnings = listOfStr;

    home = {
      username = mkOption { type = types.str; default = "alice"; description = "stub"; };
      homeDirectory = mkOption { type = types.path; default = "/home/${config.home.username}"; description = "stub"; };
      stateVersion = mkOption { type = types.str; default = "25.11"; description = "stub"; };
      packages = pkgList;
      file = mkOption { type = fileType; default = { }; description = "stub"; };
      sessionVariables = envVars;
      sessionPath = listOfStr;
      shellAliases = mkOption { type = types.attrsOf types.str; default = { }; description = "stub"; };
      activation = mkOption { type = lib.hm.types.dagOf types.str; default = { }; description = "stub (real hm DAG type)"; };
    };

    xdg = {
      enable = mkOption { type = types.bool; default = false; description = "stub"; };
      configHome = mkOption { type = types.path; default = "${config.home.homeDirectory}/.config"; description = "stub"; };
      dataHome = mkOption { type = types.path; default = "${config.home.homeDirectory}/.local/share"; description = "stub"; };
      stateHome = mkOption { type = types.path; default = "${config.home.homeDirectory}/.local/state"; description = "stub"; };
      cacheHome = mkOption { type = types.path; default = "${config.home.homeDirectory}/.cache"; description = "stub"; };
      configFile = mkOption { type = fileType; default = { }; description = "stub"; };
      dataFile = mkOption { type = fileType; default = { }; description = "stub"; };
      stateFile = mkOption { type = fileType; default = { }; description = "stub"; };
      desktopEntries = mkOption { type = types.attrsOf (types.lazyAttrsOf stub.stubAnything); default = { }; description = "stub"; };
    };

    systemd.user = {
      services = mkOption { type = unitType; default = { }; description = "stub"; };
      timers = mkOption { type = unitType; default = { }; description = "stub"; };
      paths = mkOption { type = unitType; default = { }; description = "stub"; };
      sockets = mkOption { type = unitType; default = { }; description = "stub"; };
      targets = mkOption { type = unitType; default = { }; description = "stub"; };
      sessionVariables = envVars;
      tmpfiles.rules = listOfStr;
    };

    fonts.fontconfig.enable = mkOption { type = types.bool; default = false; description = "stub"; };

    # config.lib (home-manager puts helpers there)
    lib = mkOption { type = types.attrsOf types.attrs; default = { }; description = "stub"; };
  };

  config.lib.file.mkOutOfStoreSymlink = path: pkgs.mkFakeWith {
    name = "hm_out-of-store-${baseNameOf (toString path)}";
    outOfStoreTarget = toString path;
  };
}
