# home/browser: chromium / brave / firefox, extensions, Wayland flags, default browser.
{ pkgs, axios, evalHome, ... }:
let
  browser = extra: evalHome [ axios.homeModules.browser { axios.browser.enable = true; } extra ];
  b = browser { };
  brave = browser { axios.browser.flavour = "brave"; };
  firefox = browser { axios.browser.flavour = "firefox"; };
in
{
  testChromiumDefault = {
    expr = b.config.programs.chromium;
    expected = {
      enable = true;
      package = pkgs.chromium;
      commandLineArgs = [ "--ozone-platform-hint=auto" "--enable-features=TouchpadOverscrollHistoryNavigation" ];
      extensions = [{ id = "nngceckbapebfimnlniiiahkandclblb"; } { id = "ddkjiahejlhfcafbddmgiahcphecmpfh"; }];
    };
  };

  testDefaultBrowserAssociations = {
    expr = {
      html = b.config.xdg.mimeApps.defaultApplications."text/html";
      https = b.config.xdg.mimeApps.defaultApplications."x-scheme-handler/https";
      env = b.config.home.sessionVariables.BROWSER;
    };
    expected = { html = [ "chromium-browser.desktop" ]; https = [ "chromium-browser.desktop" ]; env = "${pkgs.chromium}/bin/chromium"; };
  };

  testBrave = {
    expr = {
      inherit (brave.config.programs.brave) enable package;
      chromium = (builtins.tryEval brave.config.programs.chromium.enable).success;
      html = brave.config.xdg.mimeApps.defaultApplications."text/html";
    };
    expected = { enable = true; package = pkgs.brave; chromium = false; html = [ "brave-browser.desktop" ]; };
  };

  testFirefoxPolicies = {
    expr = {
      inherit (firefox.config.programs.firefox) enable package;
      telemetryOff = firefox.config.programs.firefox.policies.DisableTelemetry;
      html = firefox.config.xdg.mimeApps.defaultApplications."text/html";
      assertions = firefox.failedAssertions;
    };
    expected = { enable = true; package = pkgs.firefox; telemetryOff = true; html = [ "firefox.desktop" ]; assertions = [ ]; };
  };

  testFirefoxWithChromeExtensionsFailsAssertion = {
    expr = (browser { axios.browser = { flavour = "firefox"; extensions = [ "nngceckbapebfimnlniiiahkandclblb" ]; }; }).failedAssertions;
    expected = [ "axios.browser.extensions lists Chrome Web Store IDs, which Firefox cannot install; use axios.browser.firefox.policies.ExtensionSettings for Firefox, or choose flavour = \"chromium\" or \"brave\"." ];
  };

  testNotDefault = {
    expr = (builtins.tryEval (browser { axios.browser.default = false; }).config.xdg.mimeApps.enable).success;
    expected = false;
  };

  testBadExtensionIdIsATypeError = {
    expr = (browser { axios.browser.extensions = [ "not-an-id" ]; }).config.programs.chromium.extensions;
    expectedError = "axios.browser.extensions";
  };

  testBadFlavourIsATypeError = {
    expr = (browser { axios.browser.flavour = "netscape"; }).config.home.sessionVariables.BROWSER;
    expectedError = "axios.browser.flavour' is not of type";
  };
}
