# Tailscale mesh VPN, optionally letting Caddy fetch HTTPS certificates for
# `<host>.<tailnet>.ts.net` (services.tailscale.permitCertUid).
{ config, lib, pkgs, ... }:
let
  cfg = config.axios.networking.tailscale;
in
{
  options.axios.networking.tailscale = {
    enable = lib.mkEnableOption "Tailscale";
    routingFeatures = lib.mkOption {
      type = lib.types.enum [ "none" "client" "server" "both" ];
      default = "client";
      example = "both";
      description = "`services.tailscale.useRoutingFeatures`: `client` to use exit nodes and subnet routes, `server` to offer them.";
    };
    httpsCertificates = {
      enable = lib.mkOption {
        type = lib.types.bool;
        default = config.selfHosted.enable or false;
        defaultText = lib.literalExpression "config.selfHosted.enable";
        example = true;
        description = ''
          Let `user` fetch HTTPS certificates for this machine's `*.ts.net`
          name from tailscaled. Enable HTTPS in the tailnet's admin console
          (DNS → HTTPS Certificates) first.
        '';
      };
      user = lib.mkOption {
        type = lib.types.str;
        # Caddy's user, so that this agrees with what the Caddy route registry
        # asks for (nixos/services/caddy.nix) when services.caddy.user changes
        default = config.services.caddy.user;
        defaultText = lib.literalExpression "config.services.caddy.user";
        example = "nginx";
        description = "The user allowed to fetch certificates (`services.tailscale.permitCertUid`).";
      };
    };
    authKeyFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/run/agenix/tailscale-authkey";
      description = "File holding an auth key for unattended login (e.g. an agenix secret); null to log in by hand with `tailscale up`.";
    };
  };

  config = lib.mkIf (config.axios.networking.enable && cfg.enable) {
    services.tailscale = {
      enable = true;
      useRoutingFeatures = cfg.routingFeatures;
      openFirewall = true;
      permitCertUid = lib.mkIf cfg.httpsCertificates.enable (lib.mkDefault cfg.httpsCertificates.user);
      authKeyFile = lib.mkIf (cfg.authKeyFile != null) cfg.authKeyFile;
    };
    networking.firewall.trustedInterfaces = [ config.services.tailscale.interfaceName ];
    environment.systemPackages = [ pkgs.tailscale ];
  };
}
