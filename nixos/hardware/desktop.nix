# Desktop PCs. Imported by mkSystem when formFactor = "desktop" or
# vendor = "msi".
{ config, lib, pkgs, ... }:
let
  cfg = config.axios.hardware.desktop;
  facts = config.axios.hardware;
in
{
  imports = [ ./facts.nix ];

  options.axios.hardware.desktop = {
    enable = lib.mkEnableOption "desktop PC tuning (performance governor, sensors)";
    msiSensors = lib.mkOption {
      type = lib.types.bool;
      default = facts.vendor == "msi";
      defaultText = lib.literalExpression ''config.axios.hardware.vendor == "msi"'';
      example = true;
      description = "Load the out-of-tree `nct6687` driver for the Nuvoton super-I/O chip on MSI boards (fan and temperature sensors).";
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      # A desktop is on mains power: favour latency over power saving.
      powerManagement.cpuFreqGovernor = lib.mkDefault "performance";
      environment.systemPackages = [ pkgs.lm_sensors ];
    }
    (lib.mkIf cfg.msiSensors {
      boot.extraModulePackages = [ config.boot.kernelPackages.nct6687d ];
      boot.kernelModules = [ "nct6687" ];
      # nct6775 binds the same chip with wrong readings
      boot.blacklistedKernelModules = [ "nct6775" ];
    })
  ]);
}
