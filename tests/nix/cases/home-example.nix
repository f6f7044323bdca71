# home/examples/alice.nix: the example of home/README.md, evaluated with the workstation
# profile, the secrets module and the agenix stub; the README must show it verbatim.
{ lib, pkgs, root, axios, evalHomeWith, ... }:
let
  example = root + "/home/examples/alice.nix";
  e = evalHomeWith {
    modules = [ axios.homeModules.workstation axios.homeModules.secrets example ];
    specialArgs.osConfig = {
      programs.niri.enable = true;
      programs.fish.enable = true;
      services.gnome.gnome-keyring.enable = true;
      services.ai.enable = true;
    };
  };
  c = e.config;
in
{
  testReadmeShowsTheExampleVerbatim = {
    expr = lib.hasInfix "```nix\n${builtins.readFile example}```" (builtins.readFile (root + "/home/README.md"));
    expected = true;
  };

  testExampleIsClean = {
    expr = { inherit (e) failedAssertions warnings; };
    expected = { failedAssertions = [ ]; warnings = [ ]; };
  };

  testExampleWiresSecretsIntoCalendarAndMcp = {
    expr = {
      caldav = lib.hasInfix ''password.fetch = ["command","cat","/run/user/1000/agenix/caldav"]'' c.xdg.configFile."vdirsyncer/config".text;
      default = lib.hasInfix "default_calendar = work" c.xdg.configFile."khal/config".text;
      github = lib.hasSuffix "-mcp-github" c.axios.ai.mcp.finalServers.github.command;
      ages = lib.attrNames c.age.secrets;
    };
    expected = { caldav = true; default = true; github = true; ages = [ "caldav" "github-token" ]; };
  };

  testExampleDesktop = {
    expr = {
      output = lib.hasInfix "output \"DP-1\" {\n    mode \"2560x1440@143.912\"\n    scale 1.0\n}" c.axios.desktop.niri.finalConfig;
      pwa = lib.attrNames c.xdg.desktopEntries;
      git = c.programs.git.settings.user;
      browser = c.programs.chromium.package == pkgs.chromium;
    };
    expected = {
      output = true;
      pwa = [ "axios-pwa-google-messages" "axios-pwa-youtube-music" ];
      git = { name = "Alice Example"; email = "alice@example.org"; };
      browser = true;
    };
  };
}
