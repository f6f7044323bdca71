# Declarative MCP (Model Context Protocol) servers.
#
# One list of servers, rendered for each client:
#   - ~/.config/mcp/mcp.json: the common `{ "mcpServers": { ... } }` file (Claude Desktop /
#     Claude Code `--mcp-config` format), always;
#   - Claude Code: forwarded to home-manager's `programs.claude-code.mcpServers` when that
#     option exists (home-manager 25.05 and later);
#   - OpenCode: ~/.config/opencode/opencode.json (`mcp` section), when enabled.
#
# Secrets never enter the Nix store: `envFiles` maps a variable to a file (an agenix
# secret) that a small wrapper reads when the client starts the server.
{ config, lib, options, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkPackageOption mkIf types literalExpression mapAttrs filterAttrs;

  cfg = config.axios.ai.mcp;
  hasClaudeCode = options ? programs.claude-code.mcpServers;

  serverType = types.submodule {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Whether the server is written to the client configurations.";
        example = false;
      };
      type = mkOption {
        type = types.enum [ "stdio" "http" "sse" ];
        default = "stdio";
        description = "`stdio` for a local command, `http`/`sse` for a remote server.";
        example = "http";
      };
      command = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Program of a `stdio` server.";
        example = literalExpression ''lib.getExe pkgs.mcp-nixos'';
      };
      args = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Arguments of a `stdio` server.";
        example = [ "--read-only" ];
      };
      env = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Environment of a `stdio` server (not secret: it ends up in the Nix store).";
        example = { LOG_LEVEL = "warn"; };
      };
      envFiles = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Environment variables read from files when the server starts (secrets, e.g. agenix paths).";
        example = { GITHUB_PERSONAL_ACCESS_TOKEN = "/run/user/1000/agenix/github-token"; };
      };
      url = mkOption {
        type = types.nullOr (types.strMatching "https?://.+");
        default = null;
        description = "Address of an `http`/`sse` server.";
        example = "https://mcp.context7.com/mcp";
      };
      headers = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "HTTP headers of an `http`/`sse` server.";
        example = { "X-Client" = "axios"; };
      };
    };
  };

  presetOption = what: extra: {
    enable = mkEnableOption what;
  } // extra;

  presetServers =
    lib.optionalAttrs cfg.presets.nixos.enable
      {
        nixos.command = lib.getExe cfg.presets.nixos.package;
      }
    // lib.optionalAttrs cfg.presets.journal.enable {
      journal.command = lib.getExe cfg.presets.journal.package;
    }
    // lib.optionalAttrs cfg.presets.github.enable {
      github = {
        command = lib.getExe cfg.presets.github.package;
        args = [ "stdio" ] ++ lib.optional cfg.presets.github.readOnly "--read-only";
        envFiles = lib.optionalAttrs (cfg.presets.github.tokenFile != null) {
          GITHUB_PERSONAL_ACCESS_TOKEN = cfg.presets.github.tokenFile;
        };
      };
    }
    // lib.optionalAttrs cfg.presets.filesystem.enable {
      filesystem = {
        command = "${cfg.nodejs}/bin/npx";
        args = [ "-y" "@modelcontextprotocol/server-filesystem" ] ++ cfg.presets.filesystem.paths;
      };
    }
    // lib.optionalAttrs cfg.presets.sequentialThinking.enable {
      sequential-thinking = {
        command = "${cfg.nodejs}/bin/npx";
        args = [ "-y" "@modelcontextprotocol/server-sequential-thinking" ];
      };
    }
    // lib.optionalAttrs cfg.presets.context7.enable {
      context7 = {
        type = "http";
        url = "https://mcp.context7.com/mcp";
      };
    };

  enabled = filterAttrs (_: s: s.enable) cfg.servers;

  wrapper = name: s: pkgs.writeShellScript "mcp-${name}" ''
    set -eu
    ${lib.concatStrings (lib.mapAttrsToList (var: file: ''
      ${var}="$(cat ${lib.escapeShellArg file})" || { echo "mcp-${name}: cannot read ${file} for ${var}" >&2; exit 1; }
      export ${var}
    '') s.envFiles)}
    exec ${lib.escapeShellArg s.command} "$@"
  '';

  # The common rendering: Claude's `mcpServers` entries.
  render = name: s:
    if s.type == "stdio" then
      {
        type = "stdio";
        command = if s.envFiles == { } then s.command else "${wrapper name s}";
        inherit (s) args;
      } // lib.optionalAttrs (s.env != { }) { inherit (s) env; }
    else
      { inherit (s) type url; } // lib.optionalAttrs (s.headers != { }) { inherit (s) headers; };

  rendered = mapAttrs render enabled;

  renderOpencode = _: r:
    if r.type == "stdio" then
      { type = "local"; command = [ r.command ] ++ r.args; enabled = true; }
      // lib.optionalAttrs (r ? env) { environment = r.env; }
    else
      { type = "remote"; inherit (r) url; enabled = true; }
      // lib.optionalAttrs (r ? headers) { inherit (r) headers; };

  # Gemini CLI: `httpUrl` for streamable HTTP, `url` for SSE.
  renderGemini = _: r:
    if r.type == "stdio" then
      { inherit (r) command args; } // lib.optionalAttrs (r ? env) { inherit (r) env; }
    else
      (if r.type == "http" then { httpUrl = r.url; } else { inherit (r) url; })
      // lib.optionalAttrs (r ? headers) { inherit (r) headers; };

  geminiServers = json.generate "gemini-mcp-servers.json" (mapAttrs renderGemini rendered);

  # ~/.gemini/settings.json is Gemini CLI's own, mutable file: merge the servers into it
  # instead of replacing it. Servers axiOS added before but no longer declares are removed
  # (their names are kept next to the file); everything else in the file is left as it is.
  # A file that is not a JSON object is never touched.
  geminiMerge = pkgs.writeShellScript "axios-gemini-mcp-merge" ''
    set -euo pipefail
    jq=${lib.getExe cfg.jq}
    file="$1"
    servers="$2"
    managed="$(dirname "$file")/.axios-mcp-servers"
    mkdir -p "$(dirname "$file")"
    if [ -e "$file" ] && ! "$jq" -e 'type == "object"' "$file" >/dev/null 2>&1; then
      echo "axiOS: $file is not a JSON object; left unchanged, MCP servers not added" >&2
      exit 0
    fi
    old='[]'
    if [ -e "$managed" ]; then old="$("$jq" -c 'if type == "array" then . else [] end' "$managed" 2>/dev/null || echo '[]')"; fi
    if [ -e "$file" ]; then src="$file"; else src=/dev/null; fi
    "$jq" -n --slurpfile cur <(cat "$src") --slurpfile new "$servers" --argjson old "$old" '
      ($cur[0] // {}) as $c
      | $c + { mcpServers: ((($c.mcpServers // {}) | with_entries(select(.key as $k | $old | index($k) | not))) + $new[0]) }
    ' >"$file.axios-tmp"
    chmod 600 "$file.axios-tmp"
    mv -f "$file.axios-tmp" "$file"
    "$jq" -c 'keys' "$servers" >"$managed.axios-tmp"
    mv -f "$managed.axios-tmp" "$managed"
  '';

  json = pkgs.formats.json { };
in
{
  options.axios.ai.mcp = {
    enable = mkEnableOption "declarative MCP servers for the AI agents";

    servers = mkOption {
      type = types.attrsOf serverType;
      default = { };
      description = "MCP servers, keyed by the name the agents show. Presets add entries here.";
      example = literalExpression ''
        {
          git = { command = "uvx"; args = [ "mcp-server-git" ]; };
          docs = { type = "http"; url = "https://mcp.example.org/mcp"; headers.Authorization = "Bearer public"; };
        }
      '';
    };

    nodejs = mkPackageOption pkgs "nodejs" {
      example = "nodejs_22";
      extraDescription = "Provides `npx` for the npm-based presets.";
    };

    presets = {
      nixos = presetOption "the mcp-nixos server (NixOS options and packages search)" {
        package = mkPackageOption pkgs "mcp-nixos" { example = "mcp-nixos"; };
      };
      journal = presetOption "the mcp-journal server (systemd journal access)" {
        package = mkPackageOption pkgs "mcp-journal" { example = "mcp-journal"; };
      };
      github = presetOption "GitHub's MCP server" {
        package = mkPackageOption pkgs "github-mcp-server" { example = "github-mcp-server"; };
        tokenFile = mkOption {
          type = types.nullOr types.str;
          default = null;
          description = "File holding a GitHub personal access token (e.g. `config.age.secrets.github-token.path`).";
          example = "/run/user/1000/agenix/github-token";
        };
        readOnly = mkOption {
          type = types.bool;
          default = true;
          description = "Start the server with `--read-only`.";
          example = false;
        };
      };
      filesystem = presetOption "the reference filesystem server (via npx)" {
        paths = mkOption {
          type = types.listOf types.str;
          default = [ config.home.homeDirectory ];
          defaultText = literalExpression "[ config.home.homeDirectory ]";
          description = "Directories the server may access.";
          example = [ "/home/alice/src" ];
        };
      };
      sequentialThinking = presetOption "the sequential-thinking server (via npx)" { };
      context7 = presetOption "the Context7 documentation server (remote, HTTP)" { };
    };

    claudeCode.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Give the servers to Claude Code through home-manager's `programs.claude-code` (which wraps `claude` with `--mcp-config`).";
      example = false;
    };

    geminiCli.enable = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Merge the servers into Gemini CLI's `~/.gemini/settings.json` at activation (the file
        stays Gemini's: other settings and servers you added yourself are kept; servers axiOS
        added and no longer declares are removed).
      '';
      example = false;
    };

    jq = mkPackageOption pkgs "jq" { example = "jq"; extraDescription = "Used to merge the Gemini CLI settings."; };

    opencode.enable = mkOption {
      type = types.bool;
      default = false;
      description = "Write ~/.config/opencode/opencode.json with the servers (do not combine with home-manager's programs.opencode).";
      example = true;
    };

    geminiFiles = mkOption {
      type = types.attrsOf types.package;
      readOnly = true;
      internal = true;
      description = "`merge`: the activation script merging the servers into Gemini CLI's settings; `servers`: the servers in Gemini's format (read-only).";
      example = literalExpression "{ merge = <derivation>; servers = <derivation>; }";
    };

    wrappers = mkOption {
      type = types.attrsOf types.package;
      readOnly = true;
      internal = true;
      description = "The start-up wrappers of servers with `envFiles`, by server name (read-only).";
      example = literalExpression "{ github = <derivation mcp-github>; }";
    };

    finalServers = mkOption {
      type = json.type;
      readOnly = true;
      description = "The rendered `mcpServers` attribute set (read-only).";
      example = { nixos = { type = "stdio"; command = "mcp-nixos"; args = [ ]; }; };
    };
  };

  config = mkIf cfg.enable (lib.mkMerge [
    {
      axios.ai.mcp = {
        servers = mapAttrs (_: lib.mapAttrs (_: lib.mkDefault)) presetServers;
        finalServers = rendered;
        wrappers = mapAttrs wrapper (filterAttrs (_: s: s.type == "stdio" && s.envFiles != { }) enabled);
        presets.nixos.enable = lib.mkDefault true;
      };

      assertions = lib.concatLists
        (lib.mapAttrsToList
          (name: s: [
            {
              assertion = s.type != "stdio" || (s.command != null && s.url == null);
              message = "axios.ai.mcp.servers.${name}: a stdio server needs `command` and no `url` (for a remote server set type = \"http\" or \"sse\").";
            }
            {
              assertion = s.type == "stdio" || (s.url != null && s.command == null && s.args == [ ] && s.env == { } && s.envFiles == { });
              message = "axios.ai.mcp.servers.${name}: a ${s.type} server needs `url` and takes no command/args/env (those are for type = \"stdio\").";
            }
          ])
          enabled)
      ++ [
        {
          assertion = !cfg.presets.github.enable || cfg.presets.github.tokenFile != null;
          message = "axios.ai.mcp.presets.github needs a token: set axios.ai.mcp.presets.github.tokenFile to a file holding a GitHub personal access token (e.g. config.age.secrets.github-token.path).";
        }
        {
          assertion = !cfg.opencode.enable || !(config.programs.opencode.enable or false);
          message = "axios.ai.mcp.opencode.enable and programs.opencode.enable both write ~/.config/opencode/opencode.json; disable one (with programs.opencode, set programs.opencode.settings.mcp yourself).";
        }
      ];

      warnings = lib.optional (cfg.claudeCode.enable && !hasClaudeCode) ''
        axios.ai.mcp.claudeCode: this home-manager has no programs.claude-code.mcpServers
        (it needs home-manager 25.05 or later). The servers are still in ~/.config/mcp/mcp.json:
        run `claude --mcp-config ~/.config/mcp/mcp.json`, or set axios.ai.mcp.claudeCode.enable = false.
      '';

      home.packages = lib.optional (lib.any (s: s.command == "${cfg.nodejs}/bin/npx") (lib.attrValues enabled)) cfg.nodejs;

      xdg.configFile."mcp/mcp.json".source = json.generate "mcp.json" { mcpServers = rendered; };
    }

    (lib.optionalAttrs hasClaudeCode {
      programs.claude-code = mkIf cfg.claudeCode.enable {
        enable = true;
        mcpServers = rendered;
      };
    })

    (mkIf cfg.geminiCli.enable {
      home.activation.axiosGeminiMcp = lib.hm.dag.entryAfter [ "writeBoundary" ] ''
        run ${geminiMerge} "$HOME/.gemini/settings.json" ${geminiServers}
      '';
      axios.ai.mcp.geminiFiles = { merge = geminiMerge; servers = geminiServers; };
    })

    (mkIf cfg.opencode.enable {
      xdg.configFile."opencode/opencode.json".source = json.generate "opencode.json" {
        "$schema" = "https://opencode.ai/config.json";
        mcp = mapAttrs renderOpencode rendered;
      };
    })
  ]);
}
