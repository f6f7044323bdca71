# pkgs/: the crate list read from Cargo.toml, the per-program packages, the
# overlay; devshells/.
{ lib, pkgs, root, ... }:
let
  crates = import (root + "/pkgs/crates.nix") { inherit lib; };
  # a small callPackage over the stub package set
  callPackage = f: args:
    let fn = import f;
    in fn (builtins.intersectAttrs (builtins.functionArgs fn) (pkgs // { inherit lib; }) // args);
  overlay = import (root + "/pkgs");
  final = pkgs // { inherit callPackage; } // overlay final pkgs;
  caddy = final.axios-caddy;
  ws = final.axios-workspace;
  shells = import (root + "/devshells") { inherit pkgs; inputs.home-manager = "/hm-src"; };
  hasIn = name: list: builtins.any (p: (p.pname or null) == name || (p.name or null) == name) list;
in
{
  testCratesFromCargoToml = {
    # (crates added later are not listed here on purpose)
    expr = builtins.mapAttrs (_: c: { inherit (c) bin dir; }) (lib.filterAttrs (n: _: builtins.elem n [ "axios" "axios-caddy" "axios-bisync" "axios-core" ]) crates);
    expected = {
      axios = { bin = "axios"; dir = "axios"; };
      axios-caddy = { bin = "axios-caddy"; dir = "caddy"; };
      axios-bisync = { bin = "axios-bisync"; dir = "bisync"; };
      # axios-core has no [[bin]]: no package
    };
  };
  testKnownPrograms = {
    expr = builtins.all (n: crates ? ${n}) [ "axios" "axios-caddy" "axios-bisync" ];
    expected = true;
  };
  testOverlayHasEveryProgram = {
    expr = builtins.all (n: final ? ${n}) (builtins.attrNames crates ++ [ "axios-workspace" ]);
    expected = true;
  };
  testPerProgramPackage = {
    expr = {
      inherit (caddy) pname cargoBuildFlags cargoTestFlags useNextest doCheck;
      mainProgram = caddy.meta.mainProgram;
      lockFile = caddy.cargoLock.lockFile == root + "/Cargo.lock";
      version = caddy.version == (builtins.fromTOML (builtins.readFile (root + "/Cargo.toml"))).workspace.package.version;
      builder = caddy.builder;
      checkInputs = map (p: p.pname) caddy.nativeCheckInputs;
    };
    expected = {
      pname = "axios-caddy";
      cargoBuildFlags = [ "-p" "axios-caddy" ];
      cargoTestFlags = [ "-p" "axios-caddy" ];
      useNextest = true;
      doCheck = false;
      mainProgram = "axios-caddy";
      lockFile = true;
      version = true;
      builder = "mkDerivation";
      checkInputs = [ "caddy" "rclone" "dbus" "systemd" "nix" ];
    };
  };
  testWorkspacePackage = {
    expr = { inherit (ws) pname cargoBuildFlags cargoTestFlags; };
    expected = { pname = "axios-workspace"; cargoBuildFlags = [ ]; cargoTestFlags = [ "--workspace" ]; };
  };
  testGetExeOfProgram = {
    expr = lib.hasSuffix "/bin/axios-bisync" (lib.getExe final.axios-bisync);
    expected = true;
  };
  testUnknownCrate = {
    expr = (callPackage (root + "/pkgs/axios-workspace.nix") { cargoPackage = "axios-nope"; }).meta.description;
    expectedError = "pkgs/axios-workspace.nix: no crate with package name axios-nope and a [[bin]] under crates/";
  };
  testDevShells = {
    expr = {
      names = builtins.attrNames shells;
      project = map (n: hasIn n shells.default.packages) [ "cargo" "cargo-nextest" "caddy" "rclone" "dbus" "systemd" "nix" "nixpkgs-fmt" "deadnix" "python3-env" ];
      # the official Ollama client for crates/ollama's tests
      ollamaClient = builtins.any (p: (p.name or null) == "python3-env" && hasIn "python3-ollama" p.packages) shells.default.packages;
      nixpkgsLib = shells.default.NIXPKGS_LIB == toString pkgs.path;
      hm = shells.default.HOME_MANAGER_SRC;
      options = shells.default.NIXOS_OPTIONS.name;
      zig = hasIn "zig" shells.zig.packages;
      qml = hasIn "quickshell" shells.qml.packages;
      dotnet = shells.dotnet.DOTNET_CLI_TELEMETRY_OPTOUT;
      rust = hasIn "rust-analyzer" shells.rust.packages;
    };
    expected = {
      names = [ "default" "dotnet" "qml" "rust" "zig" ];
      project = [ true true true true true true true true true true ];
      ollamaClient = true;
      nixpkgsLib = true;
      hm = "/hm-src";
      options = "nixos-options.json";
      zig = true;
      qml = true;
      dotnet = "1";
      rust = true;
    };
  };
}
