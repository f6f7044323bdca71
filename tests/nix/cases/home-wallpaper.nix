# home/desktop/wallpaper.nix: collection linked into the wallpaper directory, current
# wallpaper link, blur service + path unit, overview backdrop (swaybg + niri layer rule).
{ lib, pkgs, root, axios, evalHome, hasPackage, ... }:
let
  wall = extra: evalHome [ axios.homeModules.desktop { axios.desktop.enable = true; } extra ];
  w = wall { };
  units = w.config.systemd.user;
  niri = e: e.config.axios.desktop.niri.finalConfig;
  setScript = lib.findFirst (p: p.name == "axios-wallpaper") null w.config.home.packages;
  inherit (w.config.axios.desktop.wallpaper.scripts) blur;
  noBackdrop = wall { axios.desktop.wallpaper.blur.backdrop = false; };
  noBlur = wall { axios.desktop.wallpaper.blur = { enable = false; backdrop = false; }; };
in
{
  testCollectionLinkedFileByFile = {
    expr = lib.mapAttrs (_: f: f.source) (lib.filterAttrs (n: _: lib.hasPrefix "Pictures/Wallpapers/" n) w.config.home.file);
    expected = lib.genAttrs' [ "axios-dusk" "axios-forest" "axios-ocean" "axios-slate" ]
      (n: lib.nameValuePair "Pictures/Wallpapers/${n}.png" (root + "/home/resources/wallpapers/${n}.png"));
  };

  testCollectionFilesExist = {
    expr = lib.all builtins.pathExists
      (map (n: root + "/home/resources/wallpapers/${n}.png") [ "axios-dusk" "axios-forest" "axios-ocean" "axios-slate" ]);
    expected = true;
  };

  testCustomDirectoryAndNoCollection = {
    expr = {
      custom = lib.attrNames (lib.filterAttrs (n: _: lib.hasPrefix "media/bg/" n) (wall { axios.desktop.wallpaper.directory = "/home/alice/media/bg"; }).config.home.file);
      none = lib.attrNames (wall { axios.desktop.wallpaper.collection.enable = false; }).config.home.file;
    };
    expected = {
      custom = [ "media/bg/axios-dusk.png" "media/bg/axios-forest.png" "media/bg/axios-ocean.png" "media/bg/axios-slate.png" ];
      none = [ ];
    };
  };

  testNoCollectionWithDefaultImageWarns = {
    expr = {
      warned = map (lib.hasInfix "comes from the axiOS collection") (wall { axios.desktop.wallpaper.collection.enable = false; }).warnings;
      ownImage = (wall { axios.desktop.wallpaper = { collection.enable = false; image = "/home/alice/Pictures/me.jpg"; }; }).warnings;
    };
    expected = { warned = [ true ]; ownImage = [ ]; };
  };

  testDirectoryOutsideHomeFailsAssertion = {
    expr = (wall { axios.desktop.wallpaper.directory = "/srv/wallpapers"; }).failedAssertions;
    expected = [ "axios.desktop.wallpaper.directory = \"/srv/wallpapers\" is outside the home directory (/home/alice); home-manager can only link files under it. Choose a directory below /home/alice." ];
  };

  testBackdropWithoutBlurFailsAssertion = {
    expr = (wall { axios.desktop.wallpaper.blur.enable = false; }).failedAssertions;
    expected = [ "axios.desktop.wallpaper.blur.backdrop shows the blurred wallpaper, which needs axios.desktop.wallpaper.blur.enable = true (or set blur.backdrop = false)." ];
  };

  testSetScriptInitialisesWithDefaultImage = {
    expr = {
      installed = setScript != null;
      init = lib.hasInfix "point_to /home/alice/Pictures/Wallpapers/axios-dusk.png" setScript.text;
      keepsChoice = lib.hasInfix ''if [ ! -e "$link" ]; then'' setScript.text;
      tellsDms = lib.hasInfix ''dms ipc call wallpaper set "$file"'' setScript.text;
      atomic = lib.hasInfix ''mv -Tf -- "$link.tmp" "$link"'' setScript.text;
    };
    expected = { installed = true; init = true; keepsChoice = true; tellsDms = true; atomic = true; };
  };

  testInitServiceStartsBlur = {
    expr = units.services.axios-wallpaper.Service;
    expected = {
      Type = "oneshot";
      ExecStart = "${setScript}/bin/axios-wallpaper init";
      ExecStartPost = [ "-${pkgs.systemd}/bin/systemctl --user start axios-wallpaper-blur.service" ];
    };
  };

  testBlurPathUnitWatchesCurrentLink = {
    expr = units.paths.axios-wallpaper-blur;
    expected = {
      Unit.Description = "axiOS: watch the current wallpaper";
      Path = { PathChanged = "%S/axios/wallpaper/current"; Unit = "axios-wallpaper-blur.service"; };
      Install.WantedBy = [ "default.target" ];
    };
  };

  testBlurServiceCommand = {
    expr = let s = units.services.axios-wallpaper-blur.Service; in {
      inherit (s) Type ExecStartPost;
      exec = s.ExecStart == "${blur}";
      magick = lib.hasInfix "${pkgs.imagemagick}/bin/magick \"$src\" -resize '1920x1080>' -blur 0x24 \"$out.tmp.png\"" blur.text;
      stamp = lib.hasInfix ''[ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]'' blur.text;
    };
    expected = {
      Type = "oneshot";
      ExecStartPost = [ "-${pkgs.systemd}/bin/systemctl --user try-restart axios-wallpaper-backdrop.service" ];
      exec = true;
      magick = true;
      stamp = true;
    };
  };

  testBlurSigmaOption = {
    expr = lib.hasInfix "-blur 0x40 " (wall { axios.desktop.wallpaper.blur.sigma = 40; }).config.axios.desktop.wallpaper.scripts.blur.text;
    expected = true;
  };

  testBlurSigmaOutOfRange = {
    expr = (wall { axios.desktop.wallpaper.blur.sigma = 500; }).config.axios.desktop.wallpaper.scripts.blur.text;
    expectedError = "axios.desktop.wallpaper.blur.sigma' is not of type";
  };

  testBackdropServiceAndLayerRule = {
    expr = {
      exec = units.services.axios-wallpaper-backdrop.Service.ExecStart;
      rule = lib.hasInfix ''
        layer-rule {
            match namespace="^wallpaper$"
            place-within-backdrop true
        }''
        (niri w);
    };
    expected = {
      exec = "${pkgs.swaybg}/bin/swaybg --mode fill --image %C/axios/wallpaper/blurred.png";
      rule = true;
    };
  };

  testBackdropOff = {
    expr = {
      service = noBackdrop.config.systemd.user.services ? axios-wallpaper-backdrop;
      rule = lib.hasInfix "layer-rule" (niri noBackdrop);
      restart = noBackdrop.config.systemd.user.services.axios-wallpaper-blur.Service.ExecStartPost;
    };
    expected = { service = false; rule = false; restart = [ ]; };
  };

  testBlurOff = {
    expr = {
      service = noBlur.config.systemd.user.services ? axios-wallpaper-blur;
      path = noBlur.config.systemd.user.paths ? axios-wallpaper-blur;
      post = noBlur.config.systemd.user.services.axios-wallpaper.Service.ExecStartPost;
      assertions = noBlur.failedAssertions;
    };
    expected = { service = false; path = false; post = [ ]; assertions = [ ]; };
  };

  testWallpaperCanBeDisabledAlone = {
    expr = let e = wall { axios.desktop.wallpaper.enable = false; }; in {
      files = e.config.home.file;
      script = hasPackage "axios-wallpaper" e.config.home.packages;
    };
    expected = { files = { }; script = false; };
  };
}
