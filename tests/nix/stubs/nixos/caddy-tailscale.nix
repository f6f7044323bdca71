# Stubs of nixpkgs' services.caddy and services.tailscale (same names, types
# and defaults as nixpkgs for what axiOS uses).
{ lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  stub = import ../../lib/types.nix { inherit lib; };
in
{
  options.services.caddy = {
    enable = lib.mkEnableOption "caddy (stub)";
    package = mkOption { type = types.package; default = pkgs.caddy; description = "stub"; };
    user = mkOption { type = types.str; default = "caddy"; description = "stub"; };
    group = mkOption { type = types.str; default = "caddy"; description = "stub"; };
    email = mkOption { type = types.nullOr types.str; default = null; description = "stub"; };
    adapter = mkOption { type = types.nullOr types.str; default = null; description = "stub"; };
    configFile = mkOption { type = types.nullOr types.path; default = null; description = "stub"; };
    extraConfig = mkOption { type = types.lines; default = ""; description = "stub"; };
    globalConfig = mkOption { type = types.lines; default = ""; description = "stub"; };
    logFormat = mkOption { type = types.lines; default = ""; description = "stub"; };
    enableReload = mkOption { type = types.bool; default = true; description = "stub"; };
    dataDir = mkOption { type = types.path; default = "/var/lib/caddy"; description = "stub"; };
    virtualHosts = mkOption {
      type = types.attrsOf (stub.freeformSubmodule (name: {
        hostName = mkOption { type = types.str; default = name; description = "stub"; };
        serverAliases = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
        listenAddresses = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
        useACMEHost = mkOption { type = types.nullOr types.str; default = null; description = "stub"; };
        extraConfig = mkOption { type = types.lines; default = ""; description = "stub"; };
        logFormat = mkOption { type = types.lines; default = ""; description = "stub"; };
      }));
      default = { };
      description = "stub";
    };
  };

  options.services.tailscale = {
    enable = lib.mkEnableOption "tailscale (stub)";
    package = mkOption { type = types.package; default = pkgs.tailscale; description = "stub"; };
    port = mkOption { type = types.port; default = 41641; description = "stub"; };
    interfaceName = mkOption { type = types.str; default = "tailscale0"; description = "stub"; };
    permitCertUid = mkOption { type = types.nullOr types.nonEmptyStr; default = null; description = "stub"; };
    openFirewall = mkOption { type = types.bool; default = false; description = "stub"; };
    useRoutingFeatures = mkOption { type = types.enum [ "none" "client" "server" "both" ]; default = "none"; description = "stub"; };
    authKeyFile = mkOption { type = types.nullOr types.path; default = null; description = "stub"; };
    extraUpFlags = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
    extraSetFlags = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
    extraDaemonFlags = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
  };
}
