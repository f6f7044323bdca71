# axiOS NixOS modules: name -> module (the flake output `nixosModules`).
# Derived from ./registry.nix, where modules are registered.
builtins.mapAttrs (_: entry: entry.module) (import ./registry.nix)
