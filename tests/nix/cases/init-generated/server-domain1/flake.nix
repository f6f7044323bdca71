{
  description = "axiOS configuration of srv";

  inputs = {
    axios.url = "github:axios-os/axios";
    # one nixpkgs for the whole system: the one axiOS is tested with
    nixpkgs.follows = "axios/nixpkgs";
  };

  outputs = { axios, ... }: {
    # sudo nixos-rebuild switch --flake .#srv
    nixosConfigurations."srv" = axios.lib.mkSystem (import ./hosts/srv.nix);
  };
}
