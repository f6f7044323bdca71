# Immich photo backup (nixpkgs' services.immich), published through the route
# registry as the catch-all of its domain.
{ config, lib, ... }:
let
  cfg = config.selfHosted;
  icfg = cfg.immich;
in
{
  options.selfHosted.immich = {
    enable = lib.mkEnableOption "Immich photo backup, served by Caddy as the catch-all of its domain";
    domain = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = cfg.domain;
      defaultText = lib.literalExpression "config.selfHosted.domain";
      example = "photos.tail1234.ts.net";
      description = "Site address Immich is served on; every path no other route of that domain claims goes to Immich.";
    };
    port = lib.mkOption {
      type = lib.types.port;
      default = 2283;
      example = 3001;
      description = "Loopback port of the Immich server (Caddy proxies to it).";
    };
    mediaLocation = lib.mkOption {
      type = lib.types.path;
      default = "/var/lib/immich";
      example = "/srv/photos";
      description = "Where Immich stores uploaded photos and videos.";
    };
    priority = lib.mkOption {
      type = lib.types.int;
      default = 1000;
      example = 900;
      description = "Priority of Immich's catch-all route (a catch-all is always tried last on its domain).";
    };
  };

  config = lib.mkIf (cfg.enable && icfg.enable) {
    assertions = [{
      assertion = icfg.domain != null;
      message = "selfHosted.immich.enable: no domain to serve Immich on: set selfHosted.immich.domain (e.g. \"photos.tail1234.ts.net\") or selfHosted.domain.";
    }];
    services.immich = {
      enable = true;
      host = "127.0.0.1";
      inherit (icfg) port mediaLocation;
    };
    selfHosted.caddy.routes.immich = {
      domain = if icfg.domain != null then icfg.domain else "";
      path = null;
      target = "http://127.0.0.1:${toString icfg.port}";
      inherit (icfg) priority;
    };
  };
}
