# nixos/development: tools, editors, direnv, nix-ld.
{ axios, pkgs, evalNixos, hasPackage, ... }:
let
  dev = cfg: evalNixos [ axios.nixosModules.development { development.enable = true; } cfg ];
  c = (dev { }).config;
in
{
  testTools = {
    expr = {
      direnv = c.programs.direnv.nix-direnv.enable;
      nixld = c.programs.nix-ld.enable;
      tools = map (n: hasPackage n c.environment.systemPackages) [ "gh" "just" "nil" "nixpkgs-fmt" "neovim" "vscode" ];
      watches = c.boot.kernel.sysctl."fs.inotify.max_user_watches";
    };
    expected = { direnv = true; nixld = true; tools = [ true true true true true false ]; watches = 524288; };
  };
  testEditors = {
    expr = let p = (dev { development.editors = [ "vscode" "zed" ]; development.extraPackages = [ pkgs.go ]; }).config.environment.systemPackages; in
      map (n: hasPackage n p) [ "vscode" "zed-editor" "neovim" "helix" "go" ];
    expected = [ true true false false true ];
  };
  testBadEditor = {
    expr = (dev { development.editors = [ "emacs" ]; }).config.environment.systemPackages;
    expectedError = "development.editors.\"[definition 1-entry 1]\"' is not of type `one of \"vscode\", \"zed\", \"neovim\", \"helix\"'";
  };
  testDisabled = {
    expr = (evalNixos [ axios.nixosModules.development ]).config.environment.systemPackages;
    expected = [ ];
  };
}
