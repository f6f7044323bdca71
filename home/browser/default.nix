# Browser: a Chromium-family browser (chromium or brave) or Firefox, with Wayland flags,
# extensions / policies, and the default-browser MIME associations.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf types literalExpression;
  cfg = config.axios.browser;

  chromiumFamily = cfg.flavour != "firefox";

  desktopFiles = {
    chromium = "chromium-browser.desktop";
    brave = "brave-browser.desktop";
    firefox = "firefox.desktop";
  };

  defaultPackages = {
    chromium = pkgs.chromium;
    brave = pkgs.brave;
    firefox = pkgs.firefox;
  };

  chromiumSettings = {
    enable = true;
    inherit (cfg) package commandLineArgs;
    extensions = map (id: { inherit id; }) cfg.extensions;
  };

  mimeTypes = [
    "text/html"
    "application/xhtml+xml"
    "x-scheme-handler/http"
    "x-scheme-handler/https"
    "x-scheme-handler/about"
    "x-scheme-handler/unknown"
  ];
in
{
  options.axios.browser = {
    enable = mkEnableOption "the axiOS browser configuration";

    flavour = mkOption {
      type = types.enum [ "chromium" "brave" "firefox" ];
      default = "chromium";
      description = "Which browser to configure.";
      example = "brave";
    };

    package = mkOption {
      type = types.package;
      default = defaultPackages.${cfg.flavour};
      defaultText = literalExpression "pkgs.<flavour>";
      description = "Browser package.";
      example = literalExpression "pkgs.brave";
    };

    default = mkOption {
      type = types.bool;
      default = true;
      description = "Make it the default browser (xdg MIME associations for HTML and http(s) links).";
      example = false;
    };

    extensions = mkOption {
      type = types.listOf (types.strMatching "[a-p]{32}");
      default = lib.optionals chromiumFamily [
        "nngceckbapebfimnlniiiahkandclblb" # Bitwarden
        "ddkjiahejlhfcafbddmgiahcphecmpfh" # uBlock Origin Lite
      ];
      defaultText = literalExpression "Bitwarden and uBlock Origin Lite for chromium/brave, [ ] for firefox";
      description = "Chrome Web Store extension IDs installed in Chromium-family browsers.";
      example = [ "eimadpbcbfnmbkopoojfekhnkhdbieeh" ];
    };

    commandLineArgs = mkOption {
      type = types.listOf types.str;
      default = [ "--ozone-platform-hint=auto" "--enable-features=TouchpadOverscrollHistoryNavigation" ];
      description = "Flags passed to Chromium-family browsers (Wayland by default).";
      example = [ "--force-dark-mode" ];
    };

    firefox.policies = mkOption {
      type = types.attrsOf types.anything;
      default = {
        DisableTelemetry = true;
        DisablePocket = true;
        DontCheckDefaultBrowser = true;
      };
      description = "Firefox enterprise policies (used when flavour = \"firefox\").";
      example = { DisableFirefoxStudies = true; };
    };
  };

  config = mkIf cfg.enable (lib.mkMerge [
    {
      assertions = [{
        assertion = chromiumFamily || cfg.extensions == [ ];
        message = "axios.browser.extensions lists Chrome Web Store IDs, which Firefox cannot install; use axios.browser.firefox.policies.ExtensionSettings for Firefox, or choose flavour = \"chromium\" or \"brave\".";
      }];

      home.sessionVariables.BROWSER = lib.getExe cfg.package;

      xdg.mimeApps = mkIf cfg.default {
        enable = true;
        defaultApplications = lib.genAttrs mimeTypes (_: [ desktopFiles.${cfg.flavour} ]);
      };
    }

    # One block per browser: attribute names must not depend on `config`.
    (mkIf (cfg.flavour == "chromium") { programs.chromium = chromiumSettings; })
    (mkIf (cfg.flavour == "brave") { programs.brave = chromiumSettings; })

    (mkIf (!chromiumFamily) {
      programs.firefox = {
        enable = true;
        inherit (cfg) package;
        inherit (cfg.firefox) policies;
      };
    })
  ]);
}
