# Home-level secrets with agenix: age-encrypted files decrypted at login into the user's
# runtime directory, readable by the user only.
#
# The agenix home-manager module (`inputs.agenix.homeManagerModules.default`) provides the
# `age.*` options; axiOS's flake adds it next to this module. This module stays
# flake-agnostic: it configures `age.*` when that module is present and otherwise fails
# with an assertion that says what to import.
{ config, lib, options, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf types literalExpression;

  cfg = config.axios.secrets;
  hasAgenix = options ? age.secrets;

  secretType = types.submodule ({ name, ... }: {
    options = {
      file = mkOption {
        type = types.path;
        description = "The age-encrypted file (in your flake, e.g. `./secrets/${name}.age`).";
        example = literalExpression "./secrets/github-token.age";
      };
      path = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Where the decrypted file appears; `null` for agenix's default (under the user's runtime dir).";
        example = "/home/alice/.config/gh/token";
      };
      mode = mkOption {
        type = types.strMatching "0?[0-7]{3}";
        default = "0400";
        description = "Permissions of the decrypted file.";
        example = "0440";
      };
      symlink = mkOption {
        type = types.bool;
        default = true;
        description = "Link `path` to the decrypted file instead of copying it.";
        example = false;
      };
    };
  });
in
{
  options.axios.secrets = {
    enable = mkEnableOption "home-level secrets with agenix";

    identityPaths = mkOption {
      type = types.nonEmptyListOf types.str;
      default = [ "${config.home.homeDirectory}/.ssh/id_ed25519" ];
      defaultText = literalExpression ''[ "''${config.home.homeDirectory}/.ssh/id_ed25519" ]'';
      description = "Private keys (SSH or age) used to decrypt the secrets.";
      example = [ "/home/alice/.ssh/id_ed25519" "/home/alice/.config/age/keys.txt" ];
    };

    secrets = mkOption {
      type = types.attrsOf secretType;
      default = { };
      description = "Secrets to decrypt, keyed by name; their paths are in `config.age.secrets.<name>.path`.";
      example = literalExpression ''
        {
          github-token.file = ./secrets/github-token.age;
          caldav = { file = ./secrets/caldav.age; mode = "0400"; };
        }
      '';
    };

    cli = mkOption {
      type = types.nullOr types.package;
      default = pkgs.age;
      defaultText = literalExpression "pkgs.age";
      description = "Command-line tool installed to create and edit secrets (`pkgs.agenix` from the flake overlay, `pkgs.ragenix`, or `pkgs.age`); `null` for none.";
      example = literalExpression "pkgs.agenix";
    };
  };

  config = mkIf cfg.enable (lib.mkMerge [
    {
      assertions = [
        {
          assertion = hasAgenix;
          message = ''
            axios.secrets needs the agenix home-manager module, which provides the `age.*` options.
            Add `inputs.agenix.homeManagerModules.default` to the imports of this home-manager
            configuration (with axios.lib.mkSystem: to `home-manager.sharedModules` in extraConfig).
          '';
        }
        {
          assertion = lib.all (p: lib.hasPrefix "/" p) cfg.identityPaths;
          message = "axios.secrets.identityPaths must be absolute paths (agenix runs outside your shell); got: ${lib.concatStringsSep ", " cfg.identityPaths}.";
        }
      ] ++ lib.mapAttrsToList
        (name: s: {
          assertion = builtins.pathExists s.file;
          message = "axios.secrets.secrets.${name}.file = ${toString s.file} does not exist; create it with `agenix -e ${baseNameOf (toString s.file)}` (listed in secrets.nix) or fix the path.";
        })
        cfg.secrets;

      home.packages = lib.optional (cfg.cli != null) cfg.cli;
    }

    (lib.optionalAttrs hasAgenix {
      age = {
        inherit (cfg) identityPaths;
        secrets = lib.mapAttrs
          (_: s: {
            inherit (s) file mode symlink;
          } // lib.optionalAttrs (s.path != null) { inherit (s) path; })
          cfg.secrets;
      };
    })
  ]);
}
