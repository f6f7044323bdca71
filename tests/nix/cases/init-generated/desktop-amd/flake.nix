{
  description = "axiOS configuration of tower";

  inputs = {
    axios.url = "github:axios-os/axios";
    # one nixpkgs for the whole system: the one axiOS is tested with
    nixpkgs.follows = "axios/nixpkgs";
  };

  outputs = { axios, ... }: {
    # sudo nixos-rebuild switch --flake .#tower
    nixosConfigurations."tower" = axios.lib.mkSystem (import ./hosts/tower.nix);
  };
}
