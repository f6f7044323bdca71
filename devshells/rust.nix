# Rust development with nixpkgs' toolchain.
{ pkgs }:
pkgs.mkShell {
  name = "rust";
  packages = [
    pkgs.cargo
    pkgs.rustc
    pkgs.clippy
    pkgs.rustfmt
    pkgs.rust-analyzer
    pkgs.cargo-nextest
    pkgs.cargo-watch
    pkgs.cargo-edit
    pkgs.pkg-config
    pkgs.openssl
    pkgs.mold
  ];
  RUST_SRC_PATH = "${pkgs.rustPlatform.rustLibSrc}";
}
