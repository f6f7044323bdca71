# Stub systemd units (NixOS style) for system and user units.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  stub = import ../../lib/types.nix { inherit lib; };
  listOfStr = mkOption { type = types.listOf types.str; default = [ ]; description = "stub"; };
  lines = mkOption { type = types.lines; default = ""; description = "stub"; };
  free = mkOption { type = types.lazyAttrsOf stub.stubAnything; default = { }; description = "stub"; };

  commonUnit = name: {
    name = mkOption { type = types.str; default = name; description = "stub"; };
    enable = mkOption { type = types.bool; default = true; description = "stub"; };
    description = mkOption { type = types.str; default = ""; description = "stub"; };
    wantedBy = listOfStr;
    requiredBy = listOfStr;
    upheldBy = listOfStr;
    after = listOfStr;
    before = listOfStr;
    wants = listOfStr;
    requires = listOfStr;
    bindsTo = listOfStr;
    partOf = listOfStr;
    conflicts = listOfStr;
    unitConfig = free;
    documentation = listOfStr;
  };
  service = types.attrsOf (stub.freeformSubmodule (name: commonUnit name // {
    serviceConfig = free;
    environment = mkOption {
      type = types.attrsOf (types.nullOr (types.oneOf [ types.str types.path types.package types.int ]));
      default = { };
      description = "stub";
    };
    path = mkOption { type = types.listOf (types.either types.package types.str); default = [ ]; description = "stub"; };
    script = lines;
    preStart = lines;
    postStart = lines;
    preStop = lines;
    postStop = lines;
    reload = lines;
    restartIfChanged = mkOption { type = types.bool; default = true; description = "stub"; };
    restartTriggers = mkOption { type = types.listOf types.unspecified; default = [ ]; description = "stub"; };
    startAt = mkOption { type = types.either types.str (types.listOf types.str); default = [ ]; description = "stub"; };
  }));
  timer = types.attrsOf (stub.freeformSubmodule (name: commonUnit name // { timerConfig = free; }));
  socket = types.attrsOf (stub.freeformSubmodule (name: commonUnit name // { socketConfig = free; listenStreams = listOfStr; }));
  path = types.attrsOf (stub.freeformSubmodule (name: commonUnit name // { pathConfig = free; }));
  target = types.attrsOf (stub.freeformSubmodule commonUnit);
  units = {
    services = mkOption { type = service; default = { }; description = "stub"; };
    timers = mkOption { type = timer; default = { }; description = "stub"; };
    sockets = mkOption { type = socket; default = { }; description = "stub"; };
    paths = mkOption { type = path; default = { }; description = "stub"; };
    targets = mkOption { type = target; default = { }; description = "stub"; };
  };
in
{
  options.systemd = units // { user = units; };
}
