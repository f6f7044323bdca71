# A small KDL (v1) renderer for the configuration files axiOS generates
# (niri's config.kdl). Pure functions of `lib`; tested by tests/nix/cases/home-desktop-*.nix.
#
# A node is `{ name; args ? [ ]; props ? { }; children ? null; }`:
#   node "layout" [ ] { } [ (node "gaps" [ 16 ] { } null) ]
# renders as
#   layout {
#       gaps 16
#   }
{ lib }:
let
  inherit (lib) concatMapStringsSep concatStringsSep mapAttrsToList isBool isInt isFloat isString;

  # KDL v1 quoted string.
  quote = s: "\"" + lib.replaceStrings [ "\\" "\"" "\n" "\t" "\r" ] [ "\\\\" "\\\"" "\\n" "\\t" "\\r" ] s + "\"";

  # Bare identifiers are allowed for node names such as `Mod+Shift+T` or `XF86AudioMute`;
  # anything else is quoted.
  ident = s: if builtins.match "[A-Za-z][A-Za-z0-9+_.-]*" s != null then s else quote s;

  # `toString 0.5` is "0.500000": trim the trailing zeros (KDL needs a digit after the dot).
  float = f:
    let
      s = toString f;
      frac = builtins.match "(-?[0-9]+\\.[0-9]*[1-9])0*" s;
      whole = builtins.match "(-?[0-9]+)\\.0*" s;
    in
    if frac != null then builtins.head frac
    else if whole != null then "${builtins.head whole}.0"
    else s;

  value = v:
    if isBool v then (if v then "true" else "false")
    else if isInt v then toString v
    else if isFloat v then float v
    else if isString v then quote v
    else if v == null then "null"
    else throw "kdl: cannot render a value of type ${builtins.typeOf v}";

  indentLines = prefix: text:
    concatMapStringsSep "\n" (l: if l == "" then l else prefix + l) (lib.splitString "\n" text);

  render = n:
    let
      head = concatStringsSep " " (
        [ (ident n.name) ]
        ++ map value (n.args or [ ])
        ++ mapAttrsToList (k: v: "${ident k}=${value v}") (n.props or { })
      );
      children = n.children or null;
    in
    if children == null then head
    else if children == [ ] then "${head} { }"
    else "${head} {\n${indentLines "    " (renderAll children)}\n}";

  renderAll = nodes: concatMapStringsSep "\n" render nodes;
in
{
  inherit quote value render renderAll;

  node = name: args: props: children: { inherit name args props children; };

  # `flag "prefer-no-csd"` -> a node without arguments.
  flag = name: { inherit name; };

  # `leaf "gaps" 16` -> `gaps 16`.
  leaf = name: arg: { inherit name; args = [ arg ]; };
}
