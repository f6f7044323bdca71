{
  description = "axiOS configuration of edge";

  inputs = {
    axios.url = "github:axios-os/axios";
    # one nixpkgs for the whole system: the one axiOS is tested with
    nixpkgs.follows = "axios/nixpkgs";
  };

  outputs = { axios, ... }: {
    # sudo nixos-rebuild switch --flake .#edge
    nixosConfigurations."edge" = axios.lib.mkSystem (import ./hosts/edge.nix);
  };
}
