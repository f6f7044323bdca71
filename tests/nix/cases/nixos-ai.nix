# nixos/ai: services.ai tools, Ollama (services.ai.local), the Caddy route.
{ lib, axios, evalNixos, hasPackage, root, ... }:
let
  # the real services module when it exists, else a stub of its interface
  services =
    if builtins.pathExists (root + "/nixos/services") then axios.nixosModules.services
    else
      { lib, ... }: {
        options.selfHosted = {
          enable = lib.mkEnableOption "stub";
          domain = lib.mkOption { type = lib.types.nullOr lib.types.str; default = null; description = "stub"; };
          caddy.routes = lib.mkOption {
            type = lib.types.attrsOf (lib.types.submodule {
              options = lib.genAttrs [ "domain" "path" "target" "priority" "stripPrefix" "extraConfig" "handleConfig" ]
                (_: lib.mkOption { type = lib.types.anything; default = null; description = "stub"; });
            });
            default = { };
            description = "stub";
          };
        };
      };
  ai = cfg: evalNixos [ axios.nixosModules.ai services cfg ];
  tools = ai { services.ai.enable = true; };
  local = gpu: extra: ai (lib.recursiveUpdate { services.ai.local.enable = true; axios.hardware.gpuType = gpu; } extra);
  amd = local "amd" { services.ai.local.rocmOverrideGfx = "10.3.0"; };
  proxied = local "amd" {
    selfHosted.enable = true;
    services.tailscale.enable = true; # a *.ts.net domain needs Tailscale (nixos/services assertion)
    services.ai.local.ollamaReverseProxy = { enable = true; domain = "desk.tail1.ts.net"; };
  };
  route = proxied.config.selfHosted.caddy.routes.ollama;
in
{
  testTools = {
    expr = map (n: hasPackage n tools.config.environment.systemPackages) [ "claude-code" "github-copilot-cli" "gemini-cli" "spec-kit" "backlog-md" "claude-monitor" "whisper-cpp" "uv" "ollama" ];
    expected = [ true true true true true true true true false ];
  };
  testOllamaAmd = {
    expr = let o = amd.config.services.ollama; in {
      inherit (o) enable host port loadModels rocmOverrideGfx environmentVariables;
      package = o.package.pname;
      kmod = amd.config.boot.kernelModules;
      opencode = hasPackage "opencode" amd.config.environment.systemPackages;
      failed = amd.failedAssertions;
    };
    expected = {
      enable = true;
      host = "127.0.0.1";
      port = 11434;
      loadModels = [ "qwen3-coder:30b" "qwen3:14b" "deepseek-coder-v2:16b" "qwen3:4b" ];
      rocmOverrideGfx = "10.3.0";
      environmentVariables = { OLLAMA_CONTEXT_LENGTH = "32768"; OLLAMA_KEEP_ALIVE = "30m"; };
      package = "ollama-rocm";
      kmod = [ "amdgpu" ];
      opencode = true;
      failed = [ ];
    };
  };
  testNoNumCtx = {
    # Ollama has no OLLAMA_NUM_CTX (DOMAIN-FACTS): the module must not set it
    expr = amd.config.services.ollama.environmentVariables ? OLLAMA_NUM_CTX;
    expected = false;
  };
  testOllamaPackageByGpu = {
    expr = map (gpu: (local gpu { }).config.services.ollama.package.pname) [ "nvidia" "intel" ];
    expected = [ "ollama-cuda" "ollama" ];
  };
  testContextAndModels = {
    expr = let o = (local "nvidia" { services.ai.local = { contextLength = 65536; models = [ "qwen3:8b" ]; cli = false; }; }).config; in
      [ o.services.ollama.environmentVariables.OLLAMA_CONTEXT_LENGTH o.services.ollama.loadModels (hasPackage "opencode" o.environment.systemPackages) ];
    expected = [ "65536" [ "qwen3:8b" ] false ];
  };
  testBadModelName = {
    expr = (local "amd" { services.ai.local.models = [ "qwen 3" ]; }).config.services.ollama.loadModels;
    expectedError = "services.ai.local.models.\"[definition 1-entry 1]\"' is not of type";
  };
  testRocmOverrideNeedsAmd = {
    expr = (local "nvidia" { services.ai.local.rocmOverrideGfx = "10.3.0"; }).failedAssertions;
    expected = [ "services.ai.local.rocmOverrideGfx is for AMD GPUs (ROCm), but axios.hardware.gpuType is \"nvidia\": remove rocmOverrideGfx or set axios.hardware.gpuType = \"amd\"." ];
  };
  testRocmOverrideFormat = {
    expr = (local "amd" { services.ai.local.rocmOverrideGfx = "gfx1031"; }).config.services.ai.local.rocmOverrideGfx;
    expectedError = "services.ai.local.rocmOverrideGfx' is not of type";
  };
  testOllamaRoute = {
    expr = { inherit (route) domain path target priority stripPrefix extraConfig; failed = proxied.failedAssertions; };
    expected = {
      domain = "desk.tail1.ts.net";
      path = "/ollama/*";
      target = "http://127.0.0.1:11434";
      priority = 100;
      stripPrefix = true;
      extraConfig = "header_up Host 127.0.0.1:11434";
      failed = [ ];
    };
  };
  testRouteCustomPath = {
    expr = (local "amd" { selfHosted.enable = true; services.ai.local.ollamaReverseProxy = { enable = true; path = "/llm"; domain = "x.ts.net"; }; }).config.selfHosted.caddy.routes.ollama.path;
    expected = "/llm/*";
  };
  testRouteBadPath = {
    expr = (local "amd" { services.ai.local.ollamaReverseProxy = { enable = true; path = "/llm/"; }; }).config.services.ai.local.ollamaReverseProxy.path;
    expectedError = "services.ai.local.ollamaReverseProxy.path' is not of type";
  };
  testNoRouteWithoutProxy = {
    expr = amd.config.selfHosted.caddy.routes;
    expected = { };
  };
  testProxyNeedsSelfHosted = {
    expr = builtins.elem
      "services.ai.local.ollamaReverseProxy.enable needs the Caddy route registry: set selfHosted.enable = true (mkSystem: modules.services = true) or disable the reverse proxy."
      (local "amd" { services.ai.local.ollamaReverseProxy = { enable = true; domain = "x.ts.net"; }; }).failedAssertions;
    expected = true;
  };
  testProxyNeedsDomain = {
    expr = builtins.elem
      "services.ai.local.ollamaReverseProxy: no domain: set services.ai.local.ollamaReverseProxy.domain (e.g. \"desktop.tail1234.ts.net\") or selfHosted.domain."
      (local "amd" { selfHosted.enable = true; services.ai.local.ollamaReverseProxy.enable = true; }).failedAssertions;
    expected = true;
  };
}
