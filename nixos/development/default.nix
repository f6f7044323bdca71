# Development tools and language runtimes (per-project toolchains come from
# the flake's devShells: `nix develop github:…/axios#rust`).
{ config, lib, pkgs, ... }:
let
  cfg = config.development;
in
{
  options.development = {
    enable = lib.mkEnableOption "development tools (git, direnv, compilers, language servers, containers tooling)";
    editors = lib.mkOption {
      type = lib.types.listOf (lib.types.enum [ "vscode" "zed" "neovim" "helix" ]);
      default = [ "neovim" ];
      example = [ "vscode" "neovim" ];
      description = "Editors to install system-wide.";
    };
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.go pkgs.gopls ]";
      description = "More development packages to install.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.direnv = {
      enable = true;
      nix-direnv.enable = true;
    };
    programs.git.enable = true;
    # run unpatched binaries (language servers, prebuilt toolchains)
    programs.nix-ld.enable = true;
    documentation.dev.enable = lib.mkDefault true;

    environment.systemPackages = [
      pkgs.gh
      pkgs.just
      pkgs.gnumake
      pkgs.gcc
      pkgs.pkg-config
      pkgs.jq
      pkgs.ripgrep
      pkgs.fd
      pkgs.shellcheck
      pkgs.nil
      pkgs.nixpkgs-fmt
      pkgs.nix-tree
      pkgs.nix-output-monitor
      pkgs.nvd
      pkgs.python3
      pkgs.nodejs
      pkgs.uv
      pkgs.hyperfine
    ]
    ++ lib.optional (builtins.elem "vscode" cfg.editors) pkgs.vscode
    ++ lib.optional (builtins.elem "zed" cfg.editors) pkgs.zed-editor
    ++ lib.optional (builtins.elem "neovim" cfg.editors) pkgs.neovim
    ++ lib.optional (builtins.elem "helix" cfg.editors) pkgs.helix
    ++ cfg.extraPackages;

    # file watchers of IDEs and cargo-watch
    boot.kernel.sysctl."fs.inotify.max_user_watches" = lib.mkDefault 524288;
  };
}
