# The home modules evaluated against home-manager's REAL option declarations for the
# programs, services and settings they configure (git, fish, starship, ghostty, neovim,
# eza, bat, fzf, zoxide, direnv, delta, gpg, gpg-agent, ssh, ssh-agent, chromium,
# claude-code, home-manager, auto-expire, gtk, qt, dconf, the pointer cursor, fontconfig,
# xdg MIME apps, desktop entries and user dirs, systemd user units, home.file and
# xdg.{config,data,state,cache}File), without the freeform stub root: a misspelt option or a value
# of the wrong type fails here as it would for a user. Every home module is evaluated
# (the profiles, plus secrets and gdrive-sync; agenix's age.* is a stub, agenix is not
# vendored). home.* (packages, sessionVariables, activation, file, ...) and xdg.*File come
# from home-manager's real home-environment.nix, files.nix and misc/xdg; the rest of
# home-manager (launchd, nix, news, ...) is a small stub declared below; pkgs is the stub set
# with the few builders neovim needs, and `pkgs.path` points at home/tests/nixpkgs-path
# (stand-ins for the two nixpkgs files home-manager modules import).
{ lib, pkgs, hmLib, root, axios, stub, ... }:
let
  # tests/nix/run takes home-manager from $HOME_MANAGER_SRC or ~/.cache/axios/home-manager
  hmSrc =
    let env = builtins.getEnv "HOME_MANAGER_SRC";
    in if env != "" then env else builtins.getEnv "HOME" + "/.cache/axios/home-manager";
  rp = pkgs // {
    xsetroot = pkgs.mkFake "xsetroot";
    xdg-user-dirs = pkgs.mkFake "xdg-user-dirs";
    shared-mime-info = pkgs.mkFake "shared-mime-info";
    # misc/qt reads qtbase's plugin and QML prefixes of both Qt versions
    qt5.qtbase = pkgs.mkFakeWith { name = "qtbase-5"; qtPluginPrefix = "lib/qt-5/plugins"; qtQmlPrefix = "lib/qt-5/qml"; };
    qt6 = pkgs.qt6 // { qtbase = pkgs.mkFakeWith { name = "qtbase-6"; qtPluginPrefix = "lib/qt-6/plugins"; qtQmlPrefix = "lib/qt-6/qml"; }; };
    fontconfig = pkgs.mkFake "fontconfig";
    # versions the real modules check
    fzf = pkgs.mkFakeWith { pname = "fzf"; version = "0.73.0"; };
    claude-code = pkgs.mkFakeWith { pname = "claude-code"; version = "2.1.157"; mainProgram = "claude"; };
    path = root + "/home/tests/nixpkgs-path";
    wrapNeovimUnstable = _: args: pkgs.mkFakeWith { name = "neovim-wrapped"; wrapArgs = args; luaRcContent = ""; };
    neovimUtils = {
      makeNeovimConfig = args: args // { neovimRcContent = ""; luaRcContent = ""; wrapperArgs = [ ]; };
      makeVimPackageInfo = _: { vimPackage = pkgs.mkFake "vim-pack"; };
    };
  };
  inherit (lib) mkOption types;
  # programs other modules look at (`programs.<x>.enable`): off, anything else accepted
  off = mkOption {
    type = stub.freeformSubmodule { enable = mkOption { type = types.bool; default = false; }; };
    default = { };
  };
  free = mkOption { type = types.lazyAttrsOf stub.stubAnything; default = { }; description = "stub"; };
  core = {
    options = {
      launchd = free;
      xsession = free;
      xresources = free;
      wayland = free;
      sshAuthSock = free;
      dbus = free;
      targets = free;
      nix = free;
      nixpkgs = free;
      news = free;
      i18n = free;
      lib = free;
      programs = {
        bash = off;
        zsh = off;
        nushell = off;
        ion = off;
        vim = off;
        emacs = off;
        kakoune = off;
        helix = off;
        man = off;
        jujutsu = off;
        firefox = off;
        lazygit = off;
        git-worktree-switcher = off;
        mcp = off;
      };
    };
  };
  realFiles = [ (rp.path + "/nixos/modules/misc/assertions.nix") (rp.path + "/nixos/modules/misc/meta.nix") ] ++ map (f: hmSrc + "/modules/${f}") [
    "programs/git.nix"
    "programs/fish.nix"
    "programs/starship.nix"
    "programs/ghostty.nix"
    "programs/neovim"
    "programs/eza.nix"
    "programs/bat.nix"
    "programs/fzf.nix"
    "programs/zoxide.nix"
    "programs/direnv.nix"
    "programs/delta.nix"
    "programs/gpg.nix"
    "services/gpg-agent.nix"
    "programs/ssh.nix"
    "services/ssh-agent.nix"
    "programs/chromium.nix"
    "programs/claude-code"
    "programs/home-manager.nix"
    "services/home-manager-auto-expire.nix"
    "programs/diff-highlight.nix"
    "programs/diff-so-fancy.nix"
    "programs/difftastic.nix"
    "programs/patdiff.nix"
    "programs/riff.nix"
    "programs/atuin.nix"
    "programs/mcfly.nix"
    "misc/shell.nix"
    "systemd.nix"
    "misc/gtk"
    "misc/qt"
    "misc/dconf.nix"
    "config/home-cursor.nix"
    "misc/fontconfig.nix"
    "misc/xdg/mime-apps.nix"
    "misc/xdg/desktop-entries.nix"
    "misc/xdg/user-dirs.nix"
    "misc/submodule-support.nix"
    "files.nix"
    "misc/xdg"
    "home-environment.nix"
    "misc/version.nix"
  ];
  evalReal = modules: hmLib.evalModules {
    class = "homeManager";
    # agenix's age.* (a stub: agenix is not vendored) for home/secrets
    modules = [ core { _module.args.pkgs = rp; } (root + "/tests/nix/stubs/home/agenix.nix") { home = { username = "alice"; homeDirectory = "/home/alice"; stateVersion = "25.11"; }; nix = { useXdg = false; enable = false; }; } ] ++ realFiles ++ modules;
  };
  failed = ev: map (a: a.message) (lib.filter (a: !a.assertion) ev.config.assertions);

  ws = evalReal [
    axios.homeModules.workstation
    {
      axios.terminal.git = { userName = "Alice"; userEmail = "alice@example.org"; signing = { key = "~/.ssh/id_ed25519.pub"; signByDefault = true; }; };
      axios.ai.mcp.presets.github = { enable = true; tokenFile = "/run/user/1000/agenix/github-token"; };
      axios.calendar.accounts.holidays = { type = "http"; url = "https://example.org/holidays.ics"; };
    }
  ];
  w = ws.config;
  # every other home module on top: gdrive-sync, secrets, the original's option paths
  existing = root + "/home/default.nix";
  more = evalReal [
    axios.homeModules.workstation
    axios.homeModules.secrets
    {
      services.gdrive-sync.enable = true;
      axios.secrets = { enable = true; secrets.github-token.file = existing; };
      axios.wallpapers.enable = false;
    }
  ];
  m = more.config;
  laptop = evalReal [ axios.homeModules.laptop { axios.security = { sshAgent = "gpg"; yubikey.enable = true; }; axios.terminal.neovim.distribution = "minimal"; } ];
  l = laptop.config;
in
{
  testRealSystemdUnits = {
    expr = {
      units = lib.mapAttrs (_: u: lib.attrNames (lib.filterAttrs (n: _: n == "dms" || lib.hasPrefix "axios-" n) u)) {
        inherit (w.systemd.user) services timers paths;
      };
      dms = w.systemd.user.services.dms.Install.WantedBy;
      # forcing every value through home-manager's unit types
      typed = builtins.deepSeq (map (n: w.systemd.user.services.${n}) [ "dms" "axios-wallpaper" "axios-wallpaper-blur" "axios-wallpaper-backdrop" "axios-calendar-sync" ]) true;
      timer = w.systemd.user.timers.axios-calendar-sync.Timer.OnUnitActiveSec;
      path = w.systemd.user.paths.axios-wallpaper-blur.Path.PathChanged;
    };
    expected = {
      units = {
        services = [ "axios-calendar-sync" "axios-wallpaper" "axios-wallpaper-backdrop" "axios-wallpaper-blur" "dms" ];
        timers = [ "axios-calendar-sync" ];
        paths = [ "axios-wallpaper-blur" ];
      };
      dms = [ "graphical-session.target" ];
      typed = true;
      timer = "15min";
      path = "%S/axios/wallpaper/current";
    };
  };

  testRealTheming = {
    expr = {
      gtk = w.gtk.theme.name;
      icons = w.gtk.iconTheme.name;
      cursor = { inherit (w.home.pointerCursor) name size enable; };
      dconf = w.dconf.settings."org/gnome/desktop/interface".color-scheme;
      qt = w.qt.platformTheme.name;
      fontconfig = w.fonts.fontconfig.enable;
    };
    expected = {
      gtk = "adw-gtk3-dark";
      icons = "Papirus-Dark";
      cursor = { name = "Bibata-Modern-Classic"; size = 24; enable = true; };
      dconf = "prefer-dark";
      qt = "gtk3";
      fontconfig = true;
    };
  };

  testRealXdg = {
    expr = {
      entries = lib.attrNames w.xdg.desktopEntries;
      wmClass = w.xdg.desktopEntries.axios-pwa-youtube.settings.StartupWMClass;
      html = w.xdg.mimeApps.defaultApplications."text/html";
      userDirs = w.xdg.userDirs.enable;
    };
    expected = {
      entries = [ "axios-pwa-google-messages" "axios-pwa-youtube" ];
      wmClass = "chrome-www.youtube.com__-Default";
      html = [ "chromium-browser.desktop" ];
      userDirs = true;
    };
  };

  testWorkstationPassesRealAssertions = {
    expr = { failed = failed ws; warnings = w.warnings; };
    expected = { failed = [ ]; warnings = [ ]; };
  };

  testLaptopPassesRealAssertions = {
    expr = { failed = failed laptop; warnings = l.warnings; };
    expected = { failed = [ ]; warnings = [ ]; };
  };

  testRealGit = {
    expr = {
      user = w.programs.git.settings.user;
      inherit (w.programs.git.signing) key format signByDefault;
      delta = w.programs.delta.enableGitIntegration;
      alias = w.programs.git.settings.alias.lg;
    };
    expected = { user = { name = "Alice"; email = "alice@example.org"; }; key = "~/.ssh/id_ed25519.pub"; format = "ssh"; signByDefault = true; delta = true; alias = "log --oneline --graph --decorate"; };
  };

  testRealShellAndPrompt = {
    expr = {
      abbr = w.programs.fish.shellAbbrs.gs;
      starship = w.programs.starship.settings.directory.truncation_length;
      starshipFish = w.programs.starship.enableFishIntegration;
      ghostty = w.programs.ghostty.settings.font-family;
      eza = w.programs.eza.icons;
      zoxide = w.programs.zoxide.enableFishIntegration;
      direnv = w.programs.direnv.nix-direnv.enable;
    };
    expected = { abbr = "git status"; starship = 4; starshipFish = true; ghostty = "JetBrainsMono Nerd Font"; eza = "auto"; zoxide = true; direnv = true; };
  };

  testRealNeovim = {
    expr = {
      ws = { inherit (w.programs.neovim) initLua defaultEditor; };
      laptopPlugins = builtins.length l.programs.neovim.plugins;
    };
    expected = { ws = { initLua = ''require("config.lazy")''; defaultEditor = true; }; laptopPlugins = 4; };
  };

  testRealSecurity = {
    expr = {
      pinentry = w.services.gpg-agent.pinentry.package.pname;
      keyid = w.programs.gpg.settings.keyid-format;
      persist = w.programs.ssh.settings."*".data.ControlPersist;
      laptopSsh = l.services.gpg-agent.enableSshSupport;
      laptopScd = l.programs.gpg.scdaemonSettings;
    };
    expected = { pinentry = "pinentry-gnome3"; keyid = "0xlong"; persist = "10m"; laptopSsh = true; laptopScd = { disable-ccid = true; }; };
  };

  testRealBrowserAndClaudeCode = {
    expr = {
      extensions = map (x: x.id) w.programs.chromium.extensions;
      mcp = lib.attrNames w.programs.claude-code.mcpServers;
      github = lib.hasSuffix "-mcp-github" w.programs.claude-code.mcpServers.github.command;
    };
    expected = { extensions = [ "nngceckbapebfimnlniiiahkandclblb" "ddkjiahejlhfcafbddmgiahcphecmpfh" ]; mcp = [ "github" "nixos" ]; github = true; };
  };

  testRealHomeManagerExpiry = {
    expr = { inherit (w.services.home-manager.autoExpire) enable frequency timestamp; };
    expected = { enable = true; frequency = "weekly"; timestamp = "-30 days"; };
  };

  testRealBrave = {
    expr = let b = (evalReal [ axios.homeModules.browser { axios.browser = { enable = true; flavour = "brave"; }; } ]).config; in {
      inherit (b.programs.brave) enable commandLineArgs;
      extensions = map (x: x.id) b.programs.brave.extensions;
    };
    expected = {
      enable = true;
      commandLineArgs = [ "--ozone-platform-hint=auto" "--enable-features=TouchpadOverscrollHistoryNavigation" ];
      extensions = [ "nngceckbapebfimnlniiiahkandclblb" "ddkjiahejlhfcafbddmgiahcphecmpfh" ];
    };
  };

  testRealFilesAndXdg = {
    # every file through home-manager's real file type (files.nix, misc/xdg)
    expr = {
      typed = builtins.deepSeq (lib.mapAttrsToList (_: f: { inherit (f) target enable executable recursive force; }) w.home.file) true;
      bisync = m.home.file."/home/alice/.config/axios/bisync.toml".target;
      ghostty = w.xdg.configFile ? "ghostty/config";
    };
    expected = { typed = true; bisync = ".config/axios/bisync.toml"; ghostty = true; };
  };

  testRealGdriveSyncSecretsCompat = {
    expr = {
      failed = failed more;
      units = lib.sort lib.lessThan (lib.filter (lib.hasPrefix "gdrive-sync-") (lib.attrNames m.systemd.user.services));
      typed = builtins.deepSeq (map (n: m.systemd.user.services.${n}) [ "gdrive-sync-documents" "gdrive-sync-music" ]) true;
      timer = builtins.isString m.systemd.user.timers.gdrive-sync-documents.Timer.OnUnitActiveSec;
      age = m.age.secrets.github-token.file == existing;
      compatWarns = builtins.any (lib.hasInfix "axios.wallpapers.enable") m.warnings;
    };
    expected = { failed = [ ]; units = [ "gdrive-sync-documents" "gdrive-sync-music" ]; typed = true; timer = true; age = true; compatWarns = true; };
  };

  testRealHomeEnvironment = {
    # home.* through home-manager's real home-environment.nix
    expr = {
      editor = w.home.sessionVariables.EDITOR;
      pager = w.home.sessionVariables.PAGER;
      packages = map (p: p.name or "?") (builtins.filter (p: !(lib.isDerivation p)) w.home.packages);
      activation = builtins.all (e: e ? data && e ? after) (builtins.attrValues w.home.activation);
    };
    expected = { editor = "nvim"; pager = "less -FRX"; packages = [ ]; activation = true; };
  };

  testMisspeltHomeOptionFails = {
    expr = (evalReal [ axios.homeModules.base { home.sessionVariable.FOO = "1"; } ]).config.home.sessionVariables;
    expectedError = "The option `home.sessionVariable' does not exist";
  };

  testMisspeltFileOptionFails = {
    expr = (evalReal [ axios.homeModules.base { xdg.configFile."x/y".txt = "a"; } ]).config.home.file;
    expectedError = "The option `xdg.configFile.\"x/y\".txt' does not exist";
  };

  testMisspeltOptionFails = {
    expr = (evalReal [ axios.homeModules.base { programs.git.settingz.user.name = "x"; } ]).config.programs.git.enable;
    expectedError = "The option `programs.git.settingz' does not exist";
  };

  testWrongTypeFails = {
    expr = (evalReal [ axios.homeModules.base { programs.starship.enableFishIntegration = "yes"; } ]).config.programs.starship.enableFishIntegration;
    expectedError = "programs.starship.enableFishIntegration' is not of type `boolean'";
  };
}
