{
  description = "axiOS configuration of lap";

  inputs = {
    axios.url = "github:axios-os/axios";
    # one nixpkgs for the whole system: the one axiOS is tested with
    nixpkgs.follows = "axios/nixpkgs";
  };

  outputs = { axios, ... }: {
    # sudo nixos-rebuild switch --flake .#lap
    nixosConfigurations."lap" = axios.lib.mkSystem (import ./hosts/lap.nix);
  };
}
