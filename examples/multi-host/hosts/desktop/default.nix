# A gaming and AI desktop: AMD CPU and GPU on an MSI board.
{
  hostname = "desktop";
  system = "x86_64-linux";
  formFactor = "desktop";
  hardware = {
    vendor = "msi";
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
    services = true;
  };
  # Ollama published on the tailnet at https://desktop.tail1234.ts.net/ollama/
  selfHosted.domain = "desktop.tail1234.ts.net";
  virt = {
    libvirt.enable = true;
    containers.enable = true;
  };
  homeProfile = "workstation";
  hardwareConfigPath = ./hardware.nix;
  userModulePath = ../../users/alice.nix;
  extraConfig = {
    axios.system.timeZone = "Europe/Berlin";
    axios.hardware.enableGPURecovery = true;
    hardware.crashDiagnostics.enable = true;
    gaming.vr = {
      enable = true;
      wireless = {
        enable = true;
        backend = "wivrn";
      };
    };
    services.ai.local = {
      enable = true;
      rocmOverrideGfx = "11.0.0";
      models = [ "qwen3:14b" "qwen3:4b" ];
      # the proxy checks this bearer token (a secret outside the store, e.g. agenix)
      ollamaReverseProxy = { enable = true; tokenFile = "/run/agenix/ollama-token"; };
    };
    # the *.ts.net certificate comes from Tailscale
    axios.networking.tailscale.enable = true;
    system.stateVersion = "25.11";
  };
}
