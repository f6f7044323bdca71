# Stub of nixpkgs' installer/scan/not-detected.nix, which every
# hardware-configuration.nix from nixos-generate-config imports (it turns on
# redistributable firmware).
{ lib, ... }:
{
  hardware.enableRedistributableFirmware = lib.mkDefault true;
}
