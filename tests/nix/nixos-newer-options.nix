# NixOS options newer than the option data the tests evaluate against
# (../shared/vendor/nixos-options: the NixOS manual of December 2024).
#
# An axiOS module that sets a NixOS option added to nixpkgs after that dump
# fails `tests/nix/run` with "The option `...' does not exist". If the option
# really exists in NixOS, declare it HERE, with the first nixpkgs release that
# has it (`since`) and its type as the NixOS manual prints it (the same type
# text as the dump: "boolean", "null or string", "list of package",
# "one of “a”, “b”", "attribute set of (submodule)" + its sub-options as
# "<option>._name_.<sub>", ...). An optional `default` is a Nix value;
# `defaultText = "pkgs.foo"` takes the stub package.
#
#   "services.foo.enable" = { since = "25.05"; type = "boolean"; default = false; };
#
# tests/nix/run prints how many options came from this file.
{
  # nixos/modules/services/web-apps/immich.nix
  "services.immich.accelerationDevices" = { since = "25.05"; type = "null or (list of string)"; default = [ ]; };
  # nixos/modules/services/hardware/lact.nix (NixOS/nixpkgs#411707, May 2025)
  "services.lact.enable" = { since = "25.11"; type = "boolean"; default = false; };
  "services.lact.package" = { since = "25.11"; type = "package"; defaultText = "pkgs.lact"; };
  # nixos/modules/services/hardware/logind.nix: RFC 42 settings replaced extraConfig
  "services.logind.settings.Login" = { since = "25.11"; type = "attribute set of (systemd option)"; default = { }; };
}
