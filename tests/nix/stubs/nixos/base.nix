# What the NixOS option data (tests/nix/lib/nixos-options.nix) cannot give:
#   - internal options the manual does not list (`assertions`, `warnings`);
#   - options of other projects' NixOS modules (home-manager's, collected as
#     home modules so tests can evaluate them with `evalHome`);
#   - values that NixOS modules compute (defaults printed as expressions in
#     the manual), set at option-default priority.
# Every other NixOS option is declared from the data, with no freeform root:
# do not add NixOS options here (newer ones go in tests/nix/nixos-newer-options.nix).
{ lib, ... }:
let
  inherit (lib) mkOption types mkOptionDefault;
  stub = import ../../lib/types.nix { inherit lib; };
in
{
  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
      description = "internal NixOS option (nixos/modules/misc/assertions.nix)";
    };
    warnings = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "internal NixOS option (nixos/modules/misc/assertions.nix)";
    };

    # test-only: the marker modules of the stub flake inputs (lib/inputs.nix)
    # add their names here
    stubImported = mkOption { type = types.listOf types.str; default = [ ]; description = "stub: external modules imported"; };

    # home-manager's NixOS module: values are modules, collected in order so
    # tests can evaluate them with `evalHome`.
    home-manager = {
      users = mkOption { type = types.attrsOf stub.collectDefs; default = { }; description = "stub: every definition, as a list of home modules"; };
      sharedModules = mkOption { type = types.listOf types.raw; default = [ ]; description = "stub"; };
      extraSpecialArgs = mkOption { type = types.attrsOf types.raw; default = { }; description = "stub"; };
      useGlobalPkgs = mkOption { type = types.bool; default = false; description = "stub"; };
      useUserPackages = mkOption { type = types.bool; default = false; description = "stub"; };
      backupFileExtension = mkOption { type = types.nullOr types.str; default = null; description = "stub"; };
    };

    # users.users.<name>: `name`, and for normal users `home`, `group`,
    # `createHome`, `useDefaultShell`, are computed by NixOS
    # (nixos/modules/config/users-groups.nix).
    users.users = mkOption {
      type = types.attrsOf (types.submodule ({ name, config, ... }: {
        config = lib.mkMerge [
          { name = mkOptionDefault name; }
          (lib.mkIf config.isNormalUser {
            home = lib.mkDefault "/home/${config.name}";
            group = lib.mkDefault "users";
            createHome = lib.mkDefault true;
            useDefaultShell = lib.mkDefault true;
          })
        ];
      }));
    };
    users.groups = mkOption {
      type = types.attrsOf (types.submodule ({ name, ... }: { config.name = mkOptionDefault name; }));
    };
  };

  # computed defaults of NixOS (`config.system.nixos.release`, ...)
  config = {
    system.stateVersion = mkOptionDefault "25.11";
    networking.hostName = mkOptionDefault "nixos";
    system.build = { };
  };
}
