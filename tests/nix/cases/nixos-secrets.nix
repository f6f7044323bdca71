# nixos/secrets: agenix, secrets from a directory.
{ axios, evalNixos, inputs, hasPackage, ... }:
let
  s = cfg: evalNixos [ axios.nixosModules.secrets inputs.agenix.nixosModules.default { secrets.enable = true; } cfg ];
  dir = s { secrets.secretsDir = ./fixtures/secrets; };
in
{
  testSecretsFromDir = {
    expr = builtins.mapAttrs (_: v: toString v.file) dir.config.age.secrets;
    expected = {
      wifi = toString ./fixtures/secrets/wifi.age;
      tailscale-authkey = toString ./fixtures/secrets/tailscale-authkey.age;
    };
  };
  testIdentityAndCli = {
    expr = { ids = dir.config.age.identityPaths; cli = hasPackage "agenix" dir.config.environment.systemPackages; failed = dir.failedAssertions; };
    expected = { ids = [ "/etc/ssh/ssh_host_ed25519_key" ]; cli = true; failed = [ ]; };
  };
  testNoDirNoSecrets = {
    expr = (s { }).config.age.secrets;
    expected = { };
  };
  testMissingDir = {
    expr = (s { secrets.secretsDir = /nonexistent/secrets; }).failedAssertions;
    expected = [ "secrets.secretsDir = /nonexistent/secrets does not exist: create it (agenix -e <name>.age inside it) or unset secrets.secretsDir." ];
  };
  testNeedsAgenixModule = {
    expr = (evalNixos [ axios.nixosModules.secrets { secrets.enable = true; } ]).failedAssertions;
    expected = [ "secrets.enable needs the agenix NixOS module: add inputs.agenix.nixosModules.default to your modules (axios.lib.mkSystem does this when modules.secrets = true)." ];
  };
  testDisabled = {
    expr = (evalNixos [ axios.nixosModules.secrets inputs.agenix.nixosModules.default { secrets.secretsDir = ./fixtures/secrets; } ]).config.age.secrets;
    expected = { };
  };
}
