# Self-hosted services (`selfHosted.*`): the Caddy route registry, compiled by
# `axios-caddy` into an ordered, validated Caddyfile at build time, and the
# services that register routes in it (Immich as the catch-all; the ai module
# adds Ollama under `/ollama/*`).
{ lib, ... }:
{
  imports = [ ./caddy.nix ./immich.nix ];

  options.selfHosted = {
    enable = lib.mkEnableOption "self-hosted services behind Caddy (the route registry `selfHosted.caddy.routes`)";
    domain = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "desktop.tail1234.ts.net";
      description = ''
        The default site address of self-hosted services (a Caddy site
        address: a host, optionally with scheme and port). Services that do
        not set their own domain register their routes here. A `*.ts.net`
        name gets its HTTPS certificate from Tailscale.
      '';
    };
  };
}
