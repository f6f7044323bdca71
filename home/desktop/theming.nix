# Theme coordination: one colour scheme, GTK theme, icon theme, cursor and fonts applied to
# GTK 3/4 (gtk + dconf), Qt (platform theme), the XCursor settings and niri's cursor.
# DankMaterialShell's dynamic theming (matugen) can recolour on top of this at runtime.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkEnableOption mkIf mkDefault types literalExpression;

  cfg = config.axios.desktop.theming;
  dark = cfg.colorScheme == "dark";

  namedPackage = what: defName: defPackage: defPackageText: {
    name = mkOption {
      type = types.str;
      default = defName;
      description = "Name of the ${what}.";
      example = "Adwaita";
    };
    package = mkOption {
      type = types.nullOr types.package;
      default = defPackage;
      defaultText = literalExpression defPackageText;
      description = "Package providing the ${what}; `null` when it is already installed.";
      example = literalExpression "pkgs.adwaita-icon-theme";
    };
  };

  fontOption = what: defName: defPackage: defPackageText: defSize:
    namedPackage "${what} font" defName defPackage defPackageText // {
      size = mkOption {
        type = types.ints.between 6 72;
        default = defSize;
        description = "Size of the ${what} font in points.";
        example = 12;
      };
    };
in
{
  options.axios.desktop.theming = {
    enable = mkEnableOption "axiOS theme coordination (GTK, Qt, cursor, fonts)" // {
      default = config.axios.desktop.enable;
      defaultText = literalExpression "config.axios.desktop.enable";
    };

    colorScheme = mkOption {
      type = types.enum [ "dark" "light" ];
      default = "dark";
      description = "Preferred colour scheme, exported to GTK, libadwaita and portals (`org.gnome.desktop.interface color-scheme`).";
      example = "light";
    };

    gtkTheme = namedPackage "GTK theme" "adw-gtk3-dark" pkgs.adw-gtk3 "pkgs.adw-gtk3";
    iconTheme = namedPackage "icon theme" "Papirus-Dark" pkgs.papirus-icon-theme "pkgs.papirus-icon-theme";
    cursor = namedPackage "cursor theme" "Bibata-Modern-Classic" pkgs.bibata-cursors "pkgs.bibata-cursors" // {
      package = mkOption {
        type = types.package;
        default = pkgs.bibata-cursors;
        defaultText = literalExpression "pkgs.bibata-cursors";
        description = "Package providing the cursor theme (home-manager links it into ~/.icons).";
        example = literalExpression "pkgs.adwaita-icon-theme";
      };
      size = mkOption {
        type = types.ints.between 8 256;
        default = 24;
        description = "Cursor size in pixels.";
        example = 32;
      };
    };

    fonts = {
      sansSerif = fontOption "interface" "Inter" pkgs.inter "pkgs.inter" 11;
      monospace = fontOption "monospace" "JetBrainsMono Nerd Font" pkgs.nerd-fonts.jetbrains-mono "pkgs.nerd-fonts.jetbrains-mono" 11;
    };

    qtPlatformTheme = mkOption {
      type = types.enum [ "gtk3" "adwaita" "qtct" ];
      default = "gtk3";
      description = "Qt platform theme (`qtct` lets DMS/matugen recolour Qt apps through qt6ct).";
      example = "qtct";
    };
  };

  config = mkIf cfg.enable {
    assertions = [{
      assertion = !(lib.hasSuffix "-dark" cfg.gtkTheme.name) || dark;
      message = "axios.desktop.theming: gtkTheme.name = \"${cfg.gtkTheme.name}\" is a dark theme but colorScheme = \"light\"; use the light variant (e.g. \"adw-gtk3\") or set colorScheme = \"dark\".";
    }];

    home.packages = lib.filter (p: p != null) [
      cfg.fonts.sansSerif.package
      cfg.fonts.monospace.package
    ];

    fonts.fontconfig.enable = true;

    gtk = {
      enable = true;
      theme = { inherit (cfg.gtkTheme) name package; };
      iconTheme = { inherit (cfg.iconTheme) name package; };
      font = { inherit (cfg.fonts.sansSerif) name package size; };
    };

    home.pointerCursor = {
      enable = true;
      inherit (cfg.cursor) name package size;
      gtk.enable = true;
      x11.enable = true;
    };

    dconf.settings."org/gnome/desktop/interface" = {
      color-scheme = if dark then "prefer-dark" else "default";
      gtk-theme = cfg.gtkTheme.name;
      icon-theme = cfg.iconTheme.name;
      cursor-theme = cfg.cursor.name;
      cursor-size = cfg.cursor.size;
      font-name = "${cfg.fonts.sansSerif.name} ${toString cfg.fonts.sansSerif.size}";
      monospace-font-name = "${cfg.fonts.monospace.name} ${toString cfg.fonts.monospace.size}";
    };

    qt = {
      enable = true;
      platformTheme.name = cfg.qtPlatformTheme;
    };

    axios.desktop.niri.cursor = {
      theme = mkDefault cfg.cursor.name;
      size = mkDefault cfg.cursor.size;
    };
  };
}
