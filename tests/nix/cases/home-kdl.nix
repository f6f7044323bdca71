# home/lib/kdl.nix: the KDL renderer behind ~/.config/niri/config.kdl.
{ lib, root, ... }:
let
  kdl = import (root + "/home/lib/kdl.nix") { inherit lib; };
  inherit (kdl) node flag leaf render renderAll;
in
{
  testQuoteEscapes = {
    expr = kdl.quote "a \"b\" \\ c\nd\te";
    expected = ''"a \"b\" \\ c\nd\te"'';
  };
  testValues = {
    expr = map kdl.value [ true false 3 (-2) 0.5 1.0 0.33333 "x" null ];
    expected = [ "true" "false" "3" "-2" "0.5" "1.0" "0.33333" ''"x"'' "null" ];
  };
  testValueRejectsLists = {
    expr = kdl.value [ 1 ];
    expectedError = "kdl: cannot render a value of type list";
  };
  testBareAndQuotedNodeNames = {
    expr = map (n: render (flag n)) [ "Mod+Shift+Slash" "XF86AudioMute" "1bad" "has space" ];
    expected = [ "Mod+Shift+Slash" "XF86AudioMute" ''"1bad"'' ''"has space"'' ];
  };
  testArgsPropsChildren = {
    expr = render (node "output" [ "DP-1" ] { } [
      (leaf "scale" 1.5)
      (node "position" [ ] { x = 0; y = 10; } null)
      (flag "variable-refresh-rate")
    ]);
    expected = ''
      output "DP-1" {
          scale 1.5
          position x=0 y=10
          variable-refresh-rate
      }'';
  };
  testNestedIndentAndEmptyChildren = {
    expr = renderAll [
      (node "a" [ ] { } [ (node "b" [ ] { } [ (leaf "c" "d") ]) ])
      (node "e" [ ] { } [ ])
    ];
    expected = ''
      a {
          b {
              c "d"
          }
      }
      e { }'';
  };
  testPropsNeedQuotingAreQuoted = {
    expr = render (node "match" [ ] { app-id = "^firefox$"; "weird key" = true; } null);
    expected = ''match app-id="^firefox$" "weird key"=true'';
  };
}
