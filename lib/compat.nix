# Option paths of the original (Nix-only) axiOS that this axiOS names
# differently or lacks, so that a host written for the original keeps
# evaluating unchanged (its `extraConfig` and user modules).
#
# One shim module per registry module (same name): buildModules imports the
# shim of every registry module it imports, so an old option path exists
# exactly when it existed in the original (e.g. `hardware.laptop.*` only with
# the laptop hardware module) and a shim never defines options of a module
# that is not there. Configurations that import `nixosModules.<name>` one by
# one can add `axios.lib.compatModules.<name>` next to it.
#
# - Renamed options (`mkRenamedOptionModule`) forward to the new path and
#   warn with the new name.
# - Options with no counterpart here are implemented by the shim; each is
#   null/off by default, so a shim is inert unless an old path is set.
#   `services.ai.local.gui` (LM Studio, dropped from axiOS) is accepted with a
#   warning and has no effect.
{ lib }:
let
  inherit (lib) mkOption types mkIf mkMerge;
  nullOr = t: example: description: mkOption {
    type = types.nullOr t;
    default = null;
    inherit example description;
  };
  renamed = from: to: lib.mkRenamedOptionModule from to;
in
{
  hardware = {
    imports = [ (renamed [ "axios" "hardware" "cpuType" ] [ "axios" "hardware" "cpu" ]) ];
  };

  crashDiagnostics = {
    imports = [ (renamed [ "hardware" "crashDiagnostics" "enableCrashDump" ] [ "hardware" "crashDiagnostics" "crashDump" "enable" ]) ];
  };

  desktopHardware = { config, ... }:
    let cfg = config.hardware.desktop;
    in {
      imports = [
        (renamed [ "hardware" "desktop" "enable" ] [ "axios" "hardware" "desktop" "enable" ])
        (renamed [ "hardware" "desktop" "enableMsiSensors" ] [ "axios" "hardware" "desktop" "msiSensors" ])
      ];
      options.hardware.desktop = {
        cpuGovernor = nullOr types.str "performance" "Original axiOS option: `powerManagement.cpuFreqGovernor` on desktops.";
        enableLogitechSupport = nullOr types.bool true "Original axiOS option: Logitech Unifying receivers (`hardware.logitech.wireless`).";
      };
      config = mkMerge [
        (mkIf (cfg.cpuGovernor != null) { powerManagement.cpuFreqGovernor = cfg.cpuGovernor; })
        (mkIf (cfg.enableLogitechSupport == true) {
          hardware.logitech.wireless = { enable = true; enableGraphical = true; };
        })
      ];
    };

  laptopHardware = { config, ... }:
    let cfg = config.hardware.laptop;
    in {
      imports = [
        (renamed [ "hardware" "laptop" "enable" ] [ "axios" "hardware" "laptop" "enable" ])
        (renamed [ "hardware" "laptop" "enableSystem76" ] [ "axios" "hardware" "laptop" "system76" "enable" ])
      ];
      options.hardware.laptop = {
        cpuGovernor = nullOr types.str "powersave" "Original axiOS option: `powerManagement.cpuFreqGovernor` on laptops.";
        enablePangolinQuirks = mkOption {
          type = types.bool;
          default = false;
          example = true;
          description = "Original axiOS option: System76 Pangolin 12 quirks (no PS/2 touchpad fallback, MediaTek Wi-Fi `disable_clc=1`).";
        };
      };
      config = mkMerge [
        (mkIf (cfg.cpuGovernor != null) { powerManagement.cpuFreqGovernor = cfg.cpuGovernor; })
        (mkIf cfg.enablePangolinQuirks {
          boot.blacklistedKernelModules = [ "psmouse" ];
          boot.extraModprobeConfig = ''
            options mt7921_common disable_clc=1
          '';
        })
      ];
    };

  system = { config, ... }:
    let
      perf = config.axios.system.performance;
      bt = config.axios.system.bluetooth;
      oomd = config.system.memory.oomd;
    in
    {
      options.axios.system = {
        bluetooth.powerOnBoot = nullOr types.bool false
          "Original axiOS option: `hardware.bluetooth.powerOnBoot`; null leaves the default.";
        performance = {
          swappiness = nullOr (types.ints.between 0 200) 10
            "Original axiOS option: the kernel's `vm.swappiness`; null leaves the default.";
          zramPercent = nullOr (types.ints.between 1 100) 25
            "Original axiOS option: compressed swap in RAM (`zramSwap`) of this percentage of memory; null leaves zram alone.";
          enableNetworkOptimizations = nullOr types.bool true
            "Original axiOS option: BBR congestion control with the `fq` queueing discipline and 1 MiB socket buffers.";
        };
      };
      options.system.memory.oomd.enable = nullOr types.bool true
        "Original axiOS option: systemd-oomd on the root, system and user slices.";
      config = mkMerge [
        (mkIf (bt.powerOnBoot != null) { hardware.bluetooth.powerOnBoot = bt.powerOnBoot; })
        (mkIf (perf.swappiness != null) { boot.kernel.sysctl."vm.swappiness" = perf.swappiness; })
        (mkIf (perf.zramPercent != null) { zramSwap = { enable = true; memoryPercent = perf.zramPercent; }; })
        (mkIf (perf.enableNetworkOptimizations == true) {
          boot.kernelModules = [ "tcp_bbr" ];
          boot.kernel.sysctl = {
            "net.core.default_qdisc" = "fq";
            "net.ipv4.tcp_congestion_control" = "bbr";
            "net.core.rmem_max" = 1048576;
            "net.core.wmem_max" = 1048576;
          };
        })
        (mkIf (oomd.enable != null) {
          systemd.oomd = {
            inherit (oomd) enable;
            enableRootSlice = oomd.enable;
            enableSystemSlice = oomd.enable;
            enableUserSlices = oomd.enable;
          };
        })
      ];
    };

  networking = { config, ... }:
    let
      samba = config.networking.samba;
      ts = config.networking.tailscale;
      backend = config.axios.networking.backend;
    in
    {
      options.axios.networking = {
        backend = nullOr (types.enum [ "iwd" "wpa_supplicant" ]) "iwd"
          "Original axiOS option: NetworkManager's Wi-Fi backend (`networking.networkmanager.wifi.backend`); null leaves the default.";
        avahi.description = mkOption {
          type = types.str;
          default = "";
          example = "Avahi mDNS/DNS-SD service discovery";
          description = "Original axiOS option, kept so old configurations evaluate; it has no effect.";
        };
      };
      imports = [ (renamed [ "networking" "samba" "enable" ] [ "axios" "networking" "samba" "enable" ]) ];
      options.networking.samba = {
        enableUserShares = mkOption {
          type = types.bool;
          default = false;
          example = true;
          description = "Original axiOS option: share `sharedDirectories` of every normal user's home as `<user>-<dir>`, for that user only.";
        };
        sharedDirectories = mkOption {
          type = types.listOf types.str;
          default = [ "Music" "Pictures" "Videos" "Documents" ];
          example = [ "Music" ];
          description = "Original axiOS option: the home directories `enableUserShares` shares.";
        };
      };
      options.networking.tailscale = {
        domain = nullOr types.str "tail1234.ts.net"
          "Original axiOS option: the tailnet's MagicDNS domain. Turns Tailscale on and makes `<hostname>.<domain>` the default `selfHosted.domain`.";
        operator = nullOr types.str "alice"
          "Original axiOS option: a user allowed to run `tailscale` without root (`--operator`).";
      };
      config = mkMerge [
        (mkIf (backend != null) { networking.networkmanager.wifi.backend = backend; })
        (mkIf samba.enableUserShares {
          axios.networking.samba.shares = lib.listToAttrs (lib.concatMap
            (u: map
              (dir: lib.nameValuePair "${u}-${dir}" {
                path = "${config.users.users.${u}.home}/${dir}";
                comment = "${u}'s ${dir}";
                validUsers = [ u ];
              })
              samba.sharedDirectories)
            (builtins.attrNames (lib.filterAttrs (_: u: u.isNormalUser or false) config.users.users)));
        })
        (mkIf (ts.domain != null) {
          axios.networking.tailscale.enable = lib.mkDefault true;
          selfHosted.domain = lib.mkDefault "${config.networking.hostName}.${ts.domain}";
        })
        (mkIf (ts.operator != null) { services.tailscale.extraSetFlags = [ "--operator=${ts.operator}" ]; })
      ];
    };

  users = { config, ... }:
    let
      user = config.axios.user;
      cfg = config.axios.users;
    in
    {
      options.axios.user = {
        name = mkOption {
          type = types.str;
          default = "";
          example = "alice";
          description = "Original axiOS option: the login name of the primary user, created as an admin in `axios.users.users`.";
        };
        fullName = mkOption {
          type = types.str;
          default = "";
          example = "Alice Liddell";
          description = "Original axiOS option: the primary user's full name (`axios.users.users.<name>.fullName`).";
        };
        email = mkOption {
          type = types.str;
          default = "";
          example = "alice@example.org";
          description = "Original axiOS option: the primary user's e-mail (`axios.users.users.<name>.email`).";
        };
      };
      options.axios.users = {
        autoGroups = mkOption {
          type = types.bool;
          default = true;
          example = false;
          description = "Original axiOS option: whether `axios.users.defaultExtraGroups` lists the groups the enabled modules ask for.";
        };
        extraGroups = mkOption {
          type = types.listOf types.str;
          default = [ ];
          example = [ "dialout" ];
          description = "Original axiOS option: groups every axiOS user joins (added to `axios.users.defaultGroups`).";
        };
        defaultExtraGroups = mkOption {
          type = types.listOf types.str;
          readOnly = true;
          default = if cfg.autoGroups then lib.unique ([ "wheel" ] ++ cfg.defaultGroups) else [ ];
          defaultText = lib.literalExpression ''[ "wheel" ] ++ config.axios.users.defaultGroups'';
          example = [ "wheel" "networkmanager" "video" ];
          description = "Original axiOS option (read-only): the groups to give hand-written `users.users.<name>.extraGroups`.";
        };
      };
      config = mkMerge [
        { axios.users.defaultGroups = cfg.extraGroups; }
        (mkIf (user.name != "") {
          axios.users.users.${user.name} = {
            fullName = mkIf (user.fullName != "") user.fullName;
            email = mkIf (user.email != "") user.email;
            isAdmin = lib.mkDefault true;
          };
        })
      ];
    };

  gaming = { config, ... }:
    let cfg = config.gaming.vr.wireless.wivrn;
    in {
      imports = [ (renamed [ "gaming" "vr" "wireless" "wivrn" "openFirewall" ] [ "gaming" "vr" "wireless" "openFirewall" ]) ];
      options.gaming.vr.wireless.wivrn = {
        autoStart = nullOr types.bool true "Original axiOS option: `services.wivrn.autoStart`.";
        defaultRuntime = nullOr types.bool true "Original axiOS option: `services.wivrn.defaultRuntime` (WiVRn as the default OpenXR runtime).";
      };
      config = mkMerge [
        (mkIf (cfg.autoStart != null) { services.wivrn.autoStart = cfg.autoStart; })
        (mkIf (cfg.defaultRuntime != null) { services.wivrn.defaultRuntime = cfg.defaultRuntime; })
      ];
    };

  ai = { config, ... }: {
    options.services.ai.local.gui = mkOption {
      type = types.bool;
      default = false;
      example = false;
      description = "Original axiOS option (LM Studio); LM Studio is no longer part of axiOS, so this has no effect.";
    };
    config.warnings = lib.optional config.services.ai.local.gui
      "services.ai.local.gui (LM Studio) is no longer part of axiOS and has no effect; remove it (Ollama stays with services.ai.local.enable).";
  };

  secrets = { config, pkgs, ... }: {
    options.secrets.installCLI = mkOption {
      type = types.bool;
      default = true;
      example = false;
      description = "Original axiOS option: install the `agenix` command when `secrets.enable` is on.";
    };
    config = mkIf (config.secrets.enable && config.secrets.installCLI) {
      environment.systemPackages = [ pkgs.agenix ];
    };
  };

  services = { config, ... }:
    let
      cfg = config.selfHosted.immich;
      tsDomain = config.networking.tailscale.domain or null;
    in
    {
      options.selfHosted.immich = {
        subdomain = nullOr types.str "photos"
          "Original axiOS option: serve Immich on `<subdomain>.<networking.tailscale.domain>` (the default of `selfHosted.immich.domain`).";
        enableGpuAcceleration = mkOption {
          type = types.bool;
          default = false;
          example = true;
          description = "Original axiOS option: let Immich use the GPU devices for transcoding and machine learning.";
        };
        gpuType = nullOr (types.enum [ "amd" "nvidia" "intel" ]) "amd"
          "Original axiOS option: the GPU `enableGpuAcceleration` uses.";
        externalLibraries = mkOption {
          type = types.attrsOf types.path;
          default = { };
          example = { pictures = "/home/alice/Pictures"; };
          description = "Original axiOS option: directories bind-mounted at `/mnt/immich-external/<name>`, to add as external libraries in Immich.";
        };
      };
      config = mkMerge [
        (mkIf (cfg.subdomain != null && tsDomain != null) {
          selfHosted.immich.domain = lib.mkDefault "${cfg.subdomain}.${tsDomain}";
        })
        (mkIf cfg.enableGpuAcceleration { services.immich.accelerationDevices = null; })
        (mkIf (cfg.enable && cfg.externalLibraries != { }) {
          fileSystems = lib.mapAttrs'
            (name: dir: lib.nameValuePair "/mnt/immich-external/${name}" {
              device = toString dir;
              fsType = "none";
              options = [ "bind" ];
            })
            cfg.externalLibraries;
          systemd.tmpfiles.rules = [ "d /mnt/immich-external 0755 immich immich -" ]
            ++ lib.mapAttrsToList (name: _: "d /mnt/immich-external/${name} 0755 immich immich -") cfg.externalLibraries;
          systemd.services.immich-server.serviceConfig.ReadWritePaths =
            lib.mapAttrsToList (name: _: "/mnt/immich-external/${name}") cfg.externalLibraries;
        })
        {
          assertions = [
            {
              assertion = cfg.subdomain == null || tsDomain != null;
              message = "selfHosted.immich.subdomain = ${builtins.toJSON cfg.subdomain} needs networking.tailscale.domain (e.g. \"tail1234.ts.net\", with modules.networking); set it, or set selfHosted.immich.domain to the full name instead.";
            }
            {
              assertion = !cfg.enableGpuAcceleration || cfg.gpuType != null;
              message = "selfHosted.immich.enableGpuAcceleration = true needs selfHosted.immich.gpuType (\"amd\", \"nvidia\" or \"intel\").";
            }
          ];
        }
      ];
    };
}
