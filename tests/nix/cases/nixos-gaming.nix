# nixos/gaming: Steam, GameMode, gamescope, nix-ld; gaming.vr.*.
{ axios, evalNixos, isSet, hasPackage, ... }:
let
  g = cfg: evalNixos [ axios.nixosModules.gaming { gaming.enable = true; hardware.graphics.enable = true; } cfg ];
  amd = g { axios.hardware.gpuType = "amd"; };
  vr = backend: gpu: g { axios.hardware.gpuType = gpu; gaming.vr = { enable = true; wireless = { enable = true; inherit backend; }; }; };
  wivrn = vr "wivrn" "amd";
  alvr = vr "alvr" "amd";
  both = vr "both" "nvidia";
in
{
  testSteam = {
    expr = let s = amd.config.programs.steam; in {
      inherit (s) enable;
      remote = s.remotePlay.openFirewall;
      session = s.gamescopeSession.enable;
      proton = map (p: p.pname) s.extraCompatPackages;
    };
    expected = { enable = true; remote = true; session = true; proton = [ "proton-ge-bin" ]; };
  };
  testGamemodeAmdGpuOptimisations = {
    expr = amd.config.programs.gamemode.settings.gpu.apply_gpu_optimisations;
    expected = "accept-responsibility";
  };
  testGamemodeNoGpuSectionOnNvidia = {
    expr = (g { axios.hardware.gpuType = "nvidia"; }).config.programs.gamemode.settings ? gpu;
    expected = false;
  };
  testGamescopeNixLdGroups = {
    expr = {
      gamescope = amd.config.programs.gamescope.capSysNice;
      nixld = amd.config.programs.nix-ld.enable;
      groups = amd.config.axios.users.defaultGroups;
      mangohud = hasPackage "mangohud" amd.config.environment.systemPackages;
      failed = amd.failedAssertions;
    };
    expected = { gamescope = true; nixld = true; groups = [ "gamemode" ]; mangohud = true; failed = [ ]; };
  };
  testGamingNeedsGraphics = {
    expr = (evalNixos [ axios.nixosModules.gaming { gaming.enable = true; } ]).failedAssertions;
    expected = [ "gaming needs GPU drivers: enable the graphics module (mkSystem: modules.graphics = true; or axios.graphics.enable = true with axios.hardware.gpuType), or set hardware.graphics.enable = true yourself." ];
  };
  testGamingWithGraphicsModule = {
    expr = (evalNixos [ axios.nixosModules.gaming axios.nixosModules.graphics { gaming.enable = true; axios.graphics.enable = true; axios.hardware.gpuType = "amd"; } ]).failedAssertions;
    expected = [ ];
  };
  testVrWivrn = {
    expr = {
      inherit (wivrn.config.services.wivrn) enable openFirewall autoStart;
      pkg = wivrn.config.services.wivrn.package.pname;
      cuda = wivrn.config.services.wivrn.package ? cudaSupport;
      alvr = isSet wivrn "programs.alvr.enable";
      steamHw = wivrn.config.hardware.steam-hardware.enable;
    };
    expected = { enable = true; openFirewall = true; autoStart = false; pkg = "wivrn"; cuda = false; alvr = false; steamHw = true; };
  };
  testVrAlvr = {
    expr = { alvr = alvr.config.programs.alvr.enable; fw = alvr.config.programs.alvr.openFirewall; wivrn = isSet alvr "services.wivrn.enable"; };
    expected = { alvr = true; fw = true; wivrn = false; };
  };
  testVrBothWithCudaOnNvidia = {
    expr = { wivrn = both.config.services.wivrn.enable; alvr = both.config.programs.alvr.enable; warnings = both.warnings; };
    expected = { wivrn = true; alvr = true; warnings = [ ]; };
  };
  testVrBadBackend = {
    expr = (vr "monado" "amd").config.gaming.vr.wireless.backend;
    expectedError = "gaming.vr.wireless.backend' is not of type `one of \"wivrn\", \"alvr\", \"both\"'";
  };
  testVrOverlays = {
    expr = hasPackage "wlx-overlay-s" (g { gaming.vr = { enable = true; overlays = true; }; }).config.environment.systemPackages;
    expected = true;
  };
  testVrNeedsGaming = {
    expr = (evalNixos [ axios.nixosModules.gaming { gaming.vr.enable = true; } ]).failedAssertions;
    expected = [ "gaming.vr.enable needs gaming.enable = true (Steam provides SteamVR): set gaming.enable = true (mkSystem: modules.gaming = true)." ];
  };
  testVrWirelessOffNoServers = {
    expr = let e = g { gaming.vr.enable = true; }; in [ (isSet e "services.wivrn.enable") (isSet e "programs.alvr.enable") ];
    expected = [ false false ];
  };
  testNvidiaWivrnUsesCuda = {
    expr = [ (both.config.services.wivrn.package.overrideArgs.cudaSupport or false) (wivrn.config.services.wivrn.package ? overrideArgs) ];
    expected = [ true false ];
  };
}
