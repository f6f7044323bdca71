# The axiOS home-manager module registry. The flake exposes this attrset as
# `homeModules`: `inputs.axios.homeModules.<name>`.
#
# Shape (agreed with the flake): a plain attrset of module paths. The profiles import the
# modules they build on, so `homeModules.workstation` alone gives the full desktop user.
# Modules are flake-agnostic: packages come from `pkgs` (the axiOS overlay provides
# dms-shell, mcp-journal, ...); the agenix home module is added by the flake when
# `secrets` is used (see home/secrets/default.nix).
{
  desktop = ./desktop;
  workstation = ./profiles/workstation.nix;
  laptop = ./profiles/laptop.nix;
  base = ./profiles/base.nix;
  ai = ./ai;
  terminal = ./terminal;
  browser = ./browser;
  calendar = ./calendar;
  secrets = ./secrets;
  security = ./security;
}
