# The desktop: niri (Wayland compositor) with DankMaterialShell (configured
# per user by the home `desktop` module), greetd, GNOME PIM backends without
# the GNOME desktop, Nautilus with GVFS, and the application set.
{ config, lib, pkgs, ... }:
let
  cfg = config.desktop;
in
{
  options.desktop = {
    enable = lib.mkEnableOption "the axiOS desktop (niri, DankMaterialShell, PIM backends, applications)";
    greeter.enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = "Log in through greetd (tuigreet) starting a niri session. Disable to use another display manager.";
    };
    pim.enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = ''
        GNOME PIM without the GNOME desktop: accounts-daemon, gnome-keyring
        (unlocked at login through PAM), evolution-data-server, GNOME Online
        Accounts, geoclue2, and the Evolution, Calendar and Contacts apps.
      '';
    };
    applications.enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = "Install the axiOS application set (office, media, utilities).";
    };
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.gimp pkgs.inkscape ]";
      description = "More desktop applications to install system-wide.";
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      programs.niri.enable = true;
      programs.xwayland.enable = lib.mkDefault true;
      programs.dconf.enable = true;
      security.polkit.enable = true;
      services.upower.enable = lib.mkDefault true;
      services.power-profiles-daemon.enable = lib.mkDefault true;
      hardware.bluetooth.enable = lib.mkDefault true;

      # audio
      security.rtkit.enable = true;
      services.pipewire = {
        enable = true;
        alsa.enable = true;
        pulse.enable = true;
        wireplumber.enable = true;
      };

      # Nautilus with GVFS (trash, MTP, SMB, mounting)
      services.gvfs.enable = true;
      services.udisks2.enable = true;
      services.gnome.sushi.enable = lib.mkDefault true;
      programs.nautilus-open-any-terminal = { enable = lib.mkDefault true; terminal = lib.mkDefault "ghostty"; };

      xdg.portal = {
        enable = true;
        extraPortals = [ pkgs.xdg-desktop-portal-gnome pkgs.xdg-desktop-portal-gtk ];
        config.niri.default = [ "gnome" "gtk" ];
      };

      fonts.packages = [
        pkgs.inter
        pkgs.noto-fonts
        pkgs.noto-fonts-color-emoji
        pkgs.nerd-fonts.jetbrains-mono
        pkgs.nerd-fonts.fira-code
        pkgs.material-symbols
      ];

      environment.sessionVariables.NIXOS_OZONE_WL = "1";
      environment.systemPackages = [
        pkgs.nautilus
        pkgs.file-roller
        pkgs.xwayland-satellite
        pkgs.wl-clipboard
        pkgs.cliphist
        pkgs.grim
        pkgs.slurp
        pkgs.xdg-utils
        pkgs.libnotify
        pkgs.pavucontrol
        pkgs.playerctl
        pkgs.adwaita-icon-theme
        pkgs.papirus-icon-theme
      ] ++ cfg.extraPackages;
    }

    (lib.mkIf cfg.greeter.enable {
      services.greetd = {
        enable = true;
        settings.default_session = {
          command = "${lib.getExe pkgs.tuigreet} --time --remember --remember-session --cmd niri-session";
          user = "greeter";
        };
      };
      # keep kernel and service messages off greetd's VT
      systemd.services.greetd.serviceConfig = {
        Type = "idle";
        StandardInput = "tty";
        StandardOutput = "tty";
        StandardError = "journal";
        TTYReset = true;
        TTYVHangup = true;
        TTYVTDisallocate = true;
      };
    })

    (lib.mkIf cfg.pim.enable {
      services.accounts-daemon.enable = true;
      services.gnome.gnome-keyring.enable = true;
      services.gnome.evolution-data-server.enable = true;
      services.gnome.gnome-online-accounts.enable = true;
      services.geoclue2.enable = true;
      programs.evolution.enable = true;
      programs.seahorse.enable = lib.mkDefault true;
      # unlock the keyring with the login password
      security.pam.services.login.enableGnomeKeyring = true;
      # (mkIf on the entry: on the value, it would still create a greetd PAM service)
      security.pam.services.greetd = lib.mkIf cfg.greeter.enable { enableGnomeKeyring = true; };
      environment.systemPackages = [
        pkgs.gnome-online-accounts-gtk
        pkgs.gnome-calendar
        pkgs.gnome-contacts
        pkgs.gnome-weather
        pkgs.gnome-clocks
      ];
    })

    (lib.mkIf cfg.applications.enable {
      programs.firefox.enable = lib.mkDefault true;
      environment.systemPackages = [
        pkgs.libreoffice-fresh
        pkgs.loupe
        pkgs.papers
        pkgs.celluloid
        pkgs.mpv
        pkgs.gnome-text-editor
        pkgs.gnome-calculator
        pkgs.gnome-disk-utility
        pkgs.obs-studio
        pkgs.localsend
        pkgs.qbittorrent
      ];
      networking.firewall.allowedTCPPorts = [ 53317 ]; # LocalSend
      networking.firewall.allowedUDPPorts = [ 53317 ];
    })
  ]);
}
