# User security tools: GnuPG with gpg-agent, one SSH agent (gpg-agent, GNOME Keyring's
# gcr-ssh-agent or OpenSSH's ssh-agent), SSH client defaults, YubiKey support, a password
# manager and the age/sops tools.
{ config, lib, options, pkgs, ... }@args:
let
  inherit (lib) mkOption mkEnableOption mkIf types literalExpression;

  cfg = config.axios.security;
  osConfig = args.osConfig or null;
  desktop = config.axios.desktop.enable or false;
  addKeys = if cfg.sshAgent == "none" then "no" else "yes";
in
{
  options.axios.security = {
    enable = mkEnableOption "the axiOS user security tools (GnuPG, SSH agent, SSH defaults, YubiKey, age/sops)";

    gpg.enable = mkOption {
      type = types.bool;
      default = true;
      description = "GnuPG with hardened defaults and gpg-agent.";
      example = false;
    };

    pinentry = mkOption {
      type = types.package;
      default = if desktop then pkgs.pinentry-gnome3 else pkgs.pinentry-curses;
      defaultText = literalExpression "if config.axios.desktop.enable then pkgs.pinentry-gnome3 else pkgs.pinentry-curses";
      description = "pinentry program gpg-agent asks passphrases with.";
      example = literalExpression "pkgs.pinentry-qt";
    };

    sshAgent = mkOption {
      type = types.enum [ "gpg" "gnome-keyring" "ssh-agent" "none" ];
      default = if desktop then "gnome-keyring" else "ssh-agent";
      defaultText = literalExpression ''if config.axios.desktop.enable then "gnome-keyring" else "ssh-agent"'';
      description = ''
        Which SSH agent serves `SSH_AUTH_SOCK`: `gpg` (gpg-agent, for keys on a YubiKey),
        `gnome-keyring` (gcr-ssh-agent of the desktop's keyring; unlocked at login through PAM),
        `ssh-agent` (OpenSSH) or `none`.
      '';
      example = "gpg";
    };

    ssh.defaults = mkOption {
      type = types.bool;
      default = true;
      description = "Write SSH client defaults (hashed known hosts, keep-alives, keys added to the agent on first use).";
      example = false;
    };

    yubikey.enable = mkOption {
      type = types.bool;
      default = false;
      description = "YubiKey tools (ykman) and smart-card support in gpg-agent.";
      example = true;
    };

    passwordManager = mkOption {
      type = types.nullOr types.package;
      default = null;
      description = "Password manager to install.";
      example = literalExpression "pkgs.keepassxc";
    };

    extraPackages = mkOption {
      type = types.listOf types.package;
      default = with pkgs; [ age sops ssh-to-age ];
      defaultText = literalExpression "with pkgs; [ age sops ssh-to-age ]";
      description = "Security command-line tools to install.";
      example = literalExpression "[ pkgs.age pkgs.lynis ]";
    };
  };

  config = mkIf cfg.enable (lib.mkMerge [
    {
      assertions = [
        {
          assertion = cfg.sshAgent != "gpg" || cfg.gpg.enable;
          message = "axios.security.sshAgent = \"gpg\" needs gpg-agent: set axios.security.gpg.enable = true, or pick sshAgent = \"ssh-agent\".";
        }
        {
          assertion = cfg.sshAgent != "gnome-keyring" || osConfig == null
            || (osConfig.services.gnome.gnome-keyring.enable or true);
          message = ''
            axios.security.sshAgent = "gnome-keyring" but the NixOS configuration has
            services.gnome.gnome-keyring.enable = false, so no gcr-ssh-agent runs. Enable the axiOS
            desktop module on the system (modules.desktop = true) or choose sshAgent = "ssh-agent".
          '';
        }
      ];

      home.packages = cfg.extraPackages
        ++ lib.optional (cfg.passwordManager != null) cfg.passwordManager
        ++ lib.optional cfg.yubikey.enable pkgs.yubikey-manager;
    }

    (mkIf cfg.gpg.enable {
      programs.gpg = {
        enable = true;
        settings = {
          keyid-format = "0xlong";
          with-fingerprint = true;
          no-comments = true;
          no-emit-version = true;
          personal-cipher-preferences = "AES256 AES192 AES";
          personal-digest-preferences = "SHA512 SHA384 SHA256";
          cert-digest-algo = "SHA512";
          require-cross-certification = true;
        };
        scdaemonSettings = mkIf cfg.yubikey.enable { disable-ccid = true; };
      };
      services.gpg-agent = {
        enable = true;
        pinentry.package = cfg.pinentry;
        defaultCacheTtl = 1800;
        maxCacheTtl = 7200;
        enableSshSupport = cfg.sshAgent == "gpg";
        enableScDaemon = cfg.yubikey.enable;
      };
    })

    (mkIf (cfg.sshAgent == "ssh-agent") {
      services.ssh-agent.enable = true;
    })

    (mkIf (cfg.sshAgent == "gnome-keyring") {
      home.sessionVariables.SSH_AUTH_SOCK = "$XDG_RUNTIME_DIR/gcr/ssh";
      systemd.user.sessionVariables.SSH_AUTH_SOCK = "\${XDG_RUNTIME_DIR}/gcr/ssh";
    })

    (mkIf cfg.ssh.defaults {
      # home-manager 26.05 replaced `programs.ssh.matchBlocks` with freeform
      # `programs.ssh.settings` (SSH keywords); use whichever this home-manager has.
      programs.ssh = {
        enable = true;
        enableDefaultConfig = false;
      } // (if options ? programs.ssh.settings then {
        settings."*" = {
          AddKeysToAgent = addKeys;
          HashKnownHosts = true;
          ServerAliveInterval = 60;
          ServerAliveCountMax = 3;
          ForwardAgent = false;
          ControlMaster = "auto";
          ControlPath = "~/.ssh/master-%r@%n:%p";
          ControlPersist = "10m";
        };
      } else {
        matchBlocks."*" = {
          addKeysToAgent = addKeys;
          hashKnownHosts = true;
          serverAliveInterval = 60;
          serverAliveCountMax = 3;
          forwardAgent = false;
          controlMaster = "auto";
          controlPath = "~/.ssh/master-%r@%n:%p";
          controlPersist = "10m";
        };
      });
    })
  ]);
}
