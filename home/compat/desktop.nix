# Desktop option paths of the original (Nix-only) axiOS home modules, so that a user
# module written for it keeps evaluating unchanged. Imported by home/desktop.
#
#   axios.pwa.enable               renamed: axios.desktop.pwa.enable
#   axios.pwa.extraApps / iconPath forwarded to axios.desktop.pwa.apps (icons looked up as
#                                  <iconPath>/<icon>.png), with a warning naming the new path
#   axios.pwa.includeDefaults      false clears the profile's preset apps
#                                  (axios.desktop.pwa.presets), with a warning
#   axios.wallpapers.enable        renamed: axios.desktop.wallpaper.collection.enable
#   axios.wallpapers.autoUpdate    accepted, warns: axiOS keeps the wallpaper the user chose
#   axios.theming.useAxiosTemplates accepted, warns when true: DankMaterialShell manages the
#                                  matugen templates, there is no axiOS template mode
{ config, lib, ... }:
let
  inherit (lib) mkOption types literalExpression mkIf;
  inherit (import ./lib.nix { inherit lib; }) renamed;
  cfg = config.axios.pwa;

  actionType = types.submodule {
    options = {
      name = mkOption { type = types.str; description = "Action name shown in the launcher."; example = "New message"; };
      url = mkOption { type = types.str; description = "Address the action opens."; example = "https://messages.google.com/web/conversations/new"; };
    };
  };

  appType = types.submodule {
    options = {
      name = mkOption { type = types.str; description = "Name shown in the launcher."; example = "Immich"; };
      url = mkOption { type = types.str; description = "http:// or https:// address the app opens."; example = "https://photos.example.com"; };
      icon = mkOption {
        type = types.str;
        description = "Icon: `<iconPath>/<icon>.png` when that file exists, otherwise a freedesktop icon name.";
        example = "immich";
      };
      categories = mkOption { type = types.listOf types.str; default = [ "Network" ]; description = "Desktop entry categories."; example = [ "Graphics" "Photography" ]; };
      mimeTypes = mkOption { type = types.listOf types.str; default = [ ]; description = "MIME types the app handles."; example = [ "x-scheme-handler/mailto" ]; };
      actions = mkOption {
        type = types.attrsOf actionType;
        default = { };
        description = "Desktop entry actions of the original axiOS. axiOS's entries have none: they are ignored with a warning.";
        example = literalExpression ''{ new = { name = "New"; url = "https://photos.example.com/upload"; }; }'';
      };
    };
  };

  icon = app:
    let file = cfg.iconPath + "/${app.icon}.png"; in
    if cfg.iconPath != null && builtins.pathExists file then file else app.icon;

  withActions = lib.attrNames (lib.filterAttrs (_: a: a.actions != { }) cfg.extraApps);
in
{
  imports = [
    (renamed [ "axios" "pwa" "enable" ] [ "axios" "desktop" "pwa" "enable" ] true)
    (renamed [ "axios" "wallpapers" "enable" ] [ "axios" "desktop" "wallpaper" "collection" "enable" ] true)
  ];

  options.axios = {
    pwa = {
      includeDefaults = mkOption {
        type = types.nullOr types.bool;
        default = null;
        description = "Original axiOS option: `false` installs only your own apps (clears `axios.desktop.pwa.presets` set by the profile). Use `axios.desktop.pwa.presets` instead.";
        example = false;
      };
      iconPath = mkOption {
        type = types.nullOr types.path;
        default = null;
        description = "Original axiOS option: directory holding `<icon>.png` for the apps of `axios.pwa.extraApps`.";
        example = literalExpression "./pwa-icons";
      };
      extraApps = mkOption {
        type = types.attrsOf appType;
        default = { };
        description = "Original axiOS option: extra web apps, forwarded to `axios.desktop.pwa.apps`.";
        example = literalExpression ''{ immich = { name = "Immich"; url = "https://photos.example.com"; icon = "immich"; categories = [ "Graphics" ]; }; }'';
      };
    };

    wallpapers.autoUpdate = mkOption {
      type = types.nullOr types.bool;
      default = null;
      description = "Original axiOS option (a random wallpaper whenever the collection changed). axiOS keeps the wallpaper you chose (`axios-wallpaper set`), so this has no effect and warns.";
      example = false;
    };

    theming.useAxiosTemplates = mkOption {
      type = types.bool;
      default = false;
      description = "Original axiOS option (axiOS-managed matugen templates). DankMaterialShell manages the templates; `true` has no effect and warns.";
      example = true;
    };
  };

  config = {
    axios.desktop.pwa.apps = lib.mapAttrs
      (_: app: {
        inherit (app) name url categories mimeTypes;
        icon = icon app;
      })
      cfg.extraApps;

    axios.desktop.pwa.presets = mkIf (cfg.includeDefaults == false) (lib.mkOverride 900 [ ]);

    warnings =
      lib.optional (cfg.extraApps != { }) "axios.pwa.extraApps is from the original axiOS: its apps are now axios.desktop.pwa.apps.<id> (icon = a path or an icon name); please move them there."
      ++ lib.optional (cfg.iconPath != null && cfg.extraApps == { }) "axios.pwa.iconPath is from the original axiOS and only used by axios.pwa.extraApps; give axios.desktop.pwa.apps.<id>.icon a path instead."
      ++ lib.optional (withActions != [ ]) "axios.pwa.extraApps: desktop entry actions are not supported by axiOS and were left out (${lib.concatStringsSep ", " withActions})."
      ++ lib.optional (cfg.includeDefaults != null) "axios.pwa.includeDefaults is from the original axiOS: choose the ready-made apps with axios.desktop.pwa.presets instead."
      ++ lib.optional (config.axios.wallpapers.autoUpdate != null) "axios.wallpapers.autoUpdate has no effect: axiOS keeps the wallpaper you chose (axios-wallpaper set FILE | random) and starts with axios.desktop.wallpaper.image."
      ++ lib.optional config.axios.theming.useAxiosTemplates "axios.theming.useAxiosTemplates has no effect: DankMaterialShell manages the matugen templates in axiOS.";
  };
}
