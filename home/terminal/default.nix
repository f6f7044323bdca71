# Terminal environment: fish, git, ghostty, starship, neovim and the CLI tools.
# Imported by the base profile; each part has its own `axios.terminal.<part>.enable`,
# all following `axios.terminal.enable`.
{ lib, ... }:
{
  imports = [
    ./fish.nix
    ./git.nix
    ./ghostty.nix
    ./starship.nix
    ./neovim.nix
    ./tools.nix
  ];

  options.axios.terminal.enable = lib.mkEnableOption "the axiOS terminal environment (fish, git, ghostty, starship, neovim, CLI tools)";
}
