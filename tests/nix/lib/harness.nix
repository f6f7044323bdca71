# The arguments every case file receives. See tests/nix/README.md.
{ lib, homeManagerPath ? null }:
let
  root = ../../..;
  stub = import ./types.nix { inherit lib; };
  pkgs = import ./pkgs.nix { inherit lib; };

  nixFilesIn = dir:
    if builtins.pathExists dir then
      map (f: dir + "/${f}")
        (lib.sort lib.lessThan
          (builtins.filter (f: lib.hasSuffix ".nix" f) (builtins.attrNames (builtins.readDir dir))))
    else [ ];

  nixosStubs = nixFilesIn ../stubs/nixos;
  homeStubs = nixFilesIn ../stubs/home;

  hmLib =
    if homeManagerPath == null then null
    else import (homeManagerPath + "/modules/lib/stdlib-extended.nix") lib;

  summarize = eval: {
    inherit eval;
    inherit (eval) config options;
    failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) eval.config.assertions);
    inherit (eval.config) warnings;
  };

  inputs = import ./inputs.nix { inherit lib pkgs evalNixosWith root; };

  evalNixosWith = { modules, specialArgs ? { }, pkgs ? (import ./pkgs.nix { inherit lib; }) }:
    summarize (lib.evalModules {
      modules = nixosStubs ++ [{ _module.args.pkgs = lib.mkDefault pkgs; }] ++ modules;
      specialArgs = { modulesPath = toString root + "/tests/nix/stubs/modulesPath"; } // specialArgs;
      class = "nixos";
    });

  evalHomeWith = { modules, specialArgs ? { }, pkgs ? (import ./pkgs.nix { inherit lib; }) }:
    if hmLib == null then
      throw "evalHome needs home-manager's source: set HOME_MANAGER_SRC or clone it to ~/.cache/axios/home-manager"
    else
      summarize (hmLib.evalModules {
        modules = homeStubs ++ [{ _module.args.pkgs = lib.mkDefault pkgs; }] ++ modules;
        inherit specialArgs;
        class = "homeManager";
      });

  importIfExists = path: if builtins.pathExists path then import path else null;
in
{
  inherit lib pkgs root stub inputs hmLib evalNixosWith evalHomeWith;
  evalNixos = modules: evalNixosWith { inherit modules; };
  evalHome = modules: evalHomeWith { inherit modules; };
  # the home-manager configuration of `user` in an evaluated NixOS config, as
  # home-manager's NixOS module builds it (shared modules, then the user's)
  homeOfNixos = e: user: evalHomeWith {
    modules = e.config.home-manager.sharedModules ++ e.config.home-manager.users.${user}
      ++ [{ home.username = user; }];
    specialArgs = e.config.home-manager.extraSpecialArgs;
  };

  # The project itself, as far as it exists yet.
  axios = {
    nixosModules = importIfExists (root + "/nixos/default.nix");
    homeModules = if builtins.pathExists (root + "/home/default.nix") then inputs.self.homeModules else null;
    lib =
      let l = importIfExists (root + "/lib/default.nix");
      in if l == null then null else l { inherit inputs lib; self = inputs.self; };
  };

  # Helpers for assertions inside tests.
  # hasPackage "name" list : is a package with that pname/name in the list?
  hasPackage = name: list: builtins.any (p: (p.pname or null) == name || (p.name or null) == name) list;
  # Is this (freeform) option value defined? An undeclared option whose only
  # definitions are `mkIf false` exists as a name but throws when read.
  isDefined = v: (builtins.tryEval (builtins.seq v true)).success;
  packageNames = list: map (p: p.pname or p.name or "<non-package>") list;
}
