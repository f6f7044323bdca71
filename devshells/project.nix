# The axiOS project shell: everything the README's test command needs.
{ pkgs, inputs ? { } }:
pkgs.mkShell {
  name = "axios";
  packages = [
    # Rust
    pkgs.cargo
    pkgs.rustc
    pkgs.clippy
    pkgs.rustfmt
    pkgs.rust-analyzer
    pkgs.cargo-nextest
    pkgs.pkg-config
    # the real components the integration tests drive
    pkgs.caddy
    pkgs.rclone
    pkgs.dbus
    pkgs.systemd
    pkgs.util-linux # setpriv: axios-gpu tests drop to another user
    # Nix tooling (tests/nix, tests/lint-nix)
    pkgs.nix
    pkgs.nixpkgs-fmt
    pkgs.deadnix
    pkgs.jq
    # the official Ollama client drives axios-ollama proxy in its tests
    (pkgs.python3.withPackages (ps: [ ps.ollama ]))
  ];
  # tests/nix/run evaluates against nixpkgs' lib and home-manager's lib.hm
  NIXPKGS_LIB = toString pkgs.path;
  HOME_MANAGER_SRC = if inputs ? home-manager then toString inputs.home-manager else "";
  # ... and the NixOS option declarations of this nixpkgs, as data (tests/nix/README.md)
  NIXOS_OPTIONS = pkgs.writeText "nixos-options.json" (builtins.toJSON (import ../tests/nix/lib/nixos-options-from-nixpkgs.nix {
    nixpkgs = pkgs.path;
    inherit (pkgs.stdenv.hostPlatform) system;
  }));
  RUST_SRC_PATH = "${pkgs.rustPlatform.rustLibSrc}";
}
