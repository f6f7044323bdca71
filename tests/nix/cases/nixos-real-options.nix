# The NixOS side of the harness is built from NixOS's real option
# declarations (lib/nixos-options.nix): a misspelt option or a value of the
# wrong type fails with NixOS's own error, naming the option and the file;
# the hardware-configuration.nix files nixos-generate-config writes evaluate
# (modulesPath), alone and under the examples' hosts.
{ lib, axios, evalNixos, nixosOptions, isSet, root, ... }:
let
  L = axios.lib;
  fx = ./fixtures;
  typo = name: fx + "/typos/${name}.nix";
  gen = name: fx + "/nixos-generate-config/${name}.nix";
  host = {
    hostname = "box";
    system = "x86_64-linux";
    formFactor = "desktop";
    hardware = { cpu = "amd"; gpu = "amd"; isLaptop = false; hasSSD = true; };
    modules = { system = true; networking = true; graphics = true; users = true; };
    extraConfig = { axios.system.timeZone = "Europe/Paris"; };
  };
  # a host of mkSystem's shape whose extra module is `file`
  withFile = file: evalNixos (L.buildModules (host // { extraConfig = host.extraConfig // { imports = [ file ]; }; }));
  force = e: builtins.deepSeq e.config.networking.hostName e.config.system.stateVersion;

  ex = root + "/examples";
  exampleWith = hostFile: hw: evalNixos (L.buildModules ((import hostFile) // { hardwareConfigPath = hw; }));
  laptop = exampleWith (ex + "/multi-host/hosts/laptop") (gen "laptop-luks");
  desktop = exampleWith (ex + "/minimal-flake/host.nix") (gen "desktop-disks");
  vm = exampleWith (ex + "/multi-host/hosts/server") (gen "vm-qemu");
  alone = name: evalNixos [ (gen name) ];
  # real declarations -> data (lib/nixos-options-from-nixpkgs.nix) -> options
  demoDecls = {
    options.demo = {
      enable = lib.mkEnableOption "demo";
      level = lib.mkOption { type = lib.types.enum [ "info" "debug" ]; default = "info"; };
      script = lib.mkOption { type = lib.types.lines; default = ""; };
      users = lib.mkOption {
        type = lib.types.attrsOf (lib.types.submodule {
          options.port = lib.mkOption { type = lib.types.port; };
          options.shell = lib.mkOption { type = lib.types.nullOr lib.types.package; default = null; };
        });
        default = { };
      };
    };
  };
  demoData = import ../lib/nixos-options-from-nixpkgs.nix { inherit lib; inherit ((lib.evalModules { modules = [ demoDecls ]; })) options; };
  fromDecls = cfg: lib.evalModules {
    modules = [ (import ../lib/nixos-options.nix { inherit lib; entries = demoData; newer = { }; defaultPkgs = { }; }).module cfg ];
  };
  # a value through the type parsed from a type text of the data
  iniValue = v: (lib.evalModules {
    modules = [{
      options.x = lib.mkOption { type = (nixosOptions.parse "attribute set of section of an INI file (attrs of INI atom (null, bool, int, float or string) or a list of them for duplicate keys)" { }).type; };
      config.x = v;
    }];
  }).config.x;
in
{
  # --- misspelt options: NixOS's error, the option and the file -------------
  testMisspeltAxiosTimeZone = {
    expr = force (withFile (typo "timezone"));
    expectedError = "The option `axios.system.timeZon' does not exist.";
  };
  testMisspeltAxiosTimeZoneNamesFile = {
    expr = force (withFile (typo "timezone"));
    expectedError = "tests/nix/cases/fixtures/typos/timezone.nix";
  };
  testMisspeltAxiosGraphicsEnable = {
    expr = force (withFile (typo "graphics"));
    expectedError = "The option `axios.graphics.enabel' does not exist.";
  };
  testMisspeltAxiosGraphicsNamesFile = {
    expr = force (withFile (typo "graphics"));
    expectedError = "tests/nix/cases/fixtures/typos/graphics.nix";
  };
  testMisspeltNixosOption = {
    expr = force (withFile (typo "openssh"));
    expectedError = "The option `services.openssh.enabel' does not exist.";
  };
  testMisspeltNixosOptionNamesFile = {
    expr = force (withFile (typo "openssh"));
    expectedError = "tests/nix/cases/fixtures/typos/openssh.nix";
  };
  testMisspeltSubOptionOfASubmodule = {
    expr = (withFile (typo "user")).config.users.users.alice.extraGroups;
    expectedError = "The option `users.users.alice.extraGroup' does not exist.";
  };
  testMisspeltSubOptionNamesFile = {
    expr = (withFile (typo "user")).config.users.users.alice.extraGroups;
    expectedError = "tests/nix/cases/fixtures/typos/user.nix";
  };
  testMisspeltOptionInExtraConfig = {
    expr = force (evalNixos (L.buildModules (host // { extraConfig = host.extraConfig // { services.openssh.enabel = true; }; })));
    expectedError = "The option `services.openssh.enabel' does not exist.";
  };

  # --- wrong types: the type as NixOS prints it ------------------------------
  testWrongBool = {
    expr = (withFile (typo "wrong-bool")).config.services.openssh.enable;
    expectedError = "A definition for option `services.openssh.enable' is not of type `boolean'.";
  };
  testWrongBoolNamesFile = {
    expr = (withFile (typo "wrong-bool")).config.services.openssh.enable;
    expectedError = "tests/nix/cases/fixtures/typos/wrong-bool.nix";
  };
  testWrongPort = {
    expr = (withFile (typo "wrong-port")).config.networking.firewall.allowedTCPPorts;
    expectedError = "is not of type `16 bit unsigned integer; between 0 and 65535 (both inclusive)'";
  };
  testWrongEnum = {
    expr = (withFile (typo "wrong-enum")).config.services.tailscale.useRoutingFeatures;
    expectedError = "A definition for option `services.tailscale.useRoutingFeatures' is not of type `one of \"none\", \"client\", \"server\", \"both\"'.";
  };
  testWrongAxiosType = {
    expr = (withFile (typo "wrong-axios")).config.axios.system.timeZone;
    expectedError = "A definition for option `axios.system.timeZone' is not of type `null or string'.";
  };
  testWrongTypeInSubmodule = {
    expr = (withFile (typo "wrong-submodule")).config.fileSystems."/data".device;
    expectedError = "A definition for option `fileSystems.\"/data\".device' is not of type `null or string";
  };

  # --- what modules commonly set evaluates, typed -----------------------------
  testOrdinaryNixosOptions = {
    expr =
      let
        c = (evalNixos [
          ({ pkgs, ... }: {
            systemd.services.demo = {
              description = "demo";
              wantedBy = [ "multi-user.target" ];
              after = [ "network-online.target" ];
              environment = { FOO = "1"; PKG = pkgs.jq; };
              path = [ pkgs.git ];
              script = "true";
              serviceConfig = { ExecStart = [ "" "${pkgs.jq}/bin/jq" ]; DynamicUser = true; MemoryMax = "1G"; CPUQuota = "50%"; RestrictAddressFamilies = [ "AF_UNIX" ]; };
              unitConfig.ConditionPathExists = "/etc/demo";
            };
            systemd.user.services.demo-user = { wantedBy = [ "default.target" ]; serviceConfig.Type = "oneshot"; };
            systemd.timers.demo = { wantedBy = [ "timers.target" ]; timerConfig.OnCalendar = "daily"; };
            systemd.tmpfiles.rules = [ "d /var/lib/demo 0750 root root -" ];
            environment.etc."demo/config.toml".text = "a = 1";
            environment.etc."demo/bin".source = pkgs.jq;
            users.users.demo = { isSystemUser = true; group = "demo"; extraGroups = [ "video" ]; };
            users.groups.demo = { };
            security.polkit = { enable = true; extraConfig = "polkit.addRule(function () {});"; };
            services.dbus.packages = [ pkgs.jq ];
            services.udev.extraRules = ''ACTION=="add", SUBSYSTEM=="drm", TAG+="uaccess"'';
            boot.kernel.sysctl."vm.max_map_count" = 2147483642;
            networking.firewall.allowedUDPPortRanges = [{ from = 9943; to = 9944; }];
            hardware.graphics = { enable = true; enable32Bit = true; extraPackages = [ pkgs.jq ]; };
            # a submodule whose sub-options the data does not list (left open)
            programs.dconf.profiles.user.databases = [{ settings."org/gnome/desktop/interface".color-scheme = "prefer-dark"; }];
          })
        ]).config;
      in
      {
        exec = c.systemd.services.demo.serviceConfig.ExecStart;
        user = c.users.users.demo.name;
        etc = c.environment.etc."demo/config.toml".text;
        sysctl = c.boot.kernel.sysctl."vm.max_map_count";
        timer = c.systemd.timers.demo.timerConfig.OnCalendar;
        dconf = builtins.length c.programs.dconf.profiles.user.databases;
      };
    expected = { exec = [ "" "${(import ../lib/pkgs.nix { inherit lib; }).jq}/bin/jq" ]; user = "demo"; etc = "a = 1"; sysctl = 2147483642; timer = "daily"; dconf = 1; };
  };

  # settings of format types with some declared sub-options stay open, as in
  # NixOS (lists, null, nested sections, values beside the declared keys)
  testSettingsStayOpen = {
    expr =
      let
        c = (evalNixos [{
          services.frigate.settings.cameras.front.ffmpeg.inputs = [{ path = "rtsp://cam"; roles = [ "detect" ]; }];
          services.adguardhome.settings = null;
          services.grafana.settings.server.http_port = 3000;
          nix.settings = { max-jobs = "auto"; keep-outputs = true; };
          services.borgmatic.configurations.home.source_directories = [ "/home" ];
        }]).config;
      in
      [
        (builtins.length c.services.frigate.settings.cameras.front.ffmpeg.inputs)
        c.services.adguardhome.settings
        c.services.grafana.settings.server.http_port
        c.nix.settings.keep-outputs
        c.services.borgmatic.configurations.home.source_directories
      ];
    expected = [ 1 null 3000 true [ "/home" ] ];
  };
  testDeclaredSettingsKeyIsTyped = {
    expr = (evalNixos [{ nix.settings.max-jobs = "many"; }]).config.nix.settings.max-jobs;
    expectedError = "A definition for option `nix.settings.max-jobs' is not of type `signed integer or value \"auto\" (singular enum)'";
  };

  # --- the option data -------------------------------------------------------
  # data computed from real declarations (as the flake's check does from
  # nixpkgs) round-trips: names, types and defaults come back as options
  testDataFromRealDeclarations = {
    expr =
      let
        c = (fromDecls { demo.enable = true; demo.users.alice.port = 22; demo.script = lib.mkMerge [ "a" "b" ]; }).config.demo;
      in
      { inherit (c) enable level script; alice = c.users.alice; names = map (e: e.Name) demoData; };
    expected = {
      enable = true;
      level = "info";
      script = "a\nb";
      alice = { port = 22; shell = null; };
      names = [ "demo.enable" "demo.level" "demo.script" "demo.users" "demo.users._name_.port" "demo.users._name_.shell" ];
    };
  };
  testDataFromRealDeclarationsChecksTypes = {
    expr = (fromDecls { demo.users.alice.port = 70000; }).config.demo.users.alice.port;
    expectedError = "A definition for option `demo.users.alice.port' is not of type `16 bit unsigned integer; between 0 and 65535 (both inclusive)'";
  };
  testNewerOptionsAreDeclaredWithTheirVersion = {
    expr = lib.filter (n: !(builtins.isString ((import ../nixos-newer-options.nix).${n}.since or null))) nixosOptions.stats.newer;
    expected = [ ];
  };
  testTypeTextsMapOntoLibTypes = {
    expr = map (t: (nixosOptions.parse t { }).type.description) [
      "null or (list of string)"
      "attribute set of (string or signed integer or boolean)"
      "one of “ignore”, “poweroff”, “reboot”"
      "16 bit unsigned integer; between 0 and 65535 (both inclusive)"
      "integer between 300 and 399 (both inclusive)"
      "strings concatenated with “\\n”"
      "list of string matching the pattern [a-z]+"
      "positive integer, meaning >0, or value “auto” (singular enum)"
      "integer or floating point number between 0 and 1 (both inclusive)"
      "(submodule) or boolean convertible to it"
      "open submodule of attribute set of string"
      "strings concatenated with \"\\n\""
    ];
    expected = [
      "null or (list of string)"
      "attribute set of (string or signed integer or boolean)"
      "one of \"ignore\", \"poweroff\", \"reboot\""
      "16 bit unsigned integer; between 0 and 65535 (both inclusive)"
      "integer between 300 and 399 (both inclusive)"
      "strings concatenated with \"\\n\""
      "list of string matching the pattern [a-z]+"
      "positive integer, meaning >0, or value \"auto\" (singular enum)"
      "integer or floating point number between 0 and 1 (both inclusive)"
      # (no sub-options given: left open)
      "(open submodule of lazy attribute set of anything (axiOS test stub: lists concatenate, sets merge)) or boolean"
      "open submodule of attribute set of string"
      "strings concatenated with \"\\n\""
    ];
  };
  testIniSectionsWithDuplicateKeys = {
    expr = (iniValue { global.a = [ 1 "x" ]; }).global.a;
    expected = [ 1 "x" ];
  };
  testIniSectionsRejectNesting = {
    expr = (iniValue { global.a.b = 1; }).global.a;
    expectedError = "A definition for option `x.global.a' is not of type `null or boolean or signed integer or floating point number or string or list of";
  };

  # --- hardware-configuration.nix as nixos-generate-config writes it ---------
  testGeneratedLaptopAlone = {
    expr = let c = (alone "laptop-luks").config; in {
      luks = builtins.attrNames c.boot.initrd.luks.devices;
      fs = builtins.attrNames c.fileSystems;
      swap = map (s: s.device) c.swapDevices;
      firmware = c.hardware.enableRedistributableFirmware;
      microcode = c.hardware.cpu.intel.updateMicrocode;
    };
    expected = {
      luks = [ "luks-0b9e2d7a-5c1f-4e8b-a3d6-7f4c2e1b9a58" ];
      fs = [ "/" "/boot" ];
      swap = [ "/dev/disk/by-uuid/d2f6a8c4-1e3b-4d5f-8a7c-9b0e1f2a3c4d" ];
      firmware = true; # installer/scan/not-detected.nix
      microcode = true;
    };
  };
  testGeneratedVmImportsQemuGuest = {
    expr = let c = (alone "vm-qemu").config; in
      builtins.all (m: builtins.elem m c.boot.initrd.availableKernelModules) [ "virtio_pci" "virtio_blk" "virtio_net" ]
      && builtins.elem "virtio_balloon" c.boot.initrd.kernelModules;
    expected = true;
  };
  testExampleLaptopWithLuks = {
    expr = let c = laptop.config; in {
      failed = laptop.failedAssertions;
      luks = builtins.attrNames c.boot.initrd.luks.devices;
      root = c.fileSystems."/".fsType;
      kvm = builtins.elem "kvm-intel" c.boot.kernelModules;
      host = c.networking.hostName;
    };
    expected = { failed = [ ]; luks = [ "luks-0b9e2d7a-5c1f-4e8b-a3d6-7f4c2e1b9a58" ]; root = "ext4"; kvm = true; host = "laptop"; };
  };
  testExampleDesktopWithSeveralDisks = {
    expr = let c = desktop.config; in {
      failed = desktop.failedAssertions;
      fs = lib.mapAttrs (_: f: f.fsType) c.fileSystems;
      subvols = map (m: c.fileSystems.${m}.options) [ "/" "/home" "/nix" ];
      microcode = c.hardware.cpu.amd.updateMicrocode;
    };
    expected = {
      failed = [ ];
      fs = { "/" = "btrfs"; "/home" = "btrfs"; "/nix" = "btrfs"; "/boot" = "vfat"; "/mnt/games" = "ext4"; "/mnt/data" = "xfs"; };
      subvols = [ [ "subvol=@" ] [ "subvol=@home" ] [ "subvol=@nix" ] ];
      microcode = true;
    };
  };
  # through mkSystem (nixpkgs.lib.nixosSystem gives modulesPath)
  testMkSystemWithGeneratedHardwareFile = {
    expr =
      let e = L.mkSystem (host // { hardwareConfigPath = gen "laptop-luks"; });
      in { luks = builtins.attrNames e.config.boot.initrd.luks.devices; failed = e.failedAssertions; };
    expected = { luks = [ "luks-0b9e2d7a-5c1f-4e8b-a3d6-7f4c2e1b9a58" ]; failed = [ ]; };
  };
  testExampleServerAsVm = {
    expr = {
      failed = vm.failedAssertions;
      virtio = builtins.elem "virtio_blk" vm.config.boot.initrd.availableKernelModules;
      dhcp = isSet vm "networking.useDHCP";
    };
    expected = { failed = [ ]; virtio = true; dhcp = true; };
  };
}
