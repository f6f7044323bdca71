# home/ai: declarative MCP servers rendered to ~/.config/mcp/mcp.json, Claude Code
# (programs.claude-code.mcpServers) and OpenCode; secrets through wrapper scripts.
{ lib, pkgs, root, hmLib, axios, evalHome, evalHomeWith, hasPackage, ... }:
let
  ai = extra: evalHome [ axios.homeModules.ai { axios.ai.enable = true; } extra ];
  a = ai { };
  full = ai {
    axios.ai.mcp = {
      presets = {
        github = { enable = true; tokenFile = "/run/user/1000/agenix/github-token"; };
        filesystem = { enable = true; paths = [ "/home/alice/src" ]; };
        context7.enable = true;
      };
      servers.git = { command = "uvx"; args = [ "mcp-server-git" ]; env.LOG_LEVEL = "warn"; };
      servers.off = { command = "false"; enable = false; };
    };
  };
  servers = full.config.axios.ai.mcp.finalServers;
  githubWrapper = servers.github.command;

  # A home-manager without programs.claude-code: only the base stubs (no axios-home.nix).
  oldHm = hmLib.evalModules {
    class = "homeManager";
    modules = [
      (root + "/tests/nix/stubs/home/base.nix")
      { _module.args.pkgs = pkgs; }
      axios.homeModules.ai
      { axios.ai.enable = true; }
    ];
  };
in
{
  testDefaultIsTheNixosPreset = {
    expr = {
      servers = a.config.axios.ai.mcp.finalServers;
      file = a.config.xdg.configFile."mcp/mcp.json".source.value;
      claude = { inherit (a.config.programs.claude-code) enable mcpServers; };
      assertions = a.failedAssertions;
      warnings = a.warnings;
    };
    expected = rec {
      servers.nixos = { type = "stdio"; command = "${pkgs.mcp-nixos}/bin/mcp-nixos"; args = [ ]; };
      file.mcpServers = servers;
      claude = { enable = true; mcpServers = servers; };
      assertions = [ ];
      warnings = [ ];
    };
  };

  testAiOffWritesNothing = {
    expr = (evalHome [ axios.homeModules.ai ]).config.xdg.configFile;
    expected = { };
  };

  testPresetsAndCustomServers = {
    expr = removeAttrs servers [ "github" ];
    expected = {
      nixos = { type = "stdio"; command = "${pkgs.mcp-nixos}/bin/mcp-nixos"; args = [ ]; };
      filesystem = { type = "stdio"; command = "${pkgs.nodejs}/bin/npx"; args = [ "-y" "@modelcontextprotocol/server-filesystem" "/home/alice/src" ]; };
      context7 = { type = "http"; url = "https://mcp.context7.com/mcp"; };
      git = { type = "stdio"; command = "uvx"; args = [ "mcp-server-git" ]; env.LOG_LEVEL = "warn"; };
    };
  };

  testSecretGoesThroughAWrapperNotTheStore = {
    expr = {
      args = servers.github.args;
      noEnv = servers.github ? env;
      wrapped = lib.hasPrefix "/nix/store/" githubWrapper && lib.hasSuffix "-mcp-github" githubWrapper;
      fileNotToken = lib.hasInfix "GITHUB_PERSONAL_ACCESS_TOKEN" (builtins.toJSON servers);
    };
    expected = { args = [ "stdio" "--read-only" ]; noEnv = false; wrapped = true; fileNotToken = false; };
  };

  testNodejsInstalledForNpxPresets = {
    expr = { full = hasPackage "nodejs" full.config.home.packages; default = hasPackage "nodejs" a.config.home.packages; };
    expected = { full = true; default = false; };
  };

  testOpencodeRendering = {
    expr = (ai {
      axios.ai.mcp = {
        opencode.enable = true;
        presets.context7.enable = true;
      };
    }).config.xdg.configFile."opencode/opencode.json".source.value;
    expected = {
      "$schema" = "https://opencode.ai/config.json";
      mcp = {
        nixos = { type = "local"; command = [ "${pkgs.mcp-nixos}/bin/mcp-nixos" ]; enabled = true; };
        context7 = { type = "remote"; url = "https://mcp.context7.com/mcp"; enabled = true; };
      };
    };
  };

  testOpencodeConflictFailsAssertion = {
    expr = (ai { axios.ai.mcp.opencode.enable = true; programs.opencode.enable = true; }).failedAssertions;
    expected = [ "axios.ai.mcp.opencode.enable and programs.opencode.enable both write ~/.config/opencode/opencode.json; disable one (with programs.opencode, set programs.opencode.settings.mcp yourself)." ];
  };

  testGithubWithoutTokenFailsAssertion = {
    expr = (ai { axios.ai.mcp.presets.github.enable = true; }).failedAssertions;
    expected = [ "axios.ai.mcp.presets.github needs a token: set axios.ai.mcp.presets.github.tokenFile to a file holding a GitHub personal access token (e.g. config.age.secrets.github-token.path)." ];
  };

  testMalformedServersFailAssertions = {
    expr = (ai {
      axios.ai.mcp.servers = {
        nocmd = { };
        mixed = { type = "http"; url = "https://example.org/mcp"; command = "x"; };
      };
    }).failedAssertions;
    expected = [
      "axios.ai.mcp.servers.mixed: a http server needs `url` and takes no command/args/env (those are for type = \"stdio\")."
      "axios.ai.mcp.servers.nocmd: a stdio server needs `command` and no `url` (for a remote server set type = \"http\" or \"sse\")."
    ];
  };

  testGeminiCliMergedAtActivation = {
    expr = let g = full.config.axios.ai.mcp.geminiFiles; in {
      activation = full.config.home.activation.axiosGeminiMcp.data;
      after = full.config.home.activation.axiosGeminiMcp.after;
      servers = removeAttrs g.servers.value [ "github" ];
      keepsInvalidFile = lib.hasInfix "is not a JSON object; left unchanged" g.merge.text;
      atomic = lib.hasInfix ''mv -f "$file.axios-tmp" "$file"'' g.merge.text;
    };
    expected = {
      activation = "run ${full.config.axios.ai.mcp.geminiFiles.merge} \"$HOME/.gemini/settings.json\" ${full.config.axios.ai.mcp.geminiFiles.servers}\n";
      after = [ "writeBoundary" ];
      servers = {
        nixos = { command = "${pkgs.mcp-nixos}/bin/mcp-nixos"; args = [ ]; };
        filesystem = { command = "${pkgs.nodejs}/bin/npx"; args = [ "-y" "@modelcontextprotocol/server-filesystem" "/home/alice/src" ]; };
        context7 = { httpUrl = "https://mcp.context7.com/mcp"; };
        git = { command = "uvx"; args = [ "mcp-server-git" ]; env.LOG_LEVEL = "warn"; };
      };
      keepsInvalidFile = true;
      atomic = true;
    };
  };

  testGeminiCliOff = {
    expr = (ai { axios.ai.mcp.geminiCli.enable = false; }).config.home.activation ? axiosGeminiMcp;
    expected = false;
  };

  testClaudeCodeOff = {
    expr = (ai { axios.ai.mcp.claudeCode.enable = false; }).config.programs.claude-code.enable;
    expected = false;
  };

  testOldHomeManagerWarnsAndKeepsTheFile = {
    expr = {
      warned = map (lib.hasInfix "has no programs.claude-code.mcpServers") oldHm.config.warnings;
      file = oldHm.config.xdg.configFile."mcp/mcp.json".source.value.mcpServers ? nixos;
    };
    expected = { warned = [ true ]; file = true; };
  };

  testNixosAiOffWarns = {
    expr = map (lib.hasInfix "services.ai.enable = false")
      (evalHomeWith {
        modules = [ axios.homeModules.ai { axios.ai.enable = true; } ];
        specialArgs.osConfig = { services.ai.enable = false; };
      }).warnings;
    expected = [ true ];
  };
}
