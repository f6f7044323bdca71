# Stub `pkgs`: fake derivations, no nixpkgs package set needed.
#
# Every package is `mkFake name` : an attrset with `type = "derivation"`,
# `name`, `pname`, `version`, a fake `outPath` under /nix/store, `meta` (with
# `mainProgram`, so `lib.getExe` works), `outputs`/`out`/`bin`, `override`,
# `overrideAttrs`, `passthru`. Builders keep what they were given so tests can
# assert on it (see tests/nix/README.md).
#
# Package names come from `names` below plus every file in
# tests/nix/stubs/pkgs/*.nix (a list of names, dotted for nested sets:
# "kdePackages.kate", or a function `{ lib, mkFake }: { ... }` returning an
# attrset merged recursively into pkgs).
{ lib, extraDir ? ../stubs/pkgs }:
let
  hexToBase32 = c: { "e" = "z"; }.${c} or c;
  fakeHash = name: lib.concatMapStrings hexToBase32
    (lib.stringToCharacters (builtins.substring 0 32 (builtins.hashString "sha256" name)));

  mkFake = name: mkFakeWith { inherit name; };

  # mkFakeWith { name; pname?; version?; mainProgram?; ... } -> fake drv;
  # every extra attribute is kept on the result.
  mkFakeWith = args:
    let
      name = args.name or "${args.pname}-${args.version or "0.0.0"}";
      pname = args.pname or (lib.last (lib.splitString "." name));
      self = {
        type = "derivation";
        inherit name pname;
        version = args.version or "0.0.0-stub";
        outPath = "/nix/store/${fakeHash name}-${name}";
        drvPath = "/nix/store/${fakeHash "drv-${name}"}-${name}.drv";
        system = "x86_64-linux";
        outputs = [ "out" ];
        outputName = "out";
        out = self;
        bin = self;
        lib = self;
        dev = self;
        man = self;
        all = [ self ];
        meta = {
          description = "stub package ${name}";
          mainProgram = args.mainProgram or (mainPrograms.${pname} or pname);
          license = { shortName = "stub"; free = true; };
          platforms = [ "x86_64-linux" "aarch64-linux" ];
          available = true;
          broken = false;
          position = "tests/nix/lib/pkgs.nix";
        } // (args.meta or { });
        passthru = args.passthru or { };
        # keeps what it was given: `(pkgs.wivrn.override { cudaSupport = true; }).overrideArgs`
        override = a: mkFakeWith (args // {
          overrideArgs = (args.overrideArgs or { }) // (if builtins.isFunction a then a { } else a);
        });
        overrideAttrs = f:
          mkFakeWith (args // (if builtins.isFunction f then f self else f));
        overrideDerivation = _: self;
        withPackages = f: mkFakeWith {
          name = "${name}-env";
          packages = f pkgs.python3Packages;
        };
        isStub = true;
      } // builtins.removeAttrs args [ "meta" ] // (args.passthru or { });
    in
    self;

  # meta.mainProgram where it differs from the package name (as in nixpkgs)
  mainPrograms = {
    ripgrep = "rg";
    neovim = "nvim";
    bind = "dig";
    dig = "dig";
    python3 = "python3";
    nodejs = "node";
    nodejs_22 = "node";
    util-linux = "lsblk";
    coreutils = "ls";
    gnugrep = "grep";
    gnused = "sed";
    findutils = "find";
    openssh = "ssh";
    gnupg = "gpg";
    pciutils = "lspci";
    usbutils = "lsusb";
    iproute2 = "ip";
    dotnet-sdk = "dotnet";
    dotnet-sdk_8 = "dotnet";
    dotnet-sdk_9 = "dotnet";
    claude-code = "claude";
    github-copilot-cli = "copilot";
    copilot-cli = "copilot";
    gemini-cli = "gemini";
    whisper-cpp = "whisper-cli";
    tailscale = "tailscale";
    vscode = "code";
    zed-editor = "zeditor";
    nix-output-monitor = "nom";
    nixfmt-rfc-style = "nixfmt";
    yq = "yq";
    difftastic = "difft";
    amdgpu_top = "amdgpu_top";
    intel-gpu-tools = "intel_gpu_top";
    wl-clipboard = "wl-copy";
    libnotify = "notify-send";
    xdg-utils = "xdg-open";
    vulkan-tools = "vulkaninfo";
    mesa-demos = "glxinfo";
    libva-utils = "vainfo";
    p7zip = "7z";
    android-tools = "adb";
    qemu = "qemu-system-x86_64";
    qemu_kvm = "qemu-kvm";
    libvirt = "virsh";
    steam = "steam";
    gamemode = "gamemoderun";
    "_1password-gui" = "1password";
    "_1password-cli" = "op";
    bitwarden-cli = "bw";
    yubikey-manager = "ykman";
    delta = "delta";
    "telegram-desktop" = "Telegram";
  };

  fakeSet = prefix: names: lib.genAttrs names (n: mkFake "${prefix}${n}");

  # pkgs.formats.*: `type` is a real (recursive) option type, `generate`
  # returns a fake drv keeping `value` (and `text` where we can render it).
  formatType = { allowNull ? true }:
    let
      valueType = lib.types.nullOr
        (lib.types.oneOf [
          lib.types.bool
          lib.types.int
          lib.types.float
          lib.types.str
          lib.types.path
          (lib.types.attrsOf valueType)
          (lib.types.listOf valueType)
        ]) // { description = "${if allowNull then "JSON" else "TOML"} value"; };
    in
    valueType;
  mkFormat = kind: text: _args: {
    type = formatType { };
    generate = name: value: mkFakeWith {
      inherit name value;
      format = kind;
      passthru.value = value;
      text = text value;
    };
  };

  names = [
    # core / system
    "bash"
    "bashInteractive"
    "coreutils"
    "gnugrep"
    "gnused"
    "findutils"
    "util-linux"
    "systemd"
    "dbus"
    "glibc"
    "curl"
    "wget"
    "git"
    "gnupg"
    "openssh"
    "pciutils"
    "usbutils"
    "lshw"
    "dmidecode"
    "efibootmgr"
    "sbctl"
    "niv"
    "nix"
    "jq"
    "yq"
    "ripgrep"
    "fd"
    "bat"
    "eza"
    "fzf"
    "zoxide"
    "htop"
    "btop"
    "tree"
    "unzip"
    "zip"
    "p7zip"
    "file"
    "which"
    "rsync"
    "rclone"
    "lm_sensors"
    "smartmontools"
    "nvme-cli"
    "fwupd"
    "powertop"
    "tlp"
    "acpi"
    "brightnessctl"
    "kmod"
    "iproute2"
    "linux-firmware"
    "microcodeAmd"
    "microcodeIntel"
    "man-pages"
    "tzdata"
    "glibcLocales"
    "shadow"
    "sudo"
    "polkit"
    "systemd-boot"
    "lanzaboote-tool"
    "lz4"
    "zstd"
    "xz"
    "gzip"
    "kexec-tools"
    "crash"
    "drgn"
    "gdb"
    "strace"
    "ltrace"
    # axiOS programs (from the overlay)
    "axios"
    "axios-caddy"
    "axios-bisync"
    "axios-gpu"
    "axios-ollama"
    "axios-vr"
    # networking / services
    "caddy"
    "tailscale"
    "samba"
    "cifs-utils"
    "avahi"
    "nssmdns"
    "networkmanager"
    "networkmanagerapplet"
    "openvpn"
    "wireguard-tools"
    "iw"
    "ethtool"
    "nmap"
    "dig"
    "bind"
    "immich"
    "postgresql"
    "redis"
    "nginx"
    # desktop
    "niri"
    "xwayland-satellite"
    "quickshell"
    "dms-shell"
    "dankMaterialShell"
    "dsearch"
    "matugen"
    "cava"
    "wl-clipboard"
    "cliphist"
    "grim"
    "slurp"
    "swappy"
    "wlr-randr"
    "wayland-utils"
    "xdg-utils"
    "xdg-desktop-portal"
    "xdg-desktop-portal-gtk"
    "xdg-desktop-portal-gnome"
    "xdg-desktop-portal-wlr"
    "nautilus"
    "gvfs"
    "file-roller"
    "gnome-keyring"
    "seahorse"
    "libsecret"
    "evolution"
    "evolution-data-server"
    "gnome-online-accounts"
    "gnome-online-accounts-gtk"
    "gnome-calendar"
    "gnome-contacts"
    "gnome-weather"
    "gnome-clocks"
    "gnome-text-editor"
    "gnome-disk-utility"
    "gnome-calculator"
    "loupe"
    "papers"
    "evince"
    "celluloid"
    "mpv"
    "vlc"
    "imv"
    "swaybg"
    "swww"
    "imagemagick"
    "ffmpeg"
    "pavucontrol"
    "pwvucontrol"
    "playerctl"
    "pamixer"
    "wireplumber"
    "pipewire"
    "libnotify"
    "dunst"
    "mako"
    "fuzzel"
    "rofi"
    "greetd"
    "tuigreet"
    "adwaita-icon-theme"
    "papirus-icon-theme"
    "bibata-cursors"
    "adw-gtk3"
    "gnome-themes-extra"
    "qt6ct"
    "libsForQt5"
    "inter"
    "noto-fonts"
    "noto-fonts-cjk-sans"
    "noto-fonts-color-emoji"
    "noto-fonts-emoji"
    "fira-code"
    "jetbrains-mono"
    "font-awesome"
    "material-symbols"
    "libreoffice"
    "libreoffice-fresh"
    "obsidian"
    "thunderbird"
    "firefox"
    "chromium"
    "google-chrome"
    "brave"
    "discord"
    "vesktop"
    "signal-desktop"
    "telegram-desktop"
    "spotify"
    "obs-studio"
    "gimp"
    "inkscape"
    "krita"
    "blender"
    "kdenlive"
    "shotwell"
    "qbittorrent"
    "transmission_4-gtk"
    "localsend"
    "gnome-boxes"
    "flatpak"
    "ghostty"
    "alacritty"
    "kitty"
    "foot"
    "wezterm"
    # terminal / dev
    "fish"
    "zsh"
    "starship"
    "neovim"
    "vim"
    "helix"
    "tmux"
    "zellij"
    "direnv"
    "nix-direnv"
    "gh"
    "lazygit"
    "delta"
    "difftastic"
    "just"
    "gnumake"
    "cmake"
    "meson"
    "ninja"
    "pkg-config"
    "gcc"
    "clang"
    "llvm"
    "lldb"
    "mold"
    "rustup"
    "cargo"
    "rustc"
    "rust-analyzer"
    "clippy"
    "rustfmt"
    "cargo-nextest"
    "cargo-watch"
    "cargo-edit"
    "go"
    "gopls"
    "zig"
    "zls"
    "nodejs"
    "nodejs_22"
    "bun"
    "deno"
    "pnpm"
    "yarn"
    "python3"
    "python312"
    "uv"
    "pipx"
    "dotnet-sdk"
    "dotnet-sdk_8"
    "dotnet-sdk_9"
    "omnisharp-roslyn"
    "csharp-ls"
    "qt6"
    "kdePackages"
    "qtcreator"
    "nil"
    "nixd"
    "nixpkgs-fmt"
    "nixfmt-rfc-style"
    "nixfmt"
    "deadnix"
    "statix"
    "alejandra"
    "nix-tree"
    "nix-output-monitor"
    "nvd"
    "nh"
    "cachix"
    "docker"
    "docker-compose"
    "podman"
    "podman-compose"
    "podman-desktop"
    "buildah"
    "skopeo"
    "distrobox"
    "vscode"
    "vscodium"
    "zed-editor"
    "jetbrains-toolbox"
    "shellcheck"
    "shfmt"
    "hyperfine"
    "tokei"
    "devenv"
    "android-tools"
    "sqlite"
    "httpie"
    "xh"
    "websocat"
    "mkcert"
    "openssl"
    "age"
    "sops"
    "ssh-to-age"
    "agenix"
    "ragenix"
    "yubikey-manager"
    "pinentry-gnome3"
    "keepassxc"
    "bitwarden"
    "bitwarden-cli"
    "_1password-gui"
    "_1password-cli"
    "clamav"
    "lynis"
    "vulnix"
    "firejail"
    "apparmor-utils"
    # graphics
    "mesa"
    "mesa-demos"
    "vulkan-tools"
    "vulkan-loader"
    "vulkan-validation-layers"
    "libva"
    "libva-utils"
    "libvdpau-va-gl"
    "vdpauinfo"
    "intel-media-driver"
    "intel-vaapi-driver"
    "vpl-gpu-rt"
    "intel-compute-runtime"
    "intel-gpu-tools"
    "nvtopPackages"
    "radeontop"
    "amdgpu_top"
    "lact"
    "corectrl"
    "renderdoc"
    "clinfo"
    "glxinfo"
    "nvidia-vaapi-driver"
    "egl-wayland"
    "rocmPackages"
    "cudaPackages"
    "driversi686Linux"
    # gaming / VR
    "steam"
    "steam-run"
    "gamemode"
    "gamescope"
    "mangohud"
    "protonup-qt"
    "protonup"
    "proton-ge-bin"
    "lutris"
    "heroic"
    "bottles"
    "wine"
    "winetricks"
    "prismlauncher"
    "wivrn"
    "alvr"
    "monado"
    "opencomposite"
    "xrizer"
    "wlx-overlay-s"
    "wayvr-dashboard"
    "motoc"
    "sidequest"
    "android-udev-rules"
    "steam-devices-udev-rules"
    # virtualisation
    "qemu"
    "qemu_kvm"
    "libvirt"
    "virt-manager"
    "virt-viewer"
    "spice-gtk"
    "OVMF"
    "OVMFFull"
    "swtpm"
    "virtiofsd"
    "looking-glass-client"
    "quickemu"
    # ai
    "ollama"
    "ollama-rocm"
    "ollama-cuda"
    "ollama-vulkan"
    "opencode"
    "claude-code"
    "gemini-cli"
    "github-copilot-cli"
    "copilot-cli"
    "spec-kit"
    "backlog-md"
    "claude-monitor"
    "whisper-cpp"
    "llama-cpp"
    "open-webui"
    "aider-chat"
    "mcp-nixos"
    "github-mcp-server"
    "nodePackages"
    # linux kernel packages sets (see below for nested content)
  ];

  kernelPackages = kname: {
    kernel = mkFakeWith { name = "linux-${kname}"; version = "6.12.0"; features = { }; };
    nvidiaPackages = lib.genAttrs [ "stable" "beta" "production" "latest" "legacy_470" "legacy_535" "vulkan_beta" "dc" ]
      (v: mkFakeWith { name = "nvidia-x11-${v}-${kname}"; version = v; open = mkFake "nvidia-open-${v}"; settings = mkFake "nvidia-settings-${v}"; persistenced = mkFake "nvidia-persistenced-${v}"; });
    nvidia_x11 = mkFake "nvidia-x11-${kname}";
    v4l2loopback = mkFake "v4l2loopback-${kname}";
    xone = mkFake "xone-${kname}";
    xpadneo = mkFake "xpadneo-${kname}";
    zenpower = mkFake "zenpower-${kname}";
    it87 = mkFake "it87-${kname}";
    nct6687d = mkFake "nct6687d-${kname}";
    acpi_call = mkFake "acpi_call-${kname}";
    system76 = mkFake "system76-${kname}";
    system76-io = mkFake "system76-io-${kname}";
    system76-acpi = mkFake "system76-acpi-${kname}";
    amdgpu-pro = mkFake "amdgpu-pro-${kname}";
    isStubKernelPackages = true;
  };

  pythonPackages = fakeSet "python3-" [
    "pip"
    "requests"
    "ollama"
    "numpy"
    "pyyaml"
    "toml"
    "pytest"
    "black"
    "ruff"
    "mypy"
    "httpx"
    "aiohttp"
    "setuptools"
    "wheel"
    "virtualenv"
    "ipython"
    "rich"
    "click"
    "pydantic"
    "fastapi"
    "uvicorn"
    "mcp"
  ];

  base = lib.genAttrs names mkFake // {
    inherit lib;
    path = "/nix/store/${fakeHash "nixpkgs"}-nixpkgs-stub";
    system = "x86_64-linux";
    stdenv = rec {
      hostPlatform = {
        system = "x86_64-linux";
        isLinux = true;
        isDarwin = false;
        isx86_64 = true;
        isAarch64 = false;
        linuxArch = "x86_64";
        parsed.cpu.name = "x86_64";
      };
      buildPlatform = hostPlatform;
      targetPlatform = hostPlatform;
      isLinux = true;
      isDarwin = false;
      isx86_64 = true;
      isAarch64 = false;
      system = "x86_64-linux";
      cc = mkFake "gcc-wrapper";
      shell = "/nix/store/${fakeHash "bash"}-bash/bin/bash";
      mkDerivation = mkDerivationStub;
    };
    stdenvNoCC = base.stdenv;
    config = { allowUnfree = true; cudaSupport = false; rocmSupport = false; };
    formats = {
      json = mkFormat "json" builtins.toJSON;
      yaml = mkFormat "yaml" builtins.toJSON;
      yaml_1_1 = mkFormat "yaml" builtins.toJSON;
      toml = mkFormat "toml" (_: null);
      ini = mkFormat "ini" (v: lib.generators.toINI { } v);
      iniWithGlobalSection = mkFormat "ini" (_: null);
      keyValue = mkFormat "keyValue" (v: lib.generators.toKeyValue { } v);
      systemd = mkFormat "systemd" (_: null);
      elixirConf = mkFormat "elixir" (_: null);
      lua = mkFormat "lua" (_: null);
      nixConf = mkFormat "nixConf" (_: null);
    };

    # trivial builders: each keeps its arguments
    writeText = name: text: mkFakeWith { inherit name text; builder = "writeText"; };
    writeTextDir = path: text: mkFakeWith { name = baseNameOf path; inherit path text; builder = "writeTextDir"; };
    writeTextFile = args: mkFakeWith (args // { builder = "writeTextFile"; });
    writeScript = name: text: mkFakeWith { inherit name text; builder = "writeScript"; };
    writeScriptBin = name: text: mkFakeWith { inherit name text; mainProgram = name; builder = "writeScriptBin"; };
    writeShellScript = name: text: mkFakeWith { inherit name text; builder = "writeShellScript"; };
    writeShellScriptBin = name: text: mkFakeWith { inherit name text; mainProgram = name; builder = "writeShellScriptBin"; };
    writeShellApplication = args: mkFakeWith (args // { mainProgram = args.name; builder = "writeShellApplication"; });
    writeClosure = paths: mkFakeWith { name = "closure"; inherit paths; };
    writers = lib.genAttrs [ "writeBash" "writeBashBin" "writePython3" "writePython3Bin" "writeFish" "writeFishBin" "writeDash" "writeDashBin" "writeJSON" "writeTOML" "writeYAML" ]
      (w: name: a: b: mkFakeWith ({ inherit name; writer = w; } // (if builtins.isAttrs a then { args = a; text = b; } else { text = a; })));
    # env attributes are also on the result (as on a real derivation), and
    # passthru is merged in like nixpkgs does
    runCommand = name: env: buildCommand: mkFakeWith (env // { inherit name env buildCommand; builder = "runCommand"; });
    runCommandLocal = name: env: buildCommand: mkFakeWith (env // { inherit name env buildCommand; builder = "runCommandLocal"; });
    runCommandNoCC = base.runCommand;
    runCommandCC = base.runCommand;
    symlinkJoin = args: mkFakeWith (args // { builder = "symlinkJoin"; });
    buildEnv = args: mkFakeWith (args // { builder = "buildEnv"; });
    linkFarm = name: entries: mkFakeWith { inherit name entries; builder = "linkFarm"; };
    linkFarmFromDrvs = name: drvs: mkFakeWith { inherit name drvs; builder = "linkFarm"; };
    # (its `type`, the desktop entry's Type, is kept as `desktopType`: a
    # package's `type` is "derivation")
    makeDesktopItem = args: mkFakeWith (removeAttrs args [ "type" ] // { name = "${args.name}.desktop"; desktopName = args.desktopName or args.name; desktopType = args.type or "Application"; builder = "makeDesktopItem"; });
    makeWrapper = mkFake "make-wrapper-hook";
    makeBinaryWrapper = mkFake "make-binary-wrapper-hook";
    replaceVars = src: vars: mkFakeWith { name = baseNameOf (toString src); inherit src vars; builder = "replaceVars"; };
    substituteAll = args: mkFakeWith (args // { name = args.name or (baseNameOf (toString args.src)); builder = "substituteAll"; });
    fetchurl = args: mkFakeWith (args // { name = args.name or (baseNameOf (args.url or "fetchurl")); builder = "fetchurl"; });
    fetchzip = args: mkFakeWith (args // { name = args.name or "source"; builder = "fetchzip"; });
    fetchFromGitHub = args: mkFakeWith (args // { name = args.name or "source"; builder = "fetchFromGitHub"; });
    callPackage = fn: args: mkFakeWith {
      name = lib.removeSuffix ".nix" (baseNameOf (toString fn));
      callPackageArgs = args;
      builder = "callPackage";
    };
    rustPlatform = {
      buildRustPackage = mkDerivationStub;
      rustLibSrc = mkFake "rust-lib-src";
    };
    mkShell = args: mkFakeWith (args // { name = args.name or "nix-shell"; builder = "mkShell"; });
    mkShellNoCC = base.mkShell;
    buildGoModule = mkDerivationStub;
    buildNpmPackage = mkDerivationStub;
    python3Packages = pythonPackages // { buildPythonApplication = mkDerivationStub; buildPythonPackage = mkDerivationStub; };
    python3 = mkFakeWith {
      name = "python3";
      version = "3.12.0";
      pkgs = pythonPackages;
      withPackages = f: mkFakeWith { name = "python3-env"; packages = f pythonPackages; };
    };
    kdePackages = fakeSet "kde-" [ "qtbase" "qtdeclarative" "qtwayland" "qtsvg" "qt5compat" "qtmultimedia" "qttools" "qtpositioning" "kate" "dolphin" "okular" "gwenview" "ark" "breeze" "breeze-icons" "kirigami" "qqc2-desktop-style" "polkit-kde-agent-1" "qtshadertools" "qtimageformats" ];
    qt6 = fakeSet "qt6-" [ "qtbase" "qtdeclarative" "qtwayland" "qtsvg" "qt5compat" "qtmultimedia" "qttools" "qmake" "wrapQtAppsHook" "full" ] // { full = mkFake "qt6-full"; };
    gnomeExtensions = fakeSet "gnome-extension-" [ "appindicator" "dash-to-dock" "blur-my-shell" "caffeine" ];
    gnome = fakeSet "gnome-" [ "gnome-keyring" "gvfs" "nautilus" "adwaita-icon-theme" "gnome-settings-daemon" ];
    nerd-fonts = fakeSet "nerd-fonts-" [ "fira-code" "jetbrains-mono" "symbols-only" "hack" "iosevka" "caskaydia-cove" "noto" "ubuntu-mono" "meslo-lg" ];
    nodePackages = fakeSet "node-" [ "npm" "typescript" "typescript-language-server" "prettier" "pnpm" ];
    rocmPackages = fakeSet "rocm-" [ "clr" "rocm-smi" "rocminfo" "rocm-runtime" "hipcc" "rocblas" ];
    cudaPackages = fakeSet "cuda-" [ "cudatoolkit" "cudnn" "cuda_nvcc" ];
    nvtopPackages = fakeSet "nvtop-" [ "full" "amd" "nvidia" "intel" ];
    driversi686Linux = fakeSet "i686-" [ "mesa" "amdvlk" "libva" "intel-media-driver" ];
    libsForQt5 = fakeSet "qt5-" [ "qtstyleplugin-kvantum" "qt5ct" "qtwayland" ];
    vscode-extensions = {
      rust-lang.rust-analyzer = mkFake "vscode-ext-rust-analyzer";
      jnoortheen.nix-ide = mkFake "vscode-ext-nix-ide";
      ms-python.python = mkFake "vscode-ext-python";
    };
    linuxPackages = kernelPackages "default";
    linuxPackages_latest = kernelPackages "latest";
    linuxPackages_zen = kernelPackages "zen";
    linuxPackages_xanmod_latest = kernelPackages "xanmod";
    linuxPackages_6_12 = kernelPackages "6.12";
    linuxPackagesFor = kernel: kernelPackages (kernel.name or "custom");
    linuxKernel = { packages = { linux_6_12 = kernelPackages "6.12"; linux_latest = kernelPackages "latest"; }; };
  };

  mkDerivationStub = argsOrFn:
    let args = if builtins.isFunction argsOrFn then argsOrFn { } else argsOrFn;
    in mkFakeWith (args // { builder = args.builder or "mkDerivation"; });

  # tests/nix/stubs/pkgs/*.nix
  extraFiles = lib.optionals (builtins.pathExists extraDir)
    (map (f: extraDir + "/${f}")
      (builtins.filter (f: lib.hasSuffix ".nix" f)
        (builtins.attrNames (builtins.readDir extraDir))));
  fromFile = file:
    let v = import file;
    in
    if builtins.isList v then
      lib.foldl' update { } (map (n: lib.setAttrByPath (lib.splitString "." n) (mkFake (lib.last (lib.splitString "." n)))) v)
    else if builtins.isFunction v then v { inherit lib mkFake mkFakeWith; }
    else v;

  isDrv = v: builtins.isAttrs v && (v.type or null) == "derivation";
  update = lib.recursiveUpdateUntil (_path: l: r: !(builtins.isAttrs l && builtins.isAttrs r) || isDrv l || isDrv r);
  pkgs = lib.foldl' (acc: f: update acc (fromFile f)) base extraFiles
    // { inherit mkFake mkFakeWith; };
in
pkgs
