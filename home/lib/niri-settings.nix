# niri-flake's `programs.niri.settings` schema rendered to KDL nodes (the node shape of
# ./kdl.nix), and the merge of those nodes into axiOS's own config.kdl document.
#
# The original axiOS configured niri through niri-flake's home-manager module, so user
# modules written for it set `programs.niri.settings.*`. home/desktop/niri-settings.nix
# declares that option when niri-flake's module is absent and renders it here.
#
# Only what the user SET is rendered (niri-flake renders every default; axiOS keeps its
# own defaults instead), then merged: a section (`input`, `layout`, `output "DP-1"`,
# `binds`, ...) merges child by child, a leaf or a bind replaces axiOS's node of the same
# name, `spawn-at-startup` and rules are added, and `false` drops axiOS's flag. Every key
# is checked: an unknown key or a value of the wrong type throws an error naming it.
{ lib }:
let
  inherit (lib) concatStringsSep concatMap mapAttrsToList attrNames isAttrs isList isString isBool isInt isFloat elem filter;
  kdl = import ./kdl.nix { inherit lib; };

  showPath = path: concatStringsSep "." ([ "programs.niri.settings" ] ++ path);
  fail = path: msg: throw "${showPath path}: ${msg}";

  typeName = v: if isAttrs v then "an attribute set" else if isList v then "a list" else builtins.typeOf v;

  # --- checked accessors ----------------------------------------------------------------
  known = path: allowed: attrs:
    if !isAttrs attrs then fail path "expected an attribute set, got ${typeName attrs}"
    else
      let unknown = filter (k: !elem k allowed) (attrNames attrs);
      in if unknown == [ ] then attrs
      else
        fail (path ++ [ (builtins.head unknown) ])
          "unknown setting (axiOS renders niri-flake's settings itself and knows: ${concatStringsSep ", " allowed}). Fix the name, or write raw KDL in axios.desktop.niri.extraConfig.";

  check = what: pred: path: v: if pred v then v else fail path "expected ${what}, got ${typeName v} (${builtins.toJSON v})";
  bool = check "a boolean" isBool;
  str = check "a string" isString;
  int = check "an integer" isInt;
  num = check "a number" (v: isInt v || isFloat v);
  scalar = check "a string, number or boolean" (v: isString v || isInt v || isFloat v || isBool v);
  oneOf = values: check "one of ${builtins.toJSON values}" (v: elem v values);

  # node constructors; `remove` drops axiOS's node of that name, `replace` replaces it whole
  node = name: args: props: children: { inherit name args props children; };
  leaf = name: v: { inherit name; args = [ v ]; };
  flag = name: { inherit name; };
  remove = name: { inherit name; remove = true; };
  # a boolean flag: `true` writes it, `false` removes axiOS's
  flagOf = path: name: v: if bool path v then flag name else remove name;

  # `attrs.${k}` rendered with `f` when present
  opt = attrs: k: f: lib.optionals (attrs ? ${k} && attrs.${k} != null) (f attrs.${k});
  optLeaf = attrs: path: k: checker: opt attrs k (v: [ (leaf k (checker (path ++ [ k ]) v)) ]);
  optFlag = attrs: path: k: opt attrs k (v: [ (flagOf (path ++ [ k ]) k v) ]);

  # `enable = false` -> `name { off }` replacing axiOS's; otherwise the children, and
  # axiOS's `off` (if any) goes away
  toggle = attrs: path: children:
    if attrs ? enable && !(bool (path ++ [ "enable" ]) attrs.enable) then { replace = true; children = [ (flag "off") ]; }
    else { children = lib.optional (attrs ? enable) (remove "off") ++ children; };
  section = name: attrs: path: children:
    let t = toggle attrs path children; in
    { inherit name; inherit (t) children; } // lib.optionalAttrs (t ? replace) { replace = true; };

  # --- shared pieces ----------------------------------------------------------------------
  # { color = "#fff"; } or { gradient = { from; to; angle; relative-to; in'; }; }
  decoration = path: kind: v:
    let d = known path [ "color" "gradient" ] v; in
    # one form replaces axiOS's other form (a gradient would hide a colour)
    lib.optional (d ? color && !(d ? gradient)) (remove "${kind}-gradient")
    ++ lib.optional (d ? gradient && !(d ? color)) (remove "${kind}-color")
    ++ opt d "color" (c: [ (leaf "${kind}-color" (str (path ++ [ "color" ]) c)) ])
    ++ opt d "gradient" (g:
      let gp = path ++ [ "gradient" ]; gr = known gp [ "from" "to" "angle" "relative-to" "in'" ] g; in
      [ (node "${kind}-gradient" [ ] (lib.mapAttrs' (k: x: lib.nameValuePair (lib.removeSuffix "'" k) (scalar (gp ++ [ k ]) x)) (lib.filterAttrs (_: x: x != null) gr)) null) ]);

  decorations = attrs: path:
    concatMap (k: opt attrs k (decoration (path ++ [ k ]) k)) [ "active" "inactive" "urgent" ];

  # layout.focus-ring / layout.border
  borderish = name: path: v:
    let a = known path [ "enable" "width" "active" "inactive" "urgent" ] v; in
    section name a path (optLeaf a path "width" num ++ decorations a path);

  # window-rule / layer-rule border, focus-ring, shadow: `on` / `off` plus fields
  ruleToggle = attrs: path: lib.optionals (attrs ? enable && attrs.enable != null) [ (flag (if bool (path ++ [ "enable" ]) attrs.enable then "on" else "off")) ];

  xy = path: v: let a = known path [ "x" "y" ] v; in lib.mapAttrs (k: num (path ++ [ k ])) a;

  shadowFields = a: path:
    opt a "offset" (o: [ (node "offset" [ ] (xy (path ++ [ "offset" ]) o) null) ])
    ++ optLeaf a path "softness" num
    ++ optLeaf a path "spread" num
    ++ optLeaf a path "draw-behind-window" bool
    ++ optLeaf a path "color" str
    ++ optLeaf a path "inactive-color" str;
  shadowKeys = [ "enable" "offset" "softness" "spread" "draw-behind-window" "color" "inactive-color" ];

  # { proportion = 0.5; } | { fixed = 800; } | { }
  size = path: v:
    let a = known path [ "proportion" "fixed" ] v; in
    if builtins.length (attrNames a) > 1 then fail path "set one of `proportion` or `fixed`, not both"
    else mapAttrsToList (k: x: leaf k (num (path ++ [ k ]) x)) a;
  sizeList = path: v:
    if !isList v then fail path "expected a list of { proportion = ...; } or { fixed = ...; }, got ${typeName v}"
    else lib.concatLists (lib.imap0 (i: size (path ++ [ "[${toString i}]" ])) v);

  cornerRadius = path: v:
    let a = known path [ "top-left" "top-right" "bottom-right" "bottom-left" ] v; in
    map (k: if a ? ${k} then num (path ++ [ k ]) a.${k} else fail (path ++ [ k ]) "missing (niri-flake needs all four corners)")
      [ "top-left" "top-right" "bottom-right" "bottom-left" ];

  # --- input --------------------------------------------------------------------------------
  pointerFlags = [ "natural-scroll" "middle-emulation" "scroll-button-lock" "left-handed" ];
  pointerLeaves = { accel-speed = num; accel-profile = oneOf [ "adaptive" "flat" ]; scroll-button = int; scroll-method = oneOf [ "no-scroll" "two-finger" "edge" "on-button-down" ]; };
  device = extraFlags: extraLeaves: name: path: v:
    let
      leaves = pointerLeaves // extraLeaves;
      flags = pointerFlags ++ extraFlags;
      a = known path ([ "enable" ] ++ flags ++ attrNames leaves) v;
    in
    section name a path (
      concatMap (k: optFlag a path k) flags
      ++ concatMap (k: optLeaf a path k leaves.${k}) (attrNames leaves)
    );

  touchpad = device [ "tap" "dwt" "dwtp" "drag-lock" "disabled-on-external-mouse" ] {
    drag = bool;
    click-method = oneOf [ "button-areas" "clickfinger" ];
    tap-button-map = oneOf [ "left-right-middle" "left-middle-right" ];
    scroll-factor = num;
  };

  keyboard = path: v:
    let
      a = known path [ "xkb" "repeat-delay" "repeat-rate" "track-layout" "numlock" ] v;
      xkbPath = path ++ [ "xkb" ];
    in
    node "keyboard" [ ] { } (
      opt a "xkb"
        (x:
          let xa = known xkbPath [ "layout" "model" "rules" "variant" "options" "file" ] x; in
          [ (node "xkb" [ ] { } (concatMap (k: optLeaf xa xkbPath k str) [ "file" "layout" "model" "rules" "variant" "options" ])) ])
      ++ optLeaf a path "repeat-delay" int
      ++ optLeaf a path "repeat-rate" int
      ++ optLeaf a path "track-layout" (oneOf [ "global" "window" ])
      ++ optFlag a path "numlock"
    );

  # focus-follows-mouse / warp-mouse-to-focus: { enable; <prop>; }
  enableWithProp = name: prop: path: v:
    let a = known path [ "enable" prop ] v; in
    lib.optionals (a ? enable) (
      if bool (path ++ [ "enable" ]) a.enable
      then [ (node name [ ] (lib.optionalAttrs (a.${prop} or null != null) { ${prop} = str (path ++ [ prop ]) a.${prop}; }) null) ]
      else [ (remove name) ]
    );

  input = path: v:
    let
      a = known path [ "keyboard" "touchpad" "mouse" "trackpoint" "trackball" "tablet" "touch" "focus-follows-mouse" "warp-mouse-to-focus" "workspace-auto-back-and-forth" "power-key-handling" "mod-key" "mod-key-nested" ] v;
      # tablet / touch: { enable; map-to-output; left-handed (tablet); calibration-matrix (tablet); }
      absolute = name: extra: x:
        let dp = sub name; da = known dp ([ "enable" "map-to-output" ] ++ extra) x; in
        [
          (section name da dp (
            optLeaf da dp "map-to-output" str
            ++ lib.optionals (elem "left-handed" extra) (optFlag da dp "left-handed")
            ++ opt da "calibration-matrix" (m:
              if isList m && lib.all (e: isInt e || isFloat e) m then [{ name = "calibration-matrix"; args = m; }]
              else fail (dp ++ [ "calibration-matrix" ]) "expected a list of numbers")
          ))
        ];
      sub = k: path ++ [ k ];
    in
    node "input" [ ] { } (
      opt a "keyboard" (x: [ (keyboard (sub "keyboard") x) ])
      ++ opt a "touchpad" (x: [ (touchpad "touchpad" (sub "touchpad") x) ])
      ++ opt a "mouse" (x: [ (device [ ] { scroll-factor = num; } "mouse" (sub "mouse") x) ])
      ++ opt a "trackpoint" (x: [ (device [ ] { } "trackpoint" (sub "trackpoint") x) ])
      ++ opt a "trackball" (x: [ (device [ ] { } "trackball" (sub "trackball") x) ])
      ++ opt a "tablet" (absolute "tablet" [ "left-handed" "calibration-matrix" ])
      ++ opt a "touch" (absolute "touch" [ ])
      ++ opt a "focus-follows-mouse" (enableWithProp "focus-follows-mouse" "max-scroll-amount" (sub "focus-follows-mouse"))
      ++ opt a "warp-mouse-to-focus" (enableWithProp "warp-mouse-to-focus" "mode" (sub "warp-mouse-to-focus"))
      ++ optFlag a path "workspace-auto-back-and-forth"
      ++ opt a "power-key-handling" (x:
        let pa = known (sub "power-key-handling") [ "enable" ] x; in
        opt pa "enable" (e: [ (if bool (sub "power-key-handling" ++ [ "enable" ]) e then remove "disable-power-key-handling" else flag "disable-power-key-handling") ]))
      ++ optLeaf a path "mod-key" str
      ++ optLeaf a path "mod-key-nested" str
    );

  # --- outputs --------------------------------------------------------------------------------
  fmtNum = n: if isFloat n then kdl.value n else toString n;
  output = key: v:
    let
      path = [ "outputs" key ];
      a = known path [ "enable" "name" "mode" "scale" "position" "transform" "variable-refresh-rate" "focus-at-startup" "background-color" "backdrop-color" ] v;
      p = k: path ++ [ k ];
      mode = m:
        let ma = known (p "mode") [ "width" "height" "refresh" ] m; in
        "${toString (int (p "mode" ++ [ "width" ]) ma.width or (fail (p "mode" ++ [ "width" ]) "missing"))}x${toString (int (p "mode" ++ [ "height" ]) ma.height or (fail (p "mode" ++ [ "height" ]) "missing"))}"
        + lib.optionalString (ma.refresh or null != null) "@${fmtNum (num (p "mode" ++ [ "refresh" ]) ma.refresh)}";
      transform = t:
        let
          ta = known (p "transform") [ "rotation" "flipped" ] t;
          rotation = toString (oneOf [ 0 90 180 270 ] (p "transform" ++ [ "rotation" ]) (ta.rotation or 0));
          flipped = bool (p "transform" ++ [ "flipped" ]) (ta.flipped or false);
          basic = if flipped then "flipped-${rotation}" else rotation;
        in
          { "0" = "normal"; "flipped-0" = "flipped"; }.${basic} or basic;
      vrr = x:
        if x == false then [ (remove "variable-refresh-rate") ]
        else if x == true then [ (flag "variable-refresh-rate") ]
        else if x == "on-demand" then [ (node "variable-refresh-rate" [ ] { on-demand = true; } null) ]
        else fail (p "variable-refresh-rate") "expected false, true or \"on-demand\", got ${builtins.toJSON x}";
      t = toggle a path (
        optLeaf a path "backdrop-color" str
        ++ optLeaf a path "background-color" str
        ++ optLeaf a path "scale" num
        ++ optFlag a path "focus-at-startup"
        ++ opt a "transform" (x: [ (leaf "transform" (transform x)) ])
        ++ opt a "position" (x: [ (node "position" [ ] (xy (p "position") x) null) ])
        ++ opt a "mode" (x: [ (leaf "mode" (mode x)) ])
        ++ opt a "variable-refresh-rate" vrr
      );
    in
    { name = "output"; args = [ (if a ? name then str (p "name") a.name else key) ]; inherit (t) children; }
    // lib.optionalAttrs (t ? replace) { replace = true; };

  # --- layout ---------------------------------------------------------------------------------
  layout = path: v:
    let
      a = known path [
        "gaps"
        "struts"
        "focus-ring"
        "border"
        "shadow"
        "tab-indicator"
        "insert-hint"
        "background-color"
        "default-column-width"
        "preset-column-widths"
        "preset-window-heights"
        "center-focused-column"
        "always-center-single-column"
        "empty-workspace-above-first"
        "default-column-display"
      ]
        v;
      p = k: path ++ [ k ];
      tabIndicator = x:
        let
          ta = known (p "tab-indicator") ([ "enable" "hide-when-single-tab" "place-within-column" "gap" "width" "length" "position" "gaps-between-tabs" "corner-radius" "active" "inactive" "urgent" ]) x;
          tp = p "tab-indicator";
        in
        section "tab-indicator" ta tp (
          optFlag ta tp "hide-when-single-tab"
          ++ optFlag ta tp "place-within-column"
          ++ optLeaf ta tp "gap" num
          ++ optLeaf ta tp "width" num
          ++ opt ta "length" (l:
            let la = known (tp ++ [ "length" ]) [ "total-proportion" ] l; in
            [ (node "length" [ ] (lib.mapAttrs (k: num (tp ++ [ "length" k ])) la) null) ])
          ++ optLeaf ta tp "position" (oneOf [ "left" "right" "top" "bottom" ])
          ++ optLeaf ta tp "gaps-between-tabs" num
          ++ optLeaf ta tp "corner-radius" num
          ++ decorations ta tp
        );
      shadow = x:
        let sa = known (p "shadow") shadowKeys x; sp = p "shadow"; in
        node "shadow" [ ] { } (
          lib.optionals (sa ? enable) [ (if bool (sp ++ [ "enable" ]) sa.enable then flag "on" else remove "on") ]
          ++ shadowFields sa sp
        );
      insertHint = x:
        let ia = known (p "insert-hint") [ "enable" "display" ] x; ip = p "insert-hint"; in
        section "insert-hint" ia ip (opt ia "display" (d:
          let dd = decoration (ip ++ [ "display" ]) "x" d; in
          map (n: n // { name = lib.removePrefix "x-" n.name; }) dd));
    in
    node "layout" [ ] { } (
      optLeaf a path "gaps" num
      ++ opt a "struts" (s:
        let sa = known (p "struts") [ "left" "right" "top" "bottom" ] s; in
        [ (node "struts" [ ] { } (concatMap (k: optLeaf sa (p "struts") k num) [ "left" "right" "top" "bottom" ])) ])
      ++ opt a "focus-ring" (x: [ (borderish "focus-ring" (p "focus-ring") x) ])
      ++ opt a "border" (x: [ (borderish "border" (p "border") x) ])
      ++ opt a "shadow" (x: [ (shadow x) ])
      ++ opt a "tab-indicator" (x: [ (tabIndicator x) ])
      ++ opt a "insert-hint" (x: [ (insertHint x) ])
      ++ optLeaf a path "background-color" str
      ++ opt a "default-column-width" (x: [ (node "default-column-width" [ ] { } (size (p "default-column-width") x)) ])
      ++ opt a "preset-column-widths" (x: [ (node "preset-column-widths" [ ] { } (sizeList (p "preset-column-widths") x)) ])
      ++ opt a "preset-window-heights" (x: [ (node "preset-window-heights" [ ] { } (sizeList (p "preset-window-heights") x)) ])
      ++ optLeaf a path "center-focused-column" (oneOf [ "never" "always" "on-overflow" ])
      ++ optFlag a path "always-center-single-column"
      ++ optFlag a path "empty-workspace-above-first"
      ++ optLeaf a path "default-column-display" (oneOf [ "normal" "tabbed" ])
    );

  # --- binds ------------------------------------------------------------------------------------
  # action: { spawn = [ "a" "b" ]; } | { spawn = "a"; } | { quit.skip-confirmation = true; }
  #         | { move-window-to-workspace = [ { focus = false; } "chat" ]; }
  # (also niri-flake's `config.lib.niri.actions.<name> args`, which carries a __functor)
  action = path: v:
    let
      a = if isAttrs v then removeAttrs v [ "__functor" ] else fail path "expected an attribute set with one action, e.g. { spawn = [ \"foot\" ]; }, got ${typeName v}";
      names = attrNames a;
      name = builtins.head names;
      raw = a.${name};
      items = if isList raw then raw else [ raw ];
      ap = path ++ [ name ];
    in
    if builtins.length names != 1 then fail path "expected exactly one action, got ${toString (builtins.length names)} (${concatStringsSep ", " names})"
    else if builtins.match "[a-z][a-z0-9-]*" name == null then fail ap "not a niri action name"
    else
      node name
        (map (scalar ap) (filter (x: !isAttrs x) items))
        (lib.foldl' (acc: x: acc // lib.mapAttrs (k: scalar (ap ++ [ k ])) x) { } (filter isAttrs items))
        null;

  bind = key: v:
    let
      path = [ "binds" key ];
      a = known path [ "action" "allow-when-locked" "allow-inhibiting" "cooldown-ms" "repeat" "hotkey-overlay" ] v;
      p = k: path ++ [ k ];
      overlay = lib.optionalAttrs (a ? hotkey-overlay) (
        let o = known (p "hotkey-overlay") [ "hidden" "title" ] a.hotkey-overlay; in
        lib.optionalAttrs (o ? title) { hotkey-overlay-title = str (p "hotkey-overlay" ++ [ "title" ]) o.title; }
        // lib.optionalAttrs (o.hidden or false == true) { hotkey-overlay-title = null; }
      );
      # props only where they differ from niri's defaults, as niri-flake writes them
      props = lib.optionalAttrs (a ? cooldown-ms && a.cooldown-ms != null) { cooldown-ms = int (p "cooldown-ms") a.cooldown-ms; }
        // lib.optionalAttrs (a ? repeat && !(bool (p "repeat") a.repeat)) { repeat = false; }
        // lib.optionalAttrs (a ? allow-when-locked && bool (p "allow-when-locked") a.allow-when-locked) { allow-when-locked = true; }
        // lib.optionalAttrs (a ? allow-inhibiting && !(bool (p "allow-inhibiting") a.allow-inhibiting)) { allow-inhibiting = false; }
        // overlay;
    in
    if v == null then remove key
    else if !(a ? action) then fail (p "action") "missing: a bind needs an action, e.g. action.spawn = [ \"foot\" ]"
    else node key [ ] props [ (action (p "action") a.action) ];

  # --- rules ------------------------------------------------------------------------------------
  windowMatchKeys = [ "app-id" "title" "is-active" "is-focused" "is-active-in-column" "is-floating" "is-urgent" "is-window-cast-target" "at-startup" ];
  layerMatchKeys = [ "namespace" "at-startup" ];
  matchesOf = kind: keys: path: v:
    if !isList v then fail path "expected a list of match attribute sets, got ${typeName v}"
    else
      lib.imap0
        (i: m:
          let mp = path ++ [ "[${toString i}]" ]; ma = known mp keys m; in
          node kind [ ] (lib.mapAttrs (k: scalar (mp ++ [ k ])) (lib.filterAttrs (_: x: x != null) ma)) null)
        v;

  windowRuleLeaves = {
    default-column-display = oneOf [ "normal" "tabbed" ];
    open-on-output = str;
    open-on-workspace = str;
    open-maximized = bool;
    open-fullscreen = bool;
    open-floating = bool;
    open-focused = bool;
    draw-border-with-background = bool;
    clip-to-geometry = bool;
    opacity = num;
    min-width = int;
    max-width = int;
    min-height = int;
    max-height = int;
    block-out-from = oneOf [ "screencast" "screen-capture" ];
    baba-is-float = bool;
    variable-refresh-rate = bool;
    scroll-factor = num;
    tiled-state = bool;
  };
  layerRuleLeaves = {
    opacity = num;
    block-out-from = oneOf [ "screencast" "screen-capture" ];
    place-within-backdrop = bool;
    baba-is-float = bool;
  };

  ruleBlocks = path: {
    geometry-corner-radius = x: [{ name = "geometry-corner-radius"; args = cornerRadius (path ++ [ "geometry-corner-radius" ]) x; }];
    shadow = x:
      let sp = path ++ [ "shadow" ]; sa = known sp shadowKeys x; in
      [ (node "shadow" [ ] { } (ruleToggle sa sp ++ shadowFields sa sp)) ];
    border = x:
      let bp = path ++ [ "border" ]; ba = known bp [ "enable" "width" "active" "inactive" "urgent" ] x; in
      [ (node "border" [ ] { } (ruleToggle ba bp ++ optLeaf ba bp "width" num ++ decorations ba bp)) ];
    focus-ring = x:
      let bp = path ++ [ "focus-ring" ]; ba = known bp [ "enable" "width" "active" "inactive" "urgent" ] x; in
      [ (node "focus-ring" [ ] { } (ruleToggle ba bp ++ optLeaf ba bp "width" num ++ decorations ba bp)) ];
    tab-indicator = x:
      let tp = path ++ [ "tab-indicator" ]; ta = known tp [ "active" "inactive" "urgent" ] x; in
      [ (node "tab-indicator" [ ] { } (decorations ta tp)) ];
    default-column-width = x: [ (node "default-column-width" [ ] { } (size (path ++ [ "default-column-width" ]) x)) ];
    default-window-height = x: [ (node "default-window-height" [ ] { } (size (path ++ [ "default-window-height" ]) x)) ];
    default-floating-position = x:
      let fp = path ++ [ "default-floating-position" ]; fa = known fp [ "x" "y" "relative-to" ] x; in
      [ (node "default-floating-position" [ ] (lib.mapAttrs (k: if k == "relative-to" then str (fp ++ [ k ]) else num (fp ++ [ k ])) fa) null) ];
  };

  rule = kind: matchKeys: leaves: blocks: path: v:
    let
      b = ruleBlocks path;
      blockNames = lib.intersectLists blocks (attrNames b);
      a = known path ([ "matches" "excludes" ] ++ attrNames leaves ++ blockNames) v;
    in
    node kind [ ] { } (
      opt a "matches" (matchesOf "match" matchKeys (path ++ [ "matches" ]))
      ++ opt a "excludes" (matchesOf "exclude" matchKeys (path ++ [ "excludes" ]))
      ++ concatMap (k: opt a k b.${k}) blockNames
      ++ concatMap (k: optLeaf a path k leaves.${k}) (attrNames leaves)
    );
  windowRule = rule "window-rule" windowMatchKeys windowRuleLeaves [ "geometry-corner-radius" "shadow" "border" "focus-ring" "tab-indicator" "default-column-width" "default-window-height" "default-floating-position" ];
  layerRule = rule "layer-rule" layerMatchKeys layerRuleLeaves [ "geometry-corner-radius" "shadow" ];

  # --- spawn-at-startup -------------------------------------------------------------------------
  # { argv = [ ... ]; } | { command = [ ... ]; } (older niri-flake) | { sh = "..."; }
  # `sh` is written as `sh -c`, which niri-flake documents as exactly equivalent and any
  # niri version reads.
  spawn = i: v:
    let
      path = [ "spawn-at-startup" "[${toString i}]" ];
      a = known path [ "argv" "command" "sh" ] v;
      ks = attrNames a;
      k = builtins.head ks;
      argv = x: if isList x && x != [ ] && lib.all isString x then x else fail (path ++ [ k ]) "expected a non-empty list of strings, got ${builtins.toJSON x}";
    in
    if builtins.length ks != 1 then fail path "expected exactly one of `argv`, `command` or `sh`"
    else if k == "sh" then { name = "spawn-at-startup"; args = [ "sh" "-c" (str (path ++ [ "sh" ]) a.sh) ]; }
    else { name = "spawn-at-startup"; args = argv a.${k}; };

  # --- top level --------------------------------------------------------------------------------
  topKeys = [
    "input"
    "outputs"
    "layout"
    "cursor"
    "hotkey-overlay"
    "clipboard"
    "config-notification"
    "overview"
    "gestures"
    "animations"
    "environment"
    "binds"
    "switch-events"
    "workspaces"
    "spawn-at-startup"
    "window-rules"
    "layer-rules"
    "prefer-no-csd"
    "screenshot-path"
    "xwayland-satellite"
    "debug"
  ];

  render = settings:
    let
      # null is "not set", except for screenshot-path where it means "do not save"
      s = known [ ] topKeys (lib.filterAttrs (k: v: v != null || k == "screenshot-path") (removeAttrs settings [ "_module" ]));
      emptyAs = d: k: if s ? ${k} then s.${k} else d;
      sub = k: [ k ];
      flagsBlock = name: keys: x:
        let a = known (sub name) keys x; in
        lib.optional (a != { }) (node name [ ] { } (concatMap (k: optFlag a (sub name) k) keys));
    in
    opt s "input" (x: [ (input (sub "input") x) ])
    ++ mapAttrsToList output (emptyAs { } "outputs")
    ++ opt s "layout" (x: [ (layout (sub "layout") x) ])
    ++ opt s "cursor" (x:
      let a = known (sub "cursor") [ "theme" "size" "hide-when-typing" "hide-after-inactive-ms" ] x; p = sub "cursor"; in
      [
        (node "cursor" [ ] { } (
          opt a "theme" (t: [ (leaf "xcursor-theme" (str (p ++ [ "theme" ]) t)) ])
          ++ opt a "size" (t: [ (leaf "xcursor-size" (int (p ++ [ "size" ]) t)) ])
          ++ optFlag a p "hide-when-typing"
          ++ optLeaf a p "hide-after-inactive-ms" int
        ))
      ])
    ++ opt s "prefer-no-csd" (x: [ (flagOf (sub "prefer-no-csd") "prefer-no-csd" x) ])
    ++ lib.optional (s ? screenshot-path) (leaf "screenshot-path" (if s.screenshot-path == null then null else str (sub "screenshot-path") s.screenshot-path))
    ++ opt s "hotkey-overlay" (flagsBlock "hotkey-overlay" [ "skip-at-startup" "hide-not-bound" ])
    ++ opt s "clipboard" (flagsBlock "clipboard" [ "disable-primary" ])
    ++ opt s "config-notification" (flagsBlock "config-notification" [ "disable-failed" ])
    ++ opt s "overview" (x:
      let a = known (sub "overview") [ "zoom" "backdrop-color" "workspace-shadow" ] x; p = sub "overview"; in
      [
        (node "overview" [ ] { } (
          optLeaf a p "zoom" num
          ++ optLeaf a p "backdrop-color" str
          ++ opt a "workspace-shadow" (w:
            let wp = p ++ [ "workspace-shadow" ]; wa = known wp [ "enable" "offset" "softness" "spread" "color" ] w; in
            [ (section "workspace-shadow" wa wp (shadowFields wa wp)) ])
        ))
      ])
    ++ opt s "gestures" (x:
      let
        a = known (sub "gestures") [ "hot-corners" "dnd-edge-view-scroll" "dnd-edge-workspace-switch" ] x;
        p = sub "gestures";
        dnd = name: extent: d:
          let dp = p ++ [ name ]; da = known dp [ extent "delay-ms" "max-speed" ] d; in
          [ (node name [ ] { } (optLeaf da dp extent num ++ optLeaf da dp "delay-ms" int ++ optLeaf da dp "max-speed" num)) ];
      in
      [
        (node "gestures" [ ] { } (
          opt a "hot-corners"
            (h:
              let ha = known (p ++ [ "hot-corners" ]) [ "enable" ] h; in
              [ (section "hot-corners" ha (p ++ [ "hot-corners" ]) [ ]) ])
          ++ opt a "dnd-edge-view-scroll" (dnd "dnd-edge-view-scroll" "trigger-width")
          ++ opt a "dnd-edge-workspace-switch" (dnd "dnd-edge-workspace-switch" "trigger-height")
        ))
      ])
    ++ opt s "animations" (x:
      let a = known (sub "animations") [ "enable" "slowdown" ] x; in
      [ (section "animations" a (sub "animations") (optLeaf a (sub "animations") "slowdown" num)) ])
    ++ lib.optional (emptyAs { } "environment" != { }) (node "environment" [ ] { } (mapAttrsToList
      (k: v: { name = k; args = [ (if v == null then null else str [ "environment" k ] v) ]; })
      s.environment))
    ++ lib.optional (emptyAs { } "binds" != { }) (node "binds" [ ] { } (mapAttrsToList bind s.binds))
    ++ opt s "switch-events" (x:
      let a = known (sub "switch-events") [ "lid-close" "lid-open" "tablet-mode-on" "tablet-mode-off" ] x; in
      [
        (node "switch-events" [ ] { } (mapAttrsToList
          (k: e:
            let ep = [ "switch-events" k ]; ea = known ep [ "action" ] e; in
            node k [ ] { } [ (action (ep ++ [ "action" ]) (ea.action or (fail (ep ++ [ "action" ]) "missing"))) ])
          a))
      ])
    ++ mapAttrsToList
      (k: w:
        let wp = [ "workspaces" k ]; wa = known wp [ "name" "open-on-output" ] w; in
        node "workspace" [ (if wa ? name then str (wp ++ [ "name" ]) wa.name else k) ] { }
          (optLeaf wa wp "open-on-output" str))
      (emptyAs { } "workspaces")
    ++ lib.imap0 spawn (emptyAs [ ] "spawn-at-startup")
    ++ lib.imap0 (i: windowRule [ "window-rules" "[${toString i}]" ]) (emptyAs [ ] "window-rules")
    ++ lib.imap0 (i: layerRule [ "layer-rules" "[${toString i}]" ]) (emptyAs [ ] "layer-rules")
    ++ opt s "xwayland-satellite" (x:
      let a = known (sub "xwayland-satellite") [ "enable" "path" ] x; in
      [ (section "xwayland-satellite" a (sub "xwayland-satellite") (optLeaf a (sub "xwayland-satellite") "path" str)) ])
    ++ opt s "debug" (x:
      let a = known (sub "debug") (attrNames x) x; in
      [
        (node "debug" [ ] { } (mapAttrsToList
          (k: v:
            let
              items = lib.toList v;
              dp = [ "debug" k ];
            in
            node k (map (scalar dp) (filter (i: !isAttrs i) items)) (lib.foldl' (acc: i: acc // lib.mapAttrs (n: scalar (dp ++ [ n ])) i) { } (filter isAttrs items)) null)
          a))
      ]);

  # --- merging into axiOS's document --------------------------------------------------------------
  # Nodes merged child by child when both sides have children.
  sections = [
    "input"
    "keyboard"
    "xkb"
    "touchpad"
    "mouse"
    "trackpoint"
    "trackball"
    "output"
    "layout"
    "struts"
    "focus-ring"
    "border"
    "shadow"
    "tab-indicator"
    "insert-hint"
    "cursor"
    "hotkey-overlay"
    "clipboard"
    "config-notification"
    "overview"
    "workspace-shadow"
    "gestures"
    "hot-corners"
    "dnd-edge-view-scroll"
    "dnd-edge-workspace-switch"
    "tablet"
    "touch"
    "animations"
    "environment"
    "binds"
    "switch-events"
    "workspace"
    "xwayland-satellite"
    "debug"
  ];
  # Nodes that may appear many times: the user's are added after axiOS's.
  repeated = [ "spawn-at-startup" "spawn-sh-at-startup" "window-rule" "layer-rule" ];
  # Nodes told apart by their first argument.
  keyedByArg = [ "output" "workspace" ];

  keyOf = n: if elem n.name keyedByArg then "${n.name} ${toString (builtins.head (n.args or [ "" ]))}" else n.name;
  hasChildren = n: (n.children or null) != null;

  clean = n:
    removeAttrs n [ "remove" "replace" ]
    // lib.optionalAttrs (hasChildren n) { children = map clean (filter (c: !(c.remove or false)) n.children); };

  merge = ours: theirs:
    let
      theirsKeyed = filter (t: !elem t.name repeated) theirs;
      byKey = lib.listToAttrs (map (t: lib.nameValuePair (keyOf t) t) theirsKeyed);
      oursKeys = map keyOf ours;
      step = o:
        let k = keyOf o; in
        if elem o.name repeated || !(byKey ? ${k}) then [ o ]
        else
          let t = byKey.${k}; in
          if t.remove or false then [ ]
          else if !(t.replace or false) && elem o.name sections && hasChildren o && hasChildren t
          then [ (o // { props = (o.props or { }) // (t.props or { }); children = merge o.children t.children; }) ]
          else [ (clean t) ];
      added = filter (t: !(t.remove or false) && (elem t.name repeated || !(elem (keyOf t) oursKeys))) theirs;
    in
    concatMap step ours ++ map clean added;
in
{
  inherit render merge topKeys;
}
