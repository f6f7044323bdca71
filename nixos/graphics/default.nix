# GPU drivers and tools, driven by `axios.hardware.gpuType` (./../hardware/facts.nix).
{ config, lib, pkgs, ... }:
let
  facts = config.axios.hardware;
  cfg = config.axios.graphics;
  hw = config.axios.hardware;
  prime = hw.prime;

  # NixOS PRIME bus IDs are DECIMAL `PCI:bus:device:function`, or
  # `PCI:bus@domain:device:function` for a non-zero PCI domain. lspci and
  # sysfs print hex (0000:0a:00.0 is PCI:10:0:0). nixpkgs only checks
  # `([[:print:]]+[:@][0-9]{1,3}:[0-9]{1,2}:[0-9])?`; this type is stricter
  # (decimal digits, ranges) and its name tells how to get the right value.
  # The domain gets at most 3 digits, as nixpkgs' check allows (`axios
  # doctor` says when a GPU sits on a domain that cannot be written).
  busIdRegex = "PCI:([0-9]{1,3})(@([0-9]{1,3}))?:([0-9]{1,2}):([0-9])";
  inRange = s:
    let m = builtins.match busIdRegex s;
    in m != null
      && lib.toInt (builtins.elemAt m 0) <= 255
      && lib.toInt (builtins.elemAt m 3) <= 31
      && lib.toInt (builtins.elemAt m 4) <= 7;
  busId = lib.types.addCheck lib.types.str inRange // {
    name = "pciBusId";
    description = "PCI bus ID in DECIMAL `PCI:bus:device:function` (e.g. `PCI:1:0:0`; lspci's hex `0a:00.0` is `PCI:10:0:0`; run `axios doctor` to print the IDs of this machine)";
    descriptionClass = "noun";
  };
  busIdOption = what: example: lib.mkOption {
    type = lib.types.nullOr busId;
    default = null;
    inherit example;
    description = ''
      PCI bus ID of the ${what}, in DECIMAL `PCI:bus:device:function`.
      `lspci` prints hex: `0a:00.0` is `PCI:10:0:0`. Run `axios doctor` on the
      machine: it prints the right value for every display controller.
    '';
  };
  primeActive = facts.gpuType == "nvidia" && prime.enable;

  gpuExe = lib.getExe' cfg.package "axios-gpu";
  recovery = hw.gpuRecovery;

  # `check-prime` at boot: configured bus IDs against the hardware (exit 3 names
  # each stale ID and the one to use instead; the unit fails visibly).
  checkPrimeArgs = lib.concatStringsSep " " (
    [ "--nvidia" prime.nvidiaBusId ]
    ++ lib.optionals (prime.intelBusId != null) [ "--intel" prime.intelBusId ]
    ++ lib.optionals (prime.amdgpuBusId != null) [ "--amdgpu" prime.amdgpuBusId ]
  );

  # The watcher's config: only what the user set; the program holds the defaults.
  watchSettings = { version = 1; state_dir = "/var/lib/axios-gpu"; policy = recovery.policy; }
    // lib.optionalAttrs (recovery.restartUnit != null) { restart_unit = recovery.restartUnit; }
    // lib.optionalAttrs (recovery.maxResets != null) { max_resets = recovery.maxResets; }
    // lib.optionalAttrs (recovery.window != null) { window_secs = recovery.window; }
    // lib.optionalAttrs (recovery.policy == "restart-unit") { systemctl = lib.getExe' pkgs.systemd "systemctl"; };
  watchToml = (pkgs.formats.toml { }).generate "axios-gpu-watch.toml" watchSettings;
  # Checked by the program at build time: a bad setting fails the build, not the boot.
  watchConfig = pkgs.runCommand "axios-gpu-watch.toml"
    {
      nativeBuildInputs = [ cfg.package ];
      passthru = { settings = watchSettings; toml = watchToml; };
    } ''
    axios-gpu watch --check --config ${watchToml} > /dev/null
    cp ${watchToml} $out
  '';
  dbusPolicy = pkgs.writeTextDir "share/dbus-1/system.d/org.axios.Gpu1.conf"
    (builtins.readFile ../../crates/gpu/dbus/org.axios.Gpu1.conf);

  # Shared sandbox of both units (measured with `systemd-analyze security --offline=true`).
  hardening = (import ../common/hardening.nix).system // {
    SystemCallFilter = [ "@system-service" "~@privileged @resources" ];
    IPAddressDeny = "any";
    KeyringMode = "private";
  };
in
{
  imports = [ ../hardware/facts.nix ];

  options.axios.graphics = {
    enable = lib.mkEnableOption "GPU drivers and tools for `axios.hardware.gpuType`";
    package = lib.mkPackageOption pkgs "axios-gpu" {
      example = "axios-workspace";
      extraDescription = "The `axios-gpu` GPU manager (detection, PRIME check, status, hang watcher).";
    };
    tools.enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = "Install GPU monitoring and debugging tools (nvtop, vulkan-tools, ... for the GPU type).";
    };
  };

  options.axios.hardware = {
    nvidiaDriver = lib.mkOption {
      type = lib.types.enum [ "stable" "beta" "production" "latest" ];
      default = "stable";
      example = "beta";
      description = "NVIDIA driver branch (`boot.kernelPackages.nvidiaPackages.<branch>`). Only used when `gpuType = \"nvidia\"`.";
    };
    nvidiaOpenKernelModule = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = "Use NVIDIA's open kernel module (Turing and newer). Set false for older GPUs.";
    };
    enableGPURecovery = lib.mkOption {
      type = lib.types.bool;
      default = false;
      example = true;
      description = ''
        Let the amdgpu driver reset a hung GPU instead of freezing the session
        (kernel parameter `amdgpu.gpu_recovery=1`). AMD only.
      '';
    };
    gpuRecovery = {
      policy = lib.mkOption {
        type = lib.types.enum [ "notify" "restart-unit" ];
        default = "notify";
        example = "restart-unit";
        description = ''
          What the `axios-gpu watch` service does about an AMD GPU hang it
          recorded (when `enableGPURecovery` is on): `notify` records the
          incident, logs it and emits the D-Bus `Reset` signal;
          `restart-unit` also restarts `restartUnit` after the reset lost VRAM,
          or after `maxResets` resets within `window` seconds.
        '';
      };
      restartUnit = lib.mkOption {
        type = lib.types.nullOr (lib.types.strMatching "[A-Za-z0-9:_.@-]+[.][a-z]+");
        default = null;
        example = "display-manager.service";
        description = "The unit `restart-unit` restarts, e.g. the display manager whose compositor cannot survive a GPU reset.";
      };
      maxResets = lib.mkOption {
        type = lib.types.nullOr lib.types.ints.positive;
        default = null;
        defaultText = lib.literalMD "the program's default (3)";
        example = 2;
        description = "Resets within `window` after which `restart-unit` restarts the unit even without VRAM loss.";
      };
      window = lib.mkOption {
        type = lib.types.nullOr lib.types.ints.positive;
        default = null;
        defaultText = lib.literalMD "the program's default (600 seconds)";
        example = 300;
        description = "The window, in seconds, in which `maxResets` resets are counted.";
      };
    };
    prime = {
      enable = lib.mkOption {
        type = lib.types.bool;
        default = facts.isLaptop && facts.gpuType == "nvidia";
        defaultText = lib.literalExpression ''config.axios.hardware.isLaptop && config.axios.hardware.gpuType == "nvidia"'';
        example = true;
        description = ''
          NVIDIA PRIME for hybrid graphics (an integrated GPU drives the
          display, the NVIDIA GPU renders on demand). On by default on laptops
          with `gpuType = "nvidia"`, off on desktops; needs the bus IDs below.
        '';
      };
      mode = lib.mkOption {
        type = lib.types.enum [ "offload" "sync" "reverse-sync" ];
        default = "offload";
        example = "sync";
        description = "PRIME mode: `offload` (dGPU on demand with `nvidia-offload`), `sync` (dGPU always renders), `reverse-sync`.";
      };
      nvidiaBusId = busIdOption "NVIDIA GPU" "PCI:1:0:0";
      intelBusId = busIdOption "Intel integrated GPU (set this or amdgpuBusId)" "PCI:0:2:0";
      amdgpuBusId = busIdOption "AMD integrated GPU (set this or intelBusId)" "PCI:6:0:0";
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      assertions = [
        {
          assertion = facts.gpuType != null;
          message = ''axios.graphics is enabled but axios.hardware.gpuType is not set: set hardware.gpu (mkSystem) or axios.hardware.gpuType to "amd", "nvidia" or "intel" (`axios doctor` tells which).'';
        }
        {
          assertion = hw.enableGPURecovery -> facts.gpuType == "amd";
          message = ''axios.hardware.enableGPURecovery only works with the amdgpu driver, but gpuType is ${builtins.toJSON facts.gpuType}: remove enableGPURecovery or set axios.hardware.gpuType = "amd".'';
        }
        {
          assertion = primeActive -> prime.nvidiaBusId != null && (prime.intelBusId != null || prime.amdgpuBusId != null);
          message = ''NVIDIA PRIME is enabled (axios.hardware.prime.enable, the default on laptops with an NVIDIA GPU) but the bus IDs are missing: set axios.hardware.prime.nvidiaBusId and one of intelBusId / amdgpuBusId to the DECIMAL `PCI:bus:device:function` values that `axios doctor` prints, or set axios.hardware.prime.enable = false.'';
        }
        {
          assertion = hw.enableGPURecovery && recovery.policy == "restart-unit" -> recovery.restartUnit != null;
          message = ''axios.hardware.gpuRecovery.policy = "restart-unit" needs axios.hardware.gpuRecovery.restartUnit (e.g. "display-manager.service"), or set the policy to "notify".'';
        }
        {
          assertion = primeActive -> !(prime.intelBusId != null && prime.amdgpuBusId != null);
          message = "axios.hardware.prime: set only one of intelBusId and amdgpuBusId (the integrated GPU), not both.";
        }
      ];
      hardware.graphics.enable = true;
      hardware.graphics.enable32Bit = lib.mkDefault true;
      environment.systemPackages = [ cfg.package ] ++ lib.optionals cfg.tools.enable [ pkgs.vulkan-tools pkgs.mesa-demos pkgs.libva-utils pkgs.clinfo ];
    }

    (lib.mkIf (facts.gpuType == "amd" && hw.enableGPURecovery) {
      services.dbus.packages = [ dbusPolicy ];
      systemd.services.axios-gpu-watch = {
        description = "axiOS GPU hang watcher (records amdgpu resets, applies the recovery policy)";
        documentation = [ "man:axios-gpu(1)" ];
        wantedBy = [ "multi-user.target" ];
        after = [ "dbus.service" ];
        restartTriggers = [ watchConfig ];
        serviceConfig = hardening // {
          Type = "notify";
          NotifyAccess = "main";
          ExecStart = "${gpuExe} watch --config ${watchConfig}";
          WatchdogSec = "60s";
          Restart = "on-failure";
          RestartSec = "5s";
          StateDirectory = "axios-gpu";
          StateDirectoryMode = "0700";
          # root (the D-Bus policy lets only root own org.axios.Gpu1, and restarting a
          # unit needs it) with one capability: reading /dev/kmsg (dmesg_restrict).
          CapabilityBoundingSet = [ "CAP_SYSLOG" ];
          BindReadOnlyPaths = [ "/dev/kmsg" ];
          DeviceAllow = [ "/dev/kmsg r" ];
          # netlink for kernel uevents (they are only sent to the host's network
          # namespace, so no PrivateNetwork), unix for D-Bus and systemctl.
          RestrictAddressFamilies = [ "AF_UNIX" "AF_NETLINK" ];
        };
      };
    })

    (lib.mkIf primeActive {
      systemd.services.axios-gpu-check-prime = lib.mkIf (prime.nvidiaBusId != null && (prime.intelBusId != null || prime.amdgpuBusId != null)) {
        description = "Check the configured NVIDIA PRIME bus IDs against the hardware";
        documentation = [ "man:axios-gpu(1)" ];
        wantedBy = [ "multi-user.target" ];
        serviceConfig = hardening // {
          Type = "oneshot";
          RemainAfterExit = true;
          # the result stays in /run for `axios doctor`, also when the check fails
          ExecStart = "${gpuExe} check-prime ${checkPrimeArgs} --report /run/axios-gpu/check-prime.json";
          RuntimeDirectory = "axios-gpu";
          RuntimeDirectoryMode = "0755";
          RuntimeDirectoryPreserve = true;
          DynamicUser = true;
          CapabilityBoundingSet = [ "" ];
          PrivateNetwork = true;
          PrivateUsers = true;
          RestrictAddressFamilies = [ "AF_UNIX" ];
        };
      };
    })

    (lib.mkIf (facts.gpuType == "amd") {
      boot.initrd.kernelModules = [ "amdgpu" ];
      services.xserver.videoDrivers = [ "amdgpu" ];
      hardware.amdgpu.initrd.enable = lib.mkDefault true;
      boot.kernelParams = lib.optional hw.enableGPURecovery "amdgpu.gpu_recovery=1";
      environment.systemPackages = lib.optionals cfg.tools.enable [ pkgs.radeontop pkgs.amdgpu_top pkgs.nvtopPackages.amd ];
    })

    (lib.mkIf (facts.gpuType == "nvidia") {
      services.xserver.videoDrivers = [ "nvidia" ];
      hardware.nvidia = {
        package = config.boot.kernelPackages.nvidiaPackages.${hw.nvidiaDriver};
        open = hw.nvidiaOpenKernelModule;
        modesetting.enable = true;
        powerManagement.enable = lib.mkDefault true;
        # fine-grained runtime power management needs offload (Turing+ laptops)
        powerManagement.finegrained = lib.mkDefault (primeActive && prime.mode == "offload");
        nvidiaSettings = lib.mkDefault true;
      };
      # Wayland compositors need DRM kernel modesetting
      boot.kernelParams = [ "nvidia_drm.modeset=1" "nvidia_drm.fbdev=1" ];
      environment.sessionVariables = {
        LIBVA_DRIVER_NAME = lib.mkIf (!primeActive) "nvidia";
        NVD_BACKEND = "direct";
      };
      hardware.graphics.extraPackages = [ pkgs.nvidia-vaapi-driver ];
      environment.systemPackages = lib.optionals cfg.tools.enable [ pkgs.nvtopPackages.nvidia ];
    })

    (lib.mkIf primeActive {
      hardware.nvidia.prime = {
        nvidiaBusId = lib.mkIf (prime.nvidiaBusId != null) prime.nvidiaBusId;
        intelBusId = lib.mkIf (prime.intelBusId != null) prime.intelBusId;
        amdgpuBusId = lib.mkIf (prime.amdgpuBusId != null) prime.amdgpuBusId;
        offload.enable = prime.mode == "offload";
        offload.enableOffloadCmd = prime.mode == "offload";
        sync.enable = prime.mode == "sync";
        reverseSync.enable = prime.mode == "reverse-sync";
      };
    })

    (lib.mkIf (facts.gpuType == "intel") {
      hardware.graphics.extraPackages = [ pkgs.intel-media-driver pkgs.vpl-gpu-rt ];
      environment.sessionVariables.LIBVA_DRIVER_NAME = "iHD";
      environment.systemPackages = lib.optionals cfg.tools.enable [ pkgs.intel-gpu-tools pkgs.nvtopPackages.intel ];
    })
  ]);
}
