# PLACEHOLDER: no hardware-configuration.nix was found on this machine.
# On the machine itself, replace this file with its hardware configuration:
#
#   nixos-generate-config --show-hardware-config > hosts/box/hardware.nix
#
# (from the NixOS installer: `nixos-generate-config --root /mnt` writes
# /mnt/etc/nixos/hardware-configuration.nix; copy it here). Until then the
# system has no file systems and the build says so.
{
  warnings = [ "hosts/box/hardware.nix is the placeholder written by `axios init`: replace it with the output of `nixos-generate-config --show-hardware-config`." ];
}
