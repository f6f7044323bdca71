# The mkSystem argument of box, written by `axios init`.
# The hardware facts come from `axios doctor`: run it again after hardware changes.
{
  hostname = "box";
  system = "x86_64-linux";
  formFactor = "desktop";
  hardware = {
    cpu = "amd";
    isLaptop = false;
    hasSSD = false;
  };
  modules = {
    system = true;
    desktop = true;
    development = true;
    graphics = false;
    networking = true;
    users = true;
    virt = false;
    gaming = false;
    ai = false;
    secrets = false;
    services = false;
  };
  homeProfile = "workstation";
  hardwareConfigPath = ./box/hardware.nix;
  userModulePath = ../users/alice.nix;
  extraConfig = {
    axios.system.timeZone = "Europe/Paris";
    axios.system.locale = "en_US.UTF-8";
    system.stateVersion = "25.11";
  };
}
