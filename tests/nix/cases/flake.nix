# flake.nix, evaluated with stub inputs: flake-parts' mkFlake is replaced by a
# stub that returns the `flake` attrset and `perSystem` applied to the stub
# pkgs of one system. Checks the wiring: registries, lib, overlay, packages,
# devShells, checks, formatter, nixConfig.
{ lib, pkgs, inputs, root, ... }:
let
  flake = import (root + "/flake.nix");
  stubInputs = inputs // {
    self = outputs;
    flake-parts.lib.mkFlake = _: spec: spec.flake // {
      inherit (spec) systems;
      # flake-parts gives perSystem the pkgs of `_module.args.pkgs` (nixpkgs
      # with the axios programs overlay)
      perSystem = spec.perSystem { pkgs = withPrograms; inherit lib; system = "x86_64-linux"; };
    };
    niri = inputs.niri // { overlays.niri = _final: _prev: { niri-stable = pkgs.mkFake "niri-stable"; }; };
    dankMaterialShell = inputs.dankMaterialShell // { packages.x86_64-linux.default = pkgs.mkFake "dms-from-flake"; };
    agenix = inputs.agenix // { packages.x86_64-linux.default = pkgs.mkFake "agenix-from-flake"; };
    home-manager = inputs.home-manager // { outPath = "/hm-src"; };
  };
  outputs = flake.outputs stubInputs;
  # the overlay over stub pkgs without dms-shell / agenix (as an older nixpkgs)
  callPackage = f: args:
    let fn = import f;
    in fn (builtins.intersectAttrs (builtins.functionArgs fn) (pkgs // { inherit lib; }) // args);
  prev = removeAttrs pkgs [ "dms-shell" "agenix" "niri" ] // { inherit callPackage; };
  overlaid = lib.fix (lib.extends outputs.overlays.default (_: prev));
  withPrograms = lib.fix (lib.extends (import (root + "/pkgs")) (_: pkgs // { inherit callPackage; }));
  ps = outputs.perSystem;
in
{
  testNixConfigCaches = {
    expr = flake.nixConfig.extra-substituters;
    expected = [ "https://niri.cachix.org" "https://numtide.cachix.org" ];
  };
  testInputsFollowNixpkgs = {
    expr = lib.mapAttrs (_: i: i.inputs.nixpkgs.follows or null) (removeAttrs flake.inputs [ "nixpkgs" "nixos-hardware" "flake-parts" ]);
    expected = { home-manager = "nixpkgs"; agenix = "nixpkgs"; lanzaboote = "nixpkgs"; niri = "nixpkgs"; dankMaterialShell = "nixpkgs"; };
  };
  testSystems = { expr = outputs.systems; expected = [ "x86_64-linux" "aarch64-linux" ]; };
  testNixosModules = {
    expr = builtins.attrNames outputs.nixosModules == builtins.attrNames (import (root + "/nixos/registry.nix"));
    expected = true;
  };
  testHomeModules = {
    expr = builtins.attrNames outputs.homeModules == builtins.attrNames (import (root + "/home/default.nix"));
    expected = true;
  };
  testLib = {
    expr = builtins.all (f: outputs.lib ? ${f}) [ "mkSystem" "buildModules" "validateHost" ];
    expected = true;
  };
  testOverlay = {
    expr = {
      programs = builtins.all (n: overlaid ? ${n}) [ "axios" "axios-caddy" "axios-bisync" "axios-workspace" ];
      caddyProgram = overlaid.axios-caddy.meta.mainProgram;
      niri = overlaid.niri.name;
      dms = overlaid.dms-shell.name;
      agenix = overlaid.agenix.name;
    };
    expected = { programs = true; caddyProgram = "axios-caddy"; niri = "niri-stable"; dms = "dms-from-flake"; agenix = "agenix-from-flake"; };
  };
  testOverlayPrefersNixpkgsDms = {
    expr = (lib.fix (lib.extends outputs.overlays.default (_: prev // { dms-shell = pkgs.mkFake "dms-nixpkgs"; }))).dms-shell.name;
    expected = "dms-nixpkgs";
  };
  testPackages = {
    expr = { names = builtins.attrNames ps.packages; default = ps.packages.default.pname; };
    expected = { names = [ "axios" "axios-bisync" "axios-caddy" "axios-gpu" "axios-ollama" "axios-pwa-apps" "axios-vr" "axios-workspace" "default" ]; default = "axios-workspace"; };
  };
  testPackagesPwaApps = {
    # packages.<system>.axios-pwa-apps: the overlay's package, for every system
    expr =
      let p = ps.packages.axios-pwa-apps;
      in {
        inherit (p) name builder;
        files = builtins.length (builtins.attrNames p.desktopFiles) == builtins.length (builtins.attrNames (import (root + "/pkgs/pwa-apps/catalog.nix") { inherit lib; }).apps);
        everySystem = builtins.all (s: builtins.elem s p.meta.platforms) outputs.systems;
      };
    expected = { name = "axios-pwa-apps"; builder = "runCommand"; files = true; everySystem = true; };
  };
  testDevShellsAndFormatter = {
    expr = { shells = builtins.attrNames ps.devShells; fmt = ps.formatter.pname; hm = ps.devShells.default.HOME_MANAGER_SRC; };
    expected = { shells = [ "default" "dotnet" "qml" "rust" "zig" ]; fmt = "nixpkgs-fmt"; hm = "/hm-src"; };
  };
  testChecks = {
    expr = {
      names = builtins.attrNames ps.checks;
      nixEval = lib.hasInfix "bash tests/nix/run" ps.checks.nix-eval.buildCommand;
      nixEvalEnv = { inherit (ps.checks.nix-eval.env) CI HOME_MANAGER_SRC; lib = ps.checks.nix-eval.env.NIXPKGS_LIB == pkgs.path; options = ps.checks.nix-eval.env.NIXOS_OPTIONS.name; };
      lint = lib.hasInfix "bash tests/lint-nix" ps.checks.lint-nix.buildCommand;
      cargo = ps.checks.cargo-test.overrideArgs.doCheck;
    };
    expected = {
      names = [ "cargo-test" "lint-nix" "nix-eval" ];
      nixEval = true;
      nixEvalEnv = { CI = "true"; HOME_MANAGER_SRC = "/hm-src"; lib = true; options = "nixos-options.json"; };
      lint = true;
      cargo = true;
    };
  };
}
