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
  preloadFile = c: c.environment.etc."axios/ollama/preload.toml".source;
  preloadSettings = c: (preloadFile c).env.passthru.settings;
  proxyFile = c: c.environment.etc."axios/ollama/proxy.toml".source;
  secured = local "amd" {
    selfHosted.enable = true;
    services.tailscale.enable = true;
    services.ai.local.ollamaReverseProxy = {
      enable = true;
      domain = "desk.tail1.ts.net";
      tokenFile = "/run/agenix/ollama-token";
      adminTokenFile = "/run/agenix/ollama-admin";
      corsOrigins = [ "https://chat.example.org" ];
    };
  };
  units = c: c.systemd.services;
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
      # axios-ollama-preload pulls and warms the models instead
      loadModels = [ ];
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
      [ o.services.ollama.environmentVariables.OLLAMA_CONTEXT_LENGTH (preloadSettings o).models (preloadSettings o).num_ctx (hasPackage "opencode" o.environment.systemPackages) ];
    expected = [ "65536" [ "qwen3:8b" ] 65536 false ];
  };
  testBadModelName = {
    expr = (preloadSettings (local "amd" { services.ai.local.models = [ "qwen 3" ]; }).config).models;
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
  # the route targets axios-ollama proxy, which keeps the prefix (it judges the
  # full path) and rewrites Host itself; the same route the Rust e2e test runs
  # behind real Caddy (crates/ollama/tests/python_client.rs)
  testOllamaRoute = {
    expr = { inherit (route) domain path target priority stripPrefix extraConfig; failed = proxied.failedAssertions; };
    expected = {
      domain = "desk.tail1.ts.net";
      path = "/ollama/*";
      target = "http://127.0.0.1:11435";
      priority = 100;
      stripPrefix = false;
      extraConfig = "";
      failed = [ ];
    };
  };
  testPreloadReplacesLoadModels = {
    expr = let c = amd.config; u = (units c).axios-ollama-preload; in {
      loadModels = c.services.ollama.loadModels;
      inherit (u) after wants wantedBy;
      inherit (u.serviceConfig) Type RemainAfterExit Restart DynamicUser RuntimeDirectory RuntimeDirectoryPreserve ProtectSystem TimeoutStartSec;
      exec = u.serviceConfig.ExecStart == "${c.services.ai.local.helperPackage}/bin/axios-ollama preload --config ${preloadFile c} --summary-file /run/axios-ollama/preload.json";
    };
    expected = {
      loadModels = [ ];
      after = [ "ollama.service" "network-online.target" ];
      wants = [ "ollama.service" "network-online.target" ];
      wantedBy = [ "multi-user.target" ];
      Type = "notify";
      RemainAfterExit = true;
      Restart = "on-failure";
      DynamicUser = true;
      RuntimeDirectory = "axios-ollama";
      RuntimeDirectoryPreserve = true;
      ProtectSystem = "strict";
      TimeoutStartSec = "infinity";
      exec = true;
    };
  };
  testPreloadConfigText = {
    expr = (preloadFile amd.config).env.passthru.raw.text;
    expected = ''
      keep_alive = "30m"
      models = ["qwen3-coder:30b", "qwen3:14b", "deepseek-coder-v2:16b", "qwen3:4b"]
      num_ctx = 32768
      url = "http://127.0.0.1:11434"
      version = 1
    '';
  };
  testPreloadSettingsPassThrough = {
    expr = (preloadFile (local "amd" { services.ai.local.preload.settings = { concurrency = 3; retry = { attempts = 8; backoff = "5s"; }; }; }).config).env.passthru.raw.text;
    expected = ''
      concurrency = 3
      keep_alive = "30m"
      models = ["qwen3-coder:30b", "qwen3:14b", "deepseek-coder-v2:16b", "qwen3:4b"]
      num_ctx = 32768
      retry = { attempts = 8, backoff = "5s" }
      url = "http://127.0.0.1:11434"
      version = 1
    '';
  };
  # the program checks the generated files when the system is built
  testConfigsCheckedAtBuild = {
    expr = map
      (f: {
        inherit (f) name;
        tools = map (p: p.pname) f.env.nativeBuildInputs;
        check = lib.hasPrefix "axios-ollama check ${lib.removeSuffix ".toml" (lib.removePrefix "axios-ollama-" f.name)} ${f.env.passthru.raw}\n" f.buildCommand;
      })
      [ (preloadFile secured.config) (proxyFile secured.config) ];
    expected = [
      { name = "axios-ollama-preload.toml"; tools = [ "axios-ollama" ]; check = true; }
      { name = "axios-ollama-proxy.toml"; tools = [ "axios-ollama" ]; check = true; }
    ];
  };
  testPreloadDisabled = {
    expr = let c = (local "amd" { services.ai.local.preload.enable = false; }).config; in
      [ c.services.ollama.loadModels ((units c) ? axios-ollama-preload) ];
    expected = [ [ "qwen3-coder:30b" "qwen3:14b" "deepseek-coder-v2:16b" "qwen3:4b" ] false ];
  };
  testProxyUnit = {
    expr = let c = secured.config; u = (units c).axios-ollama-proxy; in {
      inherit (u.serviceConfig) Type LoadCredential Restart DynamicUser IPAddressDeny IPAddressAllow CapabilityBoundingSet PrivateUsers;
      exec = u.serviceConfig.ExecStart == "${c.services.ai.local.helperPackage}/bin/axios-ollama proxy --config ${proxyFile c} --token-file %d/token --admin-token-file %d/admin-token";
      text = (proxyFile c).env.passthru.raw.text;
      warnings = secured.config.warnings;
      failed = secured.failedAssertions;
    };
    expected = {
      Type = "notify";
      LoadCredential = [ "token:/run/agenix/ollama-token" "admin-token:/run/agenix/ollama-admin" ];
      Restart = "always";
      DynamicUser = true;
      IPAddressDeny = "any";
      IPAddressAllow = "localhost";
      CapabilityBoundingSet = "";
      PrivateUsers = true;
      exec = true;
      text = ''
        allow_management = false
        cors_origins = ["https://chat.example.org"]
        listen = "127.0.0.1:11435"
        prefix = "/ollama"
        upstream = "http://127.0.0.1:11434"
        version = 1
      '';
      warnings = [ ];
      failed = [ ];
    };
  };
  testProxyWithoutTokenWarns = {
    expr = let c = proxied.config; in [ c.warnings (units c).axios-ollama-proxy.serviceConfig.LoadCredential ];
    expected = [
      [ "services.ai.local.ollamaReverseProxy.tokenFile is not set: anyone who reaches desk.tail1.ts.net/ollama can use the models (management stays denied). Set tokenFile to a secret (e.g. an agenix path)." ]
      [ ]
    ];
  };
  testTokenInStoreRefused = {
    expr = builtins.elem
      "services.ai.local.ollamaReverseProxy: tokenFile/adminTokenFile point into the Nix store, which every local user can read: use a secret path such as /run/agenix/ollama-token."
      (local "amd" { selfHosted.enable = true; services.ai.local.ollamaReverseProxy = { enable = true; domain = "x.ts.net"; tokenFile = "/nix/store/abc-token"; }; }).failedAssertions;
    expected = true;
  };
  testNoProxyUnitWithoutReverseProxy = {
    expr = [ ((units amd.config) ? axios-ollama-proxy) (amd.config.environment.etc ? "axios/ollama/proxy.toml") ];
    expected = [ false false ];
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
