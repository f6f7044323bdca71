{
  description = "A minimal axiOS workstation";

  inputs = {
    axios.url = "github:axios-os/axios";
    # one nixpkgs for the whole system
    nixpkgs.follows = "axios/nixpkgs";
  };

  outputs = { axios, ... }: {
    # sudo nixos-rebuild switch --flake .#workstation
    nixosConfigurations.workstation = axios.lib.mkSystem (import ./host.nix);
  };
}
