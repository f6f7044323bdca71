# home/secrets: agenix home secrets (with the agenix module present, via the stub in
# stubs/home/axios-home.nix, and without it: the assertion that says what to import).
{ lib, pkgs, root, hmLib, axios, evalHome, hasPackage, ... }:
let
  # Any existing file stands in for an encrypted one: the module only checks existence.
  existing = root + "/home/default.nix";
  sec = extra: evalHome [ axios.homeModules.secrets { axios.secrets.enable = true; } extra ];
  s = sec {
    axios.secrets.secrets = {
      github-token.file = existing;
      caldav = { file = existing; path = "/home/alice/.config/caldav-pass"; mode = "0440"; symlink = false; };
    };
  };

  withoutAgenix = hmLib.evalModules {
    class = "homeManager";
    modules = [
      (root + "/tests/nix/stubs/home/base.nix")
      { _module.args.pkgs = pkgs; }
      axios.homeModules.secrets
      { axios.secrets.enable = true; }
    ];
  };
  failed = e: map (a: a.message) (lib.filter (a: !a.assertion) e.config.assertions);
in
{
  testAgeOptions = {
    expr = {
      inherit (s.config.age) identityPaths;
      github = { inherit (s.config.age.secrets.github-token) file mode symlink path; };
      caldav = { inherit (s.config.age.secrets.caldav) file mode symlink path; };
      assertions = s.failedAssertions;
    };
    expected = {
      identityPaths = [ "/home/alice/.ssh/id_ed25519" ];
      github = { file = existing; mode = "0400"; symlink = true; path = "/run/user/1000/agenix/github-token"; };
      caldav = { file = existing; mode = "0440"; symlink = false; path = "/home/alice/.config/caldav-pass"; };
      assertions = [ ];
    };
  };

  testCliInstalled = {
    expr = {
      default = hasPackage "age" s.config.home.packages;
      agenix = hasPackage "agenix" (sec { axios.secrets.cli = pkgs.agenix; }).config.home.packages;
      none = (sec { axios.secrets.cli = null; }).config.home.packages;
    };
    expected = { default = true; agenix = true; none = [ ]; };
  };

  testMissingFileFailsAssertion = {
    expr = (sec { axios.secrets.secrets.gone.file = /nonexistent/axios/gone.age; }).failedAssertions;
    expected = [ "axios.secrets.secrets.gone.file = /nonexistent/axios/gone.age does not exist; create it with `agenix -e gone.age` (listed in secrets.nix) or fix the path." ];
  };

  testRelativeIdentityFailsAssertion = {
    expr = (sec { axios.secrets.identityPaths = [ "~/.ssh/id_ed25519" ]; }).failedAssertions;
    expected = [ "axios.secrets.identityPaths must be absolute paths (agenix runs outside your shell); got: ~/.ssh/id_ed25519." ];
  };

  testBadModeIsATypeError = {
    expr = (sec { axios.secrets.secrets.x = { file = existing; mode = "rw"; }; }).config.age.secrets.x.mode;
    expectedError = "axios.secrets.secrets.x.mode' is not of type";
  };

  testWithoutAgenixModuleFailsAssertionInsteadOfUnknownOption = {
    expr = map (lib.hasInfix "Add `inputs.agenix.homeManagerModules.default` to the imports of this home-manager") (failed withoutAgenix);
    expected = [ true ];
  };

  testSecretsOff = {
    expr = (evalHome [ axios.homeModules.secrets ]).config.age.secrets;
    expected = { };
  };
}
