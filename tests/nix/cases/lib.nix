# lib/default.nix: validateHost (exact messages), buildModules (which
# modules, which external modules, which enables), nixos-hardware selection,
# mkSystem, and the registry.
{ lib, axios, evalNixos, root, ... }:
let
  L = axios.lib;
  base = {
    hostname = "box";
    system = "x86_64-linux";
    formFactor = "desktop";
    hardware = { cpu = "amd"; gpu = "amd"; isLaptop = false; hasSSD = true; };
    modules = { system = true; networking = true; };
    extraConfig = { axios.system.timeZone = "Europe/Paris"; };
  };
  with' = f: lib.recursiveUpdate base f;
  eval = host: evalNixos (L.buildModules host);
  imported = host: (eval host).config.stubImported;
  v = L.validateHost;
in
{
  # --- registry -------------------------------------------------------------
  testEveryRegisteredModuleExists = {
    expr = builtins.filter (n: !(builtins.pathExists L.registry.${n}.module)) (builtins.attrNames L.registry);
    expected = [ ];
  };
  testNixosModulesDerivedFromRegistry = {
    expr = builtins.attrNames axios.nixosModules == builtins.attrNames L.registry;
    expected = true;
  };
  testCategories = {
    expr = L.categories;
    expected = {
      core = [ "crashDiagnostics" "hardware" ] ++ lib.optional (builtins.pathExists (root + "/nixos/services")) "services";
      flagged = [ "ai" "desktop" "development" "gaming" "graphics" "networking" "secrets" "system" "users" "virt" ];
      conditional = [ "desktopHardware" "laptopHardware" ];
    };
  };
  testFlagNames = {
    expr = L.flagNames;
    expected = [ "ai" "desktop" "development" "gaming" "graphics" "networking" "secrets" "services" "system" "users" "virt" ];
  };

  # --- validateHost: a clean host, then each mistake with its exact message --
  testValidHostHasNoProblems = { expr = v base; expected = [ ]; };
  testValidHostEvaluatesWithoutFailedAssertions = { expr = (eval base).failedAssertions; expected = [ ]; };
  testMissingHostname = {
    expr = v (removeAttrs base [ "hostname" ]);
    expected = [ "axiOS host \"<no hostname>\": hostname is required; set hostname = \"my-machine\"; (letters, digits and -)." ];
  };
  testBadHostname = {
    expr = v (base // { hostname = "my_box"; });
    expected = [ "axiOS host \"my_box\": hostname = \"my_box\" is not a valid host name; use letters, digits and - (not at either end), at most 63 characters." ];
  };
  testUnknownTopLevelKeyWithSuggestion = {
    expr = v (base // { homeProfil = "workstation"; });
    expected = [ "axiOS host \"box\": unknown key \"homeProfil\" (did you mean \"homeProfile\"?); the keys mkSystem knows are: hostname, system, formFactor, hardware, modules, homeProfile, extraConfig, hardwareConfigPath, userModulePath, virt, secrets, selfHosted." ];
  };
  testTypoedModuleFlag = {
    expr = v (with' { modules.destkop = true; });
    expected = [ "axiOS host \"box\": unknown module flag modules.destkop (did you mean \"desktop\"?); the flags are: ai, desktop, development, gaming, graphics, networking, secrets, services, system, users, virt." ];
  };
  testNonBoolFlag = {
    expr = v (with' { modules.desktop = "yes"; });
    expected = [ "axiOS host \"box\": modules.desktop = \"yes\" must be true or false." ];
  };
  testWrongFormFactorEnum = {
    expr = v (base // { formFactor = "labtop"; });
    expected = [ "axiOS host \"box\": formFactor = \"labtop\" is not one of \"desktop\", \"laptop\", \"server\" (did you mean \"laptop\"?); set formFactor to one of them." ];
  };
  testWrongGpuEnum = {
    expr = v (with' { hardware.gpu = "radeon"; });
    expected = [ "axiOS host \"box\": hardware.gpu = \"radeon\" is not one of \"amd\", \"nvidia\", \"intel\"; set hardware.gpu to one of them." ];
  };
  testUnknownHardwareKey = {
    expr = v (with' { hardware.ssd = true; });
    expected = [ "axiOS host \"box\": unknown key hardware.ssd (did you mean \"hasSSD\"?); hardware knows: cpu, gpu, vendor, isLaptop, hasSSD." ];
  };
  testLaptopFormFactorButNotLaptop = {
    expr = v (base // { formFactor = "laptop"; });
    expected = [ "axiOS host \"box\": formFactor = \"laptop\" but hardware.isLaptop = false; set hardware.isLaptop = true (or formFactor = \"desktop\")." ];
  };
  testDesktopButIsLaptop = {
    expr = v (with' { hardware.isLaptop = true; });
    expected = [ "axiOS host \"box\": formFactor = \"desktop\" but hardware.isLaptop = true; set formFactor = \"laptop\" (or hardware.isLaptop = false)." ];
  };
  testSystem76NeedsLaptop = {
    expr = v (with' { hardware.vendor = "system76"; });
    expected = [ "axiOS host \"box\": hardware.vendor = \"system76\" is for System76 laptops but formFactor = \"desktop\"; set formFactor = \"laptop\" and hardware.isLaptop = true, or remove hardware.vendor." ];
  };
  testMsiNotOnLaptop = {
    expr = v (with' { formFactor = "laptop"; hardware = { isLaptop = true; vendor = "msi"; }; });
    expected = [ "axiOS host \"box\": hardware.vendor = \"msi\" is for MSI desktop boards but this host is a laptop; remove hardware.vendor (laptops get the laptop hardware module from formFactor = \"laptop\")." ];
  };
  testAiNeedsNetworking = {
    expr = v (with' { modules = { ai = true; networking = false; }; });
    expected = [ "axiOS host \"box\": modules.ai = true needs modules.networking = true (Ollama and the AI tools need the network stack); set modules.networking = true or turn modules.ai off." ];
  };
  testGamingNeedsGraphics = {
    expr = v (with' { modules.gaming = true; });
    expected = [ "axiOS host \"box\": modules.gaming = true needs modules.graphics = true (Steam and VR need the GPU drivers); set modules.graphics = true or turn modules.gaming off." ];
  };
  testDesktopNeedsNetworking = {
    expr = v (with' { modules = { desktop = true; networking = false; }; });
    expected = [ "axiOS host \"box\": modules.desktop = true needs modules.networking = true (the desktop expects NetworkManager); set modules.networking = true or turn modules.desktop off." ];
  };
  # the graphics module asserts the GPU type (which extraConfig may set, as
  # in the original axiOS)
  testGraphicsNeedsGpu = {
    expr = (eval (with' { modules.graphics = true; hardware.gpu = null; })).failedAssertions;
    expected = [ "axios.graphics is enabled but axios.hardware.gpuType is not set: set hardware.gpu (mkSystem) or axios.hardware.gpuType to \"amd\", \"nvidia\" or \"intel\" (`axios doctor` tells which)." ];
  };
  testGraphicsGpuTypeFromExtraConfig = {
    expr = (eval (with' { modules.graphics = true; hardware.gpu = null; extraConfig.axios.hardware.gpuType = "intel"; })).failedAssertions;
    expected = [ ];
  };
  # the original axiOS accepted these silently: warnings, not assertions
  testVirtWithoutFlag = {
    expr = [ (v (base // { virt.libvirt.enable = true; })) (L.hostWarnings (base // { virt.libvirt.enable = true; })) ];
    expected = [ [ ] [ "axiOS host \"box\": virt is set but modules.virt is not true, so virt is ignored; set modules.virt = true (or remove virt)." "axiOS host \"box\": homeProfile is not set, so every user gets the \"workstation\" home profile (as in the original axiOS); set homeProfile = \"workstation\" (or \"laptop\") to say so." ] ];
  };
  testVirtFlagWithNothingEnabled = {
    expr = [ (v (with' { modules.virt = true; })) (eval (with' { modules.virt = true; })).warnings ];
    expected = [ [ ] [ "axiOS host \"box\": modules.virt = true but nothing is enabled, so it does nothing; add virt = { libvirt.enable = true; containers.enable = true; } (either or both)." "axiOS host \"box\": homeProfile is not set, so every user gets the \"workstation\" home profile (as in the original axiOS); set homeProfile = \"workstation\" (or \"laptop\") to say so." ] ];
  };
  testBadHomeProfile = {
    expr = v (base // { homeProfile = "workstaton"; });
    expected = [ "axiOS host \"box\": homeProfile = \"workstaton\" is not one of \"workstation\", \"laptop\" (did you mean \"workstation\"?); set homeProfile to one of them." ];
  };
  testMissingUserModulePath = {
    expr = v (base // { userModulePath = /nonexistent/user.nix; });
    expected = [ "axiOS host \"box\": userModulePath = /nonexistent/user.nix does not exist; fix the path (relative paths are relative to the file that calls mkSystem)." ];
  };
  testModulesNotAnAttrset = {
    expr = v (base // { modules = [ "desktop" ]; });
    expected = [ "axiOS host \"box\": modules must be an attribute set of flags like { desktop = true; networking = true; }, got a list." ];
  };
  testSeveralMistakesAllReported = {
    expr = builtins.length (v { hostname = "x"; formFactor = "tablet"; modules.gamin = true; hardware.cpu = "arm"; });
    expected = 3;
  };
  # The mistakes surface as NixOS assertions of the evaluated system
  testMistakeBecomesAssertion = {
    expr = (eval (with' { modules.destkop = true; })).failedAssertions;
    expected = v (with' { modules.destkop = true; });
  };
  testBadEnumDoesNotBreakEvaluation = {
    expr = builtins.length (eval (with' { hardware.gpu = "radeon"; formFactor = "labtop"; })).failedAssertions;
    expected = 2;
  };

  # --- buildModules ----------------------------------------------------------
  testExternalModulesForBase = {
    expr = lib.sort lib.lessThan (imported base);
    expected = [
      "home-manager.home-manager"
      "lanzaboote.lanzaboote"
      "nixos-hardware.common-cpu-amd"
      "nixos-hardware.common-cpu-amd-pstate"
      "nixos-hardware.common-gpu-amd"
      "nixos-hardware.common-pc"
      "nixos-hardware.common-pc-ssd"
    ];
  };
  testSecretsFlagImportsAgenix = {
    expr = builtins.elem "agenix.default" (imported (with' { modules.secrets = true; }));
    expected = true;
  };
  testNoSystemFlagNoLanzaboote = {
    expr = builtins.elem "lanzaboote.lanzaboote" (imported (with' { modules.system = false; }));
    expected = false;
  };
  testNixosHardwareLaptopNvidiaIntel = {
    expr = L.nixosHardwareModules (L.normalizeHost {
      hostname = "l";
      formFactor = "laptop";
      hardware = { cpu = "intel"; gpu = "nvidia"; isLaptop = true; hasSSD = true; vendor = "system76"; };
    });
    expected = [ "common-cpu-intel" "common-gpu-nvidia-nonprime" "common-pc-laptop" "common-pc-laptop-ssd" "system76" ];
  };
  testFlagsEnableTheirModules = {
    expr =
      let c = (eval (with' { modules = { desktop = true; development = true; }; })).config;
      in { inherit (c.desktop) enable; dev = c.development.enable; sys = c.axios.system.enable; net = c.axios.networking.enable; };
    expected = { enable = true; dev = true; sys = true; net = true; };
  };
  testUnflaggedModulesNotImported = {
    expr = (eval base).options ? gaming;
    expected = false;
  };
  testHardwareFactsFromHost = {
    # cpuType: the original's name, an alias of cpu (lib/compat.nix)
    expr = removeAttrs (eval base).config.axios.hardware [ "cpuType" ];
    expected = {
      cpu = "amd";
      gpuType = "amd";
      vendor = null;
      formFactor = "desktop";
      isLaptop = false;
      hasSSD = true;
      firmware.enable = true;
      desktop = { enable = true; msiSensors = false; };
    };
  };
  testConditionalDesktopHardware = {
    expr = (eval base).options.axios.hardware ? laptop;
    expected = false;
  };
  testConditionalLaptopHardware = {
    expr = (eval (with' { formFactor = "laptop"; hardware.isLaptop = true; })).config.axios.hardware.laptop.enable;
    expected = true;
  };
  testMsiVendorPullsDesktopHardware = {
    expr = (eval (with' { formFactor = null; hardware.vendor = "msi"; })).config.axios.hardware.desktop.msiSensors;
    expected = true;
  };
  testHostnameSet = { expr = (eval base).config.networking.hostName; expected = "box"; };
  testExtraConfigApplied = { expr = (eval base).config.time.timeZone; expected = "Europe/Paris"; };
  testExtraConfigList = {
    expr = let c = (eval (base // { extraConfig = [{ axios.system.timeZone = "UTC"; } ({ lib, ... }: { boot.kernelParams = lib.mkAfter [ "quiet" ]; })]; })).config; in [ c.time.timeZone c.boot.kernelParams ];
    expected = [ "UTC" [ "quiet" ] ];
  };
  testExtraConfigNotAModule = {
    expr = v (base // { extraConfig = "axios.system.timeZone = UTC"; });
    expected = [ "axiOS host \"box\": extraConfig must be a NixOS module (an attribute set, a function or a path) or a list of them, got \"axios.system.timeZone = UTC\"." ];
  };
  testVirtSettingsPassedThrough = {
    expr = (eval (with' { modules.virt = true; virt.containers.enable = true; })).config.virtualisation.podman.enable;
    expected = true;
  };
  testHomeManagerWiring = {
    expr = let hm = (eval base).config.home-manager; in { inherit (hm) useGlobalPkgs useUserPackages; shared = map (m: m._file or (toString m)) hm.sharedModules; };
    # no homeProfile: workstation, as in the original axiOS (with a warning)
    expected = { useGlobalPkgs = true; useUserPackages = true; shared = [ "stub-input:agenix-hm.default" ] ++ lib.optional ((axios.homeModules or { }) ? workstation) (toString axios.homeModules.workstation); };
  };
  testNoHomeProfileWarns = {
    expr = [ (L.hostWarnings base) (L.hostWarnings (base // { homeProfile = "laptop"; })) ];
    expected = [ [ "axiOS host \"box\": homeProfile is not set, so every user gets the \"workstation\" home profile (as in the original axiOS); set homeProfile = \"workstation\" (or \"laptop\") to say so." ] [ ] ];
  };
  # every axiOS user gets a home-manager user (the profile is a shared module),
  # with the system's stateVersion unless the user module sets one
  testAxiosUsersGetHomeManagerUsers = {
    expr =
      let
        c = (eval (with' {
          modules.users = true;
          extraConfig = { axios.users.users.zoe.isAdmin = true; system.stateVersion = "25.11"; };
        })).config;
      in
      { users = builtins.attrNames c.home-manager.users; hm = map (m: m.home.stateVersion.content or m.home.stateVersion) c.home-manager.users.zoe; };
    expected = { users = [ "zoe" ]; hm = [ "25.11" ]; };
  };
  testNoUsersModuleNoHomeManagerUsers = {
    expr = (eval base).config.home-manager.users;
    expected = { };
  };
  testHomeProfileShared = {
    expr = map (m: m._file or (toString m)) (eval (base // { homeProfile = "workstation"; })).config.home-manager.sharedModules;
    expected = [ "stub-input:agenix-hm.default" ] ++ lib.optional ((axios.homeModules or { }) ? workstation) (toString axios.homeModules.workstation);
  };
  testUserModulePathImported = {
    expr = (eval (base // { userModulePath = ./fixtures/user.nix; })).config.users.users.alice.isNormalUser;
    expected = true;
  };

  # --- mkSystem ----------------------------------------------------------------
  testMkSystemSpecialArgs = {
    expr = builtins.attrNames (L.mkSystem base).args.specialArgs;
    expected = [ "homeModules" "hostConfig" "inputs" "nixosModules" "self" ];
  };
  testMkSystemEvaluates = {
    expr = (L.mkSystem base).config.networking.hostName;
    expected = "box";
  };

  # --- a bad host never gives an obscure trace ---------------------------------
  testGarbageHostStillEvaluates = {
    expr = builtins.length (eval { hostname = 42; modules = "all"; hardware = [ ]; formFactor = 1; }).failedAssertions;
    expected = 4;
  };
}
