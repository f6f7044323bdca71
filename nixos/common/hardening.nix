# The sandbox every axiOS helper unit starts from (DESIGN: hardened units, measured
# with `systemd-analyze security --offline=true`). Not a module: import it with a
# relative path and extend the set that fits with `//`, e.g.
# `serviceConfig = (import ../common/hardening.nix).system // { ExecStart = ...; }`.
rec {
  # What works in any service manager, a user manager without unprivileged user
  # namespaces included (no mount namespace): no_new_privs, seccomp and personality
  # locks. Each unit adds its own SystemCallFilter and RestrictAddressFamilies.
  user = {
    NoNewPrivileges = true;
    LockPersonality = true;
    MemoryDenyWriteExecute = true;
    RestrictNamespaces = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    SystemCallArchitectures = "native";
  };

  # System units: `user` plus a read-only system, private /tmp, /dev and mounts, the
  # kernel, cgroup, clock, hostname and /proc protections, and a private umask.
  system = user // {
    ProtectSystem = "strict";
    ProtectHome = true;
    PrivateTmp = true;
    PrivateDevices = true;
    PrivateMounts = true;
    ProtectKernelModules = true;
    ProtectKernelTunables = true;
    ProtectControlGroups = true;
    ProtectClock = true;
    ProtectHostname = true;
    ProtectProc = "invisible";
    ProcSubset = "pid";
    UMask = "0077";
  };
}
