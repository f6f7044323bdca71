# VR: Steam hardware and SteamVR, wireless streaming with WiVRn and/or ALVR,
# overlays. The OpenXR runtime is left to the backend that runs (WiVRn
# replaces the active runtime while it runs; nixpkgs removed
# services.wivrn.defaultRuntime): the VR selector (axios-vr) will plug in here
# without changing these options.
{ config, lib, pkgs, ... }:
let
  cfg = config.gaming.vr;
  gpu = config.axios.hardware.gpuType;
  useWivrn = cfg.wireless.enable && builtins.elem cfg.wireless.backend [ "wivrn" "both" ];
  useAlvr = cfg.wireless.enable && builtins.elem cfg.wireless.backend [ "alvr" "both" ];
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
  ]);
}
