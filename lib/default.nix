# axiOS library: mkSystem, buildModules, validateHost.
#
#   axios.lib.mkSystem {
#     hostname = "desktop"; system = "x86_64-linux"; formFactor = "desktop";
#     hardware = { cpu = "amd"; gpu = "amd"; vendor = "msi"; isLaptop = false; hasSSD = true; };
#     modules = { system = true; desktop = true; graphics = true; networking = true; ... };
#     homeProfile = "workstation"; userModulePath = ./user.nix;
#     hardwareConfigPath = ./hardware-configuration.nix;
#     extraConfig = { axios.system.timeZone = "Europe/Paris"; };
#     virt = { libvirt.enable = true; }; secrets = { secretsDir = ./secrets; }; selfHosted = { ... };
#   }
#
# buildModules returns the module list mkSystem gives to nixosSystem, so it
# can be evaluated without nixpkgs (tests/nix does). Modules are registered in
# ONE place, nixos/registry.nix; the flags, categories and the enable option
# each flag turns on all come from there.
{ inputs, self, lib }:
let
  registry = import ../nixos/registry.nix;
  validation = import ./validation.nix { inherit lib registry; };
  hardwareFacts = import ./hardware.nix { inherit lib; };

  # A registered module whose file is missing (being written) is skipped;
  # tests/nix/cases/lib.nix fails until every registered path exists.
  byCategory = c: lib.filterAttrs (_: e: e.category == c && builtins.pathExists e.module) registry;
  coreModules = byCategory "core";
  flaggedModules = byCategory "flagged";
  conditionalModules = byCategory "conditional";

  # host, made safe to read: every later step can assume the shapes, while
  # validation (an assertion module) reports what was wrong.
  normalize = host:
    let
      attrsOr = v: if builtins.isAttrs v then v else { };
      hw = attrsOr (host.hardware or { });
      # as in the original axiOS: system, networking and users are on unless
      # turned off (only when `modules` is a set or absent; validation reports
      # anything else)
      flags = if builtins.isAttrs (host.modules or { }) then validation.defaultFlags // (host.modules or { }) else { };
      pick = valid: v: if builtins.elem v valid then v else null;
      boolOr = d: v: if builtins.isBool v then v else d;
    in
    {
      hostname = host.hostname or null;
      system = if builtins.isString (host.system or null) then host.system else "x86_64-linux";
      formFactor = pick validation.enums.formFactor (host.formFactor or null);
      hardware = {
        cpu = pick validation.enums.cpu (hw.cpu or null);
        gpu = pick validation.enums.gpu (hw.gpu or null);
        vendor = pick validation.enums.vendor (hw.vendor or null);
        isLaptop = boolOr ((host.formFactor or null) == "laptop") (hw.isLaptop or null);
        hasSSD = boolOr false (hw.hasSSD or null);
      };
      flagOn = name: (flags.${name} or false) == true;
      # as in the original axiOS: no homeProfile means workstation (validation warns)
      homeProfile = if (host.homeProfile or null) == null then "workstation" else host.homeProfile;
      extraConfig = host.extraConfig or { };
      hardwareConfigPath = host.hardwareConfigPath or null;
      # original axiOS: a disko module (until 2025-12-10), then a plain
      # hardware module; imported like hardwareConfigPath (see diskModule)
      diskConfigPath = host.diskConfigPath or null;
      userModulePath = host.userModulePath or null;
      # original axiOS (Oct 2025): NixOS `services.*` settings, applied with modules.services
      legacyServices = attrsOr (host.services or { });
      virt = attrsOr (host.virt or { });
      secrets = attrsOr (host.secrets or { });
      selfHosted = attrsOr (host.selfHosted or { });
    };

  importable = p: (builtins.isPath p || builtins.isString p) && builtins.pathExists p;

  compatModules = import ./compat.nix { inherit lib; };

  # diskConfigPath, imported as a module like hardwareConfigPath. In the
  # original it was a disko configuration (`disko.devices`) while axiOS
  # imported disko itself (until 2025-12-10). This axiOS has no disko input: a
  # disko configuration gets an assertion saying how to import disko, instead
  # of "The option `disko' does not exist"; with disko imported (by the user,
  # e.g. extraConfig.imports) it is passed through untouched.
  diskModule = path:
    let
      inner = import path;
      innerArgs = if builtins.isFunction inner then builtins.functionArgs inner else { };
      call = args: if builtins.isFunction inner then inner args else inner;
      structural = [ "imports" "options" "config" "_file" "key" "disabledModules" "meta" "freeformType" "_class" ];
      wrapper = args:
        let
          r = call args;
          shorthand = !(r ? config || r ? options);
          cfg = if shorthand then removeAttrs r structural else r.config or { };
          usesDisko = builtins.isAttrs cfg && cfg ? disko;
          haveDisko = args.options ? disko;
        in
        {
          _file = toString path;
          imports = r.imports or [ ];
          options = if shorthand then { } else r.options or { };
          config = lib.mkMerge [
            (if usesDisko && !haveDisko then removeAttrs cfg [ "disko" ] else cfg)
            {
              assertions = lib.optional (usesDisko && !haveDisko) {
                assertion = false;
                message = "diskConfigPath = ${toString path} is a disko configuration (disko.devices), but disko's NixOS module is not imported (axiOS no longer ships disko). Add the input `disko.url = \"github:nix-community/disko\";` to your flake and `extraConfig.imports = [ inputs.disko.nixosModules.disko ];`, or replace the file with your hardware-configuration.nix (fileSystems) and pass it as hardwareConfigPath.";
              };
            }
          ];
        };
    in
    if builtins.isFunction inner || builtins.isAttrs inner
    then lib.setFunctionArgs wrapper (innerArgs // { options = false; })
    else path;

  homeModules = self.homeModules or { };

  # The module that carries the host's facts into the configuration.
  hostModule = host: n: { config, ... }:
    let
      # every axiOS user (also one declared the original's way, `axios.user`,
      # which lib/compat.nix turns into axios.users.users) gets a home-manager
      # user, so the host's profile (a shared module) reaches them
      axiosUsers = if (config.axios.users.enable or false) then config.axios.users.users or { } else { };
      systemStateVersion = config.system.stateVersion or null;
      flagEnables = lib.mapAttrsToList
        (name: e: lib.optionalAttrs (e ? enable && n.flagOn name) (lib.setAttrByPath e.enable (lib.mkDefault true)))
        (flaggedModules // coreModules);
      conditionalEnables = lib.mapAttrsToList
        (_: e: lib.optionalAttrs (e ? enable && e.when n) (lib.setAttrByPath e.enable (lib.mkDefault true)))
        conditionalModules;
      validHostname = builtins.isString n.hostname && validation.isHostname n.hostname;
    in
    {
      _file = "axios.lib.mkSystem (host ${builtins.toJSON (toString (host.hostname or "?"))})";
      config = lib.mkMerge (flagEnables ++ conditionalEnables ++ [
        {
          assertions = map (message: { assertion = false; inherit message; }) (validation.validateHost host);
          warnings = validation.hostWarnings host;
          networking.hostName = lib.mkIf validHostname n.hostname;
          nixpkgs.hostPlatform = lib.mkDefault n.system;
          axios.hardware = {
            cpu = lib.mkIf (n.hardware.cpu != null) n.hardware.cpu;
            gpuType = lib.mkIf (n.hardware.gpu != null) n.hardware.gpu;
            vendor = lib.mkIf (n.hardware.vendor != null) n.hardware.vendor;
            formFactor = lib.mkIf (n.formFactor != null) n.formFactor;
            inherit (n.hardware) isLaptop hasSSD;
          };
          selfHosted = lib.mkIf (n.selfHosted != { }) n.selfHosted;
          home-manager = {
            useGlobalPkgs = lib.mkDefault true;
            useUserPackages = lib.mkDefault true;
            backupFileExtension = lib.mkDefault "hm-backup";
            extraSpecialArgs = { inherit inputs; };
            # agenix's home module gives home/secrets its `age.*` options (inert
            # without secrets); then the host's profile for every user
            sharedModules = [ inputs.agenix.homeManagerModules.default ]
              ++ lib.optional (n.homeProfile != null && homeModules ? ${n.homeProfile}) homeModules.${n.homeProfile};
            users = lib.mapAttrs
              (_: _: lib.optionalAttrs (systemStateVersion != null) { home.stateVersion = lib.mkDefault systemStateVersion; })
              axiosUsers;
          };
          nixpkgs.overlays = lib.optional (self ? overlays.default) self.overlays.default;
        }
        # only when the module (and so the option) is imported
        (lib.optionalAttrs (n.flagOn "virt" && n.virt != { }) { virt = n.virt; })
        (lib.optionalAttrs (n.flagOn "services" && n.legacyServices != { }) { services = n.legacyServices; })
        (lib.optionalAttrs (n.flagOn "secrets" && n.secrets != { }) { secrets = n.secrets; })
      ]);
    };

  buildModules = host:
    let
      n = normalize host;
      flaggedOn = lib.filterAttrs (name: _: n.flagOn name) flaggedModules;
      conditionalOn = lib.filterAttrs (_: e: e.when n) conditionalModules;
      flagged = lib.mapAttrsToList (_: e: e.module) flaggedOn;
      conditional = lib.mapAttrsToList (_: e: e.module) conditionalOn;
      core = lib.mapAttrsToList (_: e: e.module) coreModules;
      # the original axiOS's option paths, for the modules imported
      compat = lib.mapAttrsToList
        (name: m: { _file = "${toString ./compat.nix} (${name})"; imports = [ m ]; })
        (builtins.intersectAttrs (coreModules // flaggedOn // conditionalOn) compatModules);
      external =
        [ inputs.home-manager.nixosModules.home-manager ]
        ++ lib.optional (n.flagOn "system") inputs.lanzaboote.nixosModules.lanzaboote
        ++ lib.optional (n.flagOn "secrets") inputs.agenix.nixosModules.default
        ++ map (name: inputs.nixos-hardware.nixosModules.${name}) (hardwareFacts.nixosHardwareModules n);
      userModules =
        lib.optional (importable n.hardwareConfigPath) n.hardwareConfigPath
        ++ lib.optional (importable n.diskConfigPath) (diskModule n.diskConfigPath)
        ++ lib.optional (importable n.userModulePath) n.userModulePath
        ++ (if builtins.isList n.extraConfig then n.extraConfig
        else lib.optional (builtins.isAttrs n.extraConfig || builtins.isFunction n.extraConfig || builtins.isPath n.extraConfig) n.extraConfig);
    in
    core ++ flagged ++ conditional ++ compat ++ external ++ [ (hostModule host n) ] ++ userModules;

  mkSystem = host: inputs.nixpkgs.lib.nixosSystem {
    specialArgs = {
      # the original axiOS merged a host's `inputs` into the modules' `inputs`
      inputs = inputs // (if builtins.isAttrs (host.inputs or null) then host.inputs else { });
      inherit self;
      # the original axiOS also gave modules its flake's module sets
      nixosModules = self.nixosModules or { };
      homeModules = self.homeModules or { };
      hostConfig = host;
    };
    modules = buildModules host;
  };
in
{
  inherit mkSystem buildModules registry compatModules;
  inherit (validation) validateHost hostWarnings flagNames;
  inherit (hardwareFacts) nixosHardwareModules;
  # module names by category, as buildModules uses them
  categories = {
    core = builtins.attrNames coreModules;
    flagged = builtins.attrNames flaggedModules;
    conditional = builtins.attrNames conditionalModules;
  };
  normalizeHost = normalize;
}
