# nixpkgs nixos/modules/installer/scan/not-detected.nix (imported by every
# hardware-configuration.nix that nixos-generate-config writes).
{ lib, ... }:
{
  # Enables non-free firmware on devices not recognized by `nixos-generate-config`.
  hardware.enableRedistributableFirmware = lib.mkDefault true;
}
