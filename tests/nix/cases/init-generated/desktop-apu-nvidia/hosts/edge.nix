# The mkSystem argument of edge, written by `axios init`.
# The hardware facts come from `axios doctor`: run it again after hardware changes.
{
  hostname = "edge";
  system = "x86_64-linux";
  formFactor = "desktop";
  hardware = {
    cpu = "amd";
    gpu = "nvidia";
    vendor = "msi";
    isLaptop = false;
    hasSSD = true;
  };
  modules = {
    system = true;
    desktop = true;
    development = true;
    graphics = true;
    networking = true;
    users = true;
    virt = false;
    gaming = false;
    ai = false;
    secrets = false;
    services = true;
  };
  homeProfile = "workstation";
  hardwareConfigPath = ./edge/hardware.nix;
  userModulePath = ../users/carol.nix;
  extraConfig = {
    axios.system.timeZone = "Europe/Berlin";
    axios.system.locale = "en_US.UTF-8";
    # PRIME: the DECIMAL bus IDs NixOS wants (`axios doctor` prints them)
    axios.hardware.prime = {
      # axiOS leaves PRIME off on desktops; set enable = true to use it
      nvidiaBusId = "PCI:10:0:0";
      amdgpuBusId = "PCI:14:0:0";
    };
    system.stateVersion = "25.11";
  };
}
