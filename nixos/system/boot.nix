# UEFI boot with systemd-boot, or Lanzaboote for Secure Boot. BIOS/MBR is not
# supported: /boot must be the EFI system partition (vfat).
{ config, lib, options, pkgs, ... }:
let
  cfg = config.axios.system;
  sb = config.boot.lanzaboote.enableSecureBoot;
  # Lanzaboote's own options exist only when its NixOS module is imported
  # (mkSystem imports it); without it, Secure Boot is an assertion, not an
  # "option does not exist" trace.
  haveLanzaboote = options ? boot && options.boot ? lanzaboote && options.boot.lanzaboote ? pkiBundle;
in
{
  options.boot.lanzaboote.enableSecureBoot = lib.mkOption {
    type = lib.types.bool;
    default = false;
    example = true;
    description = ''
      Boot through Lanzaboote with UEFI Secure Boot instead of plain
      systemd-boot. First create keys with `sbctl create-keys` (they go to
      `boot.lanzaboote.pkiBundle`, `/var/lib/sbctl`), rebuild, then enroll them
      with `sbctl enroll-keys --microsoft` in Setup Mode.
    '';
  };
  options.axios.system.bootConfigurationLimit = lib.mkOption {
    type = lib.types.ints.between 1 100;
    default = 10;
    example = 5;
    description = "How many generations the boot menu keeps (the ESP is small).";
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      assertions = [{
        assertion = sb -> haveLanzaboote;
        message = "boot.lanzaboote.enableSecureBoot needs the Lanzaboote NixOS module: add inputs.lanzaboote.nixosModules.lanzaboote to your modules (axios.lib.mkSystem does this), or set boot.lanzaboote.enableSecureBoot = false.";
      }];
      boot.loader.efi.canTouchEfiVariables = true;
      boot.loader.systemd-boot.enable = !sb;
      boot.loader.systemd-boot.configurationLimit = lib.mkIf (!sb) cfg.bootConfigurationLimit;
      boot.loader.timeout = lib.mkDefault 3;
      boot.initrd.systemd.enable = lib.mkDefault true;
    }
    (lib.mkIf sb {
      environment.systemPackages = [ pkgs.sbctl ];
    })
    (lib.optionalAttrs haveLanzaboote {
      boot.lanzaboote = lib.mkIf sb {
        enable = true;
        pkiBundle = lib.mkDefault "/var/lib/sbctl";
        configurationLimit = cfg.bootConfigurationLimit;
      };
    })
  ]);
}
