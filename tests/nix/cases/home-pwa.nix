# home/desktop/pwa-apps.nix: web apps as desktop entries opening Chromium's app mode,
# with the Wayland app_id as StartupWMClass.
{ pkgs, axios, evalHome, hasPackage, ... }:
let
  pwa = extra: evalHome [ axios.homeModules.desktop { axios.desktop.enable = true; } extra ];
  p = pwa {
    axios.desktop.pwa = {
      presets = [ "google-messages" "gmail" ];
      apps.element = { name = "Element"; url = "https://app.element.io/"; icon = "internet-chat"; categories = [ "Network" "Chat" ]; };
      apps.gmail.icon = "mail-unread";
    };
  };
  entries = p.config.xdg.desktopEntries;
  chromium = "${pkgs.chromium}/bin/chromium";
in
{
  testNoAppsByDefault = {
    expr = let e = pwa { }; in { entries = e.config.xdg.desktopEntries; browser = hasPackage "chromium" e.config.home.packages; };
    expected = { entries = { }; browser = false; };
  };

  testPresetEntry = {
    expr = entries.axios-pwa-google-messages;
    expected = {
      name = "Messages";
      genericName = "Web app";
      comment = "Messages (https://messages.google.com/web)";
      icon = "internet-chat";
      categories = [ "Network" "Chat" ];
      exec = "${chromium} --app=https://messages.google.com/web --profile-directory=Default --ozone-platform-hint=auto %U";
      terminal = false;
      type = "Application";
      mimeType = [ ];
      settings.StartupWMClass = "chrome-messages.google.com__web-Default";
    };
  };

  testCustomAppAndPresetOverride = {
    expr = {
      element = { inherit (entries.axios-pwa-element) name icon exec; wm = entries.axios-pwa-element.settings.StartupWMClass; };
      gmailIcon = entries.axios-pwa-gmail.icon;
      gmailName = entries.axios-pwa-gmail.name;
    };
    expected = {
      element = {
        name = "Element";
        icon = "internet-chat";
        exec = "${chromium} --app=https://app.element.io/ --profile-directory=Default --ozone-platform-hint=auto %U";
        wm = "chrome-app.element.io__-Default";
      };
      gmailIcon = "mail-unread";
      gmailName = "Gmail";
    };
  };

  testAppIdsForWindowRules = {
    expr = p.config.axios.desktop.pwa.appIds;
    expected = {
      element = "chrome-app.element.io__-Default";
      gmail = "chrome-mail.google.com__-Default";
      google-messages = "chrome-messages.google.com__web-Default";
    };
  };

  testMimeAssociationAndBrowserInstalled = {
    expr = {
      mailto = p.config.xdg.mimeApps.defaultApplications."x-scheme-handler/mailto";
      browser = hasPackage "chromium" p.config.home.packages;
    };
    expected = { mailto = [ "axios-pwa-gmail.desktop" ]; browser = true; };
  };

  testOtherBrowserAndProfile = {
    expr = (pwa { axios.desktop.pwa = { browser = pkgs.brave; profile = "Profile 1"; presets = [ "youtube" ]; }; }).config.xdg.desktopEntries.axios-pwa-youtube.settings.StartupWMClass;
    expected = "chrome-www.youtube.com__-Profile 1";
  };

  testExecQuotingFollowsTheDesktopEntrySpec = {
    # double quotes (single quotes are not quoting in Exec), \\ $ " ` escaped, % doubled
    expr = (pwa { axios.desktop.pwa.apps.q.url = "https://example.org/a b?x=1&y=$HOME%20`c`"; }).config.xdg.desktopEntries.axios-pwa-q.exec;
    expected = "${chromium} \"--app=https://example.org/a b?x=1&y=\\\\$HOME%%20\\\\`c\\\\`\" --profile-directory=Default --ozone-platform-hint=auto %U";
  };

  testBadIdFailsAssertion = {
    expr = (pwa { axios.desktop.pwa.apps."My App".url = "https://example.org/"; }).failedAssertions;
    expected = [ "axios.desktop.pwa.apps: identifiers must be lowercase letters, digits and dashes (they name the desktop file); rename: My App." ];
  };

  # http:// is accepted (as in the original axiOS: self-hosted apps on a LAN port);
  # Chromium's app id has no scheme and no port.
  testHttpUrlWithPortKeepsChromiumsAppId = {
    expr = (pwa { axios.desktop.pwa.apps.x.url = "http://nas.local:2283/photos"; }).config.xdg.desktopEntries.axios-pwa-x.settings.StartupWMClass;
    expected = "chrome-nas.local__photos-Default";
  };

  testNonHttpUrlIsATypeError = {
    expr = (pwa { axios.desktop.pwa.apps.x.url = "ftp://example.org/"; }).config.xdg.desktopEntries.axios-pwa-x.exec;
    expectedError = "axios.desktop.pwa.apps.x.url' is not of type";
  };

  testUnknownPresetIsATypeError = {
    expr = (pwa { axios.desktop.pwa.presets = [ "myspace" ]; }).config.xdg.desktopEntries;
    expectedError = "axios.desktop.pwa.presets";
  };
}
