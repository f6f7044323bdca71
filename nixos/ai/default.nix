# AI: CLI coding agents and workflow tools (`services.ai.enable`), and a
# local LLM stack with Ollama (`services.ai.local.*`), optionally published
# through the Caddy route registry (`selfHosted.caddy.routes.ollama`).
{ config, lib, pkgs, ... }:
let
  cfg = config.services.ai;
  local = cfg.local;
  proxy = local.ollamaReverseProxy;
  gpu = config.axios.hardware.gpuType;
  ollamaPort = 11434;
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
        loadModels = local.models;
        rocmOverrideGfx = lib.mkIf (local.rocmOverrideGfx != null) local.rocmOverrideGfx;
        environmentVariables = {
          # Ollama reads OLLAMA_CONTEXT_LENGTH (there is no OLLAMA_NUM_CTX)
          OLLAMA_CONTEXT_LENGTH = toString local.contextLength;
          OLLAMA_KEEP_ALIVE = local.keepAlive;
        };
      };
      boot.kernelModules = lib.optional (gpu == "amd") "amdgpu";
      environment.systemPackages = lib.optional local.cli pkgs.opencode;
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
      ];
      selfHosted.caddy.routes.ollama = {
        domain = if proxyDomain != null then proxyDomain else "";
        path = "${proxy.path}/*";
        target = "http://127.0.0.1:${toString ollamaPort}";
        # before catch-alls such as Immich (1000)
        priority = 100;
        stripPrefix = true;
        # Ollama answers 403 unless the Host header is loopback (or .local,
        # .internal ...); Caddy passes the client's Host by default.
        extraConfig = "header_up Host 127.0.0.1:${toString ollamaPort}";
      };
    })
  ];
}
