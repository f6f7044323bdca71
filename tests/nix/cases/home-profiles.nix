# home/profiles and the home/default.nix registry: every module evaluates alone, the
# profiles compose them with overridable defaults, and a full system's osConfig gives no
# warnings.
{ lib, axios, evalHome, evalHomeWith, hasPackage, ... }:
let
  hm = axios.homeModules;
  base = evalHome [ hm.base ];
  ws = evalHome [ hm.workstation ];
  laptop = evalHome [ hm.laptop ];
  niri = e: e.config.axios.desktop.niri.finalConfig;

  fullSystem = {
    programs.niri.enable = true;
    programs.fish.enable = true;
    services.gnome.gnome-keyring.enable = true;
    services.ai.enable = true;
  };

  # module name -> the option that switches it on (profiles switch on themselves)
  enableFor = {
    desktop = { axios.desktop.enable = true; };
    ai = { axios.ai.enable = true; };
    terminal = { axios.terminal.enable = true; };
    browser = { axios.browser.enable = true; };
    calendar = { axios.calendar.enable = true; };
    secrets = { axios.secrets.enable = true; };
    security = { axios.security.enable = true; };
    base = { };
    workstation = { };
    laptop = { };
  };
in
{
  testRegistryShape = {
    expr = lib.mapAttrs (_: p: builtins.pathExists p) hm;
    expected = lib.genAttrs [ "ai" "base" "browser" "calendar" "desktop" "laptop" "secrets" "security" "terminal" "workstation" ] (_: true);
  };

  testEveryModuleEvaluatesAloneDisabled = {
    expr = lib.mapAttrs (_: m: (evalHome [ m ]).failedAssertions) (removeAttrs hm [ "base" "workstation" "laptop" ]);
    expected = lib.genAttrs [ "ai" "browser" "calendar" "desktop" "secrets" "security" "terminal" ] (_: [ ]);
  };

  testEveryModuleEvaluatesAloneEnabled = {
    expr = lib.mapAttrs (n: m: (evalHome [ m enableFor.${n} ]).failedAssertions) hm;
    expected = lib.mapAttrs (_: _: [ ]) hm;
  };

  testBaseProfile = {
    expr = {
      profile = base.config.axios.profile;
      terminal = base.config.axios.terminal.enable;
      security = base.config.axios.security.enable;
      fish = base.config.programs.fish.enable;
      desktopImported = base.options.axios ? desktop;
      editor = base.config.home.sessionVariables.EDITOR;
      expire = base.config.services.home-manager.autoExpire.enable;
      ghostty = (builtins.tryEval base.config.programs.ghostty.enable).success;
      assertions = base.failedAssertions;
      warnings = base.warnings;
    };
    expected = { profile = "base"; terminal = true; security = true; fish = true; desktopImported = false; editor = "nvim"; expire = true; ghostty = false; assertions = [ ]; warnings = [ ]; };
  };

  testWorkstationProfile = {
    expr = {
      profile = ws.config.axios.profile;
      enabled = map (p: ws.config.axios.${p}.enable) [ "desktop" "browser" "calendar" "ai" "terminal" "security" ];
      focusFollowsMouse = lib.hasInfix "    focus-follows-mouse\n" (niri ws);
      pwa = lib.attrNames ws.config.xdg.desktopEntries;
      ghostty = ws.config.programs.ghostty.enable;
      dms = ws.config.systemd.user.services ? dms;
      assertions = ws.failedAssertions;
      warnings = ws.warnings;
    };
    expected = {
      profile = "workstation";
      enabled = [ true true true true true true ];
      focusFollowsMouse = true;
      pwa = [ "axios-pwa-google-messages" "axios-pwa-youtube" ];
      ghostty = true;
      dms = true;
      assertions = [ ];
      warnings = [ ];
    };
  };

  testLaptopProfile = {
    expr = {
      profile = laptop.config.axios.profile;
      niri = map (s: lib.hasInfix s (niri laptop)) [ "proportion 0.66667\n    }" "gaps 8" "hide-after-inactive-ms 3000" "    tap\n" ];
      followsMouse = lib.hasInfix "focus-follows-mouse" (niri laptop);
      sigma = lib.hasInfix "-blur 0x16 " laptop.config.axios.desktop.wallpaper.scripts.blur.text;
      brightnessctl = hasPackage "brightnessctl" laptop.config.home.packages;
      assertions = laptop.failedAssertions;
    };
    expected = { profile = "laptop"; niri = [ true true true true ]; followsMouse = false; sigma = true; brightnessctl = true; assertions = [ ]; };
  };

  testProfileDefaultsAreOverridable = {
    expr = let e = evalHome [ hm.laptop { axios.desktop.niri.layout.gaps = 4; axios.calendar.enable = false; axios.desktop.pwa.presets = [ ]; } ]; in {
      gaps = lib.hasInfix "gaps 4\n" (niri e);
      calendar = e.config.xdg.configFile ? "khal/config";
      pwa = e.config.xdg.desktopEntries;
    };
    expected = { gaps = true; calendar = false; pwa = { }; };
  };

  testTwoProfilesConflict = {
    expr = (evalHome [ hm.workstation hm.laptop ]).config.axios.profile;
    expectedError = "The option `axios.profile' has conflicting definition values";
  };

  testWorkstationOnAFullSystemIsQuiet = {
    expr = let e = evalHomeWith { modules = [ hm.workstation ]; specialArgs.osConfig = fullSystem; }; in { inherit (e) failedAssertions warnings; };
    expected = { failedAssertions = [ ]; warnings = [ ]; };
  };

  testWorkstationWithoutNiriOnTheSystem = {
    expr = map (lib.hasInfix "niri is not enabled on the NixOS side")
      (evalHomeWith { modules = [ hm.workstation ]; specialArgs.osConfig = fullSystem // { programs.niri.enable = false; }; }).failedAssertions;
    expected = [ true ];
  };
}
