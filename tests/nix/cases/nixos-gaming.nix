# nixos/gaming: Steam, GameMode, gamescope, nix-ld; gaming.vr.*.
{ axios, lib, pkgs, evalNixos, isDefined, hasPackage, ... }:
let
  g = cfg: evalNixos [ axios.nixosModules.gaming { gaming.enable = true; hardware.graphics.enable = true; } cfg ];
  amd = g { axios.hardware.gpuType = "amd"; };
  vr = backend: gpu: g { axios.hardware.gpuType = gpu; gaming.vr = { enable = true; wireless = { enable = true; inherit backend; }; }; };
  wivrn = vr "wivrn" "amd";
  alvr = vr "alvr" "amd";
  both = vr "both" "nvidia";
  # the axios-vr backends file: the checked file's settings, per backend x GPU
  vrFile = e: e.config.environment.etc."axios/vr.toml".source;
  selector = backend: gpu: vrFile (vr backend gpu);
  sel = extra: evalNixos [ axios.nixosModules.gaming { gaming.enable = true; hardware.graphics.enable = true; axios.hardware.gpuType = "amd"; gaming.vr = { enable = true; wireless = { enable = true; backend = "both"; }; }; } extra ];
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
    expr = isDefined (g { axios.hardware.gpuType = "nvidia"; }).config.programs.gamemode.settings.gpu.apply_gpu_optimisations;
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
      alvr = wivrn.config.programs ? alvr;
      steamHw = wivrn.config.hardware.steam-hardware.enable;
    };
    expected = { enable = true; openFirewall = true; autoStart = false; pkg = "wivrn"; cuda = false; alvr = false; steamHw = true; };
  };
  testVrAlvr = {
    expr = { alvr = alvr.config.programs.alvr.enable; fw = alvr.config.programs.alvr.openFirewall; wivrn = isDefined alvr.config.services.wivrn.enable; };
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
    expr = let c = (g { gaming.vr.enable = true; }).config; in [ (isDefined c.services.wivrn.enable) (c.programs ? alvr) ];
    expected = [ false false ];
  };
  testNvidiaWivrnUsesCuda = {
    expr = [ (both.config.services.wivrn.package.overrideArgs.cudaSupport or false) (wivrn.config.services.wivrn.package ? overrideArgs) ];
    expected = [ true false ];
  };
  testVrSelectorBackendsPerGpu = {
    expr = lib.concatMap
      (gpu: map
        (backend:
          let f = selector backend gpu; in {
            inherit backend gpu;
            backends = builtins.attrNames f.settings.backends;
            default = f.settings.default or null;
          }) [ "wivrn" "alvr" "both" ]) [ "amd" "nvidia" ];
    expected = lib.concatMap
      (gpu: [
        { inherit gpu; backend = "wivrn"; backends = [ "wivrn" ]; default = "wivrn"; }
        { inherit gpu; backend = "alvr"; backends = [ "alvr" ]; default = "alvr"; }
        { inherit gpu; backend = "both"; backends = [ "alvr" "wivrn" ]; default = null; }
      ]) [ "amd" "nvidia" ];
  };
  testVrSelectorWivrnBackendUsesTheModulesPackage = {
    expr = let b = (selector "both" "nvidia").settings.backends; in {
      cudaManifest = b.wivrn.manifest == "${both.config.services.wivrn.package}/share/openxr/1/openxr_wivrn.json";
      cuda = both.config.services.wivrn.package.overrideArgs.cudaSupport;
      inherit (b.wivrn) unit user_unit ports;
      openvr = b.wivrn.openvr_runtime == "${pkgs.xrizer}/lib/xrizer";
      alvr = b.alvr;
    };
    expected = {
      cudaManifest = true;
      cuda = true;
      unit = "wivrn.service";
      user_unit = true;
      ports = [ 9757 ];
      openvr = true;
      alvr = {
        manifest = "$XDG_DATA_HOME/Steam/steamapps/common/SteamVR/steamxr_linux64.json";
        openvr_runtime = "$XDG_DATA_HOME/Steam/steamapps/common/SteamVR";
        ports = [ 9943 9944 ];
      };
    };
  };
  testVrSelectorAmdWivrnManifest = {
    expr = (selector "wivrn" "amd").settings.backends.wivrn.manifest == "${pkgs.wivrn}/share/openxr/1/openxr_wivrn.json";
    expected = true;
  };
  testVrSelectorCheckedAtBuildTime = {
    expr = let f = selector "both" "amd"; in {
      runs = lib.hasInfix "axios-vr --config ${f.file} check" f.buildCommand;
      tool = map (p: p.pname) f.nativeBuildInputs;
      installed = hasPackage "axios-vr" both.config.environment.systemPackages;
    };
    expected = { runs = true; tool = [ "axios-vr" ]; installed = true; };
  };
  testVrSelectorMonadoAndOpenComposite = {
    expr = let f = vrFile (sel { services.monado.enable = true; services.monado.package = pkgs.monado; gaming.vr.selector = { openvrCompat = "opencomposite"; defaultBackend = "monado"; }; }); in {
      names = builtins.attrNames f.settings.backends;
      inherit (f.settings) default;
      monado = f.settings.backends.monado // { manifest = null; openvr_runtime = null; };
      compat = f.settings.backends.monado.openvr_runtime == "${pkgs.opencomposite}/lib/opencomposite";
    };
    expected = { names = [ "alvr" "monado" "wivrn" ]; default = "monado"; monado = { manifest = null; openvr_runtime = null; unit = "monado.service"; user_unit = true; }; compat = true; };
  };
  testVrSelectorLoginUnit = {
    expr = let e = sel { gaming.vr.selector = { defaultBackend = "alvr"; applyAtLogin = true; }; }; u = e.config.systemd.user.services.axios-vr-select; in {
      inherit (u) wantedBy;
      exec = u.serviceConfig.ExecStart;
      type = u.serviceConfig.Type;
      failed = e.failedAssertions;
    };
    expected = { wantedBy = [ "default.target" ]; exec = "${pkgs.axios-vr}/bin/axios-vr --config /etc/axios/vr.toml select"; type = "oneshot"; failed = [ ]; };
  };
  testVrSelectorNoLoginUnitByDefault = {
    expr = (sel { }).config.systemd.user.services ? axios-vr-select;
    expected = false;
  };
  testVrSelectorAssertions = {
    expr = [
      (sel { gaming.vr.selector.applyAtLogin = true; }).failedAssertions
      (g { axios.hardware.gpuType = "amd"; gaming.vr = { enable = true; wireless = { enable = true; backend = "wivrn"; }; selector.defaultBackend = "alvr"; }; }).failedAssertions
    ];
    expected = [
      [ "gaming.vr.selector.applyAtLogin needs a default backend: set gaming.vr.selector.defaultBackend to one of alvr, wivrn." ]
      [ "gaming.vr.selector.defaultBackend = \"alvr\" is not a configured backend (configured: wivrn): set gaming.vr.wireless.backend, enable services.monado, or pick one of those." ]
    ];
  };
  testVrSelectorNothingWithoutBackends = {
    expr = let c = (g { gaming.vr.enable = true; }).config; in [ (c.environment.etc ? "axios/vr.toml") (hasPackage "axios-vr" c.environment.systemPackages) ];
    expected = [ false false ];
  };
  testVrSelectorCanBeTurnedOff = {
    expr = (sel { gaming.vr.selector.enable = false; }).config.environment.etc ? "axios/vr.toml";
    expected = false;
  };
}
