# nixos/services: the selfHosted module, the route registry handed to
# axios-caddy at build time, Tailscale HTTPS, Immich as the catch-all.
{ lib, pkgs, axios, evalNixos, hasPackage, isOn, ... }:
let
  services = axios.nixosModules.services;
  eval = cfg: evalNixos [ services cfg ];

  full = evalNixos [
    services
    axios.nixosModules.ai
    {
      selfHosted = {
        enable = true;
        domain = "desk.tail1234.ts.net";
        immich.enable = true;
        caddy.routes.grafana = {
          domain = "http://grafana.home.arpa:8080";
          path = "/grafana/*";
          target = "unix//run/grafana/grafana.sock";
          handleConfig = "header X-Frame-Options DENY";
        };
        caddy.globalConfig = "email admin@example.org";
      };
      services.tailscale.enable = true;
      services.ai.local = {
        enable = true;
        ollamaReverseProxy.enable = true;
      };
    }
  ];
  caddy = full.config.services.caddy;
  configFile = caddy.configFile;
  routesFile = full.config.environment.etc."axios/caddy-routes.json".source;
  registry = builtins.fromJSON routesFile.text;

  tsOnly = extra: eval (lib.recursiveUpdate
    {
      selfHosted = {
        enable = true;
        caddy.routes.photos = { domain = "https://photos.tail9.ts.net:443"; target = "127.0.0.1:2283"; };
      };
    }
    extra);
in
{
  # The JSON is exactly what builtins.toJSON gives axios-caddy: every route
  # with all seven keys, defaults filled in.
  testRegistryJson = {
    expr = registry;
    expected = {
      grafana = {
        domain = "http://grafana.home.arpa:8080";
        path = "/grafana/*";
        target = "unix//run/grafana/grafana.sock";
        priority = 500;
        stripPrefix = false;
        extraConfig = "";
        handleConfig = "header X-Frame-Options DENY";
      };
      immich = {
        domain = "desk.tail1234.ts.net";
        path = null;
        target = "http://127.0.0.1:2283";
        priority = 1000;
        stripPrefix = false;
        extraConfig = "";
        handleConfig = "";
      };
      ollama = {
        domain = "desk.tail1234.ts.net";
        path = "/ollama/*";
        # axios-ollama proxy (nixos/ai), which keeps the prefix and rewrites Host
        target = "http://127.0.0.1:11435";
        priority = 100;
        stripPrefix = false;
        extraConfig = "";
        handleConfig = "";
      };
    };
  };

  testRouteSubOptionsExactly = {
    expr = lib.attrNames (builtins.removeAttrs
      (full.options.selfHosted.caddy.routes.type.getSubOptions [ ]) [ "_module" ]);
    expected = [ "domain" "extraConfig" "handleConfig" "path" "priority" "stripPrefix" "target" ];
  };

  # The Caddyfile is built by axios-caddy (check, then compose) from that JSON.
  testCaddyfileDerivation = {
    expr = {
      inherit (configFile) name;
      tools = map (p: p.pname) configFile.env.nativeBuildInputs;
      routes = configFile.env.passthru.routes == routesFile;
      check = lib.hasInfix "axios-caddy check ${routesFile} --caddy caddy\n" configFile.buildCommand;
      compose = lib.hasInfix "axios-caddy compose ${routesFile} --global " configFile.buildCommand;
      out = lib.hasInfix "-o $out\n" configFile.buildCommand;
      adapt = lib.hasInfix "caddy adapt --adapter caddyfile --config $out" configFile.buildCommand;
      checkFirst = lib.hasPrefix "axios-caddy check" configFile.buildCommand;
    };
    expected = {
      name = "axios-Caddyfile";
      tools = [ "axios-caddy" "caddy" ];
      routes = true;
      check = true;
      compose = true;
      out = true;
      adapt = true;
      checkFirst = true;
    };
  };

  testGlobalBlock = {
    expr = lib.head (builtins.match ".*--global ([^ ]+) .*" configFile.buildCommand) != null;
    expected = true;
  };

  testCaddyService = {
    expr = { inherit (caddy) enable adapter; permit = full.config.services.tailscale.permitCertUid; };
    expected = { enable = true; adapter = "caddyfile"; permit = "caddy"; };
  };

  testToolInstalled = {
    expr = hasPackage "axios-caddy" full.config.environment.systemPackages;
    expected = true;
  };

  # `axios-caddy explain` answers for the Caddy the system runs
  testExplainFollowsSystemCaddy = {
    expr = builtins.match ".*/bin/caddy" full.config.environment.variables.AXIOS_CADDY != null;
    expected = true;
  };

  testNoAssertionsWhenComplete = { expr = full.failedAssertions; expected = [ ]; };

  testImmichService = {
    expr = { inherit (full.config.services.immich) enable host port mediaLocation; };
    expected = { enable = true; host = "127.0.0.1"; port = 2283; mediaLocation = "/var/lib/immich"; };
  };

  testImmichNeedsDomain = {
    expr = (eval { selfHosted = { enable = true; immich.enable = true; }; }).failedAssertions;
    expected = [ "selfHosted.immich.enable: no domain to serve Immich on: set selfHosted.immich.domain (e.g. \"photos.tail1234.ts.net\") or selfHosted.domain." ];
  };

  testTsNetNeedsTailscale = {
    expr = (tsOnly { }).failedAssertions;
    expected = [ "selfHosted.caddy.routes (photos): a *.ts.net domain gets its HTTPS certificate from Tailscale, but Tailscale is off: set axios.networking.tailscale.enable = true (or services.tailscale.enable = true), or give these routes another domain." ];
  };

  testTsNetCertUid = {
    expr = (tsOnly { services.tailscale = { enable = true; permitCertUid = "nginx"; }; }).failedAssertions;
    expected = [ "selfHosted.caddy.routes (photos): a *.ts.net domain needs Caddy to fetch its certificate from tailscaled, but services.tailscale.permitCertUid is \"nginx\", not Caddy's user \"caddy\". Set services.tailscale.permitCertUid = \"caddy\"." ];
  };

  testOtherDomainsNeedNoTailscale = {
    expr =
      let e = eval { selfHosted = { enable = true; caddy.routes.a = { domain = "http://a.home.arpa"; target = "127.0.0.1:1"; }; }; };
      in { a = e.failedAssertions; permit = e.config.services.tailscale.permitCertUid; };
    expected = { a = [ ]; permit = null; };
  };

  testVirtualHostsWarning = {
    expr = (eval { selfHosted.enable = true; services.caddy.virtualHosts."x.org".extraConfig = "respond 1"; }).warnings;
    expected = [ "services.caddy.virtualHosts (x.org) is ignored: selfHosted manages Caddy's config file. Register routes under selfHosted.caddy.routes, or add raw Caddyfile with selfHosted.caddy.extraConfig." ];
  };

  testFirewall = {
    expr = map (c: (eval { selfHosted = { enable = true; caddy.openFirewall = c; }; }).config.networking.firewall.allowedTCPPorts) [ false true ];
    expected = [ [ ] [ 80 443 ] ];
  };

  # Off by default: routes may be registered (the ai module does), nothing runs.
  testDisabledIsInert = {
    expr =
      let e = eval { selfHosted.caddy.routes.a = { domain = "a.test"; target = "127.0.0.1:1"; }; selfHosted.immich.enable = true; };
      in { caddy = isOn e "services.caddy.enable"; routes = lib.attrNames e.config.selfHosted.caddy.routes; a = e.failedAssertions; };
    expected = { caddy = false; routes = [ "a" ]; a = [ ]; };
  };

  testPackageOption = {
    expr = (eval { selfHosted.enable = true; selfHosted.caddy.package = pkgs.mkFake "my-caddy"; }).config.services.caddy.configFile.env.nativeBuildInputs;
    expected = [ (pkgs.mkFake "my-caddy") pkgs.caddy ];
  };

  testBadPriorityType = {
    expr = (eval { selfHosted.caddy.routes.a = { domain = "a.test"; target = "x:1"; priority = "high"; }; }).config.selfHosted.caddy.routes.a.priority;
    expectedError = "is not of type";
  };

  testUnknownRouteKey = {
    expr = (eval { selfHosted.caddy.routes.a = { domain = "a.test"; target = "x:1"; strip_prefix = true; }; }).config.selfHosted.caddy.routes.a;
    expectedError = "does not exist";
  };

  testMissingTarget = {
    expr = (eval { selfHosted.enable = true; selfHosted.caddy.routes.a.domain = "a.test"; }).config.environment.etc."axios/caddy-routes.json".source.text;
    expectedError = "target";
  };
}
