# What the kernel does when it panics, oopses or hangs, and whether a crash
# dump is kept. A core module: inert until `hardware.crashDiagnostics.enable`.
{ config, lib, ... }:
let
  cfg = config.hardware.crashDiagnostics;
in
{
  options.hardware.crashDiagnostics = {
    enable = lib.mkEnableOption "crash diagnostics (panic policy, hang detection, crash dumps)";
    rebootOnPanic = lib.mkOption {
      # a number of seconds is the original axiOS's form (0 = freeze)
      type = lib.types.either lib.types.bool lib.types.ints.unsigned;
      default = true;
      example = false;
      description = "Reboot after a kernel panic instead of freezing (kernel parameter `panic=`). A number (the original axiOS's form) is the delay in seconds, `0` freezes; `true` waits `panicTimeout`.";
    };
    panicTimeout = lib.mkOption {
      type = lib.types.ints.between 1 3600;
      default = 30;
      example = 10;
      description = "Seconds to wait after a panic before rebooting (so the panic can be read on screen).";
    };
    treatOopsAsPanic = lib.mkOption {
      type = lib.types.bool;
      default = false;
      example = true;
      description = "Turn a kernel oops into a panic (`oops=panic`), so a half-dead kernel reboots instead of limping on.";
    };
    detectHangs = lib.mkOption {
      type = lib.types.bool;
      default = true;
      example = false;
      description = "Panic on soft lockups and hung tasks (`softlockup_panic=1`, `kernel.hung_task_panic`), so a frozen machine reboots.";
    };
    crashDump.enable = lib.mkOption {
      type = lib.types.bool;
      default = false;
      example = true;
      description = "Reserve memory for a crash kernel and save a dump after a panic (`boot.crashDump`). Costs RAM, and NixOS then builds a kernel with crash-dump support (no binary cache hit).";
    };
  };

  config = lib.mkIf cfg.enable {
    boot.kernelParams =
      lib.optional (cfg.rebootOnPanic == true) "panic=${toString cfg.panicTimeout}"
      ++ lib.optional (builtins.isInt cfg.rebootOnPanic && cfg.rebootOnPanic > 0) "panic=${toString cfg.rebootOnPanic}"
      ++ lib.optional cfg.treatOopsAsPanic "oops=panic"
      ++ lib.optional cfg.detectHangs "softlockup_panic=1";
    boot.kernel.sysctl = lib.mkIf cfg.detectHangs {
      "kernel.hung_task_panic" = 1;
      "kernel.hung_task_timeout_secs" = 120;
    };
    boot.crashDump.enable = cfg.crashDump.enable;
    # keep the journal of the boot that crashed
    services.journald.extraConfig = ''
      Storage=persistent
    '';
    systemd.coredump.enable = true;
  };
}
