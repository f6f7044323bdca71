# Hardware facts of the host (`axios.hardware.*`). Imported by every module
# that reads them (hardware, graphics, gaming, ai ...); the module system
# imports a file once, however many modules import it. mkSystem sets these
# from the host's `hardware` and `formFactor`.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.axios.hardware = {
    cpu = mkOption {
      type = types.nullOr (types.enum [ "amd" "intel" ]);
      default = null;
      example = "amd";
      description = "CPU vendor: selects microcode updates and the KVM module. `axios doctor` prints it.";
    };
    gpuType = mkOption {
      type = types.nullOr (types.enum [ "amd" "nvidia" "intel" ]);
      default = null;
      example = "amd";
      description = ''
        The GPU that drives the displays (for hybrid laptops: the discrete one).
        Selects the driver in the `graphics` module. `axios doctor` prints it.
      '';
    };
    vendor = mkOption {
      type = types.nullOr (types.enum [ "msi" "system76" ]);
      default = null;
      example = "system76";
      description = "Machine vendor with dedicated support: `msi` (desktop boards) or `system76` (laptops).";
    };
    formFactor = mkOption {
      type = types.nullOr (types.enum [ "desktop" "laptop" "server" ]);
      default = null;
      example = "laptop";
      description = "Form factor of the machine. `axios doctor` infers it from the DMI chassis type.";
    };
    isLaptop = mkOption {
      type = types.bool;
      default = false;
      example = true;
      description = "Whether the machine is a laptop (enables PRIME offload for NVIDIA hybrids, power management).";
    };
    hasSSD = mkOption {
      type = types.bool;
      default = false;
      example = true;
      description = "Whether the system disk is an SSD (enables periodic TRIM).";
    };
  };
}
