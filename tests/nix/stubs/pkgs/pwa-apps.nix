# Stub package names used by pkgs/pwa-apps (pkgs.axios-pwa-apps). See tests/nix/README.md.
[ "desktop-file-utils" ]
