# The axiOS NixOS module registry: the ONE place a module is registered.
#
#   <name> = {
#     module   = ./path;                 # the module (flake output nixosModules.<name>)
#     category = "core" | "flagged" | "conditional";
#       core:        always imported by lib.buildModules (inert until configured)
#       flagged:     imported when the host sets `modules.<name> = true`
#       conditional: imported when `when host` is true (host = the mkSystem argument)
#     enable   = [ "option" "path" ];    # set to `mkDefault true` when the host's
#                                        # `modules.<name>` flag is true (optional)
#     when     = host: bool;             # conditional modules only
#     description = "...";               # shown in validation messages and docs
#   }
#
# nixos/default.nix (the flake's `nixosModules`) and lib/default.nix (the
# `modules.<flag>` names, buildModules, validation) are both derived from it,
# so adding a module is a one-place change: add its entry here.
{
  system = {
    module = ./system;
    category = "flagged";
    enable = [ "axios" "system" "enable" ];
    description = "locale, time zone, UEFI boot (systemd-boot, optional Lanzaboote), nix settings";
  };
  desktop = {
    module = ./desktop;
    category = "flagged";
    enable = [ "desktop" "enable" ];
    description = "niri + DankMaterialShell desktop, GNOME PIM backends, Nautilus, applications";
  };
  development = {
    module = ./development;
    category = "flagged";
    enable = [ "development" "enable" ];
    description = "development tools and language runtimes";
  };
  graphics = {
    module = ./graphics;
    category = "flagged";
    enable = [ "axios" "graphics" "enable" ];
    description = "GPU drivers (AMD, NVIDIA, Intel), PRIME, GPU recovery, GPU tools";
  };
  networking = {
    module = ./networking;
    category = "flagged";
    enable = [ "axios" "networking" "enable" ];
    description = "NetworkManager, firewall, Avahi, Samba, Tailscale (with HTTPS certificates)";
  };
  users = {
    module = ./users.nix;
    category = "flagged";
    enable = [ "axios" "users" "enable" ];
    description = "user accounts from `axios.users.<name>` with the groups modules ask for";
  };
  virt = {
    module = ./virtualisation;
    category = "flagged";
    description = "libvirt/QEMU virtual machines and Podman containers (`virt.*`)";
  };
  gaming = {
    module = ./gaming;
    category = "flagged";
    enable = [ "gaming" "enable" ];
    description = "Steam, GameMode, gamescope, nix-ld, VR (`gaming.vr.*`: WiVRn, ALVR)";
  };
  ai = {
    module = ./ai;
    category = "flagged";
    enable = [ "services" "ai" "enable" ];
    description = "AI CLI tools and local LLMs with Ollama (`services.ai.*`)";
  };
  secrets = {
    module = ./secrets;
    category = "flagged";
    enable = [ "secrets" "enable" ];
    description = "agenix secrets (`secrets.*`)";
  };
  services = {
    module = ./services;
    category = "core";
    enable = [ "selfHosted" "enable" ];
    description = "self-hosted services: Caddy route registry, Immich (`selfHosted.*`)";
  };
  hardware = {
    module = ./hardware;
    category = "core";
    description = "hardware facts (`axios.hardware.*`), firmware, CPU microcode, SSD trim";
  };
  crashDiagnostics = {
    module = ./hardware/crash-diagnostics.nix;
    category = "core";
    description = "kernel panic/hang policy and crash dumps (`hardware.crashDiagnostics.*`)";
  };
  desktopHardware = {
    module = ./hardware/desktop.nix;
    category = "conditional";
    when = host: (host.formFactor or null) == "desktop" || (host.hardware.vendor or null) == "msi";
    enable = [ "axios" "hardware" "desktop" "enable" ];
    description = "desktop PCs (MSI boards: nct6687 sensors)";
  };
  laptopHardware = {
    module = ./hardware/laptop.nix;
    category = "conditional";
    when = host: (host.formFactor or null) == "laptop" || (host.hardware.vendor or null) == "system76";
    enable = [ "axios" "hardware" "laptop" "enable" ];
    description = "laptops: power management, lid, touchpad (System76: firmware and power daemon)";
  };
}
