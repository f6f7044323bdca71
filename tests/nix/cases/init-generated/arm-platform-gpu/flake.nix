{
  description = "axiOS configuration of box";

  inputs = {
    axios.url = "github:axios-os/axios";
    # one nixpkgs for the whole system: the one axiOS is tested with
    nixpkgs.follows = "axios/nixpkgs";
  };

  outputs = { axios, ... }: {
    # sudo nixos-rebuild switch --flake .#box
    nixosConfigurations."box" = axios.lib.mkSystem (import ./hosts/box.nix);
  };
}
