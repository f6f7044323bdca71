# home/desktop/gdrive-sync.nix: the axios-bisync config (TOML value), one user service +
# timer per pair, KillMode/TimeoutStopSec for rclone, filters files, assertions.
{ lib, pkgs, axios, evalHome, hasPackage, ... }:
let
  sync = extra: evalHome [ axios.homeModules.desktop { services.gdrive-sync.enable = true; } extra ];
  d = sync { };
  units = d.config.systemd.user;
  toml = d.config.xdg.configFile."axios/bisync.toml".source;
  custom = sync {
    services.gdrive-sync = {
      remote = "work";
      rcloneConfig = "/home/alice/.config/rclone/work.conf";
      stopGraceSec = 300;
      pairs = {
        music.enable = false;
        documents = { maxDeleteCount = 10; maxDeletePercent = 5; filters = "- *.tmp\n"; mountpoint = "/home"; };
        photos = { remoteDir = "Photos"; localDir = "/home/alice/Pictures"; interval = "1h"; remote = "gdrive"; };
      };
    };
  };
  cunits = custom.config.systemd.user;
  ctoml = custom.config.xdg.configFile."axios/bisync.toml".source;
in
{
  testDisabledByDefault = {
    expr = (evalHome [ axios.homeModules.desktop ]).config.systemd.user.services ? gdrive-sync-documents;
    expected = false;
  };

  testDefaultPairsDocumentsAndMusic = {
    expr = {
      services = lib.sort lib.lessThan (lib.filter (lib.hasPrefix "gdrive-sync-") (lib.attrNames units.services));
      timers = lib.sort lib.lessThan (lib.filter (lib.hasPrefix "gdrive-sync-") (lib.attrNames units.timers));
    };
    expected = {
      services = [ "gdrive-sync-documents" "gdrive-sync-music" ];
      timers = [ "gdrive-sync-documents" "gdrive-sync-music" ];
    };
  };

  testGeneratedConfigValue = {
    expr = toml.value;
    expected = {
      version = 1;
      state_dir = "/home/alice/.local/state/axios/bisync";
      rclone = lib.getExe pkgs.rclone;
      stop_grace = "90s";
      pairs = {
        # only what the user set: the defaults are the program's
        documents = {
          path1 = "gdrive:Documents";
          path2 = "/home/alice/Documents";
        };
        # only what the user set: the defaults are the program's
        music = {
          path1 = "gdrive:Music";
          path2 = "/home/alice/Music";
        };
      };
    };
  };

  testServiceRunsTheGuard = {
    expr = units.services.gdrive-sync-documents.Service;
    expected = {
      Type = "oneshot";
      ExecStart = "${lib.getExe pkgs.axios-bisync} --config /home/alice/.config/axios/bisync.toml run documents";
      KillMode = "mixed";
      KillSignal = "SIGTERM";
      TimeoutStopSec = 120;
      Nice = 10;
      IOSchedulingClass = "idle";
      # hardening that needs no user namespace (seccomp, no_new_privs, umask)
      NoNewPrivileges = true;
      LockPersonality = true;
      MemoryDenyWriteExecute = true;
      RestrictNamespaces = true;
      RestrictRealtime = true;
      RestrictSUIDSGID = true;
      RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" "AF_NETLINK" ];
      SystemCallArchitectures = "native";
      SystemCallFilter = [ "@system-service" "~@privileged" ];
      SystemCallErrorNumber = "EPERM";
      UMask = "0077";
    };
  };

  testTimerEvery15Min = {
    expr = {
      inherit (units.timers.gdrive-sync-music) Timer Install;
    };
    expected = {
      Timer = {
        OnStartupSec = "5min";
        OnUnitActiveSec = "15min";
        RandomizedDelaySec = "1min";
        Unit = "gdrive-sync-music.service";
      };
      Install.WantedBy = [ "timers.target" ];
    };
  };

  testPackagesInstalledForInit = {
    expr = hasPackage "axios-bisync" d.config.home.packages && hasPackage "rclone" d.config.home.packages;
    expected = true;
  };

  testCustomPairs = {
    expr = {
      services = lib.sort lib.lessThan (lib.filter (lib.hasPrefix "gdrive-sync-") (lib.attrNames cunits.services));
      pairs = lib.attrNames ctoml.value.pairs;
      docs = ctoml.value.pairs.documents;
      photos = { inherit (ctoml.value.pairs.photos) path1 path2; };
      inherit (ctoml.value) rclone_config stop_grace;
      timeout = cunits.services.gdrive-sync-documents.Service.TimeoutStopSec;
      interval = cunits.timers.gdrive-sync-photos.Timer.OnUnitActiveSec;
      filters = custom.config.xdg.configFile."axios/bisync/documents.filters".text;
    };
    expected = {
      services = [ "gdrive-sync-documents" "gdrive-sync-photos" ];
      pairs = [ "documents" "photos" ];
      docs = {
        path1 = "work:Documents";
        path2 = "/home/alice/Documents";
        mountpoint = "/home";
        max_delete_count = 10;
        max_delete_percent = 5;
        filters_file = "/home/alice/.config/axios/bisync/documents.filters";
      };
      photos = { path1 = "gdrive:Photos"; path2 = "/home/alice/Pictures"; };
      rclone_config = "/home/alice/.config/rclone/work.conf";
      stop_grace = "300s";
      timeout = 330;
      interval = "1h";
      filters = "- *.tmp\n";
    };
  };

  testNoAssertionsByDefault = {
    expr = d.failedAssertions;
    expected = [ ];
  };

  testHomeAsLocalDirFailsAssertion = {
    expr = (sync { services.gdrive-sync.pairs.documents.localDir = "/home/alice"; }).failedAssertions;
    expected = [ "services.gdrive-sync.pairs.documents.localDir = \"/home/alice\" must be an absolute folder below or beside your home (not /home/alice itself); pick a dedicated folder such as /home/alice/Documents." ];
  };

  testDuplicateLocalDirFailsAssertion = {
    expr = (sync { services.gdrive-sync.pairs = { documents = { }; music.localDir = "/home/alice/Documents"; }; }).failedAssertions;
    expected = [ "services.gdrive-sync.pairs: two pairs use the same localDir; give each pair its own folder." ];
  };

  # Pair names (and overlapping paths, durations) are the program's to check: the config
  # file is built by running `axios-bisync check` on it (crates/bisync/tests/nix_config.rs
  # runs that build command with the real binary).
  testConfigCheckedByTheProgramAtBuildTime = {
    expr = {
      script = toml.buildCommand;
      inputs = map (p: p.name) toml.nativeBuildInputs;
      noPairNameAssertion = (sync { services.gdrive-sync.pairs."my docs".localDir = "/home/alice/x"; }).failedAssertions;
    };
    expected = {
      script = ''
        axios-bisync --config ${toml.unchecked} check
        cp ${toml.unchecked} $out
      '';
      inputs = [ pkgs.axios-bisync.name ];
      noPairNameAssertion = [ ];
    };
  };

  testPercentIsAPercentage = {
    expr = (sync { services.gdrive-sync.pairs.documents.maxDeletePercent = 150; }).config.xdg.configFile."axios/bisync.toml".source.value;
    expectedError = "is not of type";
  };

  testBadIntervalRejected = {
    expr = (sync { services.gdrive-sync.pairs.documents.interval = "every hour"; }).config.systemd.user.timers.gdrive-sync-documents.Timer.OnUnitActiveSec;
    expectedError = "is not of type";
  };
}
