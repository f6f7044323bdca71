# A System76 laptop: Intel CPU, NVIDIA dGPU with PRIME offload.
{
  hostname = "laptop";
  system = "x86_64-linux";
  formFactor = "laptop";
  hardware = {
    vendor = "system76";
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
    secrets = true;
  };
  secrets.secretsDir = ./secrets;
  homeProfile = "laptop";
  hardwareConfigPath = ./hardware.nix;
  userModulePath = ../../users/alice.nix;
  extraConfig = {
    axios.system.timeZone = "Europe/Berlin";
    boot.lanzaboote.enableSecureBoot = true;
    # the DECIMAL IDs `axios doctor` prints (lspci: 00:02.0 and 01:00.0)
    axios.hardware.prime = {
      intelBusId = "PCI:0:2:0";
      nvidiaBusId = "PCI:1:0:0";
    };
    axios.networking.tailscale.enable = true;
    system.stateVersion = "25.11";
  };
}
