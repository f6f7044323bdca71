# git: identity, signing, sensible defaults and delta as the pager.
# Uses home-manager's `programs.git.settings` (home-manager 25.11 and later).
{ config, lib, ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf types literalExpression;
  cfg = config.axios.terminal.git;
in
{
  options.axios.terminal.git = {
    enable = mkEnableOption "git with the axiOS defaults" // {
      default = config.axios.terminal.enable;
      defaultText = literalExpression "config.axios.terminal.enable";
    };

    userName = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "Name recorded in commits; `null` leaves it unset.";
      example = "Alice Example";
    };

    userEmail = mkOption {
      type = types.nullOr (types.strMatching "[^@ ]+@[^@ ]+");
      default = null;
      description = "E-mail address recorded in commits; `null` leaves it unset.";
      example = "alice@example.org";
    };

    defaultBranch = mkOption {
      type = types.str;
      default = "main";
      description = "Branch name of new repositories (`init.defaultBranch`).";
      example = "trunk";
    };

    signing = {
      key = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Signing key: an SSH public key path (format `ssh`) or an OpenPGP key ID.";
        example = "~/.ssh/id_ed25519.pub";
      };
      format = mkOption {
        type = types.enum [ "ssh" "openpgp" "x509" ];
        default = "ssh";
        description = "Signature format (`gpg.format`).";
        example = "openpgp";
      };
      signByDefault = mkOption {
        type = types.bool;
        default = false;
        description = "Sign every commit and tag.";
        example = true;
      };
    };

    aliases = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Extra git aliases, merged over the axiOS set.";
      example = { wip = "commit -am WIP"; };
    };

    delta = mkOption {
      type = types.bool;
      default = true;
      description = "Use delta as the diff pager.";
      example = false;
    };
  };

  config = mkIf cfg.enable {
    assertions = [{
      assertion = !cfg.signing.signByDefault || cfg.signing.key != null;
      message = "axios.terminal.git.signing.signByDefault = true needs a key: set axios.terminal.git.signing.key (e.g. \"~/.ssh/id_ed25519.pub\" with format \"ssh\").";
    }];

    programs.git = {
      enable = true;
      signing = mkIf (cfg.signing.key != null) {
        inherit (cfg.signing) key format signByDefault;
      };
      settings = {
        user = lib.filterAttrs (_: v: v != null) { name = cfg.userName; email = cfg.userEmail; };
        init.defaultBranch = cfg.defaultBranch;
        pull.rebase = true;
        push.autoSetupRemote = true;
        fetch.prune = true;
        rerere.enabled = true;
        merge.conflictStyle = "zdiff3";
        diff.algorithm = "histogram";
        alias = {
          st = "status -sb";
          co = "checkout";
          sw = "switch";
          lg = "log --oneline --graph --decorate";
          amend = "commit --amend --no-edit";
        } // cfg.aliases;
      };
      ignores = [ ".direnv/" "result" "result-*" ".envrc.local" ];
    };

    programs.delta = mkIf cfg.delta {
      enable = true;
      enableGitIntegration = true;
      options = {
        navigate = true;
        line-numbers = true;
      };
    };
  };
}
