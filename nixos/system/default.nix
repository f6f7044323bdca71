# The base system: time zone (required), locale, nix settings, UEFI boot.
{ config, lib, pkgs, ... }:
let
  cfg = config.axios.system;
in
{
  imports = [ ../common/cli.nix ./boot.nix ];

  options.axios.system = {
    enable = lib.mkEnableOption "the axiOS base system (locale, time zone, nix settings, boot)";
    timeZone = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "America/New_York";
      description = ''
        The time zone (required: there is no sensible default). A name from
        `timedatectl list-timezones`, e.g. `Europe/Paris`.
      '';
    };
    locale = lib.mkOption {
      type = lib.types.strMatching "[a-zA-Z]{1,3}(_[A-Z]{2})?(@[a-z]+)?\\.(UTF-8|utf8)";
      default = "en_US.UTF-8";
      example = "de_DE.UTF-8";
      description = "The default locale (`i18n.defaultLocale`), a UTF-8 locale such as `en_US.UTF-8`.";
    };
    extraLocaleSettings = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { };
      example = { LC_TIME = "en_GB.UTF-8"; LC_MEASUREMENT = "de_DE.UTF-8"; };
      description = "Per-category locale overrides (`i18n.extraLocaleSettings`).";
    };
    autoUpgrade.enable = lib.mkEnableOption "automatic garbage collection of store paths older than 14 days";
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.timeZone != null;
        message = ''axios.system.timeZone is required: set it to your time zone, e.g. axios.system.timeZone = "America/New_York"; (list them with `timedatectl list-timezones`).'';
      }
      {
        assertion = cfg.timeZone == null || builtins.match "[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*" cfg.timeZone != null;
        message = ''axios.system.timeZone = ${builtins.toJSON cfg.timeZone} is not a time zone name: use an entry of `timedatectl list-timezones`, e.g. "Europe/Berlin".'';
      }
    ];

    time.timeZone = cfg.timeZone;
    i18n.defaultLocale = cfg.locale;
    i18n.extraLocaleSettings = cfg.extraLocaleSettings;

    nix.settings = {
      experimental-features = [ "nix-command" "flakes" ];
      auto-optimise-store = lib.mkDefault true;
      trusted-users = [ "root" "@wheel" ];
      # binary caches of the desktop stack (same as the flake's nixConfig)
      substituters = [ "https://niri.cachix.org" "https://numtide.cachix.org" ];
      trusted-public-keys = [
        "niri.cachix.org-1:Wv0OmO7PsuocRKzfDoJ3mulSl7Z6oezYhGhR+3W2964="
        "numtide.cachix.org-1:2ps1kLBUWjxIneOy1Ik6cQjb41X0iXVXeHigGmycPPE="
      ];
    };
    nix.gc = lib.mkIf cfg.autoUpgrade.enable {
      automatic = true;
      dates = "weekly";
      options = "--delete-older-than 14d";
    };
    nixpkgs.config.allowUnfree = lib.mkDefault true;

    zramSwap.enable = lib.mkDefault true;
    services.dbus.implementation = lib.mkDefault "broker";
    environment.systemPackages = [ pkgs.git pkgs.curl pkgs.pciutils pkgs.usbutils config.axios.package ];
  };
}
