# Stub flake inputs for lib/default.nix (buildModules) in tests. Each external
# NixOS/home module is a marker module that appends its name to
# `config.stubImported` (a freeform list), so tests can assert which external
# modules buildModules imported without evaluating them.
{ lib, pkgs }:
let
  marker = name: {
    _file = "stub-input:${name}";
    config.stubImported = [ name ];
  };
  markers = prefix: names: lib.genAttrs names (n: marker "${prefix}.${n}");
  self = {
    outPath = toString ../../..;
    inherit inputs;
  };
  inputs = {
    inherit self;
    nixpkgs = {
      inherit lib;
      outPath = "/nix/store/stub-nixpkgs";
      legacyPackages.x86_64-linux = pkgs;
      legacyPackages.aarch64-linux = pkgs;
    };
    home-manager.nixosModules = markers "home-manager" [ "home-manager" "default" ];
    agenix = {
      nixosModules = markers "agenix" [ "default" "age" ];
      homeManagerModules = markers "agenix-hm" [ "default" "age" ];
      packages.x86_64-linux.default = pkgs.agenix;
    };
    lanzaboote.nixosModules = markers "lanzaboote" [ "lanzaboote" "default" ];
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
