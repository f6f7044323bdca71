# Host configurations written for the original (Nix-only) axiOS must keep
# working unchanged (issue 5). Each host below has the SHAPE of a real one:
# the original's examples (multi-host desktop/laptop/server, minimal-flake,
# Nov 2025 with disko, Dec 2025 without), its documented extraConfig option
# paths (docs/LIBRARY_USAGE.md, docs/configuration-options.md,
# modules/*/README.md), and downstream hosts (a dual-boot MSI desktop and a
# System76 laptop with Secure Boot). They go through our real buildModules
# (and mkSystem) as mkSystem would give them to nixosSystem.
{ lib, axios, evalNixosWith, homeOfNixos, inputs, hasPackage, ... }:
let
  L = axios.lib;
  fx = ./compat-fixtures;
  # what mkSystem passes (specialArgs) and the modules it builds
  evalWith = extraModules: host: evalNixosWith {
    modules = L.buildModules host ++ extraModules;
    specialArgs = { inherit inputs; inherit (inputs) self; hostConfig = host; };
  };
  eval = evalWith [ ];
  tz = { axios.system.timeZone = "America/New_York"; };

  # --- the original's examples/multi-host (Nov 2025) --------------------------
  sharedConfig = {
    modules = {
      system = true;
      desktop = true;
      development = true;
      graphics = true;
      networking = true;
      users = true;
      services = false;
      virt = false;
      gaming = false;
    };
  };
  desktopHost = sharedConfig // {
    hostname = "desktop";
    system = "x86_64-linux";
    formFactor = "desktop";
    hardware = { cpu = "amd"; gpu = "amd"; hasSSD = true; isLaptop = false; };
    homeProfile = "workstation";
    userModulePath = fx + "/user.nix";
    diskConfigPath = fx + "/disks-plain.nix";
    extraConfig = tz;
  };
  laptopHost = sharedConfig // {
    hostname = "laptop";
    system = "x86_64-linux";
    formFactor = "laptop";
    hardware = { cpu = "intel"; gpu = "intel"; hasSSD = true; isLaptop = true; };
    homeProfile = "laptop";
    userModulePath = fx + "/user.nix";
    diskConfigPath = fx + "/disks-plain.nix";
    extraConfig = tz;
  };
  # a server as the original spelled it: formFactor "desktop" (the original
  # had no "server"), modules.virt without a virt set, services without selfHosted
  serverHost = {
    hostname = "server";
    system = "x86_64-linux";
    formFactor = "desktop";
    hardware = { cpu = "intel"; gpu = "intel"; hasSSD = true; isLaptop = false; };
    modules = {
      system = true;
      desktop = false;
      development = true;
      graphics = false;
      networking = true;
      users = true;
      services = true;
      virt = true;
      gaming = false;
    };
    homeProfile = "workstation";
    userModulePath = fx + "/user.nix";
    diskConfigPath = fx + "/disks-plain.nix";
    extraConfig = tz // {
      networking.tailscale.domain = "example-tailnet.ts.net";
      services.openssh.enable = true;
    };
  };

  # --- the original's examples/minimal-flake ----------------------------------
  # userModulePath as a string (self.outPath + "/user.nix"), no vendor
  minimalHost = {
    hostname = "mycomputer";
    system = "x86_64-linux";
    formFactor = "desktop";
    hardware = { cpu = "amd"; gpu = "amd"; hasSSD = true; isLaptop = false; };
    modules = {
      system = true;
      desktop = true;
      development = true;
      services = false;
      graphics = true;
      networking = true;
      users = true;
      virt = false;
      gaming = false;
    };
    homeProfile = "workstation";
    userModulePath = toString fx + "/user.nix";
    diskConfigPath = fx + "/disks-plain.nix";
    extraConfig = tz // { time.hardwareClockInLocalTime = true; };
  };
  # the smallest host the original accepted: system, networking and users
  # were on unless turned off
  bareHost = {
    hostname = "bare";
    formFactor = "desktop";
    hardware = { cpu = "intel"; gpu = "intel"; };
    modules.desktop = true;
    extraConfig = tz;
  };

  # --- downstream hosts (shape of the author's own machines) -----------------
  # MSI desktop, dual boot, Secure Boot, every module, AI
  msiDesktop = {
    hostname = "edge";
    system = "x86_64-linux";
    formFactor = "desktop";
    hardware = { vendor = "msi"; cpu = "amd"; gpu = "amd"; hasSSD = true; isLaptop = false; };
    modules = {
      system = true;
      desktop = true;
      development = true;
      services = true;
      graphics = true;
      networking = true;
      users = true;
      virt = true;
      gaming = true;
      ai = true;
    };
    virt = { libvirt.enable = true; containers.enable = true; };
    homeProfile = "workstation";
    userModulePath = fx + "/user-self.nix";
    extraConfig = tz // {
      time.hardwareClockInLocalTime = true;
      boot.lanzaboote.enableSecureBoot = true;
    };
    diskConfigPath = fx + "/disks-plain.nix";
  };
  # System76 laptop, Secure Boot, no gaming; the extraConfig the original's
  # hardware README documents
  system76Laptop = {
    hostname = "pangolin";
    system = "x86_64-linux";
    formFactor = "laptop";
    hardware = { vendor = "system76"; cpu = "amd"; gpu = "amd"; hasSSD = true; isLaptop = true; };
    modules = {
      system = true;
      desktop = true;
      development = true;
      services = true;
      graphics = true;
      networking = true;
      users = true;
      virt = true;
      gaming = false;
    };
    virt = { libvirt.enable = true; containers.enable = true; };
    homeProfile = "laptop";
    userModulePath = fx + "/user-self.nix";
    extraConfig = tz // {
      boot.lanzaboote.enableSecureBoot = true;
      hardware.laptop = {
        enable = true;
        enablePangolinQuirks = true;
        cpuGovernor = "powersave";
      };
    };
    diskConfigPath = fx + "/disks-plain.nix";
  };

  # --- the option paths the original's docs set through extraConfig ----------
  tunedDesktop = {
    hostname = "tuned";
    system = "x86_64-linux";
    formFactor = "desktop";
    hardware = { vendor = "msi"; cpu = "amd"; gpu = "amd"; hasSSD = true; isLaptop = false; };
    modules = {
      system = true;
      desktop = true;
      graphics = true;
      networking = true;
      users = true;
      gaming = true;
      ai = true;
      secrets = true;
      services = true;
    };
    secrets.secretsDir = fx + "/secrets";
    selfHosted = {
      immich = {
        enable = true;
        enableGpuAcceleration = true;
        gpuType = "amd";
        subdomain = "photos";
      };
    };
    homeProfile = "workstation";
    userModulePath = fx + "/user.nix";
    hardwareConfigPath = fx + "/disks-plain.nix";
    extraConfig = { pkgs, ... }: {
      imports = [{ environment.systemPackages = [ pkgs.htop ]; }];
      axios.system = {
        timeZone = "America/Los_Angeles";
        locale = "en_GB.UTF-8";
        bluetooth.powerOnBoot = false;
        performance = { swappiness = 1; zramPercent = 10; enableNetworkOptimizations = true; };
      };
      axios.hardware = { enableGPURecovery = true; nvidiaDriver = "stable"; };
      axios.networking.backend = "iwd";
      axios.users.extraGroups = [ "dialout" ];
      hardware.crashDiagnostics = {
        enable = true;
        rebootOnPanic = 30;
        treatOopsAsPanic = true;
        enableCrashDump = false;
      };
      hardware.desktop = { cpuGovernor = "performance"; enableLogitechSupport = true; enableMsiSensors = false; };
      networking.tailscale = { domain = "tail1234.ts.net"; operator = "carol"; };
      networking.samba = { enable = true; enableUserShares = true; sharedDirectories = [ "Music" "Pictures" ]; };
      services.ai.local = {
        enable = true;
        models = [ "qwen3-coder:30b" ];
        rocmOverrideGfx = "10.3.0";
        gui = true;
        cli = true;
      };
      gaming.vr = {
        enable = true;
        wireless = {
          enable = true;
          backend = "wivrn";
          wivrn = { autoStart = true; defaultRuntime = true; openFirewall = true; };
        };
        overlays = true;
      };
      selfHosted.caddy.routes.grafana = {
        domain = "tuned.tail1234.ts.net";
        path = "/grafana/*";
        target = "http://127.0.0.1:3000";
        priority = 100;
        extraConfig = ''
          flush_interval -1
        '';
      };
      system.memory.oomd.enable = true;
      axios.user = { name = "erin"; fullName = "Erin Example"; email = "erin@example.org"; };
    };
  };

  # Oct 2025: NixOS services given as a host key, applied with modules.services
  octoberHost = bareHost // {
    hostname = "october";
    modules = { desktop = true; services = true; };
    services.openssh.enable = true;
  };

  # Nov 2025: a disko disks.nix (disko came with the original until 2025-12-10)
  diskoHost = desktopHost // { hostname = "disko"; diskConfigPath = fx + "/disks-disko.nix"; };
  # a stand-in for disko's NixOS module (declares disko.devices)
  diskoModule = { lib, ... }: {
    options.disko.devices = lib.mkOption { type = lib.types.attrsOf lib.types.anything; default = { }; description = "stub"; };
  };

  e = {
    desktop = eval desktopHost;
    laptop = eval laptopHost;
    server = eval serverHost;
    minimal = eval minimalHost;
    bare = eval bareHost;
    msi = eval msiDesktop;
    system76 = eval system76Laptop;
    tuned = eval tunedDesktop;
    october = eval octoberHost;
  };
  c = lib.mapAttrs (_: v: v.config) e;
in
{
  # --- every host: no validation problem, no failed assertion -----------------
  testNoValidationProblems = {
    expr = map L.validateHost [ desktopHost laptopHost serverHost minimalHost bareHost msiDesktop system76Laptop tunedDesktop octoberHost diskoHost ];
    expected = [ [ ] [ ] [ ] [ ] [ ] [ ] [ ] [ ] [ ] [ ] ];
  };
  # issue 14: the original's init templates declared the user as `axios.user`;
  # they get a home-manager user, so the host's profile reaches them
  testAxiosUserGetsTheProfile = {
    expr =
      let h = homeOfNixos e.tuned "erin";
      in { hm = c.tuned.home-manager.users ? erin; user = h.config.home.username; profile = h.config.axios.profile; };
    expected = { hm = true; user = "erin"; profile = "workstation"; };
  };
  testNoFailedAssertions = {
    expr = lib.mapAttrs (_: v: v.failedAssertions) e;
    expected = lib.mapAttrs (_: _: [ ]) e;
  };

  # --- diskConfigPath -----------------------------------------------------------
  testDiskConfigPathImported = {
    expr = map (x: x.fileSystems."/".fsType) [ c.desktop c.laptop c.server c.minimal c.msi c.system76 ];
    expected = [ "ext4" "ext4" "ext4" "ext4" "ext4" "ext4" ];
  };
  testDiskoWithoutDiskoExplains = {
    expr = (eval diskoHost).failedAssertions;
    expected = [ "diskConfigPath = ${toString fx}/disks-disko.nix is a disko configuration (disko.devices), but disko's NixOS module is not imported (axiOS no longer ships disko). Add the input `disko.url = \"github:nix-community/disko\";` to your flake and `extraConfig.imports = [ inputs.disko.nixosModules.disko ];`, or replace the file with your hardware-configuration.nix (fileSystems) and pass it as hardwareConfigPath." ];
  };
  testDiskoWithDiskoPassesThrough = {
    expr =
      let r = evalWith [ diskoModule ] diskoHost;
      in [ r.failedAssertions r.config.disko.devices.disk.main.device ];
    expected = [ [ ] "/dev/nvme0n1" ];
  };
  testDiskoViaExtraConfigImports = {
    expr = (eval (diskoHost // { extraConfig = tz // { imports = [ diskoModule ]; }; })).config.disko.devices.disk.main.content.type;
    expected = "gpt";
  };
  testMissingDiskConfigPath = {
    expr = L.validateHost (desktopHost // { diskConfigPath = /nonexistent/disks.nix; });
    expected = [ "axiOS host \"desktop\": diskConfigPath = /nonexistent/disks.nix does not exist; fix the path (relative paths are relative to the file that calls mkSystem)." ];
  };

  # --- the multi-host example ------------------------------------------------------
  testMultiHostHostnames = {
    expr = map (x: x.networking.hostName) [ c.desktop c.laptop c.server ];
    expected = [ "desktop" "laptop" "server" ];
  };
  testMultiHostModules = {
    expr = {
      desktop = [ c.desktop.desktop.enable c.desktop.development.enable c.desktop.axios.graphics.enable c.desktop.selfHosted.enable ];
      laptop = [ c.laptop.axios.hardware.laptop.enable c.laptop.axios.hardware.isLaptop ];
      server = [ (e.server.options ? desktop) c.server.development.enable c.server.selfHosted.enable ];
    };
    expected = {
      desktop = [ true true true false ];
      laptop = [ true true ];
      server = [ false true true ];
    };
  };
  testServerTimeZoneAndUser = {
    expr = [ c.server.time.timeZone c.server.users.users.carol.isNormalUser c.server.services.openssh.enable ];
    expected = [ "America/New_York" true true ];
  };
  testServerVirtFlagAloneIsAWarning = {
    expr = e.server.warnings;
    expected = [ "axiOS host \"server\": modules.virt = true but nothing is enabled, so it does nothing; add virt = { libvirt.enable = true; containers.enable = true; } (either or both)." ];
  };
  testServerTailscaleDomain = {
    expr = [ c.server.axios.networking.tailscale.enable c.server.selfHosted.domain ];
    expected = [ true "server.example-tailnet.ts.net" ];
  };
  testHomeProfiles = {
    expr = map (x: builtins.length x.home-manager.sharedModules) [ c.desktop c.laptop ];
    expected = lib.optionals (axios.homeModules != null) [ 2 2 ];
  };
  testUserModuleHomeManager = {
    expr = (builtins.head c.desktop.home-manager.users.carol).programs.git.settings.user.email;
    expected = "carol@example.org";
  };

  # --- minimal ------------------------------------------------------------------
  testMinimalStringUserModulePath = {
    expr = [ c.minimal.users.users.carol.isNormalUser c.minimal.time.hardwareClockInLocalTime (builtins.elem "carol" c.minimal.nix.settings.trusted-users) ];
    expected = [ true true true ];
  };
  testBareHostGetsSystemNetworkingUsers = {
    expr = [ c.bare.axios.system.enable c.bare.axios.networking.enable c.bare.axios.users.enable c.bare.desktop.enable ];
    expected = [ true true true true ];
  };
  testSystemOffMeansNoSystemModule = {
    expr = (eval (bareHost // { modules = { desktop = false; system = false; }; })).config.axios.system.enable or "absent";
    expected = "absent";
  };

  # --- downstream hosts --------------------------------------------------------------
  testMsiDesktop = {
    expr = {
      secureBoot = c.msi.boot.lanzaboote.enableSecureBoot;
      localTime = c.msi.time.hardwareClockInLocalTime;
      msiSensors = c.msi.axios.hardware.desktop.msiSensors;
      ai = c.msi.services.ai.enable;
      gaming = c.msi.gaming.enable;
      libvirt = c.msi.virtualisation.libvirtd.enable;
      podman = c.msi.virtualisation.podman.enable;
      self = c.msi.environment.etc."axios-flake".text;
      sessionHost = (builtins.head c.msi.home-manager.users.dave).home.sessionVariables.HOST_NAME;
    };
    expected = {
      secureBoot = true;
      localTime = true;
      msiSensors = true;
      ai = true;
      gaming = true;
      libvirt = true;
      podman = true;
      self = "self";
      sessionHost = "edge";
    };
  };
  testSystem76Laptop = {
    expr = {
      system76 = c.system76.axios.hardware.laptop.system76.enable;
      secureBoot = c.system76.boot.lanzaboote.enableSecureBoot;
      psmouse = builtins.elem "psmouse" c.system76.boot.blacklistedKernelModules;
      wifi = lib.hasInfix "options mt7921_common disable_clc=1" c.system76.boot.extraModprobeConfig;
      governor = c.system76.powerManagement.cpuFreqGovernor;
    };
    expected = { system76 = true; secureBoot = true; psmouse = true; wifi = true; governor = "powersave"; };
  };
  # hardware.laptop.enable was set by the original's lib; setting it again is
  # a renamed option (a warning naming the new path)
  testRenamedOptionWarns = {
    expr = builtins.any (lib.hasInfix "axios.hardware.laptop.enable") e.system76.warnings;
    expected = true;
  };

  # --- the original's documented option paths ----------------------------------------
  testCrashDiagnostics = {
    expr = {
      panic = builtins.filter (lib.hasPrefix "panic=") c.tuned.boot.kernelParams;
      oops = builtins.elem "oops=panic" c.tuned.boot.kernelParams;
      dump = c.tuned.hardware.crashDiagnostics.crashDump.enable;
    };
    expected = { panic = [ "panic=30" ]; oops = true; dump = false; };
  };
  testRebootOnPanicZeroFreezes = {
    expr = builtins.filter (lib.hasPrefix "panic=") (eval (bareHost // { extraConfig = tz // { hardware.crashDiagnostics = { enable = true; rebootOnPanic = 0; }; }; })).config.boot.kernelParams;
    expected = [ ];
  };
  testSystemPerformance = {
    expr = {
      inherit (c.tuned.time) timeZone;
      locale = c.tuned.i18n.defaultLocale;
      swappiness = c.tuned.boot.kernel.sysctl."vm.swappiness";
      bbr = c.tuned.boot.kernel.sysctl."net.ipv4.tcp_congestion_control";
      zram = c.tuned.zramSwap.memoryPercent;
      bt = c.tuned.hardware.bluetooth.powerOnBoot;
      oomd = c.tuned.systemd.oomd.enableUserSlices;
      wifi = c.tuned.networking.networkmanager.wifi.backend;
      htop = hasPackage "htop" c.tuned.environment.systemPackages;
    };
    expected = {
      timeZone = "America/Los_Angeles";
      locale = "en_GB.UTF-8";
      swappiness = 1;
      bbr = "bbr";
      zram = 10;
      bt = false;
      oomd = true;
      wifi = "iwd";
      htop = true;
    };
  };
  testHardwareAndGraphics = {
    expr = {
      recovery = builtins.elem "amdgpu.gpu_recovery=1" c.tuned.boot.kernelParams;
      msiSensors = c.tuned.axios.hardware.desktop.msiSensors;
      governor = c.tuned.powerManagement.cpuFreqGovernor;
      logitech = c.tuned.hardware.logitech.wireless.enable;
      cpuAlias = c.tuned.axios.hardware.cpuType;
    };
    expected = { recovery = true; msiSensors = false; governor = "performance"; logitech = true; cpuAlias = "amd"; };
  };
  testTailscaleSambaUsers = {
    expr = {
      tailscale = c.tuned.axios.networking.tailscale.enable;
      operator = c.tuned.services.tailscale.extraSetFlags;
      samba = c.tuned.axios.networking.samba.enable;
      shares = builtins.attrNames c.tuned.axios.networking.samba.shares;
      musicPath = c.tuned.axios.networking.samba.shares.carol-Music.path;
      erin = { inherit (c.tuned.axios.users.users.erin) fullName email isAdmin; };
      dialout = builtins.elem "dialout" c.tuned.users.users.erin.extraGroups;
      defaultExtraGroups = builtins.elem "wheel" c.tuned.axios.users.defaultExtraGroups;
    };
    expected = {
      tailscale = true;
      operator = [ "--operator=carol" ];
      samba = true;
      shares = [ "carol-Music" "carol-Pictures" "erin-Music" "erin-Pictures" ];
      musicPath = "/home/carol/Music";
      erin = { fullName = "Erin Example"; email = "erin@example.org"; isAdmin = true; };
      dialout = true;
      defaultExtraGroups = true;
    };
  };
  testAiLocal = {
    expr = {
      inherit (c.tuned.services.ai.local) enable models rocmOverrideGfx cli;
      ollama = c.tuned.services.ollama.enable;
      lmStudioWarning = builtins.any (lib.hasInfix "LM Studio") e.tuned.warnings;
    };
    expected = { enable = true; models = [ "qwen3-coder:30b" ]; rocmOverrideGfx = "10.3.0"; cli = true; ollama = true; lmStudioWarning = true; };
  };
  testVrWivrn = {
    expr = { inherit (c.tuned.services.wivrn) enable autoStart defaultRuntime; open = c.tuned.gaming.vr.wireless.openFirewall; };
    expected = { enable = true; autoStart = true; defaultRuntime = true; open = true; };
  };
  testSelfHostedImmichAndRoutes = {
    expr = {
      immichDomain = c.tuned.selfHosted.immich.domain;
      accel = c.tuned.services.immich.accelerationDevices;
      grafana = { inherit (c.tuned.selfHosted.caddy.routes.grafana) domain path target priority; };
      selfHosted = c.tuned.selfHosted.enable;
    };
    expected = {
      immichDomain = "photos.tail1234.ts.net";
      accel = null;
      grafana = { domain = "tuned.tail1234.ts.net"; path = "/grafana/*"; target = "http://127.0.0.1:3000"; priority = 100; };
      selfHosted = true;
    };
  };
  testSecrets = {
    expr = {
      age = builtins.attrNames c.tuned.age.secrets;
      cli = hasPackage "agenix" c.tuned.environment.systemPackages;
    };
    expected = { age = [ "wifi" ]; cli = true; };
  };

  testImmichExternalLibraries = {
    expr =
      let
        x = (eval (tunedDesktop // {
          selfHosted.immich = tunedDesktop.selfHosted.immich // { externalLibraries.pictures = "/home/carol/Pictures"; };
        })).config;
      in
      {
        mount = { inherit (x.fileSystems."/mnt/immich-external/pictures") device fsType options; };
        rw = x.systemd.services.immich-server.serviceConfig.ReadWritePaths;
      };
    expected = {
      mount = { device = "/home/carol/Pictures"; fsType = "none"; options = [ "bind" ]; };
      rw = [ "/mnt/immich-external/pictures" ];
    };
  };

  # docs/configuration-options.md: the hardware facts set as options
  testHardwareFactsAsOptions = {
    expr =
      let
        r = eval (bareHost // {
          hostname = "facts";
          hardware = { hasSSD = true; };
          modules = { graphics = true; };
          extraConfig = lib.recursiveUpdate tz { axios.hardware = { gpuType = "amd"; cpuType = "amd"; isLaptop = false; }; };
        });
      in
      [ r.failedAssertions r.config.axios.hardware.cpu r.config.axios.hardware.gpuType (builtins.any (lib.hasInfix "axios.hardware.cpu") r.warnings) ];
    expected = [ [ ] "amd" "amd" true ];
  };

  # --- module arguments the original gave (user modules may take them) --------------------
  testSpecialArgsOfTheOriginal = {
    expr = let a = (L.mkSystem bareHost).args.specialArgs; in [ (a ? self) (a ? inputs) (a ? nixosModules) (a ? homeModules) ];
    expected = [ true true true true ];
  };

  # --- October 2025 shapes ---------------------------------------------------------------
  testOctoberServicesKey = {
    expr = [ c.october.services.openssh.enable c.october.selfHosted.enable ];
    expected = [ true true ];
  };
  testRemovedServiceExplained = {
    expr = L.validateHost (octoberHost // { services = { caddy-proxy.enable = true; }; });
    expected = [ "axiOS host \"october\": services.caddy-proxy belonged to the original axiOS's first services module, which the original removed in November 2025; remove services.caddy-proxy (self-hosted services are selfHosted.* now, e.g. selfHosted.enable and selfHosted.caddy.routes)." ];
  };
  testServicesKeyWithoutFlagWarns = {
    expr = L.hostWarnings (bareHost // { services.openssh.enable = true; });
    expected = [
      "axiOS host \"bare\": homeProfile is not set, so every user gets the \"workstation\" home profile (as in the original axiOS); set homeProfile = \"workstation\" (or \"laptop\") to say so."
      "axiOS host \"bare\": services is ignored because modules.services is not true (as in the original axiOS); set modules.services = true or move the settings into extraConfig."
    ];
  };
  # an Oct 2025 downstream host set no time zone: the original hard-coded
  # one until 2025-11-07 and required axios.system.timeZone after; so do we
  testNoTimeZoneIsTheOnlyProblem = {
    expr = (eval (msiDesktop // { extraConfig = { time.hardwareClockInLocalTime = true; boot.lanzaboote.enableSecureBoot = true; }; })).failedAssertions;
    expected = [ "axios.system.timeZone is required: set it to your time zone, e.g. axios.system.timeZone = \"America/New_York\"; (list them with `timedatectl list-timezones`)." ];
  };

  # --- host inputs (Jan 2026) merged into the modules' inputs ----------------------------
  testHostInputsMerged = {
    expr = let s = (L.mkSystem (bareHost // { inputs = { my-flake = { marker = 1; }; }; })).args.specialArgs.inputs; in [ (s ? my-flake) (s ? home-manager) ];
    expected = [ true true ];
  };

  # --- real typos are still caught -----------------------------------------------------------
  testTypoStillCaught = {
    expr = L.validateHost (desktopHost // { diskConfigPth = ./compat-fixtures/disks-plain.nix; });
    expected = [ "axiOS host \"desktop\": unknown key \"diskConfigPth\" (did you mean \"diskConfigPath\"?); the keys mkSystem knows are: hostname, system, formFactor, hardware, modules, homeProfile, extraConfig, hardwareConfigPath, userModulePath, virt, secrets, selfHosted." ];
  };
  testLaterOriginalKeysExplained = {
    expr = L.validateHost (bareHost // { users = [ "keith" ]; modules = { desktop = true; pim = true; }; });
    expected = [
      "axiOS host \"bare\": users lists users by name (a 2026 addition of the original axiOS); define them with axios.users.users.<name> in extraConfig or userModulePath."
      "axiOS host \"bare\": modules.pim: the axios-ai-mail PIM module of the 2026 original is not part of axiOS; the desktop module has the GNOME PIM backends (desktop.pim.enable)."
    ];
  };
}
