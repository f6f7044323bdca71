# Base profile: what every axiOS user gets, desktop or not — the terminal environment
# and the security tools. The workstation and laptop profiles extend it.
{ config, lib, ... }:
{
  imports = [
    ../terminal
    ../security
    ../compat/base.nix
  ];

  options.axios.profile = lib.mkOption {
    type = lib.types.enum [ "base" "workstation" "laptop" ];
    default = "base";
    description = "The axiOS home profile in use (set by the profile modules; read-only in spirit).";
    example = "laptop";
  };

  config = {
    axios.terminal.enable = lib.mkDefault true;
    axios.security.enable = lib.mkDefault true;

    programs.home-manager.enable = lib.mkDefault true;
    xdg.enable = lib.mkDefault true;

    home.sessionVariables = {
      EDITOR = lib.mkIf config.axios.terminal.neovim.enable (lib.mkDefault "nvim");
      PAGER = lib.mkDefault "less -FRX";
    };

    # Keep the generations from piling up (home-manager's own expiry service).
    services.home-manager.autoExpire = {
      enable = lib.mkDefault true;
      frequency = lib.mkDefault "weekly";
      timestamp = lib.mkDefault "-30 days";
    };
  };
}
