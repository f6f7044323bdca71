# nixos-hardware modules from the host's hardware facts.
{ lib }:
{
  # n: a normalized host (lib/default.nix). Returns nixos-hardware module names.
  # NVIDIA always uses `common-gpu-nvidia-nonprime`: PRIME is configured by the
  # axiOS graphics module (axios.hardware.prime), whose assertions say which
  # bus IDs to set; nixos-hardware's common-gpu-nvidia would turn PRIME on
  # without them.
  nixosHardwareModules = n:
    let hw = n.hardware;
    in
    lib.optional (hw.cpu == "amd") "common-cpu-amd"
    ++ lib.optional (hw.cpu == "amd") "common-cpu-amd-pstate"
    ++ lib.optional (hw.cpu == "intel") "common-cpu-intel"
    ++ lib.optional (hw.gpu == "amd") "common-gpu-amd"
    ++ lib.optional (hw.gpu == "intel") "common-gpu-intel"
    ++ lib.optional (hw.gpu == "nvidia") "common-gpu-nvidia-nonprime"
    ++ (if hw.isLaptop then [ "common-pc-laptop" ] ++ lib.optional hw.hasSSD "common-pc-laptop-ssd"
    else [ "common-pc" ] ++ lib.optional hw.hasSSD "common-pc-ssd")
    ++ lib.optional (hw.vendor == "system76") "system76";
}
