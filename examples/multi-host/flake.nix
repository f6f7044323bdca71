{
  description = "Three axiOS machines from one flake: a desktop, a laptop and a home server";

  inputs = {
    axios.url = "github:axios-os/axios";
    nixpkgs.follows = "axios/nixpkgs";
  };

  outputs = { axios, ... }:
    let
      hosts = [ "desktop" "laptop" "server" ];
    in
    {
      # sudo nixos-rebuild switch --flake .#<host>
      nixosConfigurations = builtins.listToAttrs (map
        (name: {
          inherit name;
          value = axios.lib.mkSystem (import ./hosts/${name});
        })
        hosts);
    };
}
