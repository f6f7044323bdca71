# fish shell: no greeting, abbreviations, aliases to the modern tools of tools.nix.
{ config, lib, ... }@args:
let
  inherit (lib) mkOption mkEnableOption mkIf types literalExpression;
  cfg = config.axios.terminal.fish;
  osConfig = args.osConfig or null;
  tools = config.axios.terminal.tools;
in
{
  options.axios.terminal.fish = {
    enable = mkEnableOption "fish with the axiOS defaults" // {
      default = config.axios.terminal.enable;
      defaultText = literalExpression "config.axios.terminal.enable";
    };

    abbreviations = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Extra fish abbreviations (expanded when typed), merged over the axiOS set.";
      example = { k = "kubectl"; };
    };

    greeting = mkOption {
      type = types.str;
      default = "";
      description = "fish greeting; empty for none.";
      example = "Welcome back";
    };

    extraInit = mkOption {
      type = types.lines;
      default = "";
      description = "Extra commands for interactive fish shells.";
      example = "set -gx EDITOR nvim";
    };
  };

  config = mkIf cfg.enable {
    warnings = lib.optional (osConfig != null && !(osConfig.programs.fish.enable or true)) ''
      axios.terminal.fish is enabled but the NixOS configuration has programs.fish.enable = false:
      fish will miss the completions of system packages and cannot be a login shell. Set
      programs.fish.enable = true in the NixOS configuration (the axiOS users module does this).
    '';

    programs.fish = {
      enable = true;
      interactiveShellInit = ''
        set -g fish_greeting ${lib.escapeShellArg cfg.greeting}
      '' + cfg.extraInit;
      shellAbbrs = {
        g = "git";
        gs = "git status";
        gd = "git diff";
        gc = "git commit";
        gp = "git push";
        gl = "git log --oneline --graph --decorate";
        nrs = "sudo nixos-rebuild switch --flake .";
        nfu = "nix flake update";
        ndev = "nix develop";
      } // cfg.abbreviations;
      shellAliases = lib.optionalAttrs tools.enable {
        ls = "eza --group-directories-first";
        ll = "eza -l --git --group-directories-first";
        la = "eza -la --git --group-directories-first";
        tree = "eza --tree";
        cat = "bat --paging=never";
      };
    };
  };
}
