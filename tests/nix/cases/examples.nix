# examples/: every host of the example flakes, through the real
# buildModules, evaluated with the stubs; the flakes' outputs with a stub
# `axios` input; the home-manager users with their profile.
{ lib, axios, evalNixos, evalHomeWith, hasPackage, root, ... }:
let
  ex = root + "/examples";
  host = path: import path;
  eval = path: evalNixos (axios.lib.buildModules (host path));
  minimal = eval (ex + "/minimal-flake/host.nix");
  desktop = eval (ex + "/multi-host/hosts/desktop");
  laptop = eval (ex + "/multi-host/hosts/laptop");
  server = eval (ex + "/multi-host/hosts/server");
  servicesReady = builtins.pathExists (root + "/nixos/services");
  # the flakes' `outputs` with our lib standing in for the axios input
  outputs = flake: (import flake).outputs { self = { }; axios = { inherit (axios) lib; }; nixpkgs = { }; };
  # the home-manager configuration of a user, as home-manager would build it
  homeOf = e: user: evalHomeWith {
    modules = e.config.home-manager.sharedModules ++ e.config.home-manager.users.${user}
      ++ [{ home.username = user; }];
    specialArgs = e.config.home-manager.extraSpecialArgs;
  };
in
{
  testHostsAreValid = {
    expr = map (p: axios.lib.validateHost (host p)) [
      (ex + "/minimal-flake/host.nix")
      (ex + "/multi-host/hosts/desktop")
      (ex + "/multi-host/hosts/laptop")
      (ex + "/multi-host/hosts/server")
    ];
    expected = [ [ ] [ ] [ ] [ ] ];
  };
  testNoFailedAssertions = {
    expr = {
      minimal = minimal.failedAssertions;
      desktop = desktop.failedAssertions;
      laptop = laptop.failedAssertions;
    } // lib.optionalAttrs servicesReady { server = server.failedAssertions; };
    expected = { minimal = [ ]; desktop = [ ]; laptop = [ ]; } // lib.optionalAttrs servicesReady { server = [ ]; };
  };
  testNoWarnings = {
    expr = map (e: e.warnings) [ minimal desktop laptop ];
    expected = [ [ ] [ ] [ ] ];
  };
  testMinimal = {
    expr = let c = minimal.config; in {
      host = c.networking.hostName;
      tz = c.time.timeZone;
      niri = c.programs.niri.enable;
      gpu = c.services.xserver.videoDrivers;
      alice = { inherit (c.users.users.alice) isNormalUser description; wheel = builtins.elem "wheel" c.users.users.alice.extraGroups; nm = builtins.elem "networkmanager" c.users.users.alice.extraGroups; };
      boot = c.fileSystems."/boot".fsType;
      sd = c.boot.loader.systemd-boot.enable;
    };
    expected = {
      host = "workstation";
      tz = "America/New_York";
      niri = true;
      gpu = [ "amdgpu" ];
      alice = { isNormalUser = true; description = "Alice Liddell"; wheel = true; nm = true; };
      boot = "vfat";
      sd = true;
    };
  };
  testDesktop = {
    expr = let c = desktop.config; in {
      params = lib.sort lib.lessThan c.boot.kernelParams;
      msi = builtins.elem "nct6687" c.boot.kernelModules;
      steam = c.programs.steam.enable;
      wivrn = c.services.wivrn.enable;
      ollama = { inherit (c.services.ollama) rocmOverrideGfx loadModels; pkg = c.services.ollama.package.pname; };
      # axios-ollama-preload pulls and warms them instead of loadModels
      preloadModels = c.environment.etc."axios/ollama/preload.toml".source.env.passthru.settings.models;
      libvirt = c.virtualisation.libvirtd.enable;
      ollamaRoute = { inherit (c.selfHosted.caddy.routes.ollama) domain path target; };
      caddyCertUser = c.services.tailscale.permitCertUid;
      # what the build-time compositor gets: the registry JSON with the route
      registry = builtins.attrNames (builtins.fromJSON c.services.caddy.configFile.routes.text);
      groups = lib.sort lib.lessThan c.users.users.alice.extraGroups;
      hw = lib.sort lib.lessThan (builtins.filter (lib.hasPrefix "nixos-hardware.") c.stubImported);
    };
    expected = {
      params = [ "amdgpu.gpu_recovery=1" "panic=30" "softlockup_panic=1" ];
      msi = true;
      steam = true;
      wivrn = true;
      ollama = { rocmOverrideGfx = "11.0.0"; loadModels = [ ]; pkg = "ollama-rocm"; };
      preloadModels = [ "qwen3:14b" "qwen3:4b" ];
      libvirt = true;
      ollamaRoute = { domain = "desktop.tail1234.ts.net"; path = "/ollama/*"; target = "http://127.0.0.1:11435"; };
      caddyCertUser = "caddy";
      registry = [ "ollama" ];
      groups = [ "audio" "gamemode" "input" "kvm" "libvirtd" "networkmanager" "podman" "video" "wheel" ];
      hw = [ "nixos-hardware.common-cpu-amd" "nixos-hardware.common-cpu-amd-pstate" "nixos-hardware.common-gpu-amd" "nixos-hardware.common-pc" "nixos-hardware.common-pc-ssd" ];
    };
  };
  testLaptop = {
    expr = let c = laptop.config; in {
      prime = { inherit (c.hardware.nvidia.prime) intelBusId nvidiaBusId; offload = c.hardware.nvidia.prime.offload.enable; };
      secureBoot = c.boot.lanzaboote.enable;
      sd = c.boot.loader.systemd-boot.enable;
      s76 = c.hardware.system76.enableAll;
      tailscale = c.services.tailscale.enable;
      agenix = builtins.elem "agenix.default" c.stubImported;
      hw = lib.sort lib.lessThan (builtins.filter (lib.hasPrefix "nixos-hardware.") c.stubImported);
      profile = map toString (builtins.filter builtins.isPath c.home-manager.sharedModules);
    };
    expected = {
      prime = { intelBusId = "PCI:0:2:0"; nvidiaBusId = "PCI:1:0:0"; offload = true; };
      secureBoot = true;
      sd = false;
      s76 = true;
      tailscale = true;
      agenix = true;
      hw = [ "nixos-hardware.common-cpu-intel" "nixos-hardware.common-gpu-nvidia-nonprime" "nixos-hardware.common-pc-laptop" "nixos-hardware.common-pc-laptop-ssd" "nixos-hardware.system76" ];
      profile = [ (toString (root + "/home/profiles/laptop.nix")) ];
    };
  };
  testServer = {
    expr = let c = server.config; in {
      desktop = server.options ? desktop;
      samba = c.services.samba.settings.media.path;
      podman = c.virtualisation.podman.enable;
      crash = builtins.elem "oops=panic" c.boot.kernelParams;
      media = hasPackage "intel-media-driver" c.hardware.graphics.extraPackages;
    } // lib.optionalAttrs servicesReady { selfHosted = c.selfHosted.enable; };
    expected = { desktop = false; samba = "/srv/media"; podman = true; crash = true; media = false; }
      // lib.optionalAttrs servicesReady { selfHosted = true; };
  };
  testFlakeOutputs = {
    expr = {
      minimal = builtins.attrNames (outputs (ex + "/minimal-flake/flake.nix")).nixosConfigurations;
      multi = lib.mapAttrs (_: s: s.config.networking.hostName) (outputs (ex + "/multi-host/flake.nix")).nixosConfigurations;
    };
    expected = {
      minimal = [ "workstation" ];
      multi = { desktop = "desktop"; laptop = "laptop"; server = "server"; };
    };
  };
  testHomeProfilesEvaluate = {
    expr = map (e: (homeOf e "alice").config.home.username) [ minimal laptop ];
    expected = [ "alice" "alice" ];
  };
}
