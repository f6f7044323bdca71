# nixos/networking: NetworkManager, Avahi, Samba, Tailscale.
{ lib, axios, evalNixos, isSet, isOn, hasPackage, ... }:
let
  net = cfg: evalNixos [ axios.nixosModules.networking { axios.networking.enable = true; } cfg ];
  plain = net { };
  samba = net {
    networking.hostName = "nas";
    axios.networking.samba = {
      enable = true;
      shares.media = { path = "/srv/media"; readOnly = true; guest = true; };
      shares.docs = { path = "/srv/docs"; validUsers = [ "alice" "@family" ]; };
    };
  };
  ts = net { axios.networking.tailscale.enable = true; };
in
{
  testBase = {
    expr = {
      nm = plain.config.networking.networkmanager.enable;
      fw = plain.config.networking.firewall.enable;
      avahi = plain.config.services.avahi.nssmdns4;
      groups = plain.config.axios.users.defaultGroups;
      samba = isSet plain "services.samba.enable";
      tailscale = isOn plain "services.tailscale.enable";
    };
    expected = { nm = true; fw = true; avahi = true; groups = [ "networkmanager" ]; samba = false; tailscale = false; };
  };
  testAvahiOff = {
    expr = isSet (net { axios.networking.avahi.enable = false; }) "services.avahi.enable";
    expected = false;
  };
  testSambaShares = {
    # NixOS's own defaults of [global] (security, passwd program, ...) left out:
    # only what the module sets
    expr =
      let
        s = samba.config.services.samba.settings;
        setKeys = lib.concatMap (d: builtins.attrNames (d.global or { })) samba.options.services.samba.settings.definitions;
      in
      s // { global = lib.filterAttrs (n: _: builtins.elem n setKeys) s.global; };
    expected = {
      global = {
        workgroup = "WORKGROUP";
        "server string" = "nas";
        "hosts allow" = "192.168.0.0/16 10.0.0.0/8 172.16.0.0/12 100.64.0.0/10 127.0.0.1";
        "hosts deny" = "0.0.0.0/0";
        "map to guest" = "bad user";
        "server min protocol" = "SMB2_10";
      };
      media = { path = "/srv/media"; comment = "media"; browseable = "yes"; "read only" = "yes"; "guest ok" = "yes"; };
      docs = { path = "/srv/docs"; comment = "docs"; browseable = "yes"; "read only" = "no"; "guest ok" = "no"; "valid users" = "alice @family"; };
    };
  };
  testSambaDiscovery = {
    expr = [ samba.config.services.samba.openFirewall samba.config.services.samba-wsdd.enable ];
    expected = [ true true ];
  };
  testSambaRelativePath = {
    expr = (net { axios.networking.samba = { enable = true; shares.x.path = "srv/x"; }; }).failedAssertions;
    expected = [ "axios.networking.samba.shares.x.path must be an absolute path, got \"srv/x\"." ];
  };
  testTailscale = {
    expr = {
      inherit (ts.config.services.tailscale) enable useRoutingFeatures openFirewall;
      permitCertUid = isSet ts "services.tailscale.permitCertUid";
      trusted = ts.config.networking.firewall.trustedInterfaces;
      cli = hasPackage "tailscale" ts.config.environment.systemPackages;
    };
    expected = { enable = true; useRoutingFeatures = "client"; openFirewall = true; permitCertUid = false; trusted = [ "tailscale0" ]; cli = true; };
  };
  testTailscaleHttpsCertificatesForCaddy = {
    expr = (net { axios.networking.tailscale = { enable = true; httpsCertificates.enable = true; }; }).config.services.tailscale.permitCertUid;
    expected = "caddy";
  };
  testTailscaleCertificatesFollowSelfHosted = {
    expr = (evalNixos [ axios.nixosModules.networking axios.nixosModules.services { axios.networking.enable = true; axios.networking.tailscale.enable = true; selfHosted.enable = true; } ]).config.services.tailscale.permitCertUid;
    expected = "caddy";
  };
  # a Caddy user of one's own: the certificate permission follows it, and the
  # registry's own setting agrees (two different mkDefaults would conflict)
  testTailscaleCertificatesFollowCaddyUser = {
    expr =
      let
        e = evalNixos [
          axios.nixosModules.networking
          axios.nixosModules.services
          {
            axios.networking = { enable = true; tailscale = { enable = true; httpsCertificates.enable = true; }; };
            selfHosted = { enable = true; caddy.routes.photos = { domain = "https://photos.tail9.ts.net"; target = "127.0.0.1:2283"; }; };
            services.caddy.user = "www";
          }
        ];
      in
      { uid = e.config.services.tailscale.permitCertUid; failed = e.failedAssertions; };
    expected = { uid = "www"; failed = [ ]; };
  };
  testTailscaleRoutingEnum = {
    expr = (net { axios.networking.tailscale = { enable = true; routingFeatures = "exit"; }; }).config.services.tailscale.useRoutingFeatures;
    expectedError = "axios.networking.tailscale.routingFeatures' is not of type `one of \"none\", \"client\", \"server\", \"both\"'";
  };
  testSubFeaturesNeedNetworkingEnable = {
    expr = isOn (evalNixos [ axios.nixosModules.networking { axios.networking.tailscale.enable = true; } ]) "services.tailscale.enable";
    expected = false;
  };
}
