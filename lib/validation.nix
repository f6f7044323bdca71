# Validation of a mkSystem host configuration. validateHost returns the list
# of problems, each saying which key is wrong and how to fix it; mkSystem
# turns them into NixOS assertions (all reported at once).
{ lib, registry }:
let
  enums = {
    formFactor = [ "desktop" "laptop" "server" ];
    cpu = [ "amd" "intel" ];
    gpu = [ "amd" "nvidia" "intel" ];
    vendor = [ "msi" "system76" ];
    system = [ "x86_64-linux" "aarch64-linux" ];
    homeProfile = [ "workstation" "laptop" ];
  };

  # `modules.<flag>` names: flagged modules, and core modules that have an
  # enable option (modules.services turns on selfHosted).
  flagNames = builtins.attrNames (lib.filterAttrs
    (_: e: e.category == "flagged" || (e.category == "core" && e ? enable))
    registry);

  hostKeys = [
    "hostname"
    "system"
    "formFactor"
    "hardware"
    "modules"
    "homeProfile"
    "extraConfig"
    "hardwareConfigPath"
    "userModulePath"
    "virt"
    "secrets"
    "selfHosted"
  ];
  hardwareKeys = [ "cpu" "gpu" "vendor" "isLaptop" "hasSSD" ];

  # Keys of the original axiOS's mkSystem, still accepted (not advertised):
  # diskConfigPath (a module, like hardwareConfigPath), services (NixOS
  # `services.*` applied with modules.services, Oct 2025), inputs (merged into
  # the modules' `inputs`).
  legacyHostKeys = [ "diskConfigPath" "services" "inputs" ];
  knownHostKeys = hostKeys ++ legacyHostKeys;

  # modules.<flag> the original turned on when absent
  defaultFlags = { system = true; networking = true; users = true; };

  # What later (2026) versions of the original added; not part of this axiOS.
  laterKeys = {
    users = "lists users by name (a 2026 addition of the original axiOS); define them with axios.users.users.<name> in extraConfig or userModulePath";
    configDir = "points at users/<name>.nix files (a 2026 addition of the original axiOS); pass the user module as userModulePath";
    axios = "sets axios.* options (a 2026 addition of the original axiOS); move them into extraConfig";
  };
  laterFlags = {
    pim = "the axios-ai-mail PIM module of the 2026 original is not part of axiOS; the desktop module has the GNOME PIM backends (desktop.pim.enable)";
    c64 = "the C64 module of the 2026 original is not part of axiOS; remove the flag";
    syncthing = "the Syncthing module of the 2026 original is not part of axiOS; set services.syncthing in extraConfig";
  };

  # services.* of the original's first services module (removed from the
  # original on 2025-11-07); no NixOS module declares them
  removedServices = [ "caddy-proxy" "openwebui" "ntop" "hass" "mqtt" ];

  show = v:
    if builtins.isString v then builtins.toJSON v
    else if builtins.isPath v then toString v
    else if builtins.isAttrs v then "an attribute set"
    else if builtins.isList v then "a list"
    else if builtins.isFunction v then "a function"
    else builtins.toJSON v;
  oneOf = vs: lib.concatMapStringsSep ", " builtins.toJSON vs;

  # " (did you mean \"desktop\"?)" for a near miss
  suggest = candidates: name:
    let
      # a candidate containing the name ("ssd" in "hasSSD") counts as close
      scored = map
        (c: {
          inherit c;
          d = if lib.hasInfix (lib.toLower name) (lib.toLower c) then 1 else lib.strings.levenshtein (lib.toLower name) (lib.toLower c);
        })
        candidates;
      best = lib.foldl' (a: b: if a == null || b.d < a.d then b else a) null scored;
    in
    if best != null && best.d <= 3 && best.d < builtins.stringLength name
    then " (did you mean ${builtins.toJSON best.c}?)" else "";

  isModule = m: builtins.isAttrs m || builtins.isFunction m || builtins.isPath m;

  isHostname = s:
    builtins.stringLength s <= 63
    && builtins.match "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?" s != null;

  validateHost = host:
    let
      name = if builtins.isString (host.hostname or null) then host.hostname else "<no hostname>";
      p = msg: "axiOS host ${builtins.toJSON name}: ${msg}";
      check = cond: msg: lib.optional (!cond) (p msg);
      has = k: host ? ${k} && host.${k} != null;
      hw = if builtins.isAttrs (host.hardware or null) then host.hardware else { };
      flags = if builtins.isAttrs (host.modules or { }) then defaultFlags // (host.modules or { }) else { };
      on = f: (flags.${f} or false) == true;
      ff = host.formFactor or null;
      isLaptop = hw.isLaptop or null;
      enumCheck = key: valid: v:
        check (v == null || builtins.elem v valid)
          "${key} = ${show v} is not one of ${oneOf valid}${if builtins.isString v then suggest valid v else ""}; set ${key} to one of them.";
      boolCheck = key: v:
        check (v == null || builtins.isBool v) "${key} = ${show v} must be true or false.";
      pathCheck = key:
        let v = host.${key} or null;
        in
        lib.optionals (v != null) (
          if !(builtins.isPath v || builtins.isString v) then [ (p "${key} must be a path (e.g. ./hosts/${name}/${if key == "userModulePath" then "user.nix" else "hardware.nix"}), got ${show v}.") ]
          else check (builtins.pathExists v) "${key} = ${toString v} does not exist; fix the path (relative paths are relative to the file that calls mkSystem)."
        );
      needs = a: b: why:
        check (!(on a) || on b) "modules.${a} = true needs modules.${b} = true (${why}); set modules.${b} = true or turn modules.${a} off.";
    in
    # hostname
    (if !(has "hostname") then [ (p "hostname is required; set hostname = \"my-machine\"; (letters, digits and -).") ]
    else if !(builtins.isString host.hostname) then [ (p "hostname must be a string, got ${show host.hostname}.") ]
    else check (isHostname host.hostname) "hostname = ${builtins.toJSON host.hostname} is not a valid host name; use letters, digits and - (not at either end), at most 63 characters.")
    # unknown keys
    ++ map
      (k:
        if laterKeys ? ${k} then p "${k} ${laterKeys.${k}}."
        else p "unknown key ${builtins.toJSON k}${suggest knownHostKeys k}; the keys mkSystem knows are: ${lib.concatStringsSep ", " hostKeys}.")
      (builtins.filter (k: !(builtins.elem k knownHostKeys)) (builtins.attrNames host))
    ++ enumCheck "system" enums.system (host.system or null)
    ++ enumCheck "formFactor" enums.formFactor ff
    # hardware
    ++ check (!(host ? hardware) || builtins.isAttrs host.hardware) "hardware must be an attribute set like { cpu = \"amd\"; gpu = \"amd\"; isLaptop = false; hasSSD = true; }, got ${show (host.hardware or null)}."
    ++ map (k: p "unknown key hardware.${k}${suggest hardwareKeys k}; hardware knows: ${lib.concatStringsSep ", " hardwareKeys}.")
      (builtins.filter (k: !(builtins.elem k hardwareKeys)) (builtins.attrNames hw))
    ++ enumCheck "hardware.cpu" enums.cpu (hw.cpu or null)
    ++ enumCheck "hardware.gpu" enums.gpu (hw.gpu or null)
    ++ enumCheck "hardware.vendor" enums.vendor (hw.vendor or null)
    ++ boolCheck "hardware.isLaptop" isLaptop
    ++ boolCheck "hardware.hasSSD" (hw.hasSSD or null)
    # laptop/desktop consistency
    ++ check (!(ff == "laptop" && isLaptop == false)) "formFactor = \"laptop\" but hardware.isLaptop = false; set hardware.isLaptop = true (or formFactor = \"desktop\")."
    ++ check (!(builtins.elem ff [ "desktop" "server" ] && isLaptop == true)) "formFactor = ${builtins.toJSON ff} but hardware.isLaptop = true; set formFactor = \"laptop\" (or hardware.isLaptop = false)."
    # vendor constraints
    ++ check (!((hw.vendor or null) == "system76" && ff != null && ff != "laptop")) "hardware.vendor = \"system76\" is for System76 laptops but formFactor = ${builtins.toJSON ff}; set formFactor = \"laptop\" and hardware.isLaptop = true, or remove hardware.vendor."
    ++ check (!((hw.vendor or null) == "msi" && (ff == "laptop" || isLaptop == true))) "hardware.vendor = \"msi\" is for MSI desktop boards but this host is a laptop; remove hardware.vendor (laptops get the laptop hardware module from formFactor = \"laptop\")."
    # module flags
    ++ check (!(host ? modules) || builtins.isAttrs host.modules) "modules must be an attribute set of flags like { desktop = true; networking = true; }, got ${show (host.modules or null)}."
    ++ map
      (f:
        if laterFlags ? ${f} then p "modules.${f}: ${laterFlags.${f}}."
        else p "unknown module flag modules.${f}${suggest flagNames f}; the flags are: ${lib.concatStringsSep ", " flagNames}.")
      (builtins.filter (f: !(builtins.elem f flagNames)) (builtins.attrNames flags))
    ++ map (f: p "modules.${f} = ${show flags.${f}} must be true or false.")
      (builtins.filter (f: builtins.elem f flagNames && !(builtins.isBool flags.${f})) (builtins.attrNames flags))
    ++ needs "ai" "networking" "Ollama and the AI tools need the network stack"
    ++ needs "gaming" "graphics" "Steam and VR need the GPU drivers"
    ++ needs "desktop" "networking" "the desktop expects NetworkManager"
    # modules.graphics without hardware.gpu: the graphics module asserts
    # axios.hardware.gpuType, which the original also let extraConfig set
    # per-module settings given without their module
    ++ check (!(has "virt") || builtins.isAttrs host.virt) "virt must be an attribute set like { libvirt.enable = true; }, got ${show (host.virt or null)}."
    ++ check (!(has "secrets") || builtins.isAttrs host.secrets) "secrets must be an attribute set like { secretsDir = ./secrets; }, got ${show (host.secrets or null)}."
    ++ check (!(has "selfHosted") || builtins.isAttrs host.selfHosted) "selfHosted must be an attribute set, got ${show (host.selfHosted or null)}."
    ++ check (!(has "extraConfig") || isModule host.extraConfig || (builtins.isList host.extraConfig && builtins.all isModule host.extraConfig))
      "extraConfig must be a NixOS module (an attribute set, a function or a path) or a list of them, got ${show (host.extraConfig or null)}."
    # home profile
    ++ enumCheck "homeProfile" enums.homeProfile (host.homeProfile or null)
    ++ pathCheck "hardwareConfigPath"
    ++ pathCheck "diskConfigPath"
    ++ pathCheck "userModulePath"
    # legacy keys
    ++ check (!(has "services") || builtins.isAttrs host.services) "services must be an attribute set of NixOS services.* settings, got ${show (host.services or null)}."
    ++ map (s: p "services.${s} belonged to the original axiOS's first services module, which the original removed in November 2025; remove services.${s} (self-hosted services are selfHosted.* now, e.g. selfHosted.enable and selfHosted.caddy.routes).")
      (builtins.filter (s: builtins.isAttrs (host.services or null) && host.services ? ${s}) removedServices)
    ++ check (!(has "inputs") || builtins.isAttrs host.inputs) "inputs must be an attribute set of flake inputs (merged into the modules' `inputs` argument), got ${show (host.inputs or null)}.";

  # Not errors: things the original accepted that do nothing here; they
  # become NixOS warnings.
  hostWarnings = host:
    let
      name = if builtins.isString (host.hostname or null) then host.hostname else "<no hostname>";
      flags = if builtins.isAttrs (host.modules or { }) then defaultFlags // (host.modules or { }) else { };
      on = f: (flags.${f} or false) == true;
      virt = if builtins.isAttrs (host.virt or null) then host.virt else { };
    in
    map (msg: "axiOS host ${builtins.toJSON name}: ${msg}") (
      lib.optional (on "virt" && !((virt.libvirt.enable or false) == true || (virt.containers.enable or false) == true))
        "modules.virt = true but nothing is enabled, so it does nothing; add virt = { libvirt.enable = true; containers.enable = true; } (either or both)."
      # the original ignored them without their flag
      ++ lib.optional ((host.virt or null) != null && !(on "virt"))
        "virt is set but modules.virt is not true, so virt is ignored; set modules.virt = true (or remove virt)."
      ++ lib.optional ((host.secrets or null) != null && !(on "secrets"))
        "secrets is set but modules.secrets is not true, so secrets is ignored; set modules.secrets = true (or remove secrets)."
      ++ lib.optional ((host.homeProfile or null) == null)
        "homeProfile is not set, so every user gets the \"workstation\" home profile (as in the original axiOS); set homeProfile = \"workstation\" (or \"laptop\") to say so."
      ++ lib.optional (builtins.isAttrs (host.services or null) && host.services != { } && !(on "services"))
        "services is ignored because modules.services is not true (as in the original axiOS); set modules.services = true or move the settings into extraConfig."
    );
in
{
  inherit validateHost hostWarnings flagNames enums isHostname hostKeys hardwareKeys legacyHostKeys defaultFlags;
}
