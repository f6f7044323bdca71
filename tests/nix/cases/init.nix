# `axios init` (issue 14): every configuration it writes for the fixture
# machines (crates/axios/tests/fixtures) evaluates through mkSystem with no
# validation problem and no failed assertion, its flake has only the axiOS and
# nixpkgs inputs, and its user gets the host's home-manager profile.
#
# The configurations are ./init-generated/<fixture>/, kept equal to the
# program's output by crates/axios/tests/init.rs; that test also runs this case
# on fresh output by setting AXIOS_INIT_DIR.
{ lib, axios, evalNixosWith, homeOfNixos, inputs, ... }:
let
  L = axios.lib;
  envDir = builtins.getEnv "AXIOS_INIT_DIR";
  base = if envDir != "" then /. + envDir else ./init-generated;
  names = builtins.attrNames (lib.filterAttrs (_: t: t == "directory") (builtins.readDir base));
  gen = name:
    let
      dir = base + "/${name}";
      hostFile = builtins.head (builtins.filter (lib.hasSuffix ".nix") (builtins.attrNames (builtins.readDir (dir + "/hosts"))));
      host = import (dir + "/hosts/${hostFile}");
      # what mkSystem gives nixosSystem
      e = evalNixosWith {
        modules = L.buildModules host;
        specialArgs = { inherit inputs; inherit (inputs) self; hostConfig = host; };
      };
      flake = import (dir + "/flake.nix");
      users = builtins.attrNames e.config.axios.users.users;
      placeholder = lib.hasInfix "PLACEHOLDER" (builtins.readFile (dir + "/hosts/${host.hostname}/hardware.nix"));
    in
    { inherit dir host e flake users placeholder; };
  g = lib.genAttrs names gen;
  forAll = f: lib.mapAttrs (_: f) g;
  has = name: g ? ${name};
in
{
  testSomethingWasGenerated = {
    expr = names != [ ];
    expected = true;
  };
  testHostsAreValid = {
    expr = forAll (x: L.validateHost x.host);
    expected = forAll (_: [ ]);
  };
  testNoFailedAssertions = {
    expr = forAll (x: x.e.failedAssertions);
    expected = forAll (_: [ ]);
  };
  # the only warning: the placeholder hardware.nix, which says how to replace it
  testWarnings = {
    expr = forAll (x: map (w: lib.hasInfix "is the placeholder written by `axios init`" w) x.e.warnings);
    expected = forAll (x: lib.optional x.placeholder true);
  };
  testFlakeInputsAreAxiosAndNixpkgsOnly = {
    expr = forAll (x: x.flake.inputs);
    expected = forAll (_: { axios.url = "github:axios-os/axios"; nixpkgs.follows = "axios/nixpkgs"; });
  };
  testFlakeOutputs = {
    expr = forAll (x: lib.mapAttrs (_: s: s.config.networking.hostName)
      (x.flake.outputs { self = { }; axios = { inherit (axios) lib; }; nixpkgs = { }; }).nixosConfigurations);
    expected = forAll (x: { ${x.host.hostname} = x.host.hostname; });
  };
  # one user, an admin, with a home-manager user that gets the host's profile
  testUserGetsTheProfile = {
    expr = forAll (x:
      let u = builtins.head x.users; h = homeOfNixos x.e u;
      in {
        users = builtins.length x.users;
        normal = x.e.config.users.users.${u}.isNormalUser;
        wheel = builtins.elem "wheel" x.e.config.users.users.${u}.extraGroups;
        hm = h.config.home.username == u;
        profile = h.config.axios.profile;
      });
    expected = forAll (x: { users = 1; normal = true; wheel = true; hm = true; profile = x.host.homeProfile; });
  };
  testTimeZoneAndLocale = {
    expr = forAll (x: { tz = x.e.config.time.timeZone; hasLocale = builtins.isString x.e.config.i18n.defaultLocale; });
    expected = forAll (x: { tz = x.host.extraConfig.axios.system.timeZone; hasLocale = true; });
  };
}
// lib.optionalAttrs (has "laptop-intel-nvidia") {
  # PRIME offload with the decimal bus IDs of the fixture (lspci 00:02.0, 01:00.0)
  testHybridLaptop = {
    expr = let c = g.laptop-intel-nvidia.e.config; in {
      prime = { inherit (c.hardware.nvidia.prime) intelBusId nvidiaBusId; offload = c.hardware.nvidia.prime.offload.enable; };
      profile = g.laptop-intel-nvidia.host.homeProfile;
    };
    expected = { prime = { intelBusId = "PCI:0:2:0"; nvidiaBusId = "PCI:1:0:0"; offload = true; }; profile = "laptop"; };
  };
}
  // lib.optionalAttrs (has "desktop-amd") {
  # user strings with quotes, `${`, backslashes and non-ASCII arrive unchanged;
  # the machine's hardware-configuration.nix was copied
  testEscapedStringsAndCopiedHardware = {
    expr = let c = g.desktop-amd.e.config; in {
      name = c.users.users.bob.description;
      root = c.fileSystems."/".fsType;
      locale = c.i18n.defaultLocale;
    };
    expected = { name = "Zoë \"Z\" O'Neil \${HOME} \\ $x"; root = "ext4"; locale = "de_DE.UTF-8"; };
  };
}
