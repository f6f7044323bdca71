# Virtual machines (libvirt/QEMU with virt-manager) and containers (Podman).
{ config, lib, pkgs, ... }:
let
  cfg = config.virt;
in
{
  imports = [ ../common/groups.nix ];

  options.virt = {
    libvirt = {
      enable = lib.mkEnableOption "libvirt/QEMU virtual machines with virt-manager";
      swtpm = lib.mkOption {
        type = lib.types.bool;
        default = true;
        example = false;
        description = "Software TPM for guests (Windows 11 needs one).";
      };
    };
    containers = {
      enable = lib.mkEnableOption "Podman containers (rootless, Docker-compatible CLI)";
      dockerCompat = lib.mkOption {
        type = lib.types.bool;
        default = true;
        example = false;
        description = "Provide a `docker` command and socket backed by Podman. Turn off if Docker itself is installed.";
      };
    };
  };

  config = lib.mkMerge [
    (lib.mkIf cfg.libvirt.enable {
      virtualisation.libvirtd = {
        enable = true;
        onBoot = "ignore";
        qemu = {
          package = pkgs.qemu_kvm;
          runAsRoot = false;
          swtpm.enable = cfg.libvirt.swtpm;
        };
      };
      virtualisation.spiceUSBRedirection.enable = true;
      programs.virt-manager.enable = true;
      axios.users.defaultGroups = [ "libvirtd" "kvm" ];
      environment.systemPackages = [ pkgs.virt-viewer pkgs.quickemu ];
    })
    (lib.mkIf cfg.containers.enable {
      virtualisation.containers.enable = true;
      virtualisation.podman = {
        enable = true;
        dockerCompat = cfg.containers.dockerCompat;
        dockerSocket.enable = cfg.containers.dockerCompat;
        defaultNetwork.settings.dns_enabled = true;
        autoPrune.enable = true;
      };
      axios.users.defaultGroups = lib.optional cfg.containers.dockerCompat "podman";
      environment.systemPackages = [ pkgs.podman-compose pkgs.distrobox pkgs.buildah pkgs.skopeo ];
    })
  ];
}
