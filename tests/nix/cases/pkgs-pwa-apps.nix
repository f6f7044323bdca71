# pkgs/pwa-apps: pkgs.axios-pwa-apps (desktop entries of the catalog's web apps)
# and pkgs/pwa-apps/catalog.nix, the one implementation it shares with the home
# module home/desktop/pwa-apps.nix.
{ lib, pkgs, root, axios, evalHome, ... }:
let
  catalog = import (root + "/pkgs/pwa-apps/catalog.nix") { inherit lib; };
  # callPackage as nixpkgs does it: automatic arguments + makeOverridable
  callPackage = f: args:
    let fn = import f;
    in lib.makeOverridable fn (builtins.intersectAttrs (builtins.functionArgs fn) (pkgs // { inherit lib; }) // args);
  pkg = callPackage (root + "/pkgs/pwa-apps") { };
  chromium = "${pkgs.chromium}/bin/chromium";
  ids = builtins.attrNames catalog.apps;

  # the home module with every preset (and the same browser settings)
  home = extra: (evalHome [
    axios.homeModules.desktop
    { axios.desktop.enable = true; axios.desktop.pwa.presets = ids; }
    extra
  ]).config;

  custom = pkg.override {
    apps = {
      inherit (pkg.catalog) gmail;
      element = { name = "Element"; url = "https://app.element.io/"; };
    };
  };
  bad = apps: (pkg.override { inherit apps; }).name;
in
{
  testOneFilePerCatalogApp = {
    expr = builtins.attrNames pkg.desktopFiles;
    expected = lib.sort lib.lessThan (map (id: "axios-pwa-${id}.desktop") ids);
  };

  testCatalogIsTheHomeModulesPresets = {
    # the presets the module offers are the catalog's: one list
    expr =
      let payload = (evalHome [ axios.homeModules.desktop ]).options.axios.desktop.pwa.presets.type.nestedTypes.elemType.functor.payload;
      in payload.values or payload; # older nixpkgs libs: the list itself
    expected = ids;
  };

  testGmailDesktopFile = {
    expr = pkg.desktopFiles."axios-pwa-gmail.desktop";
    expected = ''
      [Desktop Entry]
      Version=1.4
      Type=Application
      Terminal=false
      Name=Gmail
      GenericName=Web app
      Exec=${chromium} --app=https://mail.google.com/ --profile-directory=Default --ozone-platform-hint=auto %U
      Icon=internet-mail
      Comment=Gmail (https://mail.google.com/)
      Categories=Network;Email;
      MimeType=x-scheme-handler/mailto;
      StartupWMClass=chrome-mail.google.com__-Default
    '';
  };

  testMessagesDesktopFile = {
    # a path after the host: `/` becomes `_` in the app_id; no MimeType line
    expr = pkg.desktopFiles."axios-pwa-google-messages.desktop";
    expected = ''
      [Desktop Entry]
      Version=1.4
      Type=Application
      Terminal=false
      Name=Messages
      GenericName=Web app
      Exec=${chromium} --app=https://messages.google.com/web --profile-directory=Default --ozone-platform-hint=auto %U
      Icon=internet-chat
      Comment=Messages (https://messages.google.com/web)
      Categories=Network;Chat;
      StartupWMClass=chrome-messages.google.com__web-Default
    '';
  };

  testBuildInstallsAndValidatesEveryFile = {
    # the writeText inputs hold the rendered text; the build installs each one
    # under share/applications and runs desktop-file-validate on it
    expr = lib.mapAttrs
      (n: f: {
        text = f.text == pkg.desktopFiles.${n};
        install = lib.hasInfix "install -m 444 ${f} $out/share/applications/${n}\n" pkg.buildCommand;
        validate = lib.hasInfix "desktop-file-validate $out/share/applications/${n}\n" pkg.buildCommand;
      })
      pkg.files;
    expected = lib.genAttrs (map (id: "axios-pwa-${id}.desktop") ids) (_: { text = true; install = true; validate = true; });
  };

  testDerivation = {
    expr = {
      inherit (pkg) name builder;
      inputs = map (p: p.pname) pkg.nativeBuildInputs;
      inherit (pkg.meta) description;
      platforms = pkg.meta.platforms == lib.platforms.linux;
      license = pkg.meta.license.spdxId;
      mkdir = lib.hasPrefix "mkdir -p $out/share/applications\n" pkg.buildCommand;
    };
    expected = {
      name = "axios-pwa-apps";
      builder = "runCommand";
      inputs = [ "desktop-file-utils" ];
      description = "Desktop entries for the axiOS web apps (Chromium app mode, one launcher entry per app)";
      platforms = true;
      license = "MIT";
      mkdir = true;
    };
  };

  testSameEntriesAsTheHomeModule = {
    # one implementation: the package's entries are the module's, for every preset
    expr = pkg.entries == (home { }).xdg.desktopEntries;
    expected = true;
  };

  testSameEntriesAsTheHomeModuleOtherBrowser = {
    expr =
      let
        p = pkg.override { browser = pkgs.brave; profile = "Profile 1"; extraArgs = [ ]; };
        h = home { axios.desktop.pwa = { browser = pkgs.brave; profile = "Profile 1"; extraArgs = [ ]; }; };
      in
      { same = p.entries == h.xdg.desktopEntries; appIds = p.appIds == h.axios.desktop.pwa.appIds; exec = p.entries.axios-pwa-youtube.exec; };
    expected = {
      same = true;
      appIds = true;
      exec = "${pkgs.brave}/bin/brave --app=https://www.youtube.com/ \"--profile-directory=Profile 1\" %U";
    };
  };

  testOverrideBrowser = {
    expr =
      let p = pkg.override { browser = pkgs.brave; };
      in {
        exec = lib.hasPrefix "Exec=${pkgs.brave}/bin/brave --app=https://meet.google.com/ " (lib.elemAt (lib.splitString "\n" p.desktopFiles."axios-pwa-google-meet.desktop") 6);
        wmClass = p.entries.axios-pwa-google-meet.settings.StartupWMClass;
        names = builtins.attrNames p.desktopFiles == builtins.attrNames pkg.desktopFiles;
      };
    expected = { exec = true; wmClass = "chrome-meet.google.com__-Default"; names = true; };
  };

  testOverrideApps = {
    # own apps get the defaults (icon, categories) of the module's options
    expr = { names = builtins.attrNames custom.desktopFiles; element = custom.desktopFiles."axios-pwa-element.desktop"; ids = custom.appIds; };
    expected = {
      names = [ "axios-pwa-element.desktop" "axios-pwa-gmail.desktop" ];
      element = ''
        [Desktop Entry]
        Version=1.4
        Type=Application
        Terminal=false
        Name=Element
        GenericName=Web app
        Exec=${chromium} --app=https://app.element.io/ --profile-directory=Default --ozone-platform-hint=auto %U
        Icon=web-browser
        Comment=Element (https://app.element.io/)
        Categories=Network;
        StartupWMClass=chrome-app.element.io__-Default
      '';
      ids = { element = "chrome-app.element.io__-Default"; gmail = "chrome-mail.google.com__-Default"; };
    };
  };

  testStringEscapes = {
    # Desktop Entry string escapes in Name/Comment, `;` escaped in lists; Exec
    # is the module's encoding (identical to the home module's)
    expr =
      let
        app = { name = "A\\B\nC"; url = "https://example.org/a b?x=$HOME%20`c`"; categories = [ "Net;work" ]; extraArgs = [ "--x=a b" ]; };
        p = pkg.override { apps.q = app; };
        lines = lib.splitString "\n" p.desktopFiles."axios-pwa-q.desktop";
        h = home { axios.desktop.pwa.apps.q = app; };
      in
      {
        name = lib.elemAt lines 4;
        exec = lib.elemAt lines 6;
        categories = lib.elemAt lines 9;
        sameExec = p.entries.axios-pwa-q.exec == h.xdg.desktopEntries.axios-pwa-q.exec;
      };
    expected = {
      name = "Name=A\\\\B\\nC";
      exec = "Exec=${chromium} \"--app=https://example.org/a b?x=\\\\$HOME%%20\\\\`c\\\\`\" --profile-directory=Default --ozone-platform-hint=auto \"--x=a b\" %U";
      categories = "Categories=Net\\;work;";
      sameExec = true;
    };
  };

  testNoThirdPartyLogos = {
    # catalog icons are freedesktop icon names: no path, no file
    expr = lib.filterAttrs (_: a: !(builtins.isString a.icon) || builtins.match "[a-z0-9-]+" a.icon == null) catalog.apps;
    expected = { };
  };

  testCatalogAppIds = {
    expr = lib.mapAttrs (_: a: catalog.appId "Default" a.url) { inherit (catalog.apps) google-messages excalidraw; };
    expected = { google-messages = "chrome-messages.google.com__web-Default"; excalidraw = "chrome-excalidraw.com__-Default"; };
  };

  testOverlayHasIt = {
    expr =
      let
        call = f: args:
          let fn = import f;
          in fn (builtins.intersectAttrs (builtins.functionArgs fn) (pkgs // { inherit lib; }) // args);
        final = pkgs // { callPackage = call; } // import (root + "/pkgs") final pkgs;
      in
      builtins.attrNames final.axios-pwa-apps.desktopFiles == builtins.attrNames pkg.desktopFiles;
    expected = true;
  };

  testNonHttpUrlRejected = {
    expr = bad { x = { name = "X"; url = "example.org"; }; };
    expectedError = "pkgs/pwa-apps (axios-pwa-apps): app x: url \"example.org\" must be an http:// or https:// address";
  };
  testAppIdDropsSchemeAndPort = {
    expr = map (catalog.appId "Default") [ "http://nas.local:2283" "https://[::1]:8443/app/x" "https://mail.google.com/" ];
    expected = [ "chrome-nas.local__-Default" "chrome-[::1]__app_x-Default" "chrome-mail.google.com__-Default" ];
  };
  testBadIdRejected = {
    expr = bad { "My App" = { name = "X"; url = "https://example.org/"; }; };
    expectedError = "app identifier \"My App\" must be lowercase letters, digits and dashes (it names the desktop file)";
  };
  testMissingNameRejected = {
    expr = bad { x.url = "https://example.org/"; };
    expectedError = "app x needs `name` and `url`";
  };
  testUnknownKeyRejected = {
    expr = bad { x = { name = "X"; url = "https://example.org/"; mimeType = [ ]; }; };
    expectedError = "app x: unknown key(s) mimeType (allowed: name, url, icon, categories, mimeTypes, extraArgs)";
  };
  testBadProfileRejected = {
    expr = (pkg.override { profile = "a/b"; }).name;
    expectedError = "profile \"a/b\" must be letters, digits, spaces, `_` or `-`";
  };
}
