# VR: Steam hardware and SteamVR, wireless streaming with WiVRn and/or ALVR,
# overlays, and the runtime selector `axios-vr`. nixpkgs removed
# services.wivrn.defaultRuntime and WiVRn replaces the active runtime only
# while it runs, so switching between backends is the selector's job: this
# module writes its backends file (/etc/axios/vr.toml) for the configured
# backends (wivrn, alvr, or both; monado when services.monado is enabled),
# checks it with `axios-vr check` at build time, and can apply the default
# backend at login with a user unit.
{ config, lib, pkgs, ... }:
let
  cfg = config.gaming.vr;
  sel = cfg.selector;
  gpu = config.axios.hardware.gpuType;
  useWivrn = cfg.wireless.enable && builtins.elem cfg.wireless.backend [ "wivrn" "both" ];
  useAlvr = cfg.wireless.enable && builtins.elem cfg.wireless.backend [ "alvr" "both" ];
  useMonado = config.services.monado.enable or false;

  # the OpenVR translation layer OpenXR-native backends point openvrpaths.vrpath at
  compat = {
    xrizer = "${pkgs.xrizer}/lib/xrizer";
    opencomposite = "${pkgs.opencomposite}/lib/opencomposite";
  }.${sel.openvrCompat};
  backends =
    lib.optionalAttrs useWivrn
      {
        wivrn = {
          manifest = "${config.services.wivrn.package}/share/openxr/1/openxr_wivrn.json";
          openvr_runtime = compat;
          # nixpkgs' services.wivrn runs the server as this user unit
          unit = "wivrn.service";
          user_unit = true;
          ports = [ 9757 ];
        };
      }
    // lib.optionalAttrs useAlvr {
      # ALVR is a SteamVR driver: SteamVR is both the OpenXR and the OpenVR runtime
      alvr = {
        manifest = "${sel.steamvrPath}/steamxr_linux64.json";
        openvr_runtime = sel.steamvrPath;
        ports = [ 9943 9944 ];
      };
    }
    // lib.optionalAttrs useMonado {
      monado = {
        manifest = "${config.services.monado.package}/share/openxr/1/openxr_monado.json";
        openvr_runtime = compat;
        unit = "monado.service";
        user_unit = true;
      };
    };
  names = builtins.attrNames backends;
  defaultBackend =
    if sel.defaultBackend != null then sel.defaultBackend
    else if builtins.length names == 1 then builtins.head names
    else null;
  settings = { version = 1; inherit backends; }
    // lib.optionalAttrs (defaultBackend != null) { default = defaultBackend; };
  settingsFile = (pkgs.formats.toml { }).generate "axios-vr.toml" settings;
  # the program checks its own file: a bad one fails the build, not the login
  checkedFile = pkgs.runCommand "axios-vr.toml"
    {
      nativeBuildInputs = [ sel.package ];
      passthru = { inherit settings; file = settingsFile; };
    } ''
    axios-vr --config ${settingsFile} check
    cp ${settingsFile} $out
  '';
  enabled = sel.enable && backends != { };
in
{
  options.gaming.vr = {
    enable = lib.mkEnableOption "VR gaming (SteamVR hardware support, OpenXR)";
    wireless = {
      enable = lib.mkEnableOption "wireless VR streaming to standalone headsets (Quest, Pico)";
      backend = lib.mkOption {
        type = lib.types.enum [ "wivrn" "alvr" "both" ];
        default = "wivrn";
        example = "alvr";
        description = ''
          Streaming server: `wivrn` (OpenXR native, port 9757), `alvr`
          (SteamVR driver, ports 9943-9944), or `both` installed side by side
          (run one at a time).
        '';
      };
      openFirewall = lib.mkOption {
        type = lib.types.bool;
        default = true;
        example = false;
        description = "Open the streaming ports (WiVRn 9757 TCP/UDP, ALVR 9943-9944 UDP).";
      };
    };
    selector = {
      enable = lib.mkOption {
        type = lib.types.bool;
        default = true;
        example = false;
        description = ''
          Install `axios-vr`, the runtime selector, with a backends file
          (`/etc/axios/vr.toml`) for the configured backends: `wivrn`, `alvr`
          (from `wireless.backend`) and `monado` (when `services.monado` is
          enabled). `axios-vr select wivrn` then switches the OpenXR active
          runtime, `openvrpaths.vrpath` and the backend units in one
          transaction; `axios-vr status` shows what is really active. Nothing
          is installed when no backend is configured.
        '';
      };
      package = lib.mkPackageOption pkgs "axios-vr" {
        # the workspace package has every axiOS program, `axios-vr` included
        example = "axios-workspace";
        extraDescription = "The runtime selector (`axios-vr list`, `status`, `select`, `restore`).";
      };
      defaultBackend = lib.mkOption {
        type = lib.types.nullOr (lib.types.enum [ "wivrn" "alvr" "monado" ]);
        default = null;
        example = "wivrn";
        description = ''
          The backend `axios-vr select` picks without a name, and the one
          `applyAtLogin` applies. `null`: the only configured backend when
          there is one, else none.
        '';
      };
      applyAtLogin = lib.mkOption {
        type = lib.types.bool;
        default = false;
        example = true;
        description = ''
          Run `axios-vr select` (the default backend) as a user unit at
          login, which also cleans what a crashed WiVRn left behind. Needs a
          default backend.
        '';
      };
      openvrCompat = lib.mkOption {
        type = lib.types.enum [ "xrizer" "opencomposite" ];
        default = "xrizer";
        example = "opencomposite";
        description = ''
          The OpenVR-to-OpenXR layer `openvrpaths.vrpath` points at when an
          OpenXR-native backend (WiVRn, Monado) is selected, so OpenVR games
          run on it.
        '';
      };
      steamvrPath = lib.mkOption {
        type = lib.types.str;
        default = "$XDG_DATA_HOME/Steam/steamapps/common/SteamVR";
        example = "~/.steam/steam/steamapps/common/SteamVR";
        description = ''
          Where SteamVR is installed for each user (ALVR runs on it). May
          start with `~/`, `$HOME/`, `$XDG_CONFIG_HOME/` or `$XDG_DATA_HOME/`,
          expanded by `axios-vr` for the user who runs it.
        '';
      };
    };
    overlays = lib.mkOption {
      type = lib.types.bool;
      default = false;
      example = true;
      description = "Install VR desktop overlays (wlx-overlay-s).";
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      assertions = [{
        assertion = config.gaming.enable;
        message = "gaming.vr.enable needs gaming.enable = true (Steam provides SteamVR): set gaming.enable = true (mkSystem: modules.gaming = true).";
      }];
      hardware.steam-hardware.enable = true;
      environment.systemPackages = [ pkgs.android-tools ]
        ++ lib.optional cfg.overlays pkgs.wlx-overlay-s;
    }
    (lib.mkIf useWivrn {
      services.wivrn = {
        enable = true;
        openFirewall = cfg.wireless.openFirewall;
        autoStart = lib.mkDefault false;
        # CUDA encoding on NVIDIA; VAAPI otherwise
        package = if gpu == "nvidia" then pkgs.wivrn.override { cudaSupport = true; } else pkgs.wivrn;
      };
    })
    (lib.mkIf useAlvr {
      programs.alvr = {
        enable = true;
        openFirewall = cfg.wireless.openFirewall;
      };
    })
    (lib.mkIf enabled {
      assertions = [
        {
          assertion = sel.defaultBackend == null || backends ? ${sel.defaultBackend};
          message = "gaming.vr.selector.defaultBackend = \"${toString sel.defaultBackend}\" is not a configured backend (configured: ${lib.concatStringsSep ", " names}): set gaming.vr.wireless.backend, enable services.monado, or pick one of those.";
        }
        {
          assertion = !sel.applyAtLogin || defaultBackend != null;
          message = "gaming.vr.selector.applyAtLogin needs a default backend: set gaming.vr.selector.defaultBackend to one of ${lib.concatStringsSep ", " names}.";
        }
      ];
      environment.systemPackages = [ sel.package ];
      environment.etc."axios/vr.toml".source = checkedFile;
      systemd.user.services.axios-vr-select = lib.mkIf sel.applyAtLogin {
        description = "Select the default VR backend (axios-vr)";
        documentation = [ "man:axios-vr(1)" ];
        wantedBy = [ "default.target" ];
        after = [ "dbus.socket" ];
        restartTriggers = [ checkedFile ];
        # user units: only what needs no user namespace (docs/NOTES.md)
        serviceConfig = (import ../common/hardening.nix).user // {
          Type = "oneshot";
          RemainAfterExit = true;
          ExecStart = "${lib.getExe sel.package} --config /etc/axios/vr.toml select";
          RestrictAddressFamilies = [ "AF_UNIX" ];
          SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ];
          CapabilityBoundingSet = "";
          UMask = "0022";
        };
      };
    })
  ]);
}
