# AI: CLI coding agents and workflow tools (`services.ai.enable`), and a
# local LLM stack with Ollama (`services.ai.local.*`), optionally published
# through the Caddy route registry (`selfHosted.caddy.routes.ollama`).
#
# `axios-ollama preload` (unit axios-ollama-preload) replaces
# services.ollama.loadModels: it waits for Ollama, pulls only what is missing,
# warms each model with the clients' context length and says READY=1 when
# all are warm. Published through Caddy, the route points at
# `axios-ollama proxy` (unit axios-ollama-proxy): bearer-token auth and no
# model management without the admin token. Both config files are checked
# by the program at build time and linked under /etc/axios/ollama/.
{ config, lib, pkgs, ... }:
let
  cfg = config.services.ai;
  local = cfg.local;
  proxy = local.ollamaReverseProxy;
  gpu = config.axios.hardware.gpuType;
  ollamaPort = 11434;
  ollamaUrl = "http://127.0.0.1:${toString ollamaPort}";
  pkg = local.helperPackage;

  # TOML from flat attrs (strings, numbers, bools, lists, one level of inline
  # tables); JSON strings are valid TOML basic strings. null = key left out,
  # so the program's own default applies.
  tomlValue = v:
    if builtins.isAttrs v then
      "{ ${lib.concatStringsSep ", " (lib.mapAttrsToList (k: x: "${k} = ${tomlValue x}") (lib.filterAttrs (_: x: x != null) v))} }"
    else if builtins.isList v then "[${lib.concatMapStringsSep ", " tomlValue v}]"
    else builtins.toJSON v;
  toTOML = attrs: lib.concatStrings (lib.mapAttrsToList (k: v: "${k} = ${tomlValue v}\n")
    (lib.filterAttrs (_: v: v != null) attrs));
  # the program checks what the module generates: a bad value fails the build
  checkedConfig = kind: settings:
    let raw = pkgs.writeText "axios-ollama-${kind}-unchecked.toml" (toTOML settings);
    in pkgs.runCommand "axios-ollama-${kind}.toml"
      {
        nativeBuildInputs = [ pkg ];
        passthru = { inherit raw settings; };
      } ''
      axios-ollama check ${kind} ${raw}
      cp ${raw} $out
    '';

  preloadConfig = checkedConfig "preload" ({
    version = 1;
    url = ollamaUrl;
    models = local.models;
    keep_alive = local.keepAlive;
    num_ctx = local.contextLength;
  } // local.preload.settings);
  proxyConfig = checkedConfig "proxy" ({
    version = 1;
    listen = "127.0.0.1:${toString proxy.port}";
    upstream = ollamaUrl;
    prefix = proxy.path;
    allow_management = proxy.allowManagement;
    cors_origins = proxy.corsOrigins;
  } // proxy.settings);

  # DESIGN: helpers run hardened; `systemd-analyze security --offline=true` is the measure
  hardening = (import ../common/hardening.nix).system // {
    DynamicUser = true;
    PrivateUsers = true;
    CapabilityBoundingSet = "";
    AmbientCapabilities = "";
    ProtectKernelLogs = true;
    RemoveIPC = true;
    SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ];
    SystemCallErrorNumber = "EPERM";
    DevicePolicy = "closed";
    # Ollama and Caddy are on loopback; the proxy needs nothing else
    RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];
    IPAddressDeny = "any";
    IPAddressAllow = "localhost";
  };
  defaultTools = [ "claude-code" "github-copilot-cli" "gemini-cli" "spec-kit" "backlog-md" "claude-monitor" "whisper-cpp" ];
  proxyDomain = if proxy.domain != null then proxy.domain else config.selfHosted.domain or null;
in
{
  # ../services declares `selfHosted.*`, which the reverse proxy defines (even
  # under mkIf false a definition needs its option declared)
  imports = [ ../hardware/facts.nix ../services ];

  options.services.ai = {
    enable = lib.mkEnableOption "AI tools: claude-code, copilot-cli, gemini-cli and workflow tools";
    tools = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      # the ones this nixpkgs has (some are young packages): a missing one is
      # skipped rather than breaking evaluation
      default = map (n: pkgs.${n}) (builtins.filter (n: pkgs ? ${n}) defaultTools);
      defaultText = lib.literalExpression "with pkgs; [ ${lib.concatStringsSep " " defaultTools} ] (those present in pkgs)";
      example = lib.literalExpression "[ pkgs.claude-code ]";
      description = "The AI CLI agents and workflow tools to install (one agent per ecosystem: Anthropic, GitHub, Google).";
    };

    local = {
      enable = lib.mkEnableOption "local LLM inference with Ollama";
      package = lib.mkOption {
        type = lib.types.package;
        default =
          if gpu == "amd" then pkgs.ollama-rocm
          else if gpu == "nvidia" then pkgs.ollama-cuda
          else pkgs.ollama;
        defaultText = lib.literalExpression ''ollama-rocm on AMD, ollama-cuda on NVIDIA, ollama otherwise (from axios.hardware.gpuType)'';
        example = lib.literalExpression "pkgs.ollama-vulkan";
        description = "The Ollama package; the default follows `axios.hardware.gpuType`.";
      };
      models = lib.mkOption {
        type = lib.types.listOf (lib.types.strMatching "[a-zA-Z0-9._/-]+(:[a-zA-Z0-9._-]+)?");
        default = [ "qwen3-coder:30b" "qwen3:14b" "deepseek-coder-v2:16b" "qwen3:4b" ];
        example = [ "qwen3:8b" "nomic-embed-text" ];
        description = "Models to pull when Ollama starts (`name[:tag]`). Pulling needs the network; already pulled models stay.";
      };
      contextLength = lib.mkOption {
        type = lib.types.ints.between 2048 1048576;
        default = 32768;
        example = 65536;
        description = "Default context window in tokens (`OLLAMA_CONTEXT_LENGTH`); agentic tool use needs 32K or more.";
      };
      keepAlive = lib.mkOption {
        type = lib.types.str;
        default = "30m";
        example = "-1";
        description = "How long a model stays loaded after use (`OLLAMA_KEEP_ALIVE`: a Go duration, seconds, or negative for forever).";
      };
      rocmOverrideGfx = lib.mkOption {
        type = lib.types.nullOr (lib.types.strMatching "[0-9]+\\.[0-9]+\\.[0-9]+");
        default = null;
        example = "10.3.0";
        description = ''
          ROCm GPU architecture override (`HSA_OVERRIDE_GFX_VERSION`) for AMD
          GPUs ROCm does not list, e.g. `"10.3.0"` for gfx1031 (RX 6700/6750).
        '';
      };
      helperPackage = lib.mkPackageOption pkgs "axios-ollama" { example = "axios-ollama"; };
      preload = {
        enable = lib.mkOption {
          type = lib.types.bool;
          default = true;
          example = false;
          description = ''
            Pull the missing `models` and warm them at boot with `axios-ollama preload`
            (unit `axios-ollama-preload`, `Type=notify`, ready once every model is
            present and loaded). It replaces `services.ollama.loadModels`: a boot with
            every model present needs no network.
          '';
        };
        settings = lib.mkOption {
          type = lib.types.attrsOf lib.types.anything;
          default = { };
          example = { concurrency = 3; retry = { attempts = 8; backoff = "5s"; }; timeout = "3h"; };
          description = ''
            Extra keys of the preload config file (see the axios-ollama README:
            `concurrency`, `warm`, `retry`, `wait`, `timeout`); checked by
            `axios-ollama check preload` when the system is built.
          '';
        };
      };
      cli = lib.mkOption {
        type = lib.types.bool;
        default = true;
        example = false;
        description = "Install OpenCode, a terminal coding agent that uses the local models.";
      };
      ollamaReverseProxy = {
        enable = lib.mkEnableOption "publishing Ollama through Caddy (route `selfHosted.caddy.routes.ollama`)";
        path = lib.mkOption {
          type = lib.types.strMatching "/[^*[:space:]]*[^/*[:space:]]";
          default = "/ollama";
          example = "/llm";
          description = "Path prefix for Ollama (no trailing slash); the route matches `<path>/*` and strips the prefix.";
        };
        domain = lib.mkOption {
          type = lib.types.nullOr lib.types.str;
          default = null;
          example = "desktop.tail1234.ts.net";
          description = "Site address of the route; null uses `selfHosted.domain`.";
        };
        port = lib.mkOption {
          type = lib.types.port;
          default = 11435;
          example = 18080;
          description = "Loopback port of `axios-ollama proxy`, which the Caddy route targets.";
        };
        tokenFile = lib.mkOption {
          type = lib.types.nullOr (lib.types.strMatching "/.+");
          default = null;
          example = "/run/agenix/ollama-token";
          description = ''
            File holding the bearer token every request must carry
            (`Authorization: Bearer <token>`; the Ollama Python client sends
            `OLLAMA_API_KEY` this way). A secret path outside the Nix store, e.g.
            from agenix; the proxy reads it through `LoadCredential`. null: no
            authentication (a warning says so), model management stays denied.
          '';
        };
        adminTokenFile = lib.mkOption {
          type = lib.types.nullOr (lib.types.strMatching "/.+");
          default = null;
          example = "/run/agenix/ollama-admin-token";
          description = "File holding the admin token, which also allows model management (pull, push, delete, create, copy, blobs).";
        };
        allowManagement = lib.mkOption {
          type = lib.types.bool;
          default = false;
          example = true;
          description = "Allow model management through the proxy to every authenticated caller, not only the admin token.";
        };
        corsOrigins = lib.mkOption {
          type = lib.types.listOf lib.types.str;
          default = [ ];
          example = [ "https://chat.example.org" ];
          description = "Browser origins allowed by CORS (`\"*\"` for any); the proxy answers their preflights.";
        };
        settings = lib.mkOption {
          type = lib.types.attrsOf lib.types.anything;
          default = { };
          example = { max_body_bytes = 8388608; max_concurrent = 64; header_timeout = "5s"; };
          description = "Extra keys of the proxy config file (see the axios-ollama README); checked by `axios-ollama check proxy` at build time.";
        };
      };
    };
  };

  config = lib.mkMerge [
    (lib.mkIf cfg.enable {
      environment.systemPackages = cfg.tools ++ [ pkgs.nodejs pkgs.python3 pkgs.uv ];
    })

    (lib.mkIf local.enable {
      assertions = [{
        assertion = local.rocmOverrideGfx != null -> gpu == "amd";
        message = "services.ai.local.rocmOverrideGfx is for AMD GPUs (ROCm), but axios.hardware.gpuType is ${builtins.toJSON gpu}: remove rocmOverrideGfx or set axios.hardware.gpuType = \"amd\".";
      }];
      services.ollama = {
        enable = true;
        inherit (local) package;
        host = "127.0.0.1";
        port = ollamaPort;
        # axios-ollama-preload pulls and warms them (below)
        loadModels = if local.preload.enable then [ ] else local.models;
        rocmOverrideGfx = lib.mkIf (local.rocmOverrideGfx != null) local.rocmOverrideGfx;
        environmentVariables = {
          # Ollama reads OLLAMA_CONTEXT_LENGTH (there is no OLLAMA_NUM_CTX)
          OLLAMA_CONTEXT_LENGTH = toString local.contextLength;
          OLLAMA_KEEP_ALIVE = local.keepAlive;
        };
      };
      boot.kernelModules = lib.optional (gpu == "amd") "amdgpu";
      environment.systemPackages = lib.optional local.cli pkgs.opencode ++ [ pkg ];
      environment.etc."axios/ollama/preload.toml".source = preloadConfig;
    })

    (lib.mkIf (local.enable && local.preload.enable) {
      systemd.services.axios-ollama-preload = {
        description = "Pull and warm the Ollama models (axios-ollama preload)";
        after = [ "ollama.service" "network-online.target" ];
        wants = [ "ollama.service" "network-online.target" ];
        wantedBy = [ "multi-user.target" ];
        unitConfig.StartLimitIntervalSec = 0;
        serviceConfig = hardening // {
          Type = "notify";
          ExecStart = "${pkg}/bin/axios-ollama preload --config ${preloadConfig} --summary-file /run/axios-ollama/preload.json";
          RemainAfterExit = true;
          Restart = "on-failure";
          RestartSec = "30s";
          # pulls of large models take long; the program enforces `timeout`
          TimeoutStartSec = "infinity";
          # the last run's JSON summary, readable by `axios doctor`; kept after the
          # unit stops or fails (a DynamicUser StateDirectory would be root-only)
          RuntimeDirectory = "axios-ollama";
          RuntimeDirectoryMode = "0755";
          RuntimeDirectoryPreserve = true;
          UMask = "0022";
        };
      };
    })

    (lib.mkIf (local.enable && proxy.enable) {
      assertions = [
        {
          assertion = config.selfHosted.enable or false;
          message = "services.ai.local.ollamaReverseProxy.enable needs the Caddy route registry: set selfHosted.enable = true (mkSystem: modules.services = true) or disable the reverse proxy.";
        }
        {
          assertion = proxyDomain != null;
          message = "services.ai.local.ollamaReverseProxy: no domain: set services.ai.local.ollamaReverseProxy.domain (e.g. \"desktop.tail1234.ts.net\") or selfHosted.domain.";
        }
        {
          assertion = builtins.all (f: f == null || !lib.hasPrefix builtins.storeDir f) [ proxy.tokenFile proxy.adminTokenFile ];
          message = "services.ai.local.ollamaReverseProxy: tokenFile/adminTokenFile point into the Nix store, which every local user can read: use a secret path such as /run/agenix/ollama-token.";
        }
      ];
      warnings = lib.optional (proxy.tokenFile == null)
        "services.ai.local.ollamaReverseProxy.tokenFile is not set: anyone who reaches ${if proxyDomain != null then proxyDomain else "the site"}${proxy.path} can use the models (management stays denied). Set tokenFile to a secret (e.g. an agenix path).";
      selfHosted.caddy.routes.ollama = {
        domain = if proxyDomain != null then proxyDomain else "";
        path = "${proxy.path}/*";
        # the policy proxy, not Ollama: it judges the full path (prefix
        # included), rewrites Host for Ollama and checks the token
        target = "http://127.0.0.1:${toString proxy.port}";
        # before catch-alls such as Immich (1000)
        priority = 100;
        stripPrefix = false;
      };
      environment.etc."axios/ollama/proxy.toml".source = proxyConfig;
      systemd.services.axios-ollama-proxy = {
        description = "Policy proxy in front of Ollama (axios-ollama proxy)";
        after = [ "network.target" "ollama.service" ];
        wantedBy = [ "multi-user.target" ];
        serviceConfig = hardening // {
          Type = "notify";
          ExecStart = lib.concatStringsSep " " ([ "${pkg}/bin/axios-ollama proxy --config ${proxyConfig}" ]
            ++ lib.optional (proxy.tokenFile != null) "--token-file %d/token"
            ++ lib.optional (proxy.adminTokenFile != null) "--admin-token-file %d/admin-token");
          LoadCredential = lib.optional (proxy.tokenFile != null) "token:${proxy.tokenFile}"
            ++ lib.optional (proxy.adminTokenFile != null) "admin-token:${proxy.adminTokenFile}";
          Restart = "always";
          RestartSec = "2s";
          # in-flight streams get the program's grace period (30 s by default)
          TimeoutStopSec = "45s";
          PrivateNetwork = false;
          RuntimeDirectory = "axios-ollama-proxy";
        };
      };
    })
  ];
}
