# Stub flake inputs for lib/default.nix (buildModules, mkSystem) in tests.
# Each external NixOS module is a marker module that appends its name to
# `config.stubImported` (a freeform list), so tests can assert which external
# modules buildModules imported without evaluating them. Where axiOS modules
# read an external module's options (agenix `age.*`, lanzaboote
# `boot.lanzaboote.*`), the marker declares stub options for them.
# `nixpkgs.lib.nixosSystem` evaluates its modules with the NixOS stubs
# (evalNixosWith) and also returns the arguments it was given (`args`).
{ lib, pkgs, evalNixosWith, root }:
let
  inherit (lib) mkOption types;
  marker = name: {
    _file = "stub-input:${name}";
    config.stubImported = [ name ];
  };
  markers = prefix: names: lib.genAttrs names (n: marker "${prefix}.${n}");

  lanzaboote = {
    _file = "stub-input:lanzaboote.lanzaboote";
    options.boot.lanzaboote = {
      enable = mkOption { type = types.bool; default = false; description = "stub"; };
      pkiBundle = mkOption { type = types.nullOr types.str; default = null; description = "stub"; };
      configurationLimit = mkOption { type = types.nullOr types.int; default = null; description = "stub"; };
    };
    config.stubImported = [ "lanzaboote.lanzaboote" ];
  };
  agenix = {
    _file = "stub-input:agenix.default";
    options.age = {
      identityPaths = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
      secrets = mkOption {
        type = types.attrsOf (types.submodule {
          freeformType = types.attrsOf types.anything;
          options.file = mkOption { type = types.path; description = "stub"; };
        });
        default = { };
        description = "stub";
      };
    };
    config.stubImported = [ "agenix.default" ];
  };

  importIfExists = path: if builtins.pathExists path then import path else null;
  self = {
    outPath = toString root;
    inherit inputs;
    nixosModules = importIfExists (root + "/nixos/default.nix");
    homeModules =
      let hm = importIfExists (root + "/home/default.nix");
      in if builtins.isFunction hm then hm { inherit inputs; } else if hm == null then { } else hm;
    overlays.default = _final: _prev: { };
  };
  inputs = {
    inherit self;
    nixpkgs = {
      lib = lib // {
        nixosSystem = args: evalNixosWith { inherit (args) modules; specialArgs = args.specialArgs or { }; } // { inherit args; };
      };
      outPath = "/nix/store/stub-nixpkgs";
      legacyPackages.x86_64-linux = pkgs;
      legacyPackages.aarch64-linux = pkgs;
    };
    home-manager.nixosModules = markers "home-manager" [ "home-manager" "default" ];
    agenix = {
      nixosModules = { default = agenix; age = agenix; };
      homeManagerModules = markers "agenix-hm" [ "default" "age" ];
    };
    lanzaboote.nixosModules = { lanzaboote = lanzaboote; default = lanzaboote; };
    niri.nixosModules = markers "niri" [ "niri" "default" ];
    niri.homeModules = markers "niri-hm" [ "niri" "config" "default" ];
    dankMaterialShell.nixosModules = markers "dms" [ "greeter" "default" "dankMaterialShell" ];
    dankMaterialShell.homeModules = markers "dms-hm" [ "dankMaterialShell" "default" "niri" ];
    nixos-hardware.nixosModules = markers "nixos-hardware" [
      "common-cpu-amd"
      "common-cpu-amd-pstate"
      "common-cpu-amd-zenpower"
      "common-cpu-intel"
      "common-gpu-amd"
      "common-gpu-intel"
      "common-gpu-nvidia"
      "common-gpu-nvidia-nonprime"
      "common-pc"
      "common-pc-ssd"
      "common-pc-laptop"
      "common-pc-laptop-ssd"
      "common-hidpi"
      "system76"
    ];
  };
in
inputs
