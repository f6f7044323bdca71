# Stub NixOS option tree: the freeform root plus typed declarations of the
# options that axiOS modules set and tests assert on. Every file in
# tests/nix/stubs/nixos/ is imported by `evalNixos`; add your own file for
# options you need typed (do not redeclare an option declared here).
{ lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  stub = import ../../lib/types.nix { inherit lib; };
  listOfStr = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
  pkgList = mkOption { type = types.listOf types.package; default = [ ]; description = "stub"; };
in
{
  imports = [ stub.freeformRoot ];

  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
      description = "stub of nixos assertions";
    };
    warnings = listOfStr;

    system.stateVersion = mkOption { type = types.str; default = "25.11"; description = "stub"; };
    networking.hostName = mkOption { type = types.str; default = "nixos"; description = "stub"; };
    networking.domain = mkOption { type = types.nullOr types.str; default = null; description = "stub"; };
    networking.firewall = {
      enable = mkOption { type = types.bool; default = true; description = "stub"; };
      allowedTCPPorts = mkOption { type = types.listOf types.port; default = [ ]; description = "stub"; };
      allowedUDPPorts = mkOption { type = types.listOf types.port; default = [ ]; description = "stub"; };
      trustedInterfaces = listOfStr;
      checkReversePath = mkOption { type = types.either types.bool (types.enum [ "strict" "loose" ]); default = true; description = "stub"; };
    };
    time.timeZone = mkOption { type = types.nullOr types.str; default = null; description = "stub"; };
    i18n.defaultLocale = mkOption { type = types.str; default = "en_US.UTF-8"; description = "stub"; };
    i18n.extraLocaleSettings = mkOption { type = types.attrsOf types.str; default = { }; description = "stub"; };

    environment = {
      systemPackages = pkgList;
      sessionVariables = mkOption { type = types.attrsOf (types.either types.str (types.listOf types.str)); default = { }; description = "stub"; };
      variables = mkOption { type = types.attrsOf (types.either types.str (types.listOf types.str)); default = { }; description = "stub"; };
      shellAliases = mkOption { type = types.attrsOf types.str; default = { }; description = "stub"; };
      pathsToLink = listOfStr;
      etc = mkOption {
        type = types.attrsOf (stub.freeformSubmodule {
          text = mkOption { type = types.nullOr types.lines; default = null; description = "stub"; };
          source = mkOption { type = types.nullOr (types.either types.path types.package); default = null; description = "stub"; };
          mode = mkOption { type = types.str; default = "symlink"; description = "stub"; };
        });
        default = { };
        description = "stub";
      };
    };

    boot = {
      kernelParams = listOfStr;
      kernelPackages = mkOption { type = types.raw; default = pkgs.linuxPackages; description = "stub"; };
      kernelModules = listOfStr;
      blacklistedKernelModules = listOfStr;
      extraModprobeConfig = mkOption { type = types.lines; default = ""; description = "stub"; };
      extraModulePackages = pkgList;
      initrd.kernelModules = listOfStr;
      initrd.availableKernelModules = listOfStr;
      kernel.sysctl = mkOption { type = types.attrsOf types.anything; default = { }; description = "stub"; };
      supportedFilesystems = mkOption { type = types.either (types.listOf types.str) (types.attrsOf types.bool); default = [ ]; description = "stub"; };
      loader.systemd-boot.enable = mkOption { type = types.bool; default = false; description = "stub"; };
      loader.efi.canTouchEfiVariables = mkOption { type = types.bool; default = false; description = "stub"; };
    };

    fonts.packages = pkgList;
    hardware.graphics.extraPackages = pkgList;
    hardware.graphics.extraPackages32 = pkgList;
    xdg.portal.extraPortals = pkgList;
    services.udev.packages = pkgList;
    services.udev.extraRules = mkOption { type = types.lines; default = ""; description = "stub"; };
    services.dbus.packages = pkgList;
    systemd.packages = pkgList;
    systemd.tmpfiles.rules = listOfStr;

    # hardware.nvidia.prime bus IDs, with nixpkgs' real check (DOMAIN-FACTS).
    hardware.nvidia.prime =
      let
        busId = mkOption {
          type = types.strMatching "([[:print:]]+[:@][0-9]{1,3}:[0-9]{1,2}:[0-9])?";
          default = "";
          description = "stub of the nixpkgs PRIME bus id option (same regex)";
        };
      in
      {
        nvidiaBusId = busId;
        intelBusId = busId;
        amdgpuBusId = busId;
        offload.enable = mkOption { type = types.bool; default = false; description = "stub"; };
        offload.enableOffloadCmd = mkOption { type = types.bool; default = false; description = "stub"; };
        sync.enable = mkOption { type = types.bool; default = false; description = "stub"; };
        reverseSync.enable = mkOption { type = types.bool; default = false; description = "stub"; };
      };

    users.users = mkOption {
      type = types.attrsOf (stub.freeformSubmodule (name: {
        name = mkOption { type = types.str; default = name; description = "stub"; };
        isNormalUser = mkOption { type = types.bool; default = false; description = "stub"; };
        isSystemUser = mkOption { type = types.bool; default = false; description = "stub"; };
        description = mkOption { type = types.str; default = ""; description = "stub"; };
        extraGroups = listOfStr;
        group = mkOption { type = types.str; default = ""; description = "stub"; };
        home = mkOption { type = types.str; default = "/home/${name}"; description = "stub"; };
        packages = pkgList;
        shell = mkOption { type = types.nullOr (types.either types.shellPackage types.path); default = null; description = "stub"; };
      }));
      default = { };
      description = "stub";
    };
    users.groups = mkOption {
      type = types.attrsOf (stub.freeformSubmodule (name: {
        name = mkOption { type = types.str; default = name; description = "stub"; };
        members = listOfStr;
      }));
      default = { };
      description = "stub";
    };

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

    nixpkgs.overlays = mkOption { type = types.listOf types.raw; default = [ ]; description = "stub"; };
    nixpkgs.config = mkOption { type = types.attrsOf types.anything; default = { }; description = "stub"; };
    nix.settings = mkOption { type = types.lazyAttrsOf stub.stubAnything; default = { }; description = "stub"; };
  };
}
