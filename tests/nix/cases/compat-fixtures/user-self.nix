# A downstream user module of the original axiOS: it takes `self` and
# `config` and reads a host option.
{ self, config, ... }:
let
  name = "dave";
  home = "/home/${name}";
in
{
  users.users.${name} = {
    isNormalUser = true;
    description = "Dave Example";
    extraGroups = [ "wheel" "libvirtd" "kvm" "input" "video" ];
  };
  home-manager.users.${name} = {
    home = {
      stateVersion = "24.05";
      homeDirectory = home;
      username = name;
      sessionVariables.FLAKE_PATH = "${home}/.config/nixos_config";
      sessionVariables.HOST_NAME = config.networking.hostName;
    };
  };
  environment.etc."axios-flake".text = if self ? outPath then "self" else "no self";
}
