# Laptop profile: base plus the desktop session, browser, calendar and AI tools, tuned for
# a laptop: touchpad defaults, a wider default column and smaller gaps on the small
# screen, a cursor that hides while typing, brightness keys and a lighter wallpaper blur.
{ lib, ... }:
{
  imports = [ ./graphical.nix ];

  axios = {
    profile = "laptop";
    desktop.niri = {
      input.touchpad = {
        tap = lib.mkDefault true;
        naturalScroll = lib.mkDefault true;
        disableWhileTyping = lib.mkDefault true;
      };
      # One screen: most windows want more than half of it.
      layout.defaultColumnWidth = lib.mkDefault 0.66667;
      layout.gaps = lib.mkDefault 8;
      cursor.hideAfterInactiveMs = lib.mkDefault 3000;
    };
    desktop.shell.features.brightness = lib.mkDefault true;
    # Less CPU on battery when the wallpaper changes.
    desktop.wallpaper.blur.sigma = lib.mkDefault 16;
  };
}
