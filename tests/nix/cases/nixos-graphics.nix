# nixos/graphics: drivers per gpuType, GPU recovery, PRIME bus IDs.
{ axios, evalNixos, hasPackage, isOn, ... }:
let
  gfx = cfg: evalNixos [ axios.nixosModules.graphics { axios.graphics.enable = true; } cfg ];
  amd = gfx { axios.hardware.gpuType = "amd"; };
  amdRecovery = gfx { axios.hardware = { gpuType = "amd"; enableGPURecovery = true; }; };
  nvidiaDesktop = gfx { axios.hardware = { gpuType = "nvidia"; nvidiaDriver = "beta"; }; };
  nvidiaLaptop = ids: gfx { axios.hardware = { gpuType = "nvidia"; isLaptop = true; prime = ids; }; };
  goodLaptop = nvidiaLaptop { nvidiaBusId = "PCI:1:0:0"; intelBusId = "PCI:0:2:0"; };
  intel = gfx { axios.hardware.gpuType = "intel"; };
in
{
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
    expr = (gfx { axios.hardware.gpuType = "amd"; axios.graphics.tools.enable = false; }).config.environment.systemPackages;
    expected = [ ];
  };
  testDisabledDoesNothing = {
    expr = (evalNixos [ axios.nixosModules.graphics { axios.hardware.gpuType = "amd"; } ]).config.boot.kernelParams;
    expected = [ ];
  };
}
