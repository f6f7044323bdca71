# NixOS's real option declarations, rebuilt from data.
#
# nixpkgs itself is not available on the test machines, but every option of
# the NixOS manual is (../shared/vendor/nixos-options: name, type as the
# manual prints it, default as text). This file turns each entry into a real
# `mkOption` whose `lib.types` type is parsed from the manual's type text, and
# nests them into an option tree WITHOUT a freeform root: a misspelt option or
# a value of the wrong type fails with the module system's own error, naming
# the option and the file that set it.
#
# Options added to NixOS after the dump are declared in ONE project file,
# tests/nix/nixos-newer-options.nix (name -> { since; type; default; }).
#
# Everything is lazy: the JSON is read once per nix-instantiate process, and an
# option's type is parsed only when the module system looks at that option.
#
# Arguments:
#   optionsFile  the JSON file (list of { Name; Type; Default; Desc; }), or the
#                runner's index.tree.json
#   entries      instead of optionsFile: that list as a Nix value
#   newer        the attrset of tests/nix/nixos-newer-options.nix
#   defaultPkgs  the stub package set `pkgs.foo` defaults are taken from
# Result: { module; stats; parse; newerFile; }   parse : type text -> node -> { type; unmapped; }
{ lib, optionsFile ? "<entries>", entries ? null, newer, defaultPkgs }:
let
  inherit (lib) types mkOption;
  stub = import ./types.nix { inherit lib; };

  # ------------------------------------------------------------------ nodes
  # The options form a tree of nodes: a node is an attrset of child nodes,
  # plus `_opt = { t = type text; d = default text; o = origin; s = since;
  # v = default value (newer options only) }` when an option is declared at
  # the node. The children of an option node are the options of its
  # submodule (under a placeholder `_name_`, `_` for attrsOf/listOf).
  #
  # tests/nix/run builds the tree once (lib/runner.py, passed as $NIXOS_OPTIONS);
  # without it, it is built here from the manual's flat list.
  unhtml = s: builtins.replaceStrings [ "&quot;" "&lt;" "&gt;" "&amp;" "&#39;" ] [ "\"" "<" ">" "&" "'" ] s;
  # `boot.kernel.sysctl."net.core.rmem_max"` is printed `_net.core.rmem_max_`:
  # a quoted name with dots, inside a freeform attrset; left out.
  quotedDots = n: builtins.match ".*\\._[^._]+\\.[^_]*_(\\..*)?" n != null;
  # a quoted name with spaces, `"passwd program"`, is printed `_passwd_program_`
  unquote = c:
    let m = builtins.match "_([^_]+(_[^_]+)+)_" c;
    in if m == null then c else builtins.replaceStrings [ "_" ] [ " " ] (builtins.head m);
  treeOf = es:
    let
      self = builtins.filter (x: x.rest == [ ]) es;
      below = builtins.filter (x: x.rest != [ ]) es;
    in
    lib.optionalAttrs (self != [ ]) { _opt = (lib.last self).opt; }
    // lib.mapAttrs (_: g: treeOf (map (x: x // { rest = builtins.tail x.rest; }) g))
      (builtins.groupBy (x: builtins.head x.rest) below);
  # the runner's split tree: `{ _file = "N.json"; }` stands for a subtree
  # kept in that file, read when an evaluation reaches it
  resolve = node:
    if node ? _file then builtins.fromJSON (builtins.readFile (dirOf optionsFile + "/${node._file}"))
    else builtins.mapAttrs (n: v: if n == "_opt" then v else resolve v) node;
  dumpTree =
    if lib.hasSuffix ".tree.json" optionsFile then resolve (builtins.fromJSON (builtins.readFile optionsFile))
    else
      treeOf (map
        (e: {
          rest = map unquote (lib.splitString "." e.Name);
          opt = { t = unhtml e.Type; d = unhtml e.Default; o = "dump"; };
        })
        (builtins.filter (e: !(quotedDots e.Name)) (if entries != null then entries else builtins.fromJSON (builtins.readFile optionsFile))));

  newerFile = toString ../nixos-newer-options.nix;
  newerTree = builtins.foldl' lib.recursiveUpdate { } (lib.mapAttrsToList
    (name: d: lib.setAttrByPath (lib.splitString "." name) {
      _opt = { t = d.type; d = d.defaultText or "none"; o = "newer"; s = d.since; } // lib.optionalAttrs (d ? default) { v = d.default; };
    })
    newer);
  root = lib.recursiveUpdate dumpTree newerTree;

  childrenOf = node: removeAttrs node [ "_opt" ];
  # the element node of an `attrsOf`/`listOf` option: the options under any
  # placeholder (`_name_`, `_`, `_user_`, ...)
  elemOf = node: builtins.foldl' lib.recursiveUpdate { } (builtins.attrValues (childrenOf node));

  # ------------------------------------------------------------------ types
  # nixpkgs' systemd `unitOption`: lists concatenate, equal scalars merge.
  systemdOption = lib.mkOptionType {
    name = "systemd option";
    check = v: builtins.isBool v || builtins.isInt v || builtins.isString v || builtins.isPath v
      || builtins.isList v || stub.isDrv v || builtins.isFloat v;
    merge = loc: defs:
      let defs' = lib.filterOverrides defs;
      in
      if lib.any (d: builtins.isList d.value) defs' then lib.concatMap (d: lib.toList d.value) defs'
      else lib.mergeEqualOption loc defs';
  };
  # pkgs.formats.{json,yaml,toml} value types
  dataValue = types.nullOr
    (types.oneOf [
      types.bool
      types.int
      types.float
      types.str
      types.path
      (types.attrsOf dataValue)
      (types.listOf dataValue)
    ]) // { description = "JSON value"; };
  iniAtom = types.nullOr (types.oneOf [ types.bool types.int types.float types.str ]);
  iniValue = types.either iniAtom (types.listOf iniAtom);
  iniSection = types.attrsOf iniValue;
  # "INI atom (...) or a list of them for duplicate keys" and its variants
  # name one type: read them as "INI value" before splitting at " or "
  compound = builtins.replaceStrings [
    "INI atom (null, bool, int, float or string) or a list of them for duplicate keys"
    "INI atom (null, bool, int, float or string) or a non-empty list of them"
    "atom (null, bool, int, float or string) or a list of them for duplicate keys"
    "atom (bool, int or string) or a list of them for duplicate keys"
  ] [ "INI value" "INI value" "INI value" "INI value" ];
  sysctlValue = types.nullOr (types.oneOf [ types.bool types.str types.int types.float ]);

  exact = {
    "boolean" = types.bool;
    "string" = types.str;
    "path" = types.path;
    "absolute path" = types.path;
    "path in the Nix store" = types.pathInStore;
    "package" = types.package;
    "shell package" = types.shellPackage;
    "anything" = types.anything;
    "unspecified value" = types.unspecified;
    "raw value" = types.raw;
    "attribute set" = types.attrs;
    "signed integer" = types.int;
    "floating point number" = types.float;
    "unsigned integer, meaning >=0" = types.ints.unsigned;
    "positive integer, meaning >0" = types.ints.positive;
    "nonnegative floating point number, meaning >=0" = types.numbers.nonnegative;
    "non-empty string" = types.nonEmptyStr;
    "single-line string" = types.singleLineStr;
    "(optionally newline-terminated) single-line string" = types.singleLineStr;
    "string, not containing newlines or colons" = types.passwdEntry types.str;
    "path, not containing newlines or colons" = types.passwdEntry types.path;
    "absolute path, not containing newlines or colons" = types.passwdEntry types.path;
    "strings concatenated with “\\n”" = types.lines;
    "strings concatenated with “,”" = types.commas;
    # (lib.types' own descriptions, as data computed from nixpkgs has them)
    "strings concatenated with \"\\n\"" = types.lines;
    "strings concatenated with \",\"" = types.commas;
    "strings concatenated with \" \"" = types.separatedString " ";
    "systemd option" = systemdOption;
    "sysctl option value" = sysctlValue;
    "JSON value" = dataValue;
    "YAML value" = dataValue;
    "TOML value" = dataValue;
    "section of an INI file (attrs of INI atom (null, bool, int, float or string))" = iniSection;
    "attrs of INI atom (null, bool, int, float or string)" = iniSection;
    "INI atom (null, bool, int, float or string)" = iniAtom;
    "atom (null, bool, int, float or string)" = iniAtom;
    "file mode string" = types.str;
    "string (with check: hexadecimal string)" = types.str;
    "nixpkgs config" = types.attrsOf types.anything;
    "INI value" = iniValue;
    "section of an INI file (attrs of INI value)" = types.attrsOf iniValue;
    "module" = types.deferredModule;
    "Toplevel NixOS config" = types.raw;
    "An evaluation of Nixpkgs; the top level attribute set of packages" = types.raw;
    "attribute-tagged union" = types.attrs;
    "integer of at least 16 bits" = types.int;
    "nonnegative integer or floating point number, meaning >=0" = types.numbers.nonnegative;
    "3×3 matrix of floating point numbers" = types.listOf (types.listOf types.float);
    "string starting with / or ~/" = types.str;
    "IPv4 address" = types.str;
    "IPv6 address" = types.str;
    "Network prefix in CIDR notation" = types.str;
    "Go duration (https://golang.org/pkg/time/#ParseDuration)" = types.str;
    "string of the form number{b|k|M|G}" = types.str;
    "string containing all of the characters %Y, %m, %d, %H, %M, %S" = types.str;
    "printable string without spaces, # and /" = types.strMatching "[[:print:]]+";
    "tmpfiles.d(5) age format" = types.str;
    "key ID prefixed with KEY_" = types.strMatching "KEY_.*";
    "ibus-engine" = types.package;
    "NetworkManager plug-in" = types.package;
    "package that is a Home Assistant component" = types.package;
    "package with provided sessions" = types.package;
    "string without line breaks or quotes" = types.strMatching "[^\n\r\"]*";
    "nixpkgs overlay" = types.unspecified;
    "none" = types.unspecified;
    "IPv4 or IPv6 address" = types.str;
    "nonzero signed integer, meaning !=0" = types.addCheck types.int (x: x != 0);
    "string without spaces" = types.strMatching "[^[:space:]]*";
    "Nix config atom (null, bool, int, float, str, path or package)" =
      types.nullOr (types.oneOf [ types.bool types.int types.float types.str types.path types.package ]);
  };

  strip = s: let m = builtins.match "[[:space:]]*(.*[^[:space:]])[[:space:]]*" s; in if m == null then "" else builtins.head m;

  # Splits at " or " outside parentheses and “quotes”.
  splitOr = s:
    let
      toks = builtins.split "(\\(|\\)|,? or |“|”)" s;
      step = st: t:
        if builtins.isString t then st // { cur = st.cur + t; }
        else
          let x = builtins.head t; in
          if (x == " or " || x == ", or ") && st.depth == 0 && !st.q then st // { parts = st.parts ++ [ st.cur ]; cur = ""; }
          else st // {
            cur = st.cur + x;
            depth = if st.q then st.depth else if x == "(" then st.depth + 1 else if x == ")" then st.depth - 1 else st.depth;
            q = if x == "“" then true else if x == "”" then false else st.q;
          };
      r = builtins.foldl' step { parts = [ ]; cur = ""; depth = 0; q = false; } toks;
    in
    r.parts ++ [ r.cur ];

  # "(x)" -> "x" when the parentheses enclose the whole text
  unparen = s:
    let m = builtins.match "\\((.*)\\)" s;
    in if m != null && balanced (builtins.head m) then unparen (builtins.head m) else s;
  balanced = s:
    let
      toks = builtins.filter builtins.isList (builtins.split "(\\(|\\))" s);
      r = builtins.foldl' (d: t: if d < 0 then d else if builtins.head t == "(" then d + 1 else d - 1) 0 toks;
    in
    r == 0;

  enumValues = s:
    map
      (v:
        # “x” as the manual prints it, "x" as lib.types describes it
        let q = builtins.match "“(.*)”" v; q' = builtins.match "\"(.*)\"" v; in
        if q != null then builtins.head q
        else if q' != null then builtins.head q'
        else if builtins.match "-?[0-9]+" v != null then lib.toInt v
        else if v == "true" then true else if v == "false" then false
        else v)
      (map strip (lib.splitString ", " s));

  unmapped = text: { type = stub.stubAnything; unmapped = [ text ]; };
  ok = type: { inherit type; unmapped = [ ]; };
  wrap = f: r: r // { type = f r.type; };

  # A plain "submodule" with these names is, in NixOS, a freeform settings
  # submodule (`freeformType = format.type`): the manual does not say so.
  freeformNames = [ "settings" "extraSettings" "extraConfig" "config" "serviceConfig" "unitConfig" "options" "environment" ];

  # parse : text -> node -> { type; unmapped = [ texts ]; }
  parse = text0: node:
    let
      text = strip (unparen (strip (compound text0)));
      m = re: builtins.match re text;
      alts = splitOr text;
      convertible = m "(.*) convertible to it";
      between = m "(([0-9]+) bit ([a-z]+) integer;|integer) between (-?[0-9]+) and (-?[0-9]+) \\(both inclusive\\)";
      sized =
        if between == null || builtins.elemAt between 1 == null then null
        else "${if builtins.elemAt between 2 == "unsigned" then "u" else "s"}${builtins.elemAt between 1}";
      withCheck = m "(.*) \\(with check: [^()]*\\)";
    in
    if exact ? ${text} then ok exact.${text}
    else if m "integer or floating point number between ([-0-9.]+) and ([-0-9.]+) \\(both inclusive\\)" != null then
      let b = m "integer or floating point number between ([-0-9.]+) and ([-0-9.]+) \\(both inclusive\\)";
      in ok (types.numbers.between (builtins.fromJSON (builtins.elemAt b 0)) (builtins.fromJSON (builtins.elemAt b 1)))
    else if lib.hasPrefix "string matching the pattern " text then
      ok (types.strMatching (lib.removePrefix "string matching the pattern " text))
    else if builtins.length alts > 1 then
      let
        rest = lib.concatStringsSep " or " (builtins.tail alts);
      in
      if strip (builtins.head alts) == "null" then wrap types.nullOr (parse rest node)
      else
        let
          a = parse (builtins.head alts) node;
          b = parse rest node;
        in
        { type = types.either a.type b.type; unmapped = a.unmapped ++ b.unmapped; }
    else if convertible != null then parse (builtins.head convertible) node
    # (the data lists no sub-options for a few submodules, hidden in the
    # manual: those stay open rather than rejecting every attribute)
    else if text == "submodule" then ok (if childrenOf node == { } then openSubmodule else submoduleOf node)
      # a freeform submodule as lib.types describes it (data computed from nixpkgs)
    else if m "open submodule of (.*)" != null then
      wrap (ff: types.submodule ({ name, ... }: { freeformType = ff; options = optionsOf node; config = nameDefaults name node; }))
        (parse (builtins.head (m "open submodule of (.*)")) { })
    else if m "one of (.*)" != null then ok (types.enum (enumValues (builtins.head (m "one of (.*)"))))
    else if m "value (.*) \\(singular enum\\)" != null then ok (types.enum (enumValues (builtins.head (m "value (.*) \\(singular enum\\)"))))
    else if sized != null && types.ints ? ${sized} then ok types.ints.${sized}
    else if between != null then ok (types.ints.between (lib.toInt (builtins.elemAt between 3)) (lib.toInt (builtins.elemAt between 4)))
    else if m "strings concatenated with [“\"](.*)[”\"]" != null then ok (types.separatedString (builtins.head (m "strings concatenated with [“\"](.*)[”\"]")))
    else if m "list of (.*)" != null then wrap types.listOf (parse (builtins.head (m "list of (.*)")) (elemOf node))
    else if m "non-empty \\(list of (.*)\\)" != null then wrap types.nonEmptyListOf (parse (builtins.head (m "non-empty \\(list of (.*)\\)")) (elemOf node))
    else if m "lazy attribute set of (.*)" != null then wrap types.lazyAttrsOf (parse (builtins.head (m "lazy attribute set of (.*)")) (elemOf node))
    else if m "attribute set of (.*)" != null then wrap types.attrsOf (parse (builtins.head (m "attribute set of (.*)")) (elemOf node))
    else if m "function that evaluates to a\\(n\\) (.*)" != null then wrap types.functionTo (parse (builtins.head (m "function that evaluates to a\\(n\\) (.*)")) node)
    else if withCheck != null then parse (builtins.head withCheck) node
    # the value type of a settings format (pkgs.formats.*): PHP, Python, HOCON, libconfig...
    else if m "(PHP|Python|HOCON|Elixir|libconfig|Traffic Server records|Json) value" != null then ok dataValue
    else if m "pair of (.*)" != null then wrap (t: types.addCheck (types.listOf t) (l: builtins.length l == 2)) (parse (builtins.head (m "pair of (.*)")) (elemOf node))
    else unmapped text;

  # Options of a node as a (lazy) option tree.
  optionsOf = node: lib.mapAttrs optionOf (childrenOf node);

  openSubmodule = types.submodule { freeformType = types.lazyAttrsOf stub.stubAnything; };
  # The submodule whose options are the node's sub-options (closed: a
  # misspelt sub-option fails, as in NixOS).
  submoduleOf = node: types.submodule ({ name, ... }: {
    options = optionsOf node;
    config = nameDefaults name node;
  });
  # sub-options whose default is the attribute name (`‹name›`)
  nameDefaults = name: node:
    lib.mapAttrs (_: _: lib.mkOptionDefault name)
      (lib.filterAttrs (_: c: c ? _opt && (c._opt.d == "\"‹name›\"" || c._opt.d == "‹name›"))
        (childrenOf node));

  hasSubmodule = t: lib.hasInfix "submodule" t;

  optionOf = name: node:
    if !(node ? _opt) then optionsOf node
    else
      let
        o = node._opt;
        subs = childrenOf node;
        parsed = parse o.t node;
        # a non-submodule option with declared sub-options (e.g. `settings`
        # of a format type): a freeform submodule
        # (sub-options under placeholders belong to elements: not checked)
        placeholders = builtins.all (k: builtins.match "_([^.]*_)?" k != null) (builtins.attrNames subs);
        attrsLike = t: lib.hasPrefix "attribute set" t || lib.hasPrefix "lazy attribute set" t
          || lib.hasSuffix " value" t || t == "settings option" || t == "attribute-tagged union";
        settingsSub = t: types.submodule {
          freeformType =
            if lib.hasPrefix "attribute set" t || lib.hasPrefix "lazy attribute set" t
            then (parse t { }).type else types.lazyAttrsOf (parse t { }).type;
          options = optionsOf node;
        };
        nullInner = builtins.match "null or [(]?(.*[^)])[)]?" o.t;
        withSubs =
          if subs == { } || hasSubmodule o.t || placeholders then parsed.type
          else if attrsLike o.t then settingsSub o.t
          else if nullInner != null && attrsLike (builtins.head nullInner) then types.nullOr (settingsSub (builtins.head nullInner))
          else parsed.type;
        freeform = o.t == "submodule" && builtins.elem name freeformNames;
        dflt = defaultOf o;
      in
      mkOption ({
        type =
          if freeform then types.submodule { freeformType = types.lazyAttrsOf stub.stubAnything; options = optionsOf node; }
          else withSubs;
        description = "${o.t} (${if o.o == "dump" then "NixOS manual, December 2024" else "tests/nix/nixos-newer-options.nix, NixOS ${o.s}"})";
      } // lib.optionalAttrs (dflt ? value) { default = dflt.value; });

  # Defaults: plain values as the manual prints them and `pkgs.<attr>`; a
  # computed default (text like `config.x.y`) is left out, so reading an
  # unset option fails as "used but not defined" (tests/nix/stubs/nixos
  # gives the values NixOS computes that modules read).
  defaultOf = o:
    let
      t = o.d;
      str = builtins.match "\"([^\"\\\\$]*)\"" t;
      pkg = builtins.match "pkgs\\.([A-Za-z0-9_.-]+)" t;
    in
    if o ? v then { value = o.v; }
    else if t == "true" then { value = true; }
    else if t == "false" then { value = false; }
    else if t == "null" then { value = null; }
    else if t == "[ ]" then { value = [ ]; }
    else if t == "{ }" then { value = { }; }
    else if builtins.match "-?[0-9]+" t != null then { value = lib.toInt t; }
    else if str != null && builtins.head str != "‹name›" then { value = builtins.head str; }
    else if pkg != null then
      let p = lib.splitString "." (builtins.head pkg);
      in lib.optionalAttrs (lib.hasAttrByPath p defaultPkgs) { value = lib.getAttrFromPath p defaultPkgs; }
    else { };

  # Statistics for the runner: options from the newer file, unmapped types.
  stats =
    let
      opts = node: (if node ? _opt then [ (node._opt // { subs = childrenOf node != { }; }) ] else [ ]) ++ lib.concatMap opts (builtins.attrValues (childrenOf node));
      all = opts root;
      texts = lib.unique (map (o: o.t) all);
      bad = builtins.filter (t: (parse t { }).unmapped != [ ]) texts;
      badSet = lib.genAttrs bad (_: true);
    in
    {
      options = builtins.length all;
      newer = builtins.attrNames newer;
      newerAlsoInDump = builtins.filter (n: (lib.attrByPath (lib.splitString "." n ++ [ "_opt" ]) null dumpTree) != null) (builtins.attrNames newer);
      unmappedTypes = bad;
      unmappedOptions = builtins.length (builtins.filter (o: badSet ? ${o.t}) all);
      openSubmodules = map (o: o.t) (builtins.filter (o: !o.subs && lib.hasInfix "submodule" o.t) all);
    };
in
{
  module = {
    _file = "NixOS option declarations (tests/nix/lib/nixos-options.nix) from ${optionsFile}";
    options = optionsOf root;
  };
  inherit stats parse newerFile;
}
