# Secrets with agenix: every `<name>.age` file in `secrets.secretsDir`
# becomes `age.secrets.<name>` (decrypted to /run/agenix/<name> at boot).
{ config, lib, options, pkgs, ... }:
let
  cfg = config.secrets;
  haveAgenix = options ? age && options.age ? secrets;
  ageFiles =
    if cfg.secretsDir == null then { }
    else
      lib.filterAttrs (n: t: t == "regular" && lib.hasSuffix ".age" n)
        (builtins.readDir cfg.secretsDir);
  fromDir = lib.mapAttrs'
    (file: _: lib.nameValuePair (lib.removeSuffix ".age" file) {
      file = cfg.secretsDir + "/${file}";
    })
    ageFiles;
in
{
  options.secrets = {
    enable = lib.mkEnableOption "agenix secrets";
    secretsDir = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = lib.literalExpression "./secrets";
      description = ''
        Directory of age-encrypted files (`agenix -e <name>.age`). Each
        `<name>.age` becomes `age.secrets.<name>`, readable at
        `/run/agenix/<name>`; set owners and modes with `age.secrets.<name>.*`.
      '';
    };
    identityPaths = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/etc/ssh/ssh_host_ed25519_key" ];
      example = [ "/etc/ssh/ssh_host_ed25519_key" "/persist/age.key" ];
      description = "Private keys tried to decrypt secrets at boot (`age.identityPaths`).";
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      assertions = [
        {
          assertion = haveAgenix;
          message = "secrets.enable needs the agenix NixOS module: add inputs.agenix.nixosModules.default to your modules (axios.lib.mkSystem does this when modules.secrets = true).";
        }
        {
          assertion = cfg.secretsDir == null || builtins.pathExists cfg.secretsDir;
          message = "secrets.secretsDir = ${toString cfg.secretsDir} does not exist: create it (agenix -e <name>.age inside it) or unset secrets.secretsDir.";
        }
      ];
      environment.systemPackages = [ pkgs.agenix ];
      services.openssh.hostKeys = lib.mkDefault [{ path = "/etc/ssh/ssh_host_ed25519_key"; type = "ed25519"; }];
    }
    (lib.optionalAttrs haveAgenix {
      age.identityPaths = cfg.identityPaths;
      age.secrets = if cfg.secretsDir != null && builtins.pathExists cfg.secretsDir then fromDir else { };
    })
  ]);
}
