# Laptops. Imported by mkSystem when formFactor = "laptop" or
# vendor = "system76".
{ config, lib, pkgs, ... }:
let
  cfg = config.axios.hardware.laptop;
  facts = config.axios.hardware;
in
{
  imports = [ ./facts.nix ];

  options.axios.hardware.laptop = {
    enable = lib.mkEnableOption "laptop support (power management, lid switch, touchpad)";
    system76.enable = lib.mkOption {
      type = lib.types.bool;
      default = facts.vendor == "system76";
      defaultText = lib.literalExpression ''config.axios.hardware.vendor == "system76"'';
      example = true;
      description = "System76 firmware daemon, kernel modules and power daemon.";
    };
    lidSwitch = lib.mkOption {
      type = lib.types.enum [ "suspend" "hibernate" "suspend-then-hibernate" "lock" "ignore" "poweroff" ];
      default = "suspend";
      example = "suspend-then-hibernate";
      description = "What closing the lid does on battery (logind `HandleLidSwitch`).";
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      services.upower.enable = lib.mkDefault true;
      services.power-profiles-daemon.enable = lib.mkDefault true;
      services.libinput.enable = lib.mkDefault true;
      services.logind.settings.Login = {
        HandleLidSwitch = cfg.lidSwitch;
        HandleLidSwitchExternalPower = lib.mkDefault "lock";
      };
      environment.systemPackages = [ pkgs.powertop pkgs.brightnessctl ];
    }
    (lib.mkIf (facts.cpu == "intel") {
      services.thermald.enable = lib.mkDefault true;
    })
    (lib.mkIf cfg.system76.enable {
      hardware.system76.enableAll = lib.mkDefault true;
      # system76-power manages profiles; it conflicts with power-profiles-daemon
      services.power-profiles-daemon.enable = false;
    })
  ]);
}
