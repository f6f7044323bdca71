# The README shows examples/minimal-flake verbatim; this keeps the two from drifting
# (the example itself is evaluated by examples.nix).
{ lib, root, ... }:
let
  readme = builtins.readFile (root + "/README.md");
  shown = file: lib.hasInfix "```nix\n${lib.removeSuffix "\n" (builtins.readFile (root + "/examples/minimal-flake/${file}"))}\n```" readme;
in
{
  testReadmeShowsTheMinimalFlake = { expr = shown "flake.nix"; expected = true; };
  testReadmeShowsTheMinimalHost = { expr = shown "host.nix"; expected = true; };
}
