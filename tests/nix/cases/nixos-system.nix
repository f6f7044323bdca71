# nixos/system: time zone (required), locale, nix settings, boot.
{ axios, pkgs, evalNixos, inputs, hasPackage, ... }:
let
  sys = cfg: evalNixos [ axios.nixosModules.system { axios.system.enable = true; } cfg ];
  ok = sys { axios.system.timeZone = "Europe/Paris"; };
  withLanza = cfg: evalNixos [ axios.nixosModules.system inputs.lanzaboote.nixosModules.lanzaboote { axios.system.enable = true; axios.system.timeZone = "UTC"; } cfg ];
  sb = withLanza { boot.lanzaboote.enableSecureBoot = true; };
in
{
  testTimeZoneAndLocale = {
    expr = { tz = ok.config.time.timeZone; locale = ok.config.i18n.defaultLocale; failed = ok.failedAssertions; };
    expected = { tz = "Europe/Paris"; locale = "en_US.UTF-8"; failed = [ ]; };
  };
  testTimeZoneRequired = {
    expr = (sys { }).failedAssertions;
    expected = [ "axios.system.timeZone is required: set it to your time zone, e.g. axios.system.timeZone = \"America/New_York\"; (list them with `timedatectl list-timezones`)." ];
  };
  testTimeZoneShape = {
    expr = (sys { axios.system.timeZone = "Paris time"; }).failedAssertions;
    expected = [ "axios.system.timeZone = \"Paris time\" is not a time zone name: use an entry of `timedatectl list-timezones`, e.g. \"Europe/Berlin\"." ];
  };
  testBadLocaleIsATypeError = {
    expr = (sys { axios.system = { timeZone = "UTC"; locale = "english"; }; }).config.i18n.defaultLocale;
    expectedError = "axios.system.locale' is not of type";
  };
  testExtraLocale = {
    expr = let i18n = (sys { axios.system = { timeZone = "UTC"; locale = "de_DE.UTF-8"; extraLocaleSettings.LC_TIME = "en_GB.UTF-8"; }; }).config.i18n; in
      { inherit (i18n) defaultLocale extraLocaleSettings; };
    expected = { defaultLocale = "de_DE.UTF-8"; extraLocaleSettings = { LC_TIME = "en_GB.UTF-8"; }; };
  };
  testNixSettings = {
    expr = {
      features = ok.config.nix.settings.experimental-features;
      caches = ok.config.nix.settings.substituters;
      unfree = ok.config.nixpkgs.config.allowUnfree;
    };
    expected = {
      features = [ "nix-command" "flakes" ];
      caches = [ "https://niri.cachix.org" "https://numtide.cachix.org" ];
      unfree = true;
    };
  };
  testSystemdBootByDefault = {
    expr = { sd = ok.config.boot.loader.systemd-boot.enable; efi = ok.config.boot.loader.efi.canTouchEfiVariables; limit = ok.config.boot.loader.systemd-boot.configurationLimit; };
    expected = { sd = true; efi = true; limit = 10; };
  };
  testSecureBootUsesLanzaboote = {
    expr = {
      sd = sb.config.boot.loader.systemd-boot.enable;
      inherit (sb.config.boot.lanzaboote) enable pkiBundle configurationLimit;
      sbctl = hasPackage "sbctl" sb.config.environment.systemPackages;
      failed = sb.failedAssertions;
    };
    expected = { sd = false; enable = true; pkiBundle = "/var/lib/sbctl"; configurationLimit = 10; sbctl = true; failed = [ ]; };
  };
  testLanzabooteModuleInertWithoutSecureBoot = {
    expr = (withLanza { }).config.boot.lanzaboote.enable;
    expected = false;
  };
  testSecureBootWithoutLanzabooteModule = {
    expr = (sys { axios.system.timeZone = "UTC"; boot.lanzaboote.enableSecureBoot = true; }).failedAssertions;
    expected = [ "boot.lanzaboote.enableSecureBoot needs the Lanzaboote NixOS module: add inputs.lanzaboote.nixosModules.lanzaboote to your modules (axios.lib.mkSystem does this), or set boot.lanzaboote.enableSecureBoot = false." ];
  };
  testGcOptIn = {
    expr = (sys { axios.system = { timeZone = "UTC"; autoUpgrade.enable = true; }; }).config.nix.gc.options;
    expected = "--delete-older-than 14d";
  };
  testDoctorInstalled = {
    expr = hasPackage "axios" ok.config.environment.systemPackages;
    expected = true;
  };
  testCliPackageOption = {
    expr = hasPackage "my-axios" (sys { axios.system.timeZone = "UTC"; axios.package = pkgs.mkFake "my-axios"; }).config.environment.systemPackages;
    expected = true;
  };
  testDisabledDoesNothing = {
    expr = (evalNixos [ axios.nixosModules.system ]).config.time.timeZone;
    expected = null;
  };
}
