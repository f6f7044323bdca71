# Networking: NetworkManager, firewall, Avahi (mDNS), and the aspects in
# ./samba.nix and ./tailscale.nix.
{ config, lib, ... }:
let
  cfg = config.axios.networking;
in
{
  imports = [ ../common/groups.nix ./samba.nix ./tailscale.nix ];

  options.axios.networking = {
    enable = lib.mkEnableOption "axiOS networking (NetworkManager, firewall, mDNS)";
    avahi.enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = "Resolve and publish `<host>.local` names with Avahi (mDNS), e.g. for printers and Samba shares.";
    };
  };

  config = lib.mkIf cfg.enable {
    networking.networkmanager.enable = true;
    networking.firewall.enable = true;
    axios.users.defaultGroups = [ "networkmanager" ];
    services.resolved.enable = lib.mkDefault true;

    services.avahi = lib.mkIf cfg.avahi.enable {
      enable = true;
      nssmdns4 = true;
      openFirewall = true;
      publish = {
        enable = true;
        addresses = true;
        workstation = true;
      };
    };
  };
}
