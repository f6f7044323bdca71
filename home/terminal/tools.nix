# CLI tools: modern replacements (eza, bat, fd, ripgrep), navigation (zoxide, fzf),
# direnv with nix-direnv, and everyday utilities.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf types literalExpression;
  cfg = config.axios.terminal.tools;
  fish = config.axios.terminal.fish.enable;
in
{
  options.axios.terminal.tools = {
    enable = mkEnableOption "the axiOS CLI tool set" // {
      default = config.axios.terminal.enable;
      defaultText = literalExpression "config.axios.terminal.enable";
    };

    extraPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      description = "More CLI packages to install.";
      example = literalExpression "[ pkgs.kubectl pkgs.k9s ]";
    };
  };

  config = mkIf cfg.enable {
    home.packages = with pkgs; [
      fd
      ripgrep
      jq
      yq
      btop
      tree
      unzip
      p7zip
      wget
      curl
      gh
      lazygit
      just
      tealdeer
      dust
      duf
      nix-output-monitor
      nvd
      nh
    ] ++ cfg.extraPackages;

    programs = {
      eza = {
        enable = true;
        git = true;
        icons = "auto";
      };
      bat = {
        enable = true;
        config.theme = "ansi";
      };
      fzf = {
        enable = true;
        enableFishIntegration = fish;
        defaultCommand = "fd --type f --hidden --exclude .git";
      };
      zoxide = {
        enable = true;
        enableFishIntegration = fish;
      };
      direnv = {
        enable = true;
        nix-direnv.enable = true;
        config.global.hide_env_diff = true;
      };
    };
  };
}
