# Zig development.
{ pkgs }:
pkgs.mkShell {
  name = "zig";
  packages = [ pkgs.zig pkgs.zls pkgs.lldb ];
}
