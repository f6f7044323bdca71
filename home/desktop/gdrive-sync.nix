# Google Drive (or any rclone remote) folder sync through the axios-bisync guard.
#
# Each pair gets a systemd user service + timer running `axios-bisync run <pair>`. The guard
# checks markers, the mount point, file-count collapse and per-side deletion caps before
# every `rclone bisync`, journals each run so a crash never leaves conflict copies or
# truncated files, and never runs `--resync` by itself. Setup, once per machine:
#
#   rclone config                      # create the remote (default name "gdrive")
#   axios-bisync init documents        # shows what the first sync copies where, then does it
#   axios-bisync init music
#
# After a lockout: `axios-bisync status`, then `axios-bisync recover <pair>`.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkPackageOption mkIf types literalExpression;

  cfg = config.services.gdrive-sync;
  home = config.home.homeDirectory;

  configRel = "axios/bisync.toml";
  configPath = "${config.xdg.configHome}/${configRel}";
  stateDir = "${config.xdg.stateHome}/axios/bisync";
  filtersRel = name: "axios/bisync/${name}.filters";

  enabledPairs = lib.filterAttrs (_: p: p.enable) cfg.pairs;

  # "documents" -> "Documents": the default folder name on both sides.
  capitalize = s: lib.toUpper (lib.substring 0 1 s) + lib.substring 1 (-1) s;

  tomlFormat = pkgs.formats.toml { };

  # Unset (null) options are left out: the defaults live in the program, one place.
  pairToml = name: p: lib.filterAttrs (_: v: v != null) {
    path1 = "${p.remote}:${p.remoteDir}";
    path2 = p.localDir;
    inherit (p) marker mountpoint;
    max_delete_count = p.maxDeleteCount;
    max_delete_percent = p.maxDeletePercent;
    min_files = p.minFiles;
    collapse_percent = p.collapsePercent;
    notify_after = p.notifyAfter;
    # A copy is made in the state dir by the guard, so rclone never hashes a store path.
    filters_file = if p.filters == null then null else "${config.xdg.configHome}/${filtersRel name}";
  };

  settings = lib.filterAttrs (_: v: v != null) {
    version = 1;
    state_dir = stateDir;
    rclone = lib.getExe cfg.rclonePackage;
    rclone_config = cfg.rcloneConfig;
    stop_grace = "${toString cfg.stopGraceSec}s";
    pairs = lib.mapAttrs pairToml enabledPairs;
  };

  settingsFile = tomlFormat.generate "axios-bisync-unchecked.toml" settings;

  # The program checks the generated file at build time (pair names, paths that overlap,
  # durations, percentages): a bad config fails the build, not the first sync.
  configFile = pkgs.runCommand "axios-bisync.toml"
    {
      nativeBuildInputs = [ cfg.package ];
      passthru = { inherit (settingsFile) value; unchecked = settingsFile; };
    } ''
    axios-bisync --config ${settingsFile} check
    cp ${settingsFile} $out
  '';

  # The defaults are the program's (crates/bisync/src/config.rs); the docs point there.
  programDefault = literalExpression "null  # the axios-bisync default (see its README)";

  pairModule = { name, ... }: {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
        example = false;
        description = "Whether to sync the pair `${name}`.";
      };
      remote = mkOption {
        type = types.strMatching "[A-Za-z0-9_. -]+";
        default = cfg.remote;
        defaultText = literalExpression "config.services.gdrive-sync.remote";
        example = "work-drive";
        description = "rclone remote of this pair (as created with `rclone config`).";
      };
      remoteDir = mkOption {
        type = types.str;
        default = capitalize name;
        defaultText = literalExpression "the pair name, capitalised (`documents` -> `Documents`)";
        example = "Documents";
        description = "Folder on the remote (`path1` of rclone bisync).";
      };
      localDir = mkOption {
        type = types.str;
        default = "${home}/${capitalize name}";
        defaultText = literalExpression ''"''${config.home.homeDirectory}/<Name>"'';
        example = "/home/alice/Documents";
        description = "Local folder (`path2` of rclone bisync); an absolute path.";
      };
      interval = mkOption {
        type = types.strMatching "[0-9]+ ?(s|sec|m|min|h|d|w)?";
        default = "15min";
        example = "1h";
        description = "Time between two runs (systemd `OnUnitActiveSec=`).";
      };
      maxDeleteCount = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        defaultText = programDefault;
        example = 500;
        description = ''
          At most this many files deleted per side in one run (an absolute count, unlike
          rclone bisync's own `--max-delete`, which is a percentage). Above it the run is
          refused and a notification says how to approve it (`axios-bisync approve <pair>`).
        '';
      };
      maxDeletePercent = mkOption {
        type = types.nullOr (types.ints.between 0 100);
        default = null;
        defaultText = programDefault;
        example = 10;
        description = "At most this percentage of a side's files deleted in one run.";
      };
      marker = mkOption {
        type = types.nullOr types.str;
        default = null;
        defaultText = programDefault;
        example = ".stfolder";
        description = ''
          Marker file that must exist at the root of both sides (created by
          `axios-bisync init`); a missing marker means an emptied or unmounted folder and
          the run is refused.
        '';
      };
      mountpoint = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "/mnt/data";
        description = "When set, this path must be a mount point before any run (e.g. the disk holding `localDir`).";
      };
      minFiles = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        defaultText = programDefault;
        example = 10;
        description = "Refuse to run when a side holds fewer files than this.";
      };
      collapsePercent = mkOption {
        type = types.nullOr (types.ints.between 0 100);
        default = null;
        defaultText = programDefault;
        example = 30;
        description = "Refuse when a side's file count fell by more than this percentage since the last good run.";
      };
      notifyAfter = mkOption {
        type = types.nullOr types.str;
        default = null;
        defaultText = programDefault;
        example = "12h";
        description = "Send a desktop notification when the pair has not synced successfully for this long.";
      };
      filters = mkOption {
        type = types.nullOr types.lines;
        default = null;
        example = "- *.tmp\n- .~lock.*\n";
        description = ''
          rclone filter rules for this pair. Changing them requires a resync: the next run
          is refused until `axios-bisync recover <pair>` applies them.
        '';
      };
    };
  };
in
{
  options.services.gdrive-sync = {
    enable = mkEnableOption "Google Drive folder sync through the axios-bisync guard around rclone bisync";

    package = mkPackageOption pkgs "axios-bisync" { };

    rclonePackage = mkPackageOption pkgs "rclone" { };

    remote = mkOption {
      type = types.strMatching "[A-Za-z0-9_. -]+";
      default = "gdrive";
      example = "drive";
      description = "Default rclone remote of the pairs (create it with `rclone config`).";
    };

    rcloneConfig = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/home/alice/.config/rclone/rclone.conf";
      description = "rclone config file; `null` uses rclone's default (`~/.config/rclone/rclone.conf`).";
    };

    stopGraceSec = mkOption {
      type = types.ints.positive;
      default = 90;
      example = 300;
      description = ''
        On logout or shutdown (SIGTERM), how long the guard lets a running rclone finish
        before stopping it. The unit's `TimeoutStopSec` is 30 seconds longer.
      '';
    };

    pairs = mkOption {
      type = types.attrsOf (types.submodule pairModule);
      default = { documents = { }; music = { }; };
      defaultText = literalExpression "{ documents = { }; music = { }; }  # gdrive:Documents <-> ~/Documents, gdrive:Music <-> ~/Music";
      example = literalExpression ''
        {
          documents.maxDeleteCount = 50;
          music.enable = false;
          photos = { remoteDir = "Photos"; localDir = "/home/alice/Pictures"; interval = "1h"; };
        }
      '';
      description = ''
        Folder pairs to keep in sync (defining this replaces the default Documents and
        Music pairs). The attribute name is the pair name used by
        `axios-bisync run|init|recover|approve <pair>` and in the unit names
        (`gdrive-sync-<pair>.service` / `.timer`).
      '';
    };

    configFile = mkOption {
      type = types.package;
      readOnly = true;
      default = configFile;
      defaultText = literalExpression "the generated axios-bisync.toml";
      example = literalExpression "config.services.gdrive-sync.configFile";
      description = "The generated guard config (linked to `$XDG_CONFIG_HOME/${configRel}`).";
    };
  };

  config = mkIf cfg.enable {
    # Pair names, markers, durations and overlapping paths are checked by the program
    # when the config is built (see configFile); these two are about this module's own
    # defaults (folders in the home directory).
    assertions =
      lib.mapAttrsToList
        (name: p: {
          assertion = lib.hasPrefix "/" p.localDir && p.localDir != home && p.localDir != "/";
          message = "services.gdrive-sync.pairs.${name}.localDir = \"${p.localDir}\" must be an absolute folder below or beside your home (not ${home} itself); pick a dedicated folder such as ${home}/${capitalize name}.";
        })
        cfg.pairs
      ++ [
        {
          assertion =
            let dirs = lib.mapAttrsToList (_: p: p.localDir) enabledPairs;
            in lib.length dirs == lib.length (lib.unique dirs);
          message = "services.gdrive-sync.pairs: two pairs use the same localDir; give each pair its own folder.";
        }
      ];

    home.packages = [ cfg.package cfg.rclonePackage ];

    xdg.configFile = {
      ${configRel}.source = configFile;
    }
    // lib.mapAttrs'
      (name: p: lib.nameValuePair (filtersRel name) { text = p.filters; })
      (lib.filterAttrs (_: p: p.filters != null) enabledPairs);

    systemd.user.services = lib.mapAttrs'
      (name: p: lib.nameValuePair "gdrive-sync-${name}" {
        Unit = {
          Description = "Sync ${p.remote}:${p.remoteDir} with ${p.localDir} (axios-bisync)";
          Documentation = [ "man:rclone(1)" ];
          After = [ "network-online.target" ];
          Wants = [ "network-online.target" ];
        };
        # sandboxing: see ../../nixos/common/hardening.nix and the note below
        Service = (import ../../nixos/common/hardening.nix).user // {
          Type = "oneshot";
          ExecStart = "${lib.getExe cfg.package} --config ${configPath} run ${name}";
          # SIGTERM goes to the guard only (KillMode=mixed); rclone runs in its own process
          # group and is let finish for stopGraceSec, since an interrupted rclone 1.60
          # bisync demands a --resync. After TimeoutStopSec systemd kills the rest; the
          # guard's journal makes the next run reconcile.
          KillMode = "mixed";
          KillSignal = "SIGTERM";
          TimeoutStopSec = cfg.stopGraceSec + 30;
          Nice = 10;
          IOSchedulingClass = "idle";
          # Sandboxing that works in a user manager without user namespaces (seccomp,
          # no_new_privs and the umask only): options that need a mount namespace would make
          # the unit fail to start where unprivileged user namespaces are off, and a sync
          # that silently never runs is worse. The sync needs the home directory, the
          # network (AF_INET*, AF_NETLINK for interface lookups) and the session bus (AF_UNIX).
          RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" "AF_NETLINK" ];
          SystemCallFilter = [ "@system-service" "~@privileged" ];
          SystemCallErrorNumber = "EPERM";
          UMask = "0077";
        };
      })
      enabledPairs;

    systemd.user.timers = lib.mapAttrs'
      (name: p: lib.nameValuePair "gdrive-sync-${name}" {
        Unit.Description = "Periodic sync of ${p.localDir} (axios-bisync)";
        Timer = {
          OnStartupSec = "5min";
          OnUnitActiveSec = p.interval;
          RandomizedDelaySec = "1min";
          Unit = "gdrive-sync-${name}.service";
        };
        Install.WantedBy = [ "timers.target" ];
      })
      enabledPairs;
  };
}
