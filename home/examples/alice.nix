# A user's home-manager configuration on top of axiOS (shown in home/README.md and
# evaluated by tests/nix/cases/home-example.nix). It goes next to
# `inputs.axios.homeModules.workstation`, `inputs.axios.homeModules.secrets` and
# `inputs.agenix.homeManagerModules.default` in the user's imports.
{ config, ... }:
{
  home.stateVersion = "25.11";

  axios.terminal.git = {
    userName = "Alice Example";
    userEmail = "alice@example.org";
    signing = { key = "~/.ssh/id_ed25519.pub"; signByDefault = true; };
  };

  axios.desktop.niri = {
    outputs."DP-1" = { mode = "2560x1440@143.912"; scale = 1.0; };
    binds."Mod+B" = { action = "spawn"; args = [ "chromium" ]; hotkeyOverlayTitle = "Browser"; };
  };
  axios.desktop.pwa.presets = [ "google-messages" "youtube-music" ];

  axios.secrets = {
    enable = true;
    secrets.caldav.file = ./secrets/caldav.age;
    secrets.github-token.file = ./secrets/github-token.age;
  };

  axios.calendar.accounts.work = {
    url = "https://caldav.example.org/";
    userName = "alice";
    passwordFile = config.age.secrets.caldav.path;
    color = "#3a86ff";
  };
  axios.calendar.defaultCalendar = "work";

  axios.ai.mcp.presets.github = {
    enable = true;
    tokenFile = config.age.secrets.github-token.path;
  };
}
