# home/security: GnuPG + gpg-agent, the SSH agent choice, SSH defaults, YubiKey, tools.
{ lib, pkgs, axios, evalHome, evalHomeWith, hasPackage, ... }:
let
  security = extra: evalHome [ axios.homeModules.security { axios.security.enable = true; } extra ];
  s = security { };
  c = s.config;
  onDesktop = evalHome [ axios.homeModules.security axios.homeModules.desktop { axios.security.enable = true; axios.desktop.enable = true; } ];
  gpgSsh = security { axios.security = { sshAgent = "gpg"; yubikey.enable = true; }; };
in
{
  testHeadlessDefaults = {
    expr = {
      gpg = c.programs.gpg.settings.keyid-format;
      pinentry = c.services.gpg-agent.pinentry.package;
      agentSsh = c.services.gpg-agent.enableSshSupport;
      sshAgent = c.services.ssh-agent.enable;
      tools = map (n: hasPackage n c.home.packages) [ "age" "sops" "ssh-to-age" ];
      assertions = s.failedAssertions;
    };
    expected = { gpg = "0xlong"; pinentry = pkgs.pinentry-curses; agentSsh = false; sshAgent = true; tools = [ true true true ]; assertions = [ ]; };
  };

  testDesktopUsesKeyringAgentAndGnomePinentry = {
    expr = {
      sock = onDesktop.config.home.sessionVariables.SSH_AUTH_SOCK;
      systemdSock = onDesktop.config.systemd.user.sessionVariables.SSH_AUTH_SOCK;
      pinentry = onDesktop.config.services.gpg-agent.pinentry.package;
      sshAgent = let r = builtins.tryEval (onDesktop.config.services.ssh-agent.enable or false); in r.success && r.value;
    };
    expected = { sock = "$XDG_RUNTIME_DIR/gcr/ssh"; systemdSock = "\${XDG_RUNTIME_DIR}/gcr/ssh"; pinentry = pkgs.pinentry-gnome3; sshAgent = false; };
  };

  testGpgAgentAsSshAgentWithYubikey = {
    expr = {
      inherit (gpgSsh.config.services.gpg-agent) enableSshSupport enableScDaemon;
      scd = gpgSsh.config.programs.gpg.scdaemonSettings;
      ykman = hasPackage "yubikey-manager" gpgSsh.config.home.packages;
    };
    expected = { enableSshSupport = true; enableScDaemon = true; scd = { disable-ccid = true; }; ykman = true; };
  };

  testSshDefaults = {
    expr = { inherit (c.programs.ssh) enable enableDefaultConfig; star = c.programs.ssh.matchBlocks."*"; };
    expected = {
      enable = true;
      enableDefaultConfig = false;
      star = {
        addKeysToAgent = "yes";
        hashKnownHosts = true;
        serverAliveInterval = 60;
        serverAliveCountMax = 3;
        forwardAgent = false;
        controlMaster = "auto";
        controlPath = "~/.ssh/master-%r@%n:%p";
        controlPersist = "10m";
      };
    };
  };

  testSshAgentNone = {
    expr = (security { axios.security.sshAgent = "none"; }).config.programs.ssh.matchBlocks."*".addKeysToAgent;
    expected = "no";
  };

  testGpgSshWithoutGpgFailsAssertion = {
    expr = (security { axios.security = { sshAgent = "gpg"; gpg.enable = false; }; }).failedAssertions;
    expected = [ "axios.security.sshAgent = \"gpg\" needs gpg-agent: set axios.security.gpg.enable = true, or pick sshAgent = \"ssh-agent\"." ];
  };

  testKeyringAgentNeedsKeyringOnTheSystem = {
    expr = map (lib.hasInfix "services.gnome.gnome-keyring.enable = false")
      (evalHomeWith {
        modules = [ axios.homeModules.security { axios.security = { enable = true; sshAgent = "gnome-keyring"; }; } ];
        specialArgs.osConfig = { services.gnome.gnome-keyring.enable = false; };
      }).failedAssertions;
    expected = [ true ];
  };

  testPasswordManager = {
    expr = hasPackage "keepassxc" (security { axios.security.passwordManager = pkgs.keepassxc; }).config.home.packages;
    expected = true;
  };

  testBadAgentIsATypeError = {
    expr = (security { axios.security.sshAgent = "pageant"; }).config.programs.ssh.matchBlocks."*".addKeysToAgent;
    expectedError = "axios.security.sshAgent' is not of type";
  };
}
