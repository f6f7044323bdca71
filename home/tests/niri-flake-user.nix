# A user module in the shape of those written for the original axiOS, whose desktop used
# niri-flake's `programs.niri.settings`: every part of niri-flake's schema axiOS maps.
# Evaluated by tests/nix/cases/compat-home.nix (exact KDL) and home/tests/run (the
# resulting config.kdl parsed with a real KDL parser).
{ config, ... }: {
  programs.niri.settings = {
    spawn-at-startup = [{ argv = [ "waybar" ]; } { sh = "echo $NIRI_SOCKET > ~/.niri-socket"; }];
    binds = with config.lib.niri.actions; {
      "Mod+T".action.spawn = "foot";
      "Mod+D".action = spawn "fuzzel" "--list";
      "Mod+1".action.focus-workspace = 1;
      "Mod+Shift+E".action.quit.skip-confirmation = true;
      "Mod+Ctrl+1".action.move-window-to-workspace = [{ focus = false; } "chat"];
      "XF86AudioMute" = { action.spawn = [ "wpctl" "set-mute" "@DEFAULT_AUDIO_SINK@" "toggle" ]; allow-when-locked = true; };
      "Mod+WheelScrollDown" = { action = focus-workspace-down; cooldown-ms = 150; };
      "Mod+Z" = { action.toggle-overview = [ ]; repeat = false; hotkey-overlay.title = "Overview"; };
      "Mod+Alt+Z" = { action.close-window = [ ]; hotkey-overlay.hidden = true; };
      "Mod+Q".action.close-window = [ ];
      "Mod+O" = null;
    };
    window-rules = [
      {
        matches = [{ app-id = "^org\\.gnome\\.Calculator$"; } { title = "Picture-in-Picture"; is-floating = true; }];
        excludes = [{ title = "Preferences"; }];
        open-floating = true;
        opacity = 0.95;
        default-column-width = { proportion = 0.25; };
        geometry-corner-radius = { top-left = 12.0; top-right = 12.0; bottom-right = 8.0; bottom-left = 8.0; };
        clip-to-geometry = true;
        block-out-from = "screencast";
        border = { enable = true; width = 2; active.color = "#ff8800"; };
      }
    ];
    layer-rules = [{ matches = [{ namespace = "^notifications$"; }]; block-out-from = "screen-capture"; }];
    outputs = {
      "DP-1" = { mode = { width = 2560; height = 1440; refresh = 143.912; }; scale = 1.25; position = { x = 0; y = 0; }; transform.rotation = 90; variable-refresh-rate = true; };
      "eDP-1" = { mode = { width = 1920; height = 1200; }; transform = { rotation = 0; flipped = true; }; variable-refresh-rate = "on-demand"; focus-at-startup = true; };
      "HDMI-A-1".enable = false;
    };
    input = {
      keyboard = { xkb = { layout = "us,de"; variant = "colemak,"; options = "ctrl:nocaps,grp:alt_shift_toggle"; }; repeat-delay = 300; repeat-rate = 40; numlock = true; };
      touchpad = { tap = false; natural-scroll = false; accel-profile = "flat"; click-method = "clickfinger"; tap-button-map = "left-right-middle"; };
      mouse = { accel-speed = 0.3; natural-scroll = true; };
      focus-follows-mouse = { enable = true; max-scroll-amount = "90%"; };
      warp-mouse-to-focus.enable = true;
      workspace-auto-back-and-forth = true;
      tablet = { map-to-output = "eDP-1"; left-handed = true; };
      touch.enable = false;
    };
    layout = {
      gaps = 6;
      default-column-width = { proportion = 0.75; };
      preset-column-widths = [{ proportion = 0.5; } { fixed = 1280; }];
      focus-ring = { width = 3; active.color = "#33ccff"; inactive.gradient = { from = "#505050"; to = "#303030"; angle = 45; relative-to = "workspace-view"; }; };
      border.enable = false;
      struts = { left = 24; right = 24; };
      center-focused-column = "on-overflow";
    };
    environment = { DISPLAY = ":0"; QT_QPA_PLATFORM = "wayland"; };
    prefer-no-csd = false;
    cursor = { theme = "Adwaita"; size = 32; hide-when-typing = true; };
    hotkey-overlay.skip-at-startup = false;
    screenshot-path = "~/Pictures/Screenshots/%Y-%m-%d_%H-%M-%S.png";
    workspaces = { "01-chat" = { name = "chat"; open-on-output = "DP-1"; }; "02-web" = { }; };
    switch-events.lid-close.action.spawn = [ "systemctl" "suspend" ];
    gestures = { hot-corners.enable = false; dnd-edge-view-scroll = { trigger-width = 30; max-speed = 1500; }; };
  };
}
