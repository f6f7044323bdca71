{
  description = "axiOS: a modular NixOS distribution as a flake library, backed by small Rust programs";

  nixConfig = {
    extra-substituters = [ "https://niri.cachix.org" "https://numtide.cachix.org" ];
    extra-trusted-public-keys = [
      "niri.cachix.org-1:Wv0OmO7PsuocRKzfDoJ3mulSl7Z6oezYhGhR+3W2964="
      "numtide.cachix.org-1:2ps1kLBUWjxIneOy1Ik6cQjb41X0iXVXeHigGmycPPE="
    ];
  };

  # Every input below is used by consumers' systems; each follows our nixpkgs,
  # and inputs of inputs that only serve their own development are cut with
  # `follows = ""`, so a consumer's lock file stays small. Dev shells use
  # nixpkgs' toolchains (no fenix / zig-overlay / devshell inputs).
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-parts = {
      url = "github:hercules-ci/flake-parts";
      inputs.nixpkgs-lib.follows = "nixpkgs";
    };
    home-manager = {
      url = "github:nix-community/home-manager";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    nixos-hardware.url = "github:NixOS/nixos-hardware";
    agenix = {
      url = "github:ryantm/agenix";
      inputs.nixpkgs.follows = "nixpkgs";
      inputs.home-manager.follows = "home-manager";
      inputs.darwin.follows = "";
    };
    lanzaboote = {
      url = "github:nix-community/lanzaboote";
      inputs.nixpkgs.follows = "nixpkgs";
      inputs.flake-parts.follows = "flake-parts";
      inputs.pre-commit-hooks-nix.follows = "";
      inputs.flake-compat.follows = "";
    };
    niri = {
      url = "github:sodiboo/niri-flake";
      # niri-stable is built (and cached on niri.cachix.org) against niri-flake's
      # own nixpkgs-stable: not followed, to keep the cache hits
      inputs.nixpkgs.follows = "nixpkgs";
    };
    dankMaterialShell = {
      url = "github:AvengeMedia/DankMaterialShell";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = inputs@{ self, flake-parts, nixpkgs, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-linux" ];

      flake = {
        # name -> module; registered in nixos/registry.nix
        nixosModules = import ./nixos;
        # name -> home-manager module (home/default.nix)
        homeModules =
          let hm = import ./home;
          in if builtins.isFunction hm then hm { inherit inputs; } else hm;
        # mkSystem, buildModules, validateHost, ...
        lib = import ./lib { inherit inputs self; inherit (nixpkgs) lib; };

        # pkgs.axios, pkgs.axios-caddy, pkgs.axios-bisync, pkgs.axios-workspace
        # (one package per Rust program), pkgs.axios-pwa-apps (desktop entries of
        # the web apps), niri from niri-flake (cached), and dms-shell / agenix
        # from their flakes when nixpkgs does not have them.
        overlays.default = nixpkgs.lib.composeManyExtensions [
          inputs.niri.overlays.niri
          (import ./pkgs)
          (final: prev: {
            niri = final.niri-stable;
            dms-shell = prev.dms-shell or inputs.dankMaterialShell.packages.${final.stdenv.hostPlatform.system}.default;
            agenix = prev.agenix or inputs.agenix.packages.${final.stdenv.hostPlatform.system}.default;
          })
        ];
      };

      perSystem = { pkgs, system, lib, ... }:
        let
          crates = import ./pkgs/crates.nix { inherit lib; };
          # the repository without build outputs, for the checks
          src = lib.cleanSourceWith {
            name = "axios-source";
            src = lib.cleanSource ./.;
            filter = path: _type: !(builtins.elem (baseNameOf path) [ "target" "result" ]);
          };
        in
        {
          _module.args.pkgs = import nixpkgs {
            inherit system;
            overlays = [ (import ./pkgs) ];
          };

          # every Rust program, the workspace, and the PWA apps' desktop entries
          packages = {
            default = pkgs.axios-workspace;
            inherit (pkgs) axios-workspace axios-pwa-apps;
          } // lib.mapAttrs (name: _: pkgs.${name}) crates;

          devShells = import ./devshells { inherit pkgs inputs; };

          formatter = pkgs.nixpkgs-fmt;

          checks = {
            # tests/nix with nixpkgs' own lib and the locked home-manager
            nix-eval = pkgs.runCommand "axios-nix-eval"
              {
                nativeBuildInputs = [ pkgs.nix pkgs.python3 ];
                NIXPKGS_LIB = pkgs.path;
                HOME_MANAGER_SRC = "${inputs.home-manager}";
                # the option declarations of this nixpkgs, as data (tests/nix/README.md)
                NIXOS_OPTIONS = pkgs.writeText "nixos-options.json" (builtins.toJSON (import ./tests/nix/lib/nixos-options-from-nixpkgs.nix { nixpkgs = pkgs.path; inherit system; }));
                CI = "true";
              } ''
              export HOME=$TMPDIR
              cp -r ${src} src && chmod -R u+w src && cd src
              bash tests/nix/run | tee $out
            '';
            # parse + nixpkgs-fmt --check + deadnix --fail on every .nix file
            lint-nix = pkgs.runCommand "axios-lint-nix"
              { nativeBuildInputs = [ pkgs.nix pkgs.nixpkgs-fmt pkgs.deadnix pkgs.jq ]; } ''
              export HOME=$TMPDIR
              cp -r ${src} src && chmod -R u+w src && cd src
              bash tests/lint-nix | tee $out
            '';
            # the cargo test suite (nextest) against the real components
            cargo-test = pkgs.axios-workspace.override { doCheck = true; };
          };
        };
    };
}
