# diskConfigPath in the shape the original axiOS used from 2025-12-10:
# plain NixOS file systems (what nixos-generate-config writes).
{ ... }:
{
  fileSystems."/" = {
    device = "/dev/disk/by-uuid/00000000-0000-4000-8000-000000000001";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-uuid/ABCD-0001";
    fsType = "vfat";
    options = [ "fmask=0077" "dmask=0077" ];
  };
  swapDevices = [{ device = "/dev/disk/by-uuid/00000000-0000-4000-8000-000000000002"; }];
}
