# Workstation profile: base plus the full desktop session (niri, DankMaterialShell,
# wallpaper, theming, PWA apps), browser, calendar and AI tools, tuned for a desktop
# machine (no touchpad, no battery widgets, high refresh displays configured by the user).
{ lib, ... }:
{
  imports = [ ./graphical.nix ];

  axios = {
    profile = "workstation";
    desktop.niri = {
      # A mouse on a desktop: follow it between the (often several) monitors.
      input.focusFollowsMouse = lib.mkDefault true;
      layout.defaultColumnWidth = lib.mkDefault 0.5;
    };
    desktop.pwa.presets = lib.mkDefault [ "google-messages" "youtube" ];
  };
}
