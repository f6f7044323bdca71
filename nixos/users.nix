# User accounts: `axios.users.<name>` becomes a normal user with the groups
# modules ask for (`axios.users.defaultGroups`), wheel for admins, and
# optionally a home-manager profile.
{ config, lib, pkgs, ... }:
let
  cfg = config.axios.users;
  userType = lib.types.submodule ({ name, ... }: {
    options = {
      fullName = lib.mkOption {
        type = lib.types.str;
        default = name;
        defaultText = lib.literalExpression "<name>";
        example = "Alice Liddell";
        description = "Full name (GECOS field, and git author name for home modules that read it).";
      };
      email = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "alice@example.org";
        description = "E-mail address, for home modules (git, calendar) that read it.";
      };
      isAdmin = lib.mkOption {
        type = lib.types.bool;
        default = false;
        example = true;
        description = "Member of `wheel` (may use sudo).";
      };
      extraGroups = lib.mkOption {
        type = lib.types.listOf lib.types.str;
        default = [ ];
        example = [ "dialout" ];
        description = "Groups besides `axios.users.defaultGroups` (and `wheel` for admins).";
      };
      shell = lib.mkOption {
        type = lib.types.enum [ "fish" "bash" "zsh" ];
        default = "fish";
        example = "bash";
        description = "Login shell.";
      };
      initialPassword = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "change-me";
        description = "Initial password (only for first boot; change it with `passwd`). Prefer `hashedPasswordFile`.";
      };
      hashedPasswordFile = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "/run/agenix/alice-password";
        description = "File with the hashed password (`mkpasswd -m yescrypt`), e.g. an agenix secret.";
      };
    };
  });
  shells = lib.unique (lib.mapAttrsToList (_: u: u.shell) cfg.users);
in
{
  imports = [ ./common/groups.nix ];

  options.axios.users = {
    enable = lib.mkEnableOption "axiOS user management";
    users = lib.mkOption {
      type = lib.types.attrsOf userType;
      default = { };
      example = lib.literalExpression ''{ alice = { fullName = "Alice Liddell"; isAdmin = true; }; }'';
      description = "Users to create, by login name.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = lib.mapAttrsToList
      (name: _: {
        assertion = builtins.match "[a-z_][a-z0-9_-]*" name != null && builtins.stringLength name <= 32;
        message = "axios.users.users.${builtins.toJSON name}: a login name must start with a lowercase letter or _ and hold only lowercase letters, digits, _ and - (at most 32 characters).";
      })
      cfg.users;
    axios.users.defaultGroups = [ "video" "audio" "input" ];
    users.users = lib.mapAttrs
      (_: u: {
        isNormalUser = true;
        description = u.fullName;
        extraGroups = lib.unique (cfg.defaultGroups ++ u.extraGroups ++ lib.optional u.isAdmin "wheel");
        shell = if u.shell == "bash" then pkgs.bashInteractive else pkgs.${u.shell};
      } // lib.optionalAttrs (u.initialPassword != null) { inherit (u) initialPassword; }
      // lib.optionalAttrs (u.hashedPasswordFile != null) { inherit (u) hashedPasswordFile; })
      cfg.users;
    programs.fish.enable = lib.mkIf (builtins.elem "fish" shells) true;
    programs.zsh.enable = lib.mkIf (builtins.elem "zsh" shells) true;
  };
}
