# Option hygiene of every axiOS NixOS module (as DESIGN asks): each option
# has a description and an example (mkEnableOption brings its own), and
# every option lives in a file of nixos/.
{ lib, axios, evalNixos, inputs, root, ... }:
let
  all = evalNixos (builtins.attrValues axios.nixosModules ++ [ inputs.lanzaboote.nixosModules.lanzaboote inputs.agenix.nixosModules.default ]);
  docs = lib.optionAttrSetToDocList all.options;
  nixosDir = toString (root + "/nixos") + "/";
  # options declared by our modules (not the stubs); services is checked
  # by its own case file
  ours = builtins.filter
    (o: builtins.any (d: lib.hasPrefix nixosDir (toString d) && !(lib.hasInfix "/nixos/services/" (toString d))) o.declarations)
    docs;
  names = f: map (o: o.name) (builtins.filter f ours);
in
{
  testManyOptionsFound = {
    expr = builtins.length ours > 60;
    expected = true;
  };
  testEveryOptionHasADescription = {
    expr = names (o: (o.description or null) == null || o.description == "");
    expected = [ ];
  };
  testEveryOptionHasAnExample = {
    expr = names (o: !(o ? example) && !(o.readOnly or false));
    expected = [ ];
  };
  testNoOptionTypeIsUnspecified = {
    expr = names (o: builtins.elem o.type [ "unspecified value" "raw value" "anything" ]);
    expected = [ ];
  };
}
