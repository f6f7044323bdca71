# nixos/graphics: drivers per gpuType, GPU recovery, PRIME bus IDs.
{ axios, evalNixos, hasPackage, isOn, lib, pkgs, ... }:
let
  gfx = cfg: evalNixos [ axios.nixosModules.graphics { axios.graphics.enable = true; } cfg ];
  amd = gfx { axios.hardware.gpuType = "amd"; };
  amdRecovery = gfx { axios.hardware = { gpuType = "amd"; enableGPURecovery = true; }; };
  nvidiaDesktop = gfx { axios.hardware = { gpuType = "nvidia"; nvidiaDriver = "beta"; }; };
  nvidiaLaptop = ids: gfx { axios.hardware = { gpuType = "nvidia"; isLaptop = true; prime = ids; }; };
  goodLaptop = nvidiaLaptop { nvidiaBusId = "PCI:1:0:0"; intelBusId = "PCI:0:2:0"; };
  intel = gfx { axios.hardware.gpuType = "intel"; };
  amdDesktopRecovery = gfx {
    axios.hardware = {
      gpuType = "amd";
      enableGPURecovery = true;
      gpuRecovery = { policy = "restart-unit"; restartUnit = "display-manager.service"; maxResets = 2; };
    };
  };
  svc = e: e.config.systemd.services;
  hasGpuTool = e: hasPackage "axios-gpu" e.config.environment.systemPackages;
in
{
  # An NVIDIA laptop with PRIME: check-prime runs at boot with the configured IDs, no watcher.
  testNvidiaLaptopChecksPrimeAtBoot = {
    expr = {
      exec = (svc goodLaptop).axios-gpu-check-prime.serviceConfig.ExecStart;
      type = (svc goodLaptop).axios-gpu-check-prime.serviceConfig.Type;
      dynamicUser = (svc goodLaptop).axios-gpu-check-prime.serviceConfig.DynamicUser;
      wantedBy = (svc goodLaptop).axios-gpu-check-prime.wantedBy;
      watcher = (svc goodLaptop) ? axios-gpu-watch;
      tool = hasGpuTool goodLaptop;
    };
    expected = {
      exec = "${goodLaptop.config.axios.graphics.package}/bin/axios-gpu check-prime --nvidia PCI:1:0:0 --intel PCI:0:2:0 --report /run/axios-gpu/check-prime.json";
      type = "oneshot";
      dynamicUser = true;
      wantedBy = [ "multi-user.target" ];
      watcher = false;
      tool = true;
    };
  };
  testAmdApuLaptopCheckPrimeUsesAmdgpuId = {
    expr = let e = nvidiaLaptop { nvidiaBusId = "PCI:1:0:0"; amdgpuBusId = "PCI:6:0:0"; }; in lib.hasInfix "check-prime --nvidia PCI:1:0:0 --amdgpu PCI:6:0:0 --report" (svc e).axios-gpu-check-prime.serviceConfig.ExecStart;
    expected = true;
  };
  testNoCheckPrimeWithoutPrime = {
    expr = [ ((svc nvidiaDesktop) ? axios-gpu-check-prime) ((svc amd) ? axios-gpu-check-prime) ((svc amd) ? axios-gpu-watch) ];
    expected = [ false false false ];
  };
  # An AMD desktop with recovery: the watcher with the policy, its checked config, the D-Bus policy.
  testAmdDesktopRecoveryWatcher = {
    expr =
      let
        s = (svc amdDesktopRecovery).axios-gpu-watch;
        conf = s.serviceConfig;
        checked = amdDesktopRecovery.config.systemd.services.axios-gpu-watch.restartTriggers;
      in
      {
        inherit (conf) Type NotifyAccess WatchdogSec StateDirectory CapabilityBoundingSet RestrictAddressFamilies DeviceAllow BindReadOnlyPaths ProtectSystem;
        exec = lib.hasPrefix "${amdDesktopRecovery.config.axios.graphics.package}/bin/axios-gpu watch --config " conf.ExecStart;
        settings = (builtins.head checked).settings;
        check = lib.hasInfix "axios-gpu watch --check --config" (builtins.head checked).buildCommand;
        dbus = map (p: p.path) amdDesktopRecovery.config.services.dbus.packages;
        params = amdDesktopRecovery.config.boot.kernelParams;
        tool = hasGpuTool amdDesktopRecovery;
        failed = amdDesktopRecovery.failedAssertions;
      };
    expected = {
      Type = "notify";
      NotifyAccess = "main";
      WatchdogSec = "60s";
      StateDirectory = "axios-gpu";
      CapabilityBoundingSet = [ "CAP_SYSLOG" ];
      RestrictAddressFamilies = [ "AF_UNIX" "AF_NETLINK" ];
      DeviceAllow = [ "/dev/kmsg r" ];
      BindReadOnlyPaths = [ "/dev/kmsg" ];
      ProtectSystem = "strict";
      exec = true;
      settings = {
        version = 1;
        state_dir = "/var/lib/axios-gpu";
        policy = "restart-unit";
        restart_unit = "display-manager.service";
        max_resets = 2;
        systemctl = "${pkgs.systemd}/bin/systemctl";
      };
      check = true;
      dbus = [ "share/dbus-1/system.d/org.axios.Gpu1.conf" ];
      params = [ "amdgpu.gpu_recovery=1" ];
      tool = true;
      failed = [ ];
    };
  };
  testRecoveryNotifyKeepsProgramDefaults = {
    expr = (builtins.head (svc amdRecovery).axios-gpu-watch.restartTriggers).settings;
    expected = { version = 1; state_dir = "/var/lib/axios-gpu"; policy = "notify"; };
  };
  testRestartUnitNeedsAUnit = {
    expr = (gfx { axios.hardware = { gpuType = "amd"; enableGPURecovery = true; gpuRecovery.policy = "restart-unit"; }; }).failedAssertions;
    expected = [ "axios.hardware.gpuRecovery.policy = \"restart-unit\" needs axios.hardware.gpuRecovery.restartUnit (e.g. \"display-manager.service\"), or set the policy to \"notify\"." ];
  };
  testRestartUnitNameChecked = {
    expr = (gfx { axios.hardware = { gpuType = "amd"; enableGPURecovery = true; gpuRecovery = { policy = "restart-unit"; restartUnit = "--now; reboot"; }; }; }).config.axios.hardware.gpuRecovery.restartUnit;
    expectedError = "is not of type";
  };
  # An Intel machine: the tool, no PRIME check, no watcher, no D-Bus policy.
  testIntelMachine = {
    expr = {
      tool = hasGpuTool intel;
      units = builtins.filter (n: lib.hasPrefix "axios-gpu" n) (builtins.attrNames (svc intel));
      dbus = intel.config.services.dbus.packages;
    };
    expected = { tool = true; units = [ ]; dbus = [ ]; };
  };
  testAmdDriver = {
    expr = {
      inherit (amd.config.services.xserver) videoDrivers;
      initrd = amd.config.boot.initrd.kernelModules;
      graphics = amd.config.hardware.graphics.enable;
      params = amd.config.boot.kernelParams;
      tools = hasPackage "radeontop" amd.config.environment.systemPackages;
      failed = amd.failedAssertions;
    };
    expected = { videoDrivers = [ "amdgpu" ]; initrd = [ "amdgpu" ]; graphics = true; params = [ ]; tools = true; failed = [ ]; };
  };
  testGpuRecoveryKernelParam = {
    expr = amdRecovery.config.boot.kernelParams;
    expected = [ "amdgpu.gpu_recovery=1" ];
  };
  testGpuRecoveryNeedsAmd = {
    expr = (gfx { axios.hardware = { gpuType = "nvidia"; enableGPURecovery = true; }; }).failedAssertions;
    expected = [ "axios.hardware.enableGPURecovery only works with the amdgpu driver, but gpuType is \"nvidia\": remove enableGPURecovery or set axios.hardware.gpuType = \"amd\"." ];
  };
  testGpuTypeRequired = {
    expr = (gfx { }).failedAssertions;
    expected = [ "axios.graphics is enabled but axios.hardware.gpuType is not set: set hardware.gpu (mkSystem) or axios.hardware.gpuType to \"amd\", \"nvidia\" or \"intel\" (`axios doctor` tells which)." ];
  };
  testNvidiaDesktop = {
    expr = {
      inherit (nvidiaDesktop.config.services.xserver) videoDrivers;
      params = nvidiaDesktop.config.boot.kernelParams;
      driver = nvidiaDesktop.config.hardware.nvidia.package.version;
      open = nvidiaDesktop.config.hardware.nvidia.open;
      modesetting = nvidiaDesktop.config.hardware.nvidia.modesetting.enable;
      primeOffload = isOn nvidiaDesktop "hardware.nvidia.prime.offload.enable";
      libva = nvidiaDesktop.config.environment.sessionVariables.LIBVA_DRIVER_NAME;
      failed = nvidiaDesktop.failedAssertions;
    };
    expected = {
      videoDrivers = [ "nvidia" ];
      params = [ "nvidia_drm.modeset=1" "nvidia_drm.fbdev=1" ];
      driver = "beta";
      open = true;
      modesetting = true;
      primeOffload = false;
      libva = "nvidia";
      failed = [ ];
    };
  };
  testPrimeOnLaptopByDefault = {
    expr = {
      inherit (goodLaptop.config.hardware.nvidia.prime) nvidiaBusId intelBusId amdgpuBusId;
      offload = goodLaptop.config.hardware.nvidia.prime.offload.enable;
      cmd = goodLaptop.config.hardware.nvidia.prime.offload.enableOffloadCmd;
      sync = goodLaptop.config.hardware.nvidia.prime.sync.enable;
      finegrained = goodLaptop.config.hardware.nvidia.powerManagement.finegrained;
      failed = goodLaptop.failedAssertions;
    };
    expected = {
      nvidiaBusId = "PCI:1:0:0";
      intelBusId = "PCI:0:2:0";
      amdgpuBusId = "";
      offload = true;
      cmd = true;
      sync = false;
      finegrained = true;
      failed = [ ];
    };
  };
  testPrimeSyncMode = {
    expr = let c = (gfx { axios.hardware = { gpuType = "nvidia"; prime = { enable = true; mode = "sync"; nvidiaBusId = "PCI:10:0:0"; amdgpuBusId = "PCI:6:0:0"; }; }; }).config.hardware.nvidia.prime; in [ c.sync.enable c.offload.enable c.amdgpuBusId c.nvidiaBusId ];
    expected = [ true false "PCI:6:0:0" "PCI:10:0:0" ];
  };
  testPrimeDomainBusIdAccepted = {
    expr = (nvidiaLaptop { nvidiaBusId = "PCI:1@1:0:0"; amdgpuBusId = "PCI:6:0:0"; }).config.hardware.nvidia.prime.nvidiaBusId;
    expected = "PCI:1@1:0:0";
  };
  testPrimeMissingBusIds = {
    expr = (nvidiaLaptop { }).failedAssertions;
    expected = [ "NVIDIA PRIME is enabled (axios.hardware.prime.enable, the default on laptops with an NVIDIA GPU) but the bus IDs are missing: set axios.hardware.prime.nvidiaBusId and one of intelBusId / amdgpuBusId to the DECIMAL `PCI:bus:device:function` values that `axios doctor` prints, or set axios.hardware.prime.enable = false." ];
  };
  testPrimeBothIntegratedIds = {
    expr = (nvidiaLaptop { nvidiaBusId = "PCI:1:0:0"; intelBusId = "PCI:0:2:0"; amdgpuBusId = "PCI:6:0:0"; }).failedAssertions;
    expected = [ "axios.hardware.prime: set only one of intelBusId and amdgpuBusId (the integrated GPU), not both." ];
  };
  testPrimeOffOnDesktop = {
    expr = nvidiaDesktop.config.axios.hardware.prime.enable;
    expected = false;
  };
  testHexBusIdRejected = {
    expr = (nvidiaLaptop { nvidiaBusId = "PCI:0a:00:0"; intelBusId = "PCI:0:2:0"; }).config.axios.hardware.prime.nvidiaBusId;
    expectedError = "is not of type `null or PCI bus ID in DECIMAL `PCI:bus:device:function` (e.g. `PCI:1:0:0`; lspci's hex `0a:00.0` is `PCI:10:0:0`; run `axios doctor` to print the IDs of this machine)'";
  };
  testSysfsStyleBusIdRejected = {
    expr = (nvidiaLaptop { nvidiaBusId = "0000:01:00.0"; intelBusId = "PCI:0:2:0"; }).config.axios.hardware.prime.nvidiaBusId;
    expectedError = "axios.hardware.prime.nvidiaBusId' is not of type";
  };
  testOutOfRangeBusIdRejected = {
    expr = (nvidiaLaptop { nvidiaBusId = "PCI:1:32:0"; intelBusId = "PCI:0:2:0"; }).config.axios.hardware.prime.nvidiaBusId;
    expectedError = "run `axios doctor` to print the IDs";
  };
  # Our type is stricter than nixpkgs' regex (which the stub reproduces):
  # every ID we accept, nixpkgs accepts too; hex and sysfs forms are refused.
  testOurBusIdTypeIsStricterThanNixpkgs =
    let
      ours = (gfx { axios.hardware.gpuType = "nvidia"; }).options.axios.hardware.prime.nvidiaBusId.type.check;
      nixpkgs = id: builtins.match "([[:print:]]+[:@][0-9]{1,3}:[0-9]{1,2}:[0-9])?" id != null;
      candidates = [
        "PCI:1:0:0"
        "PCI:10:0:0"
        "PCI:255:31:7"
        "PCI:1@1:0:0"
        "PCI:1@999:0:0"
        "PCI:1@4096:0:0"
        "PCI:0a:00:0"
        "0000:01:00.0"
        "PCI:256:0:0"
        "PCI:1:32:0"
        "PCI:1:0:8"
        "pci:1:0:0"
        "1:0:0"
        ""
      ];
    in
    {
      expr = map (id: { inherit id; ours = ours id; nixpkgs = nixpkgs id; }) candidates;
      expected = map
        (id: { inherit id; ours = builtins.elem id [ "PCI:1:0:0" "PCI:10:0:0" "PCI:255:31:7" "PCI:1@1:0:0" "PCI:1@999:0:0" ]; nixpkgs = nixpkgs id; })
        candidates;
    };
  testAcceptedIdsPassNixpkgsRegex = {
    expr = map (id: builtins.match "([[:print:]]+[:@][0-9]{1,3}:[0-9]{1,2}:[0-9])?" id != null) [ "PCI:1:0:0" "PCI:10:0:0" "PCI:255:31:7" "PCI:1@1:0:0" "PCI:1@999:0:0" ];
    expected = [ true true true true true ];
  };
  testIntel = {
    expr = {
      va = intel.config.environment.sessionVariables.LIBVA_DRIVER_NAME;
      media = hasPackage "intel-media-driver" intel.config.hardware.graphics.extraPackages;
      top = hasPackage "intel-gpu-tools" intel.config.environment.systemPackages;
    };
    expected = { va = "iHD"; media = true; top = true; };
  };
  testToolsOff = {
    expr = map (p: p.pname or p.name) (gfx { axios.hardware.gpuType = "amd"; axios.graphics.tools.enable = false; }).config.environment.systemPackages;
    expected = [ "axios-gpu" ];
  };
  testDisabledDoesNothing = {
    expr = (evalNixos [ axios.nixosModules.graphics { axios.hardware.gpuType = "amd"; } ]).config.boot.kernelParams;
    expected = [ ];
  };
}
