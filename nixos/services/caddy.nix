# Caddy fed by the route registry `selfHosted.caddy.routes.<name>`.
#
# Services register routes; nothing here sorts or concatenates Caddyfile
# text. At build time `axios-caddy check` validates the registry (a broken
# registry fails the build with the compositor's message) and
# `axios-caddy compose` writes a Caddyfile whose route order Caddy keeps
# (one `route` block per site); `caddy adapt` then checks the raw Caddyfile
# pieces. No import-from-derivation: the Caddyfile is only a build input of
# the Caddy unit.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.selfHosted;
  caddyCfg = cfg.caddy;

  routeModule = { name, ... }: {
    options = {
      domain = mkOption {
        type = types.str;
        example = "photos.tail1234.ts.net";
        description = ''
          Site address of the route: a host, optionally with scheme and port
          (`photos.tail1234.ts.net`, `http://media.home.arpa:8080`), or only a
          port (`:8080`: every host, plain HTTP). Internationalised names are
          accepted (written in their `xn--` form). Routes with the same site
          share one Caddy site block.
        '';
      };
      path = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "/ollama/*";
        description = ''
          Request path matched with Caddy's semantics: exact, or a prefix
          when it ends in `*` (`/app/*` matches `/app/x` but not `/app`;
          `/app*` matches `/appx` too); spaces are allowed (`/My Photos/*`).
          `null` makes route `${name}` the
          catch-all of its domain (at most one per domain). More specific
          paths are always tried first.
        '';
      };
      target = mkOption {
        type = types.str;
        example = "http://127.0.0.1:11434";
        description = "Upstream: `http://host:port`, `https://host:port`, `host:port`, `unix//path/to.sock` or `unix/@abstract-name`.";
      };
      priority = mkOption {
        type = types.int;
        default = 500;
        example = 100;
        description = ''
          Lower is tried first among routes of the same specificity (the
          longest path always comes first, an exact path before a wildcard,
          the catch-all last). `axios-caddy check` warns when a priority
          cannot take effect.
        '';
      };
      stripPrefix = mkOption {
        type = types.bool;
        default = false;
        example = true;
        description = "Remove the path prefix before proxying (`/ollama/*`: `/ollama/api/tags` reaches the upstream as `/api/tags`).";
      };
      extraConfig = mkOption {
        type = types.lines;
        default = "";
        example = "header_up Host 127.0.0.1:11434";
        description = "Caddyfile lines inside this route's `reverse_proxy` block.";
      };
      handleConfig = mkOption {
        type = types.lines;
        default = "";
        example = "header X-Frame-Options DENY";
        description = "Caddyfile lines inside this route's `handle` block, before `reverse_proxy`.";
      };
    };
  };

  routesJson = pkgs.writeText "axios-caddy-routes.json" (builtins.toJSON caddyCfg.routes);
  # indented as `caddy fmt` wants it (Caddy warns about unformatted input)
  indent = text: lib.concatMapStrings (l: "\t${l}\n")
    (builtins.filter (l: l != "") (lib.splitString "\n" text));
  globalFile = pkgs.writeText "axios-caddy-global" "{\n${indent caddyCfg.globalConfig}}\n";
  extraFile = pkgs.writeText "axios-caddy-extra" caddyCfg.extraConfig;
  composeFlags = lib.concatStringsSep " " (
    lib.optional (caddyCfg.globalConfig != "") "--global ${globalFile}"
    ++ lib.optional (caddyCfg.extraConfig != "") "--extra ${extraFile}"
  );

  # `--caddy caddy`: warnings that depend on the Caddy version follow the
  # Caddy the system runs (on PATH in the build)
  caddyfile = pkgs.runCommand "axios-Caddyfile"
    {
      nativeBuildInputs = [ caddyCfg.package config.services.caddy.package ];
      # the inputs, for tests and for `nix eval`
      passthru = { routes = routesJson; global = globalFile; extra = extraFile; };
    } ''
    axios-caddy check ${routesJson} --caddy caddy
    axios-caddy compose ${routesJson} ${composeFlags} --caddy caddy -o $out
    # Caddy's own (pure) adapter: a mistake in extraConfig/handleConfig fails
    # the build, not Caddy at boot
    HOME="$TMPDIR" caddy adapt --adapter caddyfile --config $out > /dev/null
  '';

  hostOf = domain:
    let
      noScheme = lib.last (lib.splitString "://" domain);
    in
    lib.head (lib.splitString ":" noScheme);
  tsRoutes = lib.filterAttrs (_: r: lib.hasSuffix ".ts.net" (hostOf r.domain)) caddyCfg.routes;
  tsNames = lib.concatStringsSep ", " (lib.attrNames tsRoutes);
in
{
  options.selfHosted.caddy = {
    package = lib.mkPackageOption pkgs "axios-caddy" { };
    routes = mkOption {
      type = types.attrsOf (types.submodule routeModule);
      default = { };
      example = lib.literalExpression ''
        {
          immich = { domain = "photos.tail1234.ts.net"; target = "http://127.0.0.1:2283"; priority = 1000; };
          ollama = {
            domain = "photos.tail1234.ts.net";
            path = "/ollama/*";
            target = "http://127.0.0.1:11434";
            priority = 100;
            stripPrefix = true;
          };
        }
      '';
      description = ''
        The route registry. Each service registers its reverse-proxy routes
        here; `axios-caddy` orders them (most specific path first, exact
        before wildcard, then `priority`, then name; the catch-all last) and
        rejects registries that cannot work (two catch-alls on a domain,
        duplicate or shadowed paths, invalid domains, paths or targets) when
        the system is built. On the machine, `axios-caddy explain
        /etc/axios/caddy-routes.json URL` tells which route serves a URL.
      '';
    };
    globalConfig = mkOption {
      type = types.lines;
      default = "";
      example = ''
        email admin@example.org
      '';
      description = "Lines of the Caddyfile global options block (without the braces).";
    };
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      example = ''
        http://status.home.arpa {
          respond "ok"
        }
      '';
      description = "Raw Caddyfile appended after the generated sites.";
    };
    openFirewall = mkOption {
      type = types.bool;
      default = false;
      example = true;
      description = "Open TCP ports 80 and 443. Not needed for `*.ts.net` sites: the Tailscale interface is trusted.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = tsRoutes == { } || config.services.tailscale.enable;
        message = "selfHosted.caddy.routes (${tsNames}): a *.ts.net domain gets its HTTPS certificate from Tailscale, but Tailscale is off: set axios.networking.tailscale.enable = true (or services.tailscale.enable = true), or give these routes another domain.";
      }
      {
        assertion = tsRoutes == { } || !config.services.tailscale.enable
          || config.services.tailscale.permitCertUid == config.services.caddy.user;
        message = "selfHosted.caddy.routes (${tsNames}): a *.ts.net domain needs Caddy to fetch its certificate from tailscaled, but services.tailscale.permitCertUid is ${builtins.toJSON config.services.tailscale.permitCertUid}, not Caddy's user ${builtins.toJSON config.services.caddy.user}. Set services.tailscale.permitCertUid = \"${config.services.caddy.user}\".";
      }
    ];
    warnings = lib.optional (config.services.caddy.virtualHosts != { })
      "services.caddy.virtualHosts (${lib.concatStringsSep ", " (lib.attrNames config.services.caddy.virtualHosts)}) is ignored: selfHosted manages Caddy's config file. Register routes under selfHosted.caddy.routes, or add raw Caddyfile with selfHosted.caddy.extraConfig.";

    services.caddy = {
      enable = true;
      configFile = caddyfile;
      # the file is not named `Caddyfile`: without this Caddy would read it as JSON
      adapter = "caddyfile";
    };
    # Caddy fetches certificates for *.ts.net names from tailscaled.
    services.tailscale.permitCertUid = lib.mkIf (tsRoutes != { }) (lib.mkDefault config.services.caddy.user);
    networking.firewall.allowedTCPPorts = lib.mkIf caddyCfg.openFirewall [ 80 443 ];
    environment.systemPackages = [ caddyCfg.package ];
    # `axios-caddy explain` answers for the Caddy this system runs
    environment.variables.AXIOS_CADDY = lib.getExe config.services.caddy.package;
    environment.etc."axios/caddy-routes.json".source = routesJson;
  };
}
