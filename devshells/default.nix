# `nix develop` shells: the project's own (default) and language shells.
{ pkgs, inputs ? { } }:
{
  default = import ./project.nix { inherit pkgs inputs; };
  rust = import ./rust.nix { inherit pkgs; };
  zig = import ./zig.nix { inherit pkgs; };
  qml = import ./qml.nix { inherit pkgs; };
  dotnet = import ./dotnet.nix { inherit pkgs; };
}
