# The mkSystem argument of srv, written by `axios init`.
# The hardware facts come from `axios doctor`: run it again after hardware changes.
{
  hostname = "srv";
  system = "x86_64-linux";
  formFactor = "server";
  hardware = {
    cpu = "intel";
    gpu = "nvidia";
    isLaptop = false;
    hasSSD = false;
  };
  modules = {
    system = true;
    desktop = false;
    development = false;
    graphics = false;
    networking = true;
    users = true;
    virt = true;
    gaming = false;
    ai = false;
    secrets = false;
    services = true;
  };
  virt = {
    libvirt.enable = true;
    containers.enable = true;
  };
  homeProfile = "workstation";
  hardwareConfigPath = ./srv/hardware.nix;
  userModulePath = ../users/erin.nix;
  extraConfig = {
    axios.system.timeZone = "UTC";
    axios.system.locale = "en_US.UTF-8";
    system.stateVersion = "25.11";
  };
}
