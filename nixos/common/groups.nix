# `axios.users.defaultGroups`: supplementary groups that modules ask for
# (networkmanager, libvirtd, gamemode ...). The users module gives them to
# every user in `axios.users`. Imported by every module that adds a group.
{ lib, ... }:
{
  options.axios.users.defaultGroups = lib.mkOption {
    type = lib.types.listOf lib.types.str;
    default = [ ];
    example = [ "libvirtd" ];
    description = ''
      Groups every axiOS user (`axios.users.<name>`) joins. Modules append
      the groups their features need; you can append your own.
    '';
  };
}
