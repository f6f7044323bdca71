# The mkSystem argument of tower, written by `axios init`.
# The hardware facts come from `axios doctor`: run it again after hardware changes.
{
  hostname = "tower";
  system = "x86_64-linux";
  formFactor = "desktop";
  hardware = {
    cpu = "amd";
    gpu = "amd";
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
    virt = true;
    gaming = true;
    ai = true;
    secrets = false;
    services = false;
  };
  virt = {
    libvirt.enable = true;
    containers.enable = true;
  };
  homeProfile = "workstation";
  hardwareConfigPath = ./tower/hardware.nix;
  userModulePath = ../users/bob.nix;
  extraConfig = {
    axios.system.timeZone = "America/New_York";
    axios.system.locale = "de_DE.UTF-8";
    system.stateVersion = "25.11";
  };
}
