# What the workstation and laptop profiles share: base plus the desktop session
# (niri, DankMaterialShell, wallpaper, theming, PWA apps), browser, calendar and AI
# tools, each on by default and each switchable off by the user.
{ lib, ... }:
{
  imports = [
    ./base.nix
    ../desktop
    ../browser
    ../calendar
    ../ai
  ];

  axios = {
    desktop.enable = lib.mkDefault true;
    browser.enable = lib.mkDefault true;
    calendar.enable = lib.mkDefault true;
    ai.enable = lib.mkDefault true;
  };
}
