# Stub package names used by the home-manager modules (home/). See tests/nix/README.md.
{ mkFake, ... }:
let
  fakes = names: builtins.listToAttrs (map (n: { name = n; value = mkFake n; }) names);
in
fakes [
  "dgop"
  "hyprpicker"
  "khal"
  "vdirsyncer"
  "glib"
  "tealdeer"
  "dust"
  "duf"
  "pinentry-curses"
  "pinentry-qt"
  "lua-language-server"
  "tree-sitter"
  "mcp-journal"
  "pyright"
  "kubectl"
]
  // {
  vimPlugins = fakes [ "telescope-nvim" "nvim-lspconfig" "plenary-nvim" ] // {
    nvim-treesitter = mkFake "vimplugin-nvim-treesitter" // {
      withAllGrammars = mkFake "vimplugin-nvim-treesitter-with-all-grammars";
    };
  };
}
