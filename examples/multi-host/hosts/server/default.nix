# A headless home server: Tailscale, Samba, self-hosted services behind Caddy.
{
  hostname = "server";
  system = "x86_64-linux";
  formFactor = "server";
  hardware = {
    cpu = "intel";
    gpu = "intel";
    isLaptop = false;
    hasSSD = true;
  };
  modules = {
    system = true;
    networking = true;
    users = true;
    services = true;
    virt = true;
  };
  virt.containers.enable = true;
  hardwareConfigPath = ./hardware.nix;
  userModulePath = ../../users/alice.nix;
  extraConfig = {
    axios.system.timeZone = "Europe/Berlin";
    axios.networking = {
      tailscale.enable = true;
      samba = {
        enable = true;
        shares.media = {
          path = "/srv/media";
          readOnly = true;
        };
      };
    };
    hardware.crashDiagnostics = {
      enable = true;
      treatOopsAsPanic = true;
    };
    system.stateVersion = "25.11";
  };
}
