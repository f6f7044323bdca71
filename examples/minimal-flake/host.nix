# The mkSystem argument. `axios doctor` prints the formFactor and hardware facts for the machine it runs on.
{
  hostname = "workstation";
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
  };
  homeProfile = "workstation";
  hardwareConfigPath = ./hardware-configuration.nix;
  userModulePath = ./user.nix;
  extraConfig = {
    axios.system.timeZone = "America/New_York";
    system.stateVersion = "25.11";
  };
}
