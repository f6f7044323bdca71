# Gaming: Steam (Proton GE, Remote Play, gamescope session), GameMode,
# gamescope, nix-ld for native game binaries, controllers. VR in ./vr.nix.
{ config, lib, pkgs, ... }:
let
  cfg = config.gaming;
  gpu = config.axios.hardware.gpuType;
in
{
  imports = [ ../hardware/facts.nix ../common/groups.nix ./vr.nix ];

  options.gaming = {
    enable = lib.mkEnableOption "gaming (Steam, GameMode, gamescope)";
    gamescopeSession = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = "Offer a Steam Big Picture session in gamescope at the login screen.";
    };
    remotePlay = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = "Open the firewall for Steam Remote Play and local network game transfers.";
    };
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.lutris pkgs.heroic ]";
      description = "More gaming packages to install.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [{
      assertion = config.hardware.graphics.enable or false;
      message = "gaming needs GPU drivers: enable the graphics module (mkSystem: modules.graphics = true; or axios.graphics.enable = true with axios.hardware.gpuType), or set hardware.graphics.enable = true yourself.";
    }];
    programs.steam = {
      enable = true;
      remotePlay.openFirewall = cfg.remotePlay;
      localNetworkGameTransfers.openFirewall = cfg.remotePlay;
      gamescopeSession.enable = cfg.gamescopeSession;
      extraCompatPackages = [ pkgs.proton-ge-bin ];
    };
    programs.gamescope = {
      enable = true;
      capSysNice = true;
    };
    programs.gamemode = {
      enable = true;
      settings = {
        general.renice = 10;
        gpu = lib.mkIf (gpu == "amd") {
          apply_gpu_optimisations = "accept-responsibility";
          gpu_device = 0;
          amd_performance_level = "high";
        };
      };
    };
    axios.users.defaultGroups = [ "gamemode" ];
    programs.nix-ld.enable = true;
    hardware.steam-hardware.enable = true;
    hardware.xpadneo.enable = lib.mkDefault true;
    # many games map more memory areas than the default allows
    boot.kernel.sysctl."vm.max_map_count" = lib.mkDefault 2147483642;
    environment.systemPackages = [ pkgs.mangohud pkgs.protonup-qt pkgs.steam-run ] ++ cfg.extraPackages;
  };
}
