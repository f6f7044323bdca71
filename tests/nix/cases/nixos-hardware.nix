# nixos/hardware (core), desktopHardware, laptopHardware, crashDiagnostics.
{ lib, axios, evalNixos, hasPackage, isSet, ... }:
let
  hw = cfg: evalNixos [ axios.nixosModules.hardware cfg ];
  amdSsd = hw { axios.hardware = { cpu = "amd"; hasSSD = true; }; };
  desk = cfg: evalNixos [ axios.nixosModules.hardware axios.nixosModules.desktopHardware { axios.hardware.desktop.enable = true; } cfg ];
  lap = cfg: evalNixos [ axios.nixosModules.hardware axios.nixosModules.laptopHardware { axios.hardware.laptop.enable = true; } cfg ];
  crash = cfg: evalNixos [ axios.nixosModules.crashDiagnostics { hardware.crashDiagnostics.enable = true; } cfg ];
in
{
  testAmdCpuAndSsd = {
    expr = {
      microcode = amdSsd.config.hardware.cpu.amd.updateMicrocode;
      kvm = amdSsd.config.boot.kernelModules;
      trim = amdSsd.config.services.fstrim.enable;
      fw = amdSsd.config.hardware.enableRedistributableFirmware;
      fwupd = amdSsd.config.services.fwupd.enable;
      doctor = hasPackage "axios" amdSsd.config.environment.systemPackages;
    };
    expected = { microcode = true; kvm = [ "kvm-amd" ]; trim = true; fw = true; fwupd = true; doctor = true; };
  };
  testIntelCpu = {
    expr = (hw { axios.hardware.cpu = "intel"; }).config.boot.kernelModules;
    expected = [ "kvm-intel" ];
  };
  testNoFactsNoTrim = {
    expr = isSet (hw { }) "services.fstrim.enable";
    expected = false;
  };
  testBadCpuEnum = {
    expr = (hw { axios.hardware.cpu = "arm"; }).config.axios.hardware.cpu;
    expectedError = "axios.hardware.cpu' is not of type `null or one of \"amd\", \"intel\"'";
  };
  testFirmwareOptOut = {
    expr = isSet (hw { axios.hardware.firmware.enable = false; }) "services.fwupd.enable";
    expected = false;
  };
  testMsiDesktop = {
    expr = let c = (desk { axios.hardware.vendor = "msi"; }).config; in {
      mods = c.boot.kernelModules;
      blacklist = c.boot.blacklistedKernelModules;
      pkgs = map (p: p.name) c.boot.extraModulePackages;
      gov = c.powerManagement.cpuFreqGovernor;
    };
    expected = { mods = [ "nct6687" ]; blacklist = [ "nct6775" ]; pkgs = [ "nct6687d-default" ]; gov = "performance"; };
  };
  testGenericDesktopNoMsiSensors = {
    expr = (desk { }).config.boot.kernelModules;
    expected = [ ];
  };
  testLaptop = {
    expr = let e = lap { axios.hardware.cpu = "intel"; }; c = e.config; in {
      ppd = c.services.power-profiles-daemon.enable;
      thermald = c.services.thermald.enable;
      lid = c.services.logind.settings.Login.HandleLidSwitch;
      s76 = isSet e "hardware.system76.enableAll";
    };
    expected = { ppd = true; thermald = true; lid = "suspend"; s76 = false; };
  };
  testSystem76Laptop = {
    expr = let c = (lap { axios.hardware.vendor = "system76"; axios.hardware.laptop.lidSwitch = "hibernate"; }).config; in {
      all = c.hardware.system76.enableAll;
      ppd = c.services.power-profiles-daemon.enable;
      lid = c.services.logind.settings.Login.HandleLidSwitch;
    };
    expected = { all = true; ppd = false; lid = "hibernate"; };
  };
  testCrashDefaults = {
    expr = let c = (crash { }).config; in {
      params = c.boot.kernelParams;
      sysctl = c.boot.kernel.sysctl."kernel.hung_task_panic";
      dump = c.boot.crashDump.enable;
    };
    expected = { params = [ "panic=30" "softlockup_panic=1" ]; sysctl = 1; dump = false; };
  };
  testCrashAllOn = {
    expr = (crash { hardware.crashDiagnostics = { panicTimeout = 5; treatOopsAsPanic = true; detectHangs = false; crashDump.enable = true; }; }).config.boot.kernelParams;
    expected = [ "panic=5" "oops=panic" ];
  };
  testCrashPanicTimeoutRange = {
    expr = (crash { hardware.crashDiagnostics.panicTimeout = 0; }).config.boot.kernelParams;
    expectedError = "hardware.crashDiagnostics.panicTimeout' is not of type `integer between 1 and 3600";
  };
  testCrashOffByDefault = {
    expr = (evalNixos [ axios.nixosModules.crashDiagnostics ]).config.boot.kernelParams;
    expected = [ ];
  };
  testFactsImportedOnce = {
    # facts.nix is imported by several modules; the module system dedups it
    expr = (evalNixos [ axios.nixosModules.hardware axios.nixosModules.graphics axios.nixosModules.gaming axios.nixosModules.ai { axios.hardware.gpuType = "amd"; } ]).config.axios.hardware.gpuType;
    expected = "amd";
  };
  testLibUsesFacts = {
    expr = lib.isFunction axios.nixosModules.desktopHardware || builtins.isPath axios.nixosModules.desktopHardware;
    expected = true;
  };
}
