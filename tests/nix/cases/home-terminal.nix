# home/terminal: fish, git, ghostty, starship, neovim, CLI tools.
{ lib, pkgs, axios, evalHome, evalHomeWith, hasPackage, ... }:
let
  term = extra: evalHome [ axios.homeModules.terminal { axios.terminal.enable = true; } extra ];
  t = term { };
  c = t.config;
  withDesktop = evalHome [ axios.homeModules.terminal axios.homeModules.desktop { axios.terminal.enable = true; axios.desktop.enable = true; } ];
  minimal = term { axios.terminal.neovim.distribution = "minimal"; };
in
{
  testTerminalOffSetsNothing = {
    expr = let e = evalHome [ axios.homeModules.terminal ]; in { pkgs = e.config.home.packages; fish = (builtins.tryEval e.config.programs.fish.enable).success; };
    expected = { pkgs = [ ]; fish = false; };
  };

  testFish = {
    expr = {
      inherit (c.programs.fish) enable interactiveShellInit;
      abbrs = { inherit (c.programs.fish.shellAbbrs) g gs nrs; };
      ls = c.programs.fish.shellAliases.ls;
    };
    expected = {
      enable = true;
      interactiveShellInit = "set -g fish_greeting ''\n";
      abbrs = { g = "git"; gs = "git status"; nrs = "sudo nixos-rebuild switch --flake ."; };
      ls = "eza --group-directories-first";
    };
  };

  testFishAbbreviationsGreetingExtraInit = {
    expr = let f = (term { axios.terminal.fish = { abbreviations.k = "kubectl"; abbreviations.g = "git status -sb"; greeting = "hi there"; extraInit = "set -gx FOO 1"; }; }).config.programs.fish; in {
      inherit (f.shellAbbrs) k g;
      init = f.interactiveShellInit;
    };
    expected = { k = "kubectl"; g = "git status -sb"; init = "set -g fish_greeting 'hi there'\nset -gx FOO 1"; };
  };

  testFishWarnsWhenNixosFishIsOff = {
    expr = map (lib.hasInfix "programs.fish.enable = false")
      (evalHomeWith {
        modules = [ axios.homeModules.terminal { axios.terminal.enable = true; } ];
        specialArgs.osConfig = { programs.fish.enable = false; };
      }).warnings;
    expected = [ true ];
  };

  testGitDefaults = {
    expr = let g = c.programs.git; in {
      inherit (g) enable;
      user = g.settings.user;
      branch = g.settings.init.defaultBranch;
      rebase = g.settings.pull.rebase;
      st = g.settings.alias.st;
      delta = c.programs.delta.enableGitIntegration;
      ignores = lib.elem ".direnv/" g.ignores;
    };
    expected = { enable = true; user = { }; branch = "main"; rebase = true; st = "status -sb"; delta = true; ignores = true; };
  };

  testGitIdentityAndSigning = {
    expr = let g = (term { axios.terminal.git = { userName = "Alice Example"; userEmail = "alice@example.org"; signing = { key = "~/.ssh/id_ed25519.pub"; signByDefault = true; }; aliases.wip = "commit -am WIP"; }; }).config.programs.git; in {
      inherit (g.settings) user;
      inherit (g) signing;
      wip = g.settings.alias.wip;
    };
    expected = {
      user = { name = "Alice Example"; email = "alice@example.org"; };
      signing = { key = "~/.ssh/id_ed25519.pub"; format = "ssh"; signByDefault = true; };
      wip = "commit -am WIP";
    };
  };

  testGitSignByDefaultWithoutKeyFailsAssertion = {
    expr = (term { axios.terminal.git.signing.signByDefault = true; }).failedAssertions;
    expected = [ "axios.terminal.git.signing.signByDefault = true needs a key: set axios.terminal.git.signing.key (e.g. \"~/.ssh/id_ed25519.pub\" with format \"ssh\")." ];
  };

  testGitBadEmailIsATypeError = {
    expr = (term { axios.terminal.git.userEmail = "alice"; }).config.programs.git.settings.user.email;
    expectedError = "axios.terminal.git.userEmail' is not of type";
  };

  testGhosttyOnlyWithDesktop = {
    expr = {
      headless = (builtins.tryEval c.programs.ghostty.enable).success;
      desktop = withDesktop.config.programs.ghostty.enable;
      font = withDesktop.config.programs.ghostty.settings.font-family;
      size = withDesktop.config.programs.ghostty.settings.font-size;
      fish = withDesktop.config.programs.ghostty.enableFishIntegration;
    };
    expected = { headless = false; desktop = true; font = "JetBrainsMono Nerd Font"; size = 11; fish = true; };
  };

  testGhosttyExtraSettings = {
    expr = (evalHome [ axios.homeModules.terminal { axios.terminal = { enable = true; ghostty = { enable = true; theme = "catppuccin-mocha"; settings.background-opacity = 0.9; }; }; } ]).config.programs.ghostty.settings;
    expected = {
      font-family = "monospace";
      font-size = 11;
      theme = "catppuccin-mocha";
      window-padding-x = 8;
      window-padding-y = 8;
      window-decoration = false;
      gtk-single-instance = true;
      confirm-close-surface = false;
      shell-integration-features = "cursor,sudo,title";
      background-opacity = 0.9;
    };
  };

  testStarshipMergesSettings = {
    expr = let s = (term { axios.terminal.starship.settings = { aws.disabled = true; directory.truncation_length = 2; }; }).config.programs.starship; in {
      inherit (s) enable enableFishIntegration;
      aws = s.settings.aws.disabled;
      dir = s.settings.directory;
      newline = s.settings.add_newline;
    };
    expected = { enable = true; enableFishIntegration = true; aws = true; dir = { truncation_length = 2; truncate_to_repo = true; }; newline = false; };
  };

  testNeovimLazyVim = {
    expr = {
      inherit (c.programs.neovim) enable defaultEditor viAlias initLua;
      lsp = hasPackage "nil" c.programs.neovim.extraPackages;
      bootstrap = lib.hasInfix "https://github.com/folke/lazy.nvim.git" c.xdg.configFile."nvim/lua/config/lazy.lua".text;
      extras = lib.hasInfix ''{ import = "lazyvim.plugins.extras.lang.rust" },'' c.xdg.configFile."nvim/lua/config/lazy.lua".text;
      plugins = lib.hasInfix "return {}" c.xdg.configFile."nvim/lua/plugins/axios.lua".text;
    };
    expected = { enable = true; defaultEditor = true; viAlias = true; initLua = ''require("config.lazy")''; lsp = true; bootstrap = true; extras = true; plugins = true; };
  };

  testNeovimMinimal = {
    expr = let n = minimal.config.programs.neovim; in {
      plugins = map (p: p.name) n.plugins;
      lsp = lib.hasInfix ''for _, server in ipairs({ "nil_ls", "rust_analyzer" }) do'' n.initLua;
      noLazy = minimal.config.xdg.configFile ? "nvim/lua/config/lazy.lua";
    };
    expected = {
      plugins = [ "vimplugin-nvim-treesitter-with-all-grammars" "telescope-nvim" "nvim-lspconfig" "plenary-nvim" ];
      lsp = true;
      noLazy = false;
    };
  };

  testNeovimBadExtraIsATypeError = {
    expr = (term { axios.terminal.neovim.lazyvim.extras = [ "lang.nix" ]; }).config.xdg.configFile."nvim/lua/config/lazy.lua".text;
    expectedError = "axios.terminal.neovim.lazyvim.extras";
  };

  testTools = {
    expr = {
      pkgs = map (n: hasPackage n c.home.packages) [ "ripgrep" "fd" "jq" "btop" "lazygit" "nix-output-monitor" ];
      extra = hasPackage "kubectl" (term { axios.terminal.tools.extraPackages = [ pkgs.kubectl ]; }).config.home.packages;
      direnv = c.programs.direnv.nix-direnv.enable;
      zoxide = c.programs.zoxide.enableFishIntegration;
      eza = c.programs.eza.enable;
    };
    expected = { pkgs = [ true true true true true true ]; extra = true; direnv = true; zoxide = true; eza = true; };
  };

  testToolsOffDropsAliases = {
    expr = (term { axios.terminal.tools.enable = false; }).config.programs.fish.shellAliases;
    expected = { };
  };

  testEachPartCanBeDisabled = {
    expr = let e = term { axios.terminal = { git.enable = false; starship.enable = false; neovim.enable = false; }; }; in
      map (p: (builtins.tryEval e.config.programs.${p}.enable).success) [ "git" "starship" "neovim" "fish" ];
    expected = [ false false false true ];
  };
}
