# SMB file sharing: shares from `axios.networking.samba.shares`, discoverable
# by Windows (wsdd) and by Linux/macOS (Avahi).
{ config, lib, ... }:
let
  cfg = config.axios.networking.samba;
  shareType = lib.types.submodule ({ name, ... }: {
    options = {
      path = lib.mkOption {
        type = lib.types.str;
        example = "/srv/share/media";
        description = "Directory to share.";
      };
      comment = lib.mkOption {
        type = lib.types.str;
        default = name;
        defaultText = lib.literalExpression "<name>";
        example = "Family photos";
        description = "Description shown to clients.";
      };
      readOnly = lib.mkOption {
        type = lib.types.bool;
        default = false;
        example = true;
        description = "Share read-only.";
      };
      guest = lib.mkOption {
        type = lib.types.bool;
        default = false;
        example = true;
        description = "Allow access without a password (as the `nobody` user).";
      };
      validUsers = lib.mkOption {
        type = lib.types.listOf lib.types.str;
        default = [ ];
        example = [ "alice" "@family" ];
        description = "Users (or `@groups`) allowed; empty means every Samba user. Add users with `smbpasswd -a <user>`.";
      };
    };
  });
in
{
  options.axios.networking.samba = {
    enable = lib.mkEnableOption "Samba (SMB) file sharing";
    workgroup = lib.mkOption {
      type = lib.types.str;
      default = "WORKGROUP";
      example = "HOME";
      description = "SMB workgroup.";
    };
    shares = lib.mkOption {
      type = lib.types.attrsOf shareType;
      default = { };
      example = lib.literalExpression ''{ media = { path = "/srv/media"; readOnly = true; }; }'';
      description = "Shares to export, by share name.";
    };
    allowedNetworks = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "192.168.0.0/16" "10.0.0.0/8" "172.16.0.0/12" "100.64.0.0/10" "127.0.0.1" ];
      example = [ "192.168.1.0/24" ];
      description = "Networks allowed to connect (`hosts allow`); the default covers private LANs and Tailscale.";
    };
  };

  config = lib.mkIf (config.axios.networking.enable && cfg.enable) {
    assertions = lib.mapAttrsToList
      (name: share: {
        assertion = lib.hasPrefix "/" share.path;
        message = "axios.networking.samba.shares.${name}.path must be an absolute path, got ${builtins.toJSON share.path}.";
      })
      cfg.shares;
    services.samba = {
      enable = true;
      openFirewall = true;
      settings = {
        global = {
          workgroup = cfg.workgroup;
          "server string" = config.networking.hostName;
          "hosts allow" = lib.concatStringsSep " " cfg.allowedNetworks;
          "hosts deny" = "0.0.0.0/0";
          "map to guest" = "bad user";
          "server min protocol" = "SMB2_10";
        };
      } // lib.mapAttrs
        (_: share: {
          inherit (share) path comment;
          browseable = "yes";
          "read only" = if share.readOnly then "yes" else "no";
          "guest ok" = if share.guest then "yes" else "no";
        } // lib.optionalAttrs (share.validUsers != [ ]) {
          "valid users" = lib.concatStringsSep " " share.validUsers;
        })
        cfg.shares;
    };
    services.samba-wsdd = {
      enable = true;
      openFirewall = true;
    };
  };
}
