# Common hardware support, driven by the facts in ./facts.nix. A core module:
# always imported by mkSystem; everything here follows from the facts.
{ config, lib, pkgs, ... }:
let
  cfg = config.axios.hardware;
in
{
  imports = [ ./facts.nix ../common/cli.nix ];

  options.axios.hardware.firmware.enable = lib.mkOption {
    type = lib.types.bool;
    default = true;
    example = false;
    description = "Install redistributable firmware and enable fwupd for firmware updates.";
  };

  config = lib.mkMerge [
    (lib.mkIf cfg.firmware.enable {
      hardware.enableRedistributableFirmware = lib.mkDefault true;
      services.fwupd.enable = lib.mkDefault true;
    })
    (lib.mkIf (cfg.cpu == "amd") {
      hardware.cpu.amd.updateMicrocode = lib.mkDefault true;
      boot.kernelModules = [ "kvm-amd" ];
    })
    (lib.mkIf (cfg.cpu == "intel") {
      hardware.cpu.intel.updateMicrocode = lib.mkDefault true;
      boot.kernelModules = [ "kvm-intel" ];
    })
    (lib.mkIf cfg.hasSSD {
      services.fstrim.enable = lib.mkDefault true;
    })
    (lib.mkIf (cfg.cpu != null || cfg.gpuType != null) {
      # `axios doctor` reports what these facts should be on this machine.
      environment.systemPackages = [ config.axios.package pkgs.pciutils ];
    })
  ];
}
