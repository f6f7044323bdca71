# The axiOS overlay: pkgs.axios-workspace (every program), one package
# per program, named after its cargo package (pkgs.axios, pkgs.axios-caddy,
# pkgs.axios-bisync, ...), and pkgs.axios-pwa-apps (the web apps of the
# catalog as desktop entries, ./pwa-apps). Modules use these names
# (`mkPackageOption pkgs "axios-caddy"`), so they work with any nixpkgs that
# has this overlay.
final: prev:
let
  # prev.lib, not final.lib: the attribute names of this overlay must not
  # depend on the fixpoint (infinite recursion)
  crates = import ./crates.nix { inherit (prev) lib; };
in
{
  axios-workspace = final.callPackage ./axios-workspace.nix { };
  axios-pwa-apps = final.callPackage ./pwa-apps { };
}
  // builtins.mapAttrs (name: _: final.callPackage ./axios-workspace.nix { cargoPackage = name; }) crates
