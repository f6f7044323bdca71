# Every axiOS home option (under `axios.`, including sub-options of submodules) has a
# description and an example, as the module shape rules require.
{ lib, axios, evalHome, ... }:
let
  e = evalHome (lib.attrValues axios.homeModules);

  walk = opts:
    lib.concatLists (lib.mapAttrsToList
      (_: o:
        if lib.isOption o then
          [ o ] ++ walk (o.type.getSubOptions o.loc)
        else if builtins.isAttrs o then walk o
        else [ ])
      opts);

  # `_module.*` are the module system's own options inside submodules.
  all = lib.filter (o: !(lib.elem "_module" o.loc)) (walk e.options.axios);
  name = o: lib.showOption o.loc;
in
{
  testManyOptionsFound = {
    expr = builtins.length all > 150;
    expected = true;
  };

  testEveryOptionHasADescription = {
    expr = map name (lib.filter (o: !(o ? description) || o.description == null || o.description == "") all);
    expected = [ ];
  };

  testEveryOptionHasAnExample = {
    expr = map name (lib.filter (o: !(o ? example)) all);
    expected = [ ];
  };
}
