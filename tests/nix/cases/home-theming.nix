# home/desktop/theming.nix: one scheme applied to GTK, dconf, Qt, the pointer cursor,
# fonts and niri's cursor.
{ lib, pkgs, axios, evalHome, hasPackage, ... }:
let
  theme = extra: evalHome [ axios.homeModules.desktop { axios.desktop.enable = true; } extra ];
  t = theme { };
  c = t.config;
  light = theme { axios.desktop.theming = { colorScheme = "light"; gtkTheme.name = "adw-gtk3"; }; };
in
{
  testGtk = {
    expr = c.gtk;
    expected = {
      enable = true;
      theme = { name = "adw-gtk3-dark"; package = pkgs.adw-gtk3; };
      iconTheme = { name = "Papirus-Dark"; package = pkgs.papirus-icon-theme; };
      font = { name = "Inter"; package = pkgs.inter; size = 11; };
    };
  };

  testDconfInterface = {
    expr = c.dconf.settings."org/gnome/desktop/interface";
    expected = {
      color-scheme = "prefer-dark";
      gtk-theme = "adw-gtk3-dark";
      icon-theme = "Papirus-Dark";
      cursor-theme = "Bibata-Modern-Classic";
      cursor-size = 24;
      font-name = "Inter 11";
      monospace-font-name = "JetBrainsMono Nerd Font 11";
    };
  };

  testPointerCursorAndNiriCursor = {
    expr = {
      inherit (c.home.pointerCursor) name size package;
      gtk = c.home.pointerCursor.gtk.enable;
      enable = c.home.pointerCursor.enable;
      niri = lib.hasInfix ''
        cursor {
            xcursor-theme "Bibata-Modern-Classic"
            xcursor-size 24
        }''
        c.axios.desktop.niri.finalConfig;
    };
    expected = { name = "Bibata-Modern-Classic"; size = 24; package = pkgs.bibata-cursors; gtk = true; enable = true; niri = true; };
  };

  testCursorSizeFlowsToNiri = {
    expr = lib.hasInfix "xcursor-size 32" (theme { axios.desktop.theming.cursor.size = 32; }).config.axios.desktop.niri.finalConfig;
    expected = true;
  };

  testFontsInstalledAndFontconfig = {
    expr = {
      inter = hasPackage "inter" c.home.packages;
      mono = hasPackage "nerd-fonts-jetbrains-mono" c.home.packages;
      fontconfig = c.fonts.fontconfig.enable;
    };
    expected = { inter = true; mono = true; fontconfig = true; };
  };

  testQt = {
    expr = { default = c.qt; qtct = (theme { axios.desktop.theming.qtPlatformTheme = "qtct"; }).config.qt.platformTheme.name; };
    expected = { default = { enable = true; platformTheme.name = "gtk3"; }; qtct = "qtct"; };
  };

  testLightScheme = {
    expr = { scheme = light.config.dconf.settings."org/gnome/desktop/interface".color-scheme; assertions = light.failedAssertions; };
    expected = { scheme = "default"; assertions = [ ]; };
  };

  testDarkThemeWithLightSchemeFailsAssertion = {
    expr = (theme { axios.desktop.theming.colorScheme = "light"; }).failedAssertions;
    expected = [ "axios.desktop.theming: gtkTheme.name = \"adw-gtk3-dark\" is a dark theme but colorScheme = \"light\"; use the light variant (e.g. \"adw-gtk3\") or set colorScheme = \"dark\"." ];
  };

  testBadSchemeIsATypeError = {
    expr = (theme { axios.desktop.theming.colorScheme = "blue"; }).config.dconf.settings."org/gnome/desktop/interface".color-scheme;
    expectedError = "axios.desktop.theming.colorScheme' is not of type `one of \"dark\", \"light\"'";
  };

  testThemingOff = {
    # (an undeclared stub option defined only under a false mkIf throws when read)
    expr = let e = theme { axios.desktop.theming.enable = false; }; in { gtk = (builtins.tryEval e.config.gtk.enable).success; niriCursor = lib.hasInfix "xcursor-theme" e.config.axios.desktop.niri.finalConfig; };
    expected = { gtk = false; niriCursor = false; };
  };
}
