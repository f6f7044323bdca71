# Self-tests of the harness: stub types, stub pkgs, evalNixos/evalHome, and a
# real nixpkgs lib function.
{ lib, pkgs, evalNixos, evalHome, hasPackage, isSet, ... }:
let
  two = evalNixos [
    { environment.systemPackages = [ pkgs.git ]; boot.kernelParams = [ "a=1" ]; }
    ({ pkgs, ... }: {
      environment.systemPackages = [ pkgs.jq ];
      boot.kernelParams = lib.mkBefore [ "first" ];
      environment.pathsToLink = [ "/one" ];
      networking.hostName = lib.mkDefault "fallback";
    })
    {
      environment.pathsToLink = [ "/two" ];
      networking.hostName = "edge";
      networking.domain = lib.mkIf false "example.org";
      assertions = [
        { assertion = false; message = "fix me"; }
        { assertion = true; message = "fine"; }
      ];
      warnings = [ "careful" ];
      systemd.services.demo = {
        wantedBy = [ "multi-user.target" ];
        script = "echo one";
        serviceConfig.DynamicUser = true;
      };
    }
    { systemd.services.demo.script = "echo two"; systemd.services.demo.after = [ "network.target" ]; }
  ];
  home = evalHome [
    ({ config, lib, ... }: {
      home.packages = [ pkgs.fish ];
      xdg.configFile."foo/bar.toml".source = (pkgs.formats.toml { }).generate "bar.toml" { a = 1; };
      programs.git.enable = true;
      home.activation.demo = lib.hm.dag.entryAfter [ "writeBoundary" ] "echo hi";
      systemd.user.services.demo.Service.ExecStart = "${lib.getExe pkgs.ripgrep} --version";
      home.file."x".text = config.xdg.configHome;
    })
  ];
in
{
  testListsConcatenateInOrder = {
    expr = two.config.boot.kernelParams;
    expected = [ "first" "a=1" ];
  };
  testPackagesMerge = {
    # definition order across modules is the module system's business (it
    # reverses); compare sorted
    expr = lib.sort lib.lessThan (map (p: p.pname) two.config.environment.systemPackages);
    expected = [ "git" "jq" ];
  };
  testListOptionConcatenates = {
    expr = lib.sort lib.lessThan two.config.environment.pathsToLink;
    expected = [ "/one" "/two" ];
  };
  testPriorities = {
    expr = two.config.networking.hostName;
    expected = "edge";
  };
  testMkIfFalseIsNotSet = {
    expr = isSet two "networking.domain";
    expected = false;
  };
  testFailedAssertions = {
    expr = two.failedAssertions;
    expected = [ "fix me" ];
  };
  testWarnings = {
    expr = two.warnings;
    expected = [ "careful" ];
  };
  testSystemdUnitMerge = {
    expr = {
      inherit (two.config.systemd.services.demo) wantedBy after script;
      dyn = two.config.systemd.services.demo.serviceConfig.DynamicUser;
    };
    expected = {
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      script = "echo one\necho two";
      dyn = true;
    };
  };
  testStubPackageShape = {
    expr = {
      exe = lib.getExe pkgs.ripgrep;
      isDrv = lib.isDerivation pkgs.caddy;
      store = lib.hasPrefix "/nix/store/" "${pkgs.caddy}";
      nested = pkgs.kdePackages.kate.pname;
      script = (pkgs.writeShellScriptBin "hello" "echo hi").text;
      scriptExe = lib.getExe (pkgs.writeShellScriptBin "hello" "echo hi");
      runCommand = (pkgs.runCommand "check" { nativeBuildInputs = [ pkgs.caddy ]; } "caddy adapt").buildCommand;
      json = (pkgs.formats.json { }).generate "x.json" { a = [ 1 ]; };
    };
    expected = {
      exe = "${pkgs.ripgrep}/bin/rg";
      isDrv = true;
      store = true;
      nested = "kde-kate";
      script = "echo hi";
      scriptExe = "${pkgs.writeShellScriptBin "hello" "echo hi"}/bin/hello";
      runCommand = "caddy adapt";
      json = (pkgs.formats.json { }).generate "x.json" { a = [ 1 ]; };
    };
  };
  testRunCommandEnvAndPassthru = {
    expr = let d = pkgs.runCommand "x" { nativeBuildInputs = [ pkgs.caddy ]; passthru.routes = 1; FOO = "bar"; } "true"; in
      { inherit (d) FOO routes; env = d.env.FOO; n = map (p: p.pname) d.nativeBuildInputs; };
    expected = { FOO = "bar"; routes = 1; env = "bar"; n = [ "caddy" ]; };
  };
  testFormatsKeepValue = {
    expr = ((pkgs.formats.toml { }).generate "c.toml" { version = 1; }).value;
    expected = { version = 1; };
  };
  testHomeEval = {
    expr = {
      pkgs = map (p: p.pname) home.config.home.packages;
      toml = home.config.xdg.configFile."foo/bar.toml".source.value;
      git = home.config.programs.git.enable;
      dag = home.config.home.activation.demo.after;
      x = home.config.home.file.x.text;
      hasFish = hasPackage "fish" home.config.home.packages;
    };
    expected = {
      pkgs = [ "fish" ];
      toml = { a = 1; };
      git = true;
      dag = [ "writeBoundary" ];
      x = "/home/alice/.config";
      hasFish = true;
    };
  };
  # A real nixpkgs lib function, evaluated with the real library.
  testRealLibFunction = {
    expr = lib.strings.toSentenceCase (lib.concatMapStringsSep "," toString (lib.range 1 3));
    expected = "1,2,3";
  };
  # no freeform root: an option NixOS does not have fails, with NixOS's error
  testUnknownOptionFails = {
    expr = (evalNixos [{ programs.foo.list = [ 1 ]; }]).config.environment.systemPackages;
    expectedError = "The option `programs.foo' does not exist.";
  };
  testConflictingScalarFails = {
    expr = (evalNixos [{ networking.hostName = "a"; } { networking.hostName = "b"; }]).config.networking.hostName;
    expectedError = "The option `networking.hostName' has conflicting definition values";
  };
  testPrimeRegexRejectsHex = {
    expr = (evalNixos [{ hardware.nvidia.prime.nvidiaBusId = "0000:0a:00.0"; }]).config.hardware.nvidia.prime.nvidiaBusId;
    expectedError = "hardware.nvidia.prime.nvidiaBusId";
  };
}
