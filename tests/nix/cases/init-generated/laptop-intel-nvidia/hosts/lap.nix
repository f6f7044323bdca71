# The mkSystem argument of lap, written by `axios init`.
# The hardware facts come from `axios doctor`: run it again after hardware changes.
{
  hostname = "lap";
  system = "x86_64-linux";
  formFactor = "laptop";
  hardware = {
    cpu = "intel";
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
    secrets = true;
    services = false;
  };
  homeProfile = "laptop";
  hardwareConfigPath = ./lap/hardware.nix;
  userModulePath = ../users/dave.nix;
  extraConfig = {
    axios.system.timeZone = "Europe/Paris";
    axios.system.locale = "en_US.UTF-8";
    # PRIME: the DECIMAL bus IDs NixOS wants (`axios doctor` prints them)
    axios.hardware.prime = {
      nvidiaBusId = "PCI:1:0:0";
      intelBusId = "PCI:0:2:0";
    };
    system.stateVersion = "25.11";
  };
}
