# The axiOS Rust workspace, built with rustPlatform.buildRustPackage and the
# repository's Cargo.lock. `cargoPackage = "axios-caddy"` builds one program
# (`cargo build -p axios-caddy`); null builds every program of the workspace.
{ lib
, rustPlatform
, pkg-config
, caddy
, rclone
, dbus
, systemd
, nix
, cargoPackage ? null
, doCheck ? false
}:
let
  crates = import ./crates.nix { inherit lib; };
  workspace = (builtins.fromTOML (builtins.readFile ../Cargo.toml)).workspace.package;
  crate = if cargoPackage == null then null else crates.${cargoPackage} or (throw "pkgs/axios-workspace.nix: no crate with package name ${cargoPackage} and a [[bin]] under crates/ (have: ${lib.concatStringsSep ", " (builtins.attrNames crates)})");
  # only what cargo needs: a change to nixos/ or docs does not rebuild.
  # (cleanSourceWith rather than lib.fileset: it also evaluates on the older
  # Nix that tests/nix runs on)
  root = toString ../.;
  keep = [ "/Cargo.toml" "/Cargo.lock" "/crates" ];
  src = lib.cleanSourceWith {
    name = "axios-workspace-source";
    src = lib.cleanSource ../.;
    filter = path: _type:
      let rel = lib.removePrefix root (toString path);
      in builtins.any (k: rel == k || lib.hasPrefix "${k}/" rel) keep
        && !(lib.hasInfix "/target/" rel);
  };
in
rustPlatform.buildRustPackage {
  pname = if cargoPackage == null then "axios-workspace" else cargoPackage;
  inherit (workspace) version;
  inherit src doCheck;
  cargoLock.lockFile = ../Cargo.lock;

  cargoBuildFlags = lib.optionals (cargoPackage != null) [ "-p" cargoPackage ];
  cargoTestFlags = if cargoPackage != null then [ "-p" cargoPackage ] else [ "--workspace" ];
  useNextest = true;

  nativeBuildInputs = [ pkg-config ];
  # the integration tests run the real components (they skip when missing
  # outside CI=true)
  nativeCheckInputs = [ caddy rclone dbus systemd nix ];
  # tests bind loopback ports and spawn dbus-daemon
  __darwinAllowLocalNetworking = true;

  # Every program prints its man page and completions from its clap definition
  # (`<bin> generate man|bash|zsh|fish`, axios_core::cli); a program that does not
  # fails the build rather than shipping without them.
  postInstall = ''
    for bin in $out/bin/*; do
      name=$(basename "$bin")
      "$bin" generate man > "$TMPDIR/$name.1"
      install -Dm644 "$TMPDIR/$name.1" "$out/share/man/man1/$name.1"
      "$bin" generate bash > "$TMPDIR/$name.bash"
      install -Dm644 "$TMPDIR/$name.bash" "$out/share/bash-completion/completions/$name"
      "$bin" generate zsh > "$TMPDIR/_$name"
      install -Dm644 "$TMPDIR/_$name" "$out/share/zsh/site-functions/_$name"
      "$bin" generate fish > "$TMPDIR/$name.fish"
      install -Dm644 "$TMPDIR/$name.fish" "$out/share/fish/vendor_completions.d/$name.fish"
    done
  '';

  meta = {
    description =
      if crate == null then "axiOS programs (the whole Cargo workspace)"
      else crate.description;
    homepage = workspace.repository;
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
  } // lib.optionalAttrs (crate != null) { mainProgram = crate.bin; };
}
