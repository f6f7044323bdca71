# Option paths of the original axiOS's home defaults (its profiles/defaults.nix), so that
# a user module written for it keeps evaluating unchanged. Imported by the base profile.
#
#   axios.home.enableDefaults  (default true) sets the two defaults below, as the original
#   axios.home.stateVersion    home.stateVersion (mkDefault) — the original let users omit it
#   axios.home.flakePath       FLAKE_PATH session variable (mkDefault; null: none)
#   axios.user.email           commit e-mail: axios.terminal.git.userEmail, and the name from
#                              the system account's description (mkDefault both)
{ config, lib, ... }@args:
let
  inherit (lib) mkOption types mkIf mkDefault;
  cfg = config.axios.home;
  email = config.axios.user.email;
  osConfig = args.osConfig or null;
  user = config.home.username;
  fullName = if osConfig != null then osConfig.users.users.${user}.description or user else user;
in
{
  options.axios = {
    home = {
      enableDefaults = mkOption {
        type = types.bool;
        default = true;
        description = "Original axiOS option: set `home.stateVersion` from `axios.home.stateVersion` and `FLAKE_PATH` from `axios.home.flakePath` (both overridable defaults).";
        example = false;
      };
      stateVersion = mkOption {
        type = types.str;
        default = "24.11";
        description = "Original axiOS option: the `home.stateVersion` used when the user sets none.";
        example = "25.05";
      };
      flakePath = mkOption {
        type = types.nullOr types.str;
        default = "\${HOME}/.config/nixos_config";
        description = "Original axiOS option: the `FLAKE_PATH` session variable (the user's flake checkout); `null` sets none.";
        example = "/home/alice/src/nixos-config";
      };
    };

    user.email = mkOption {
      type = types.str;
      default = "";
      description = "Original axiOS option: the user's e-mail address, used for git commits (`axios.terminal.git.userEmail`, with the name from the system account's description). Empty: unset.";
      example = "alice@example.org";
    };
  };

  config = lib.mkMerge [
    (mkIf cfg.enableDefaults {
      home.stateVersion = mkDefault cfg.stateVersion;
      home.sessionVariables = mkIf (cfg.flakePath != null) { FLAKE_PATH = mkDefault cfg.flakePath; };
    })
    (mkIf (email != "" && config.axios.terminal.git.enable or false) {
      axios.terminal.git = {
        userEmail = mkDefault email;
        userName = mkDefault fullName;
      };
    })
  ];
}
