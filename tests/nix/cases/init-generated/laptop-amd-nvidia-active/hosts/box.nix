# The mkSystem argument of box, written by `axios init`.
# The hardware facts come from `axios doctor`: run it again after hardware changes.
{
  hostname = "box";
  system = "x86_64-linux";
  formFactor = "laptop";
  hardware = {
    cpu = "amd";
    gpu = "nvidia";
    isLaptop = true;
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
    services = false;
  };
  homeProfile = "laptop";
  hardwareConfigPath = ./box/hardware.nix;
  userModulePath = ../users/alice.nix;
  extraConfig = {
    axios.system.timeZone = "Europe/Paris";
    axios.system.locale = "en_US.UTF-8";
    # PRIME: the DECIMAL bus IDs NixOS wants (`axios doctor` prints them)
    axios.hardware.prime = {
      nvidiaBusId = "PCI:1:0:0";
      amdgpuBusId = "PCI:6:0:0";
    };
    system.stateVersion = "25.11";
  };
}
